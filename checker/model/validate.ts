/**
 * Validating options: one error type and one validator per kind of value,
 * shared by every entry point (check, the state graph, simulate, swarm, the
 * fast-check arbitraries). Each message names the caller and the option.
 */

/** Thrown for an option that is out of range; the message names the option. */
export class OptionError extends Error {
  override name = 'OptionError';
}

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Throws an OptionError: `who: option name must be want, got v`. */
export function badOption(who: string, name: string, want: string, got: unknown): never {
  throw new OptionError(`${who}: option ${name} must be ${want}, got ${shown(got)}`);
}

/** A whole number from `min` to `max` (default: no upper bound). */
export function wholeOption(who: string, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    badOption(who, name, max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`, v);
  }
  return v;
}

/**
 * A limit: absent means none (Infinity); otherwise a whole number of at
 * least `min` (or any number of at least `min` when `fractional`), Infinity
 * allowed.
 */
export function limitOption(who: string, name: string, v: unknown, min: number, fractional = false): number {
  if (v === undefined) return Infinity;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || (!fractional && Number.isFinite(v) && !Number.isInteger(v))) {
    badOption(who, name, fractional ? `a number of at least ${min}` : `a whole number of at least ${min}`, v);
  }
  return v;
}
