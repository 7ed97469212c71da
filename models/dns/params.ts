/**
 * Parameters of the `dns` model, their defaults (those of docs/protocol.md)
 * and the four variants.
 */
import { resolveParamValues, type ParamSpec } from '../../checker/package/params.js';

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

/** The parameters as a model package declares them: flags, `--help`, validation and traces come from this list. */
export const DNS_PARAMS = [
  { name: 'variant', type: 'enum', values: VARIANT_NAMES, default: DEFAULT_PARAMS.variant, help: 'protocol variant' },
  {
    name: 'enactors',
    type: 'int',
    min: 1,
    max: 250,
    default: DEFAULT_PARAMS.enactors,
    help: 'number of enactors',
    why: 'enactor ids and the transition table stay small',
  },
  // Each endpoint's plan trees are a set field of `plans` bits, and one field holds at most 31 bits.
  {
    name: 'plans',
    type: 'int',
    min: 1,
    max: 31,
    default: DEFAULT_PARAMS.plans,
    help: 'generations the planner publishes',
    why: 'the set of plan trees is one 31-bit field of the state layout',
  },
  { name: 'endpoints', type: 'int', min: 1, max: 250, default: DEFAULT_PARAMS.endpoints, help: 'number of endpoints', why: 'endpoint ids stay small' },
  {
    name: 'maxBackoff',
    type: 'int',
    min: 0,
    max: 1_000_000,
    default: DEFAULT_PARAMS.maxBackoff,
    help: 'the failed-lock counter saturates here',
    why: 'the counter is a bounded field',
  },
  {
    name: 'keep',
    type: 'int',
    min: 0,
    max: 1_000_000,
    default: DEFAULT_PARAMS.keep,
    help: 'cleanup deletes generation g when g + keep < plan',
    why: 'a larger keep deletes nothing',
  },
] as const satisfies readonly ParamSpec[];

/** Fills in defaults and validates. Throws ParamError naming the parameter. */
export function resolveParams(p: Partial<DnsParams> = {}): DnsParams {
  return resolveParamValues(DNS_PARAMS, p);
}
