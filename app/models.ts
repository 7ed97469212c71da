/**
 * Which model a command runs on: the built-in `dns` model with parameters
 * from flags, or the one a trace file names.
 */
import type { Model } from '../checker/model.js';
import { dnsModel } from '../models/dns/model.js';
import { VARIANT_NAMES, type DnsParams, type Variant } from '../models/dns/params.js';
import type { Trace } from '../traces/trace.js';
import { UsageError } from './errors.js';
import { shown, wholeFlag } from './flags.js';

/** The model-selecting flags every command shares, as yargs hands them over (unvalidated). */
export interface ModelArgs {
  variant?: unknown;
  enactors?: unknown;
  plans?: unknown;
  endpoints?: unknown;
  maxBackoff?: unknown;
  keep?: unknown;
}

/** `dns` parameters from flags. Ranges are the model's to check (ParamError names the parameter). */
export function dnsParamsFromArgs(a: ModelArgs): Partial<DnsParams> {
  if (a.variant !== undefined && !VARIANT_NAMES.includes(a.variant as Variant)) {
    throw new UsageError(`--variant must be one of ${VARIANT_NAMES.join('|')}, got ${shown(a.variant)}`);
  }
  return {
    variant: a.variant as Variant | undefined,
    enactors: wholeFlag('enactors', a.enactors),
    plans: wholeFlag('plans', a.plans),
    endpoints: wholeFlag('endpoints', a.endpoints),
    maxBackoff: wholeFlag('max-backoff', a.maxBackoff),
    keep: wholeFlag('keep', a.keep),
  };
}

/** The model the flags select. */
export async function modelFromArgs(a: ModelArgs): Promise<Model> {
  return dnsModel(dnsParamsFromArgs(a)) as unknown as Model;
}

/**
 * The model a trace was made with, rebuilt from its name and parameters;
 * `overrides` (e.g. another variant for replay) take precedence.
 */
export async function modelFromTrace(t: Trace, overrides: Partial<DnsParams> = {}): Promise<Model> {
  if (t.model !== 'dns') throw new UsageError(`trace: field model must be dns, got ${shown(t.model)}`);
  const p = t.params as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const k of ['variant', 'enactors', 'plans', 'endpoints', 'maxBackoff', 'keep']) if (p[k] !== undefined) params[k] = p[k];
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) params[k] = v;
  return dnsModel(params as Partial<DnsParams>) as unknown as Model;
}
