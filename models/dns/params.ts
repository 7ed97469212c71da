/**
 * Parameters of the `dns` model, their defaults (those of
 * ../shared/PROTOCOL.md) and the four variants.
 */

/** The two fixes, both off in the `as-was` protocol. */
export interface Fixes {
  /** After taking the lock, give up if the plan is not newer than the active one. */
  readonly recheckUnderLock: boolean;
  /** Cleanup never deletes the generation the top alias points at. */
  readonly cleanerSparesActive: boolean;
}

export const VARIANTS = {
  'as-was': { recheckUnderLock: false, cleanerSparesActive: false },
  fixed: { recheckUnderLock: true, cleanerSparesActive: true },
  'recheck-only': { recheckUnderLock: true, cleanerSparesActive: false },
  'spare-active-only': { recheckUnderLock: false, cleanerSparesActive: true },
} as const satisfies Record<string, Fixes>;

export type Variant = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];

export interface DnsParams {
  /** Protocol variant. Default `as-was`. */
  readonly variant: Variant;
  /** Enactors `0 .. enactors-1`. Default 3. */
  readonly enactors: number;
  /** The planner publishes generations `1 .. plans`. Default 4. */
  readonly plans: number;
  /** Endpoints `0 .. endpoints-1`, each with its own alias, trees and lock. Default 1. */
  readonly endpoints: number;
  /** The failed-lock-attempt counter saturates here. Default 2. */
  readonly maxBackoff: number;
  /** Cleanup deletes generations `g` with `g + keep < plan`. Default 1. */
  readonly keep: number;
}

export const DEFAULT_PARAMS: DnsParams = {
  variant: 'as-was',
  enactors: 3,
  plans: 4,
  endpoints: 1,
  maxBackoff: 2,
  keep: 1,
};

/** The largest value each numeric parameter may take, and why. */
export const PARAM_LIMITS = {
  enactors: { min: 1, max: 250, why: 'enactor ids and the transition table stay small' },
  // Each endpoint's plan trees are a set field of `plans` bits, and one field holds at most 31 bits.
  plans: { min: 1, max: 31, why: 'the set of plan trees is one 31-bit field of the state layout' },
  endpoints: { min: 1, max: 250, why: 'endpoint ids stay small' },
  maxBackoff: { min: 0, max: 1_000_000, why: 'the counter is a bounded field' },
  keep: { min: 0, max: 1_000_000, why: 'a larger keep deletes nothing' },
} as const satisfies Record<Exclude<keyof DnsParams, 'variant'>, { min: number; max: number; why: string }>;

/** Thrown for a parameter out of range; `param` names it. */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fills in defaults and validates. Throws ParamError naming the parameter. */
export function resolveParams(p: Partial<DnsParams> = {}): DnsParams {
  const out = { ...DEFAULT_PARAMS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as DnsParams;
  if (!(out.variant in VARIANTS)) {
    throw new ParamError('variant', `variant must be one of ${VARIANT_NAMES.join('|')}, got ${String(out.variant)}`);
  }
  for (const [name, lim] of Object.entries(PARAM_LIMITS)) {
    const v = (out as unknown as Record<string, unknown>)[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lim.min || v > lim.max) {
      throw new ParamError(name, `${name} must be a whole number from ${lim.min} to ${lim.max} (${lim.why}), got ${String(v)}`);
    }
  }
  return out;
}
