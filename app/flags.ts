/** Parsing of flag values that yargs hands over as strings. */
import { MAX_SEED } from '../checker/random.js';
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

/** A file flag's value: a non-empty string, or undefined when absent. */
export function fileFlag(flag: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} must name a file`);
  return v;
}

/** `--seed S`: an unsigned 32-bit integer. */
export function seedFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEED) throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got ${shown(v)}`);
  return n;
}

/** `--swarm i/N`, checked: 1 <= i <= N. */
export function swarmFlag(v: unknown): { shard: number; of: number } | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v) : null;
  const shard = m ? Number(m[1]) : NaN;
  const of = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(shard) || !Number.isSafeInteger(of) || of < 1 || shard < 1 || shard > of) {
    throw new UsageError(`--swarm must be i/N: shard i of N, whole numbers with N >= 1 and 1 <= i <= N (e.g. 2/8), got ${shown(v)}`);
  }
  return { shard, of };
}
