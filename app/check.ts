/**
 * `dnsmc check`: resolve flags into model parameters and search options, run
 * the search, and report as text or as one JSON object.
 */
import type { CheckResult, Violation } from '../checker/bfs.js';
import { checkParallel, defaultWorkers } from '../checker/parallel.js';
import { MAX_EXPECTED_STATES, type CheckOptions } from '../checker/options.js';
import { propertyNames, type Model } from '../checker/model.js';
import { formatTrace } from '../traces/text.js';
import { traceOf, type Trace } from '../traces/trace.js';
import { writeFileAtomic } from '../traces/io.js';
import { EXIT, UsageError } from './errors.js';
import { int, mb, secs } from './format.js';
import { listFlag, secondsFlag, wholeFlag } from './flags.js';
import type { Io } from './io.js';
import { modelFromArgs, type ModelArgs } from './models.js';
import { progressReporter } from './progress.js';
import { fileFlag, viewerPage, writePage } from './view.js';
import { propertyChoices, runLivenessCheck, wantsLiveness } from './liveness.js';
import { livenessNames } from '../checker/temporal.js';

/** The flags of `dnsmc check`, as yargs hands them over (unvalidated). */
export interface CheckArgs extends ModelArgs {
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
}

/** Search options from flags, validated against the model's properties. */
export function checkOptionsFromArgs(model: Model, a: CheckArgs): CheckOptions {
  const props = listFlag(a.property);
  const all = propertyNames(model);
  for (const p of props) {
    if (!all.includes(p)) throw new UsageError(`--property must be one of ${propertyChoices(model).join('|')}, got ${JSON.stringify(p)}`);
  }
  const t = secondsFlag('time-limit', a.timeLimit);
  return {
    properties: props.length > 0 ? props : undefined,
    continueAfterViolation: a.continue === true,
    checkDeadlock: a.deadlock !== false,
    maxStates: wholeFlag('max-states', a.maxStates, 1),
    maxDepth: wholeFlag('max-depth', a.maxDepth, 0),
    timeLimitMs: t === undefined ? undefined : t * 1000,
    workers: wholeFlag('workers', a.workers, 1) ?? defaultWorkers(),
    symmetry: symmetryFlag(model, a.symmetry),
    maxMemoryBytes: maxMemoryFlag(a.maxMemory),
    expectedStates: wholeFlag('expect-states', a.expectStates, 1, MAX_EXPECTED_STATES),
  };
}

/** `--symmetry`: only for a model that declares interchangeable actors. */
function symmetryFlag(model: Model, v: unknown): boolean {
  if (v !== true) return false;
  if (!model.symmetry) throw new UsageError(`--symmetry: model ${model.name} declares no interchangeable actors`);
  return true;
}

/** `--max-memory MiB`. */
function maxMemoryFlag(v: unknown): number | undefined {
  const mib = wholeFlag('max-memory', v, 64);
  return mib === undefined ? undefined : mib * 2 ** 20;
}

/** The JSON report of `check --json`: exactly one object. */
export interface CheckReport {
  status: CheckResult['status'];
  model: string;
  variant: string | null;
  params: Record<string, unknown>;
  properties: readonly string[];
  /** The violated property (the first found), or null. */
  property: string | null;
  distinctStates: number;
  generatedStates: number;
  diameter: number;
  durationMs: number;
  statesPerSecond: number;
  peakMemoryBytes: number;
  /** Bytes of the search's own per-state structures (visited set, frontier) at the end. */
  engineBytes: number;
  bytesPerState: number;
  workers: number;
  symmetry: boolean;
  complete: boolean;
  stoppedBy: CheckResult['stoppedBy'];
  queue: number;
  collisionProbability: number;
  actions: Record<string, number>;
  unfired: readonly string[];
  /** First violation of each property, in the order found (more than one only with --continue). */
  violations: { property: string; kind: Violation['kind']; length: number }[];
  /** The trace of the first violation. */
  trace?: Trace;
}

export function checkReport(model: Model, r: CheckResult, traces: Trace[]): CheckReport {
  return {
    status: r.status,
    model: model.name,
    variant: model.variant ?? null,
    params: { ...model.params },
    properties: r.properties,
    property: r.violations[0]?.property ?? null,
    distinctStates: r.distinctStates,
    generatedStates: r.generatedStates,
    diameter: r.diameter,
    durationMs: Math.round(r.durationMs * 10) / 10,
    statesPerSecond: r.statesPerSecond,
    peakMemoryBytes: r.peakMemoryBytes,
    engineBytes: r.engineBytes,
    bytesPerState: Math.round(r.bytesPerState * 10) / 10,
    workers: r.workers,
    symmetry: r.symmetry,
    complete: r.complete,
    stoppedBy: r.stoppedBy,
    queue: r.queue,
    collisionProbability: r.collisionProbability,
    actions: { ...r.actions },
    unfired: r.unfired,
    violations: r.violations.map((v) => ({ property: v.property, kind: v.kind, length: v.schedule.length })),
    ...(traces.length > 0 ? { trace: traces[0] } : {}),
  };
}

export function exitCode(status: CheckResult['status']): number {
  return status === 'ok' ? EXIT.ok : status === 'incomplete' ? EXIT.incomplete : EXIT.violation;
}

/** `enactors 3, plans 4, ...`: the parameters other than the variant. */
export function describeParams(model: Model): string {
  return Object.entries(model.params)
    .filter(([k]) => k !== 'variant')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

/** The statistics block of the text report. */
export function statsLines(r: CheckResult): string[] {
  const lines = [
    `${int(r.distinctStates)} distinct states, ${int(r.generatedStates)} generated, diameter ${r.diameter}, ` +
      `${secs(r.durationMs)} (${int(r.statesPerSecond)} states/s), peak memory ${mb(r.peakMemoryBytes)}`,
    `${r.workers} worker${r.workers === 1 ? '' : 's'}${r.symmetry ? ', symmetry reduction (states up to renaming of interchangeable actors)' : ''}; ` +
      `visited set and frontier ${mb(r.engineBytes)} (${r.bytesPerState.toFixed(1)} bytes per state)`,
  ];
  if (r.collisionProbability > 0) lines.push(`fingerprint collision probability: ${r.collisionProbability.toExponential(1)}`);
  const cov = Object.entries(r.actions).map(([a, n]) => `${a} ${int(n)}${n === 0 ? ' (NEVER FIRED)' : ''}`);
  lines.push(`actions fired: ${cov.join(', ')}`);
  if (r.unfired.length > 0 && r.complete) lines.push(`warning: ${r.unfired.join(', ')} never fired in the whole state space`);
  return lines;
}

/** The verdict line. */
export function verdict(r: CheckResult): string {
  switch (r.status) {
    case 'ok':
      return `No violation: ${r.properties.join(', ')} hold${r.properties.length === 1 ? 's' : ''} in all ${int(r.distinctStates)} reachable states.`;
    case 'incomplete':
      return `Incomplete: stopped by ${r.stoppedBy} after ${int(r.distinctStates)} states with ${int(r.queue)} unexplored; no violation so far.`;
    default: {
      const vs = r.violations.map((v) => (v.kind === 'deadlock' ? `deadlock after ${v.schedule.length} steps` : `${v.property} violated after ${v.schedule.length} steps`));
      const tail = r.complete ? '' : r.stoppedBy ? ` (search stopped by ${r.stoppedBy})` : ' (search stopped at the first violation)';
      return `${r.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${vs.join('; ')}${tail}.`;
    }
  }
}

/** Writes a trace file atomically; a path that cannot be written is the flag's fault. */
export function writeTrace(file: string, trace: Trace, flag = 'trace-out'): void {
  try {
    writeFileAtomic(file, `${JSON.stringify(trace, null, 1)}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`--${flag}: cannot write ${file}: ${code}`);
  }
}

/** Runs `dnsmc check` and resolves to its exit code. Throws UsageError (or ParamError) for bad input. */
export async function runCheck(a: CheckArgs, io: Io): Promise<number> {
  const model = await modelFromArgs(a);
  if (wantsLiveness(model, a.property)) return runLivenessCheck(model, a, io);
  if (a.fairness !== undefined) throw new UsageError(`--fairness applies to liveness properties only: add --property ${[...livenessNames(model), 'all'].join('|')}`);
  const options = checkOptionsFromArgs(model, a);
  const traceOut = a.traceOut === undefined ? undefined : String(a.traceOut);
  if (traceOut === '') throw new UsageError('--trace-out must name a file');
  const view = fileFlag('view', a.view);
  const progress = progressReporter(io);
  let r: CheckResult;
  try {
    r = await checkParallel(model, { ...options, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
  } finally {
    progress.done();
  }
  const traces = r.violations.map((v) => traceOf(model, v));
  if (traceOut && traces.length > 0) writeTrace(traceOut, traces[0]);
  if (view && traces.length > 0) writePage(view, viewerPage({ trace: traces[0], model }), 'view');
  if (a.json === true) {
    io.out(`${JSON.stringify(checkReport(model, r, traces))}\n`);
    return exitCode(r.status);
  }
  io.out(`dnsmc check: model ${model.name}${model.variant ? `, variant ${model.variant}` : ''} (${describeParams(model)})\n`);
  io.out(`properties: ${r.properties.join(', ')}; deadlock ${options.checkDeadlock ? 'checked' : 'not checked'}\n\n`);
  for (const t of traces) io.out(`${formatTrace(t, { render: model.render })}\n\n`);
  io.out(`${verdict(r)}\n`);
  for (const l of statsLines(r)) io.out(`${l}\n`);
  if (traceOut && traces.length > 0) io.out(`trace written to ${traceOut}\n`);
  if (view) io.out(traces.length > 0 ? `viewer written to ${view}\n` : `no counterexample, so no viewer written to ${view}\n`);
  return exitCode(r.status);
}
