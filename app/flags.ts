/** Parsing of flag values that yargs hands over as strings. */
import { UsageError } from './errors.js';

/** A value as an error message quotes it. */
export const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A flag that takes a whole number; yargs hands it over as a string, tests may pass a number. */
export function wholeFlag(flag: string, v: unknown, min = -Infinity, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max !== Infinity ? `a whole number from ${min} to ${max}` : min === -Infinity ? 'a whole number' : `a whole number of at least ${min}`;
    throw new UsageError(`--${flag} must be ${range}, got ${shown(v)}`);
  }
  return n;
}

/** A flag that takes a number of seconds above 0. */
export function secondsFlag(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number of seconds above 0, got ${shown(v)}`);
  return n;
}

/** A flag that may be given several times, as a list of strings. */
export function listFlag(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
