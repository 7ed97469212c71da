/**
 * Stage two: a command's options, resolved from flags against the model
 * once, into the options the engine takes. Every refusal names the flag and
 * what it accepts.
 */
import { defaultWorkers } from '../checker/explore/parallel.js';
import { MAX_EXPECTED_STATES, type CheckOptions } from '../checker/explore/options.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import { livenessNames, type FairnessMode } from '../checker/liveness/temporal.js';
import { UsageError } from './errors.js';
import { MAX_WORKERS } from './prestart.js';
import { listFlag, outputFlag, refuseOverwrite, secondsFlag, shown, wholeFlag } from './flags.js';

/** The flags of `dnsmc check` that are not the model's, as yargs hands them over (unvalidated). */
export interface CheckFlags {
  property?: unknown;
  continue?: unknown;
  deadlock?: unknown;
  maxStates?: unknown;
  maxDepth?: unknown;
  timeLimit?: unknown;
  json?: unknown;
  traceOut?: unknown;
  /** Write the trace viewer (HTML) for the counterexample found to this file. */
  view?: unknown;
  /** Write the counterexample as ITF to this file. */
  outItf?: unknown;
  /** `weak`, `strong` or `none`: the fairness liveness properties are checked under (default: the model's). */
  fairness?: unknown;
  /** Worker threads (default: the number of cores). */
  workers?: unknown;
  /** Reduce states by renaming interchangeable actors. */
  symmetry?: unknown;
  /** Stop before resident memory passes this many MiB. */
  maxMemory?: unknown;
  /** Size the visited set for this many states from the start. */
  expectStates?: unknown;
  /** Report where the time went (`profile` in the JSON, a few lines in text). */
  profile?: unknown;
}

export { MAX_WORKERS } from './prestart.js';

/** Every name `--property` accepts for this model: safety, liveness, and `all`. */
export function propertyChoices(model: Model): string[] {
  return [...propertyNames(model), ...livenessNames(model), 'all'];
}

/**
 * `--property`, checked against the model: each name must be one of
 * `allowed`; a liveness property where only safety ones are allowed is
 * refused with `livenessHint` (e.g. "check it with dnsmc check").
 */
export function propertiesFlag(model: Model, v: unknown, allowed: readonly string[], livenessHint?: string): string[] {
  const props = listFlag(v);
  const live = livenessNames(model);
  for (const p of props) {
    if (allowed.includes(p)) continue;
    if (livenessHint !== undefined && live.includes(p)) throw new UsageError(`--property ${p} is a liveness property: ${livenessHint}`);
    throw new UsageError(`--property must be one of ${allowed.join('|')}, got ${shown(p)}`);
  }
  return props;
}

/** Whether the `--property` values ask for liveness: a liveness property's name, or `all`. */
export function wantsLiveness(model: Model, property: unknown): boolean {
  const live = livenessNames(model);
  return listFlag(property).some((p) => p === 'all' || live.includes(p));
}

/** The values `--fairness` takes. */
export const FAIRNESS_NAMES = ['weak', 'strong', 'none'] as const;

/** `--fairness` as a fairness mode: absent means the model's own declaration. */
export function fairnessFromArgs(v: unknown): FairnessMode {
  if (v === undefined) return 'declared';
  if (!(FAIRNESS_NAMES as readonly unknown[]).includes(v)) throw new UsageError(`--fairness must be one of ${FAIRNESS_NAMES.join('|')}, got ${shown(v)}`);
  return v as FairnessMode;
}

/** `--time-limit` (seconds) and `--max-memory` (MiB, from 64), as every command that honours them reads them. */
export function limitFlags(a: { timeLimit?: unknown; maxMemory?: unknown }): { timeLimitMs?: number; maxMemoryBytes?: number } {
  const t = secondsFlag('time-limit', a.timeLimit);
  const mib = wholeFlag('max-memory', a.maxMemory, 64);
  return { timeLimitMs: t === undefined ? undefined : t * 1000, maxMemoryBytes: mib === undefined ? undefined : mib * 2 ** 20 };
}

/** Search options from flags; `properties` are the safety properties already chosen (undefined: the model's all). */
export function checkOptionsFromArgs(model: Model, a: CheckFlags, properties?: readonly string[]): CheckOptions {
  const { timeLimitMs, maxMemoryBytes } = limitFlags(a);
  return {
    properties: properties !== undefined && properties.length > 0 ? [...properties] : undefined,
    continueAfterViolation: a.continue === true,
    checkDeadlock: a.deadlock !== false,
    maxStates: wholeFlag('max-states', a.maxStates, 1),
    maxDepth: wholeFlag('max-depth', a.maxDepth, 0),
    timeLimitMs,
    workers: wholeFlag('workers', a.workers, 1, MAX_WORKERS) ?? defaultWorkers(),
    symmetry: symmetryFlag(model, a.symmetry),
    maxMemoryBytes,
    expectedStates: wholeFlag('expect-states', a.expectStates, 1, MAX_EXPECTED_STATES),
    ...(a.profile === true ? { profile: true } : {}),
  };
}

/** The files `check` writes (`--trace-out`, `--view`, `--out-itf`), checked before the search: writable, and none another or the model module. */
export function checkOutputs(a: CheckFlags, modelModule: string | undefined): { traceOut?: string; view?: string; outItf?: string } {
  const traceOut = outputFlag('trace-out', a.traceOut);
  const view = outputFlag('view', a.view);
  const outItf = outputFlag('out-itf', a.outItf);
  refuseOverwrite(
    [
      ['trace-out', traceOut],
      ['view', view],
      ['out-itf', outItf],
    ],
    [['the model module', modelModule]],
  );
  return { traceOut, view, outItf };
}

/** `--symmetry`: only for a model that declares interchangeable actors. */
function symmetryFlag(model: Model, v: unknown): boolean {
  if (v !== true) return false;
  if (!model.symmetry) throw new UsageError(`--symmetry: model ${model.name} declares no interchangeable actors`);
  return true;
}
