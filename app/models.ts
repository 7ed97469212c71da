/**
 * Which model a command runs on: the built-in `dns` model with parameters
 * from flags, a user's model from a module file (`--model FILE`, see
 * user-model.ts), or the one a trace file names.
 */
import type { Model } from '../checker/model.js';
import { dnsModel } from '../models/dns/model.js';
import { VARIANT_NAMES, type DnsParams, type Variant } from '../models/dns/params.js';
import type { Trace } from '../traces/trace.js';
import { UsageError } from './errors.js';
import { shown, wholeFlag } from './flags.js';
import { loadModelModule, type UserParams } from './user-model.js';

/** The model-selecting flags every command shares, as yargs hands them over (unvalidated). */
export interface ModelArgs {
  variant?: unknown;
  enactors?: unknown;
  plans?: unknown;
  endpoints?: unknown;
  maxBackoff?: unknown;
  keep?: unknown;
  /** A user model module (`--model FILE`): .js, .mjs, .cjs, .ts, .mts or .cts. */
  model?: unknown;
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

/** Parameters for a user module's `createModel`, from the model flags given (absent ones left out). */
export function userParamsFromArgs(a: ModelArgs): UserParams {
  const out: UserParams = {};
  if (a.variant !== undefined) out.variant = String(a.variant);
  const flags = { enactors: 'enactors', plans: 'plans', endpoints: 'endpoints', maxBackoff: 'max-backoff', keep: 'keep' } as const;
  for (const [key, flag] of Object.entries(flags)) {
    const v = wholeFlag(flag, a[key as keyof typeof flags]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The model the flags select: `--model FILE` loads a user model, otherwise the built-in `dns` model. */
export async function modelFromArgs(a: ModelArgs): Promise<Model> {
  if (a.model !== undefined) return loadModelModule(String(a.model), { params: userParamsFromArgs(a) });
  return dnsModel(dnsParamsFromArgs(a)) as unknown as Model;
}

/**
 * The model a trace was made with, rebuilt from its name and parameters;
 * `overrides` (e.g. another variant for replay) take precedence. A trace of
 * a user model needs `overrides.model`, the module to load (`--model`): the
 * module path a trace records is only quoted in the message, never loaded,
 * since a trace file is untrusted input and nothing in it runs.
 */
export async function modelFromTrace(t: Trace, overrides: Partial<DnsParams> & { model?: unknown } = {}): Promise<Model> {
  const { model: file, ...rest } = overrides;
  if (file !== undefined) {
    const params: UserParams = {};
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) params[k] = v;
    const m = await loadModelModule(String(file), { params, traceParams: t.params });
    if (m.name !== t.model) throw new UsageError(`--model ${String(file)} builds model ${shown(m.name)}, but the trace is of model ${shown(t.model)}`);
    return m;
  }
  if (t.model !== 'dns' || t.module !== undefined) {
    throw new UsageError(
      `trace: made with the user model ${shown(t.model)}${t.module !== undefined ? ` from ${t.module}` : ''}; pass --model ${t.module ?? 'FILE'} to load it (dnsmc never loads code a trace names)`,
    );
  }
  const p = t.params as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const k of ['variant', 'enactors', 'plans', 'endpoints', 'maxBackoff', 'keep']) if (p[k] !== undefined) params[k] = p[k];
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) params[k] = v;
  return dnsModel(params as Partial<DnsParams>) as unknown as Model;
}
