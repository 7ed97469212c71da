/**
 * `dnsmc simulate`: random walks over a model (the built-in `dns` model or a
 * user's), checking every property at every step; the first violation of
 * each property is shrunk to a minimal schedule, narrated, and written with
 * `--trace-out`. `--swarm i/N` runs one shard of a job split over N
 * machines; `dnsmc merge` combines the shards' JSON reports.
 */
import type { Model } from '../checker/model.js';
import { propertyNames } from '../checker/model.js';
import type { Progress } from '../checker/options.js';
import { MAX_SEED } from '../checker/random.js';
import { simulate, swarmShard, type Scheduler, type SimulateOptions, type SimulateResult } from '../checker/simulate.js';
import { formatTrace } from '../traces/text.js';
import { traceOf, type Trace } from '../traces/trace.js';
import { describeParams, writeTrace } from './check.js';
import { EXIT, UsageError } from './errors.js';
import { listFlag, secondsFlag, shown, wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { modelFromArgs, type ModelArgs } from './models.js';
import { moduleOf } from './user-model.js';

/** The flags of `dnsmc simulate`, as yargs hands them over (unvalidated). */
export interface SimulateArgs extends ModelArgs {
  runs?: unknown;
  depth?: unknown;
  seed?: unknown;
  scheduler?: unknown;
  property?: unknown;
  deadlock?: unknown;
  swarm?: unknown;
  timeLimit?: unknown;
  json?: unknown;
  traceOut?: unknown;
}

/** The schedulers the CLI offers. */
export const SCHEDULER_NAMES = ['uniform', 'slow-enactor'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** Defaults of `dnsmc simulate`. */
export const SIMULATE_DEFAULTS = { runs: 1000, depth: 100, seed: 0, scheduler: 'uniform' as SchedulerName };

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

/** `--seed S`: an unsigned 32-bit integer. */
export function seedFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEED) throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got ${shown(v)}`);
  return n;
}

/** The scheduler a name stands for on this model: `slow-enactor` slows enactor 0. */
export function schedulerFor(model: Model, name: unknown): { name: SchedulerName; scheduler: Scheduler } {
  if (name === undefined || name === 'uniform') return { name: 'uniform', scheduler: { kind: 'uniform' } };
  if (name === 'slow-enactor') {
    if (model.roles.enactor === undefined) {
      throw new UsageError(`--scheduler slow-enactor needs a role named enactor; model ${model.name} has roles ${Object.keys(model.roles).join(', ')}`);
    }
    return { name: 'slow-enactor', scheduler: { kind: 'slow-actor', role: 'enactor', actor: 0 } };
  }
  throw new UsageError(`--scheduler must be one of ${SCHEDULER_NAMES.join('|')}, got ${shown(name)}`);
}

/** What a simulation was asked to do, resolved from flags. */
export interface SimulatePlan {
  readonly schedulerName: SchedulerName;
  /** The options of the whole job (before sharding). */
  readonly job: SimulateOptions & { runs: number; depth: number; seed: number; scheduler: Scheduler };
  /** This shard, with the options it runs; null when not sharded. */
  readonly swarm: { shard: number; of: number } | null;
  /** The options this process runs. */
  readonly options: SimulateOptions;
}

/** Resolves the flags of `dnsmc simulate` against a model. Throws UsageError naming the flag. */
export function simulatePlanFromArgs(model: Model, a: SimulateArgs): SimulatePlan {
  const props = listFlag(a.property);
  const all = propertyNames(model);
  const liveness = (model.liveness ?? []).map((p) => p.name);
  for (const p of props) {
    if (liveness.includes(p)) throw new UsageError(`--property ${p} is a liveness property: check it with dnsmc check; simulate checks ${all.join('|')}`);
    if (!all.includes(p)) throw new UsageError(`--property must be one of ${all.join('|')}, got ${JSON.stringify(p)}`);
  }
  const { name, scheduler } = schedulerFor(model, a.scheduler);
  const t = secondsFlag('time-limit', a.timeLimit);
  const job = {
    runs: wholeFlag('runs', a.runs, 1) ?? SIMULATE_DEFAULTS.runs,
    depth: wholeFlag('depth', a.depth, 1) ?? SIMULATE_DEFAULTS.depth,
    seed: seedFlag(a.seed) ?? SIMULATE_DEFAULTS.seed,
    scheduler,
    properties: props.length > 0 ? props : undefined,
    checkDeadlock: a.deadlock !== false,
    timeLimitMs: t === undefined ? undefined : t * 1000,
  };
  const swarm = swarmFlag(a.swarm) ?? null;
  const options = swarm ? swarmShard(model, job, swarm.shard, swarm.of).options : job;
  return { schedulerName: name, job, swarm, options };
}

/** One violation in the JSON report: where it was found, how it shrank, and its trace. */
export interface SimulateViolationReport {
  property: string;
  kind: 'invariant' | 'step' | 'deadlock';
  /** The walk that found it, and the seed that walk drew from. */
  run: number;
  runSeed: number;
  /** Steps of the walk up to the violation. */
  foundLength: number;
  /** Steps of the shrunk schedule (the trace's length). */
  length: number;
  shrinkTests: number;
  trace: Trace;
}

/** The JSON report of `simulate --json`: exactly one object. `dnsmc merge` reads these. */
export interface SimulateReport {
  command: 'simulate';
  status: SimulateResult['status'];
  model: string;
  variant: string | null;
  params: Record<string, unknown>;
  /** The user model module (`--model`), or null for the built-in model. */
  module: string | null;
  properties: readonly string[];
  /** The first violated property, or null. */
  property: string | null;
  /** The seed this process ran with (a shard's derived seed under --swarm). */
  seed: number;
  /** `uniform` or `slow-enactor`, as asked. */
  schedulerName: SchedulerName;
  /** The scheduler this process ran, in full (a shard's variation under --swarm). */
  scheduler: Scheduler;
  depth: number;
  runs: number;
  steps: number;
  distinctStates: number;
  terminalRuns: number;
  longestRun: number;
  durationMs: number;
  stepsPerSecond: number;
  stoppedBy: SimulateResult['stoppedBy'];
  collisionProbability: number;
  actions: Record<string, number>;
  unfired: readonly string[];
  /** Under --swarm: this shard, and the job it is part of (its seed, runs and depth before sharding). */
  swarm: { shard: number; of: number; seed: number; runs: number; depth: number; firstRun: number } | null;
  violations: SimulateViolationReport[];
}

export function simulateReport(model: Model, plan: SimulatePlan, r: SimulateResult, traces: Trace[]): SimulateReport {
  return {
    command: 'simulate',
    status: r.status,
    model: model.name,
    variant: model.variant ?? null,
    params: { ...model.params },
    module: moduleOf(model) ?? null,
    properties: r.properties,
    property: r.violations[0]?.property ?? null,
    seed: r.seed,
    schedulerName: plan.schedulerName,
    scheduler: r.scheduler,
    depth: r.depth,
    runs: r.runs,
    steps: r.steps,
    distinctStates: r.distinctStates,
    terminalRuns: r.terminalRuns,
    longestRun: r.longestRun,
    durationMs: Math.round(r.durationMs * 10) / 10,
    stepsPerSecond: r.durationMs > 0 ? Math.round((r.steps / r.durationMs) * 1000) : r.steps,
    stoppedBy: r.stoppedBy,
    collisionProbability: r.collisionProbability,
    actions: { ...r.actions },
    unfired: r.unfired,
    swarm: plan.swarm
      ? { ...plan.swarm, seed: plan.job.seed, runs: plan.job.runs, depth: plan.job.depth, firstRun: plan.options.firstRun ?? 0 }
      : null,
    violations: r.violations.map((v, i) => ({
      property: v.property,
      kind: v.kind,
      run: v.run,
      runSeed: v.runSeed,
      foundLength: v.found.length,
      length: v.schedule.length,
      shrinkTests: v.shrinkTests,
      trace: traces[i],
    })),
  };
}

/** The scheduler as one phrase. */
export function describeScheduler(s: Scheduler): string {
  const w = s.weights ? `, action weights ${Object.entries(s.weights).map(([a, x]) => `${a} ${x}`).join(', ')}` : '';
  return s.kind === 'uniform' ? `uniform${w}` : `slow-actor (${s.role} ${s.actor} moves with probability ${s.probability ?? 0.05})${w}`;
}

/** The verdict line. */
export function simulateVerdict(r: SimulateResult): string {
  const runs = `${int(r.runs)} run${r.runs === 1 ? '' : 's'}`;
  if (r.violations.length === 0) {
    return r.status === 'incomplete'
      ? `Incomplete: stopped by ${r.stoppedBy} after ${runs}; no violation so far.`
      : `No violation in ${runs} of at most ${r.depth} steps: ${r.properties.length > 0 ? `${r.properties.join(', ')} held at every step` : 'no property checked'}.`;
  }
  const vs = r.violations.map(
    (v) =>
      `${v.kind === 'deadlock' ? 'deadlock' : `${v.property} violated`} in run ${v.run} after ${v.found.length} step${v.found.length === 1 ? '' : 's'}, shrunk to ${v.schedule.length} (${int(v.shrinkTests)} schedules tried)`,
  );
  return `${r.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${vs.join('; ')}.`;
}

/** The statistics block of the text report. */
export function simulateStats(r: SimulateResult): string[] {
  const lines = [
    `${int(r.runs)} runs, ${int(r.steps)} steps, ${int(r.distinctStates)} distinct states, ${int(r.terminalRuns)} runs reached an accepted end, ` +
      `longest run ${r.longestRun} steps, ${secs(r.durationMs)}${r.durationMs > 0 ? ` (${int((r.steps / r.durationMs) * 1000)} steps/s)` : ''}`,
  ];
  if (r.collisionProbability > 0) lines.push(`fingerprint collision probability: ${r.collisionProbability.toExponential(1)}`);
  lines.push(`actions fired: ${Object.entries(r.actions).map(([a, n]) => `${a} ${int(n)}${n === 0 ? ' (NEVER FIRED)' : ''}`).join(', ')}`);
  return lines;
}

/** A simulation's progress line (the engine reports walks run as `depth` and steps as `generatedStates`). */
function simulationLine(p: Progress): string {
  return `progress: ${int(p.depth)} runs, ${int(p.generatedStates)} steps, ${int(p.distinctStates)} distinct states, ${(p.elapsedMs / 1000).toFixed(0)} s`;
}

/** Runs `dnsmc simulate` and resolves to its exit code. Throws UsageError for bad input. */
export async function runSimulate(a: SimulateArgs, io: Io): Promise<number> {
  const model = await modelFromArgs(a);
  const plan = simulatePlanFromArgs(model, a);
  const traceOut = a.traceOut === undefined ? undefined : String(a.traceOut);
  if (traceOut === '') throw new UsageError('--trace-out must name a file');
  const progress = progressReporter(io, simulationLine);
  let r: SimulateResult;
  try {
    r = simulate(model, { ...plan.options, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
  } finally {
    progress.done();
  }
  const traces = r.violations.map((v) => traceOf(model, v));
  if (traceOut && traces.length > 0) writeTrace(traceOut, traces[0]);
  const code = r.status === 'ok' ? EXIT.ok : r.status === 'incomplete' ? EXIT.incomplete : EXIT.violation;
  if (a.json === true) {
    io.out(`${JSON.stringify(simulateReport(model, plan, r, traces))}\n`);
    return code;
  }
  const mod = moduleOf(model);
  io.out(`dnsmc simulate: model ${model.name}${model.variant ? `, variant ${model.variant}` : ''}${mod ? ` from ${mod}` : ''} (${describeParams(model) || 'no parameters'})\n`);
  if (plan.swarm) {
    io.out(`swarm shard ${plan.swarm.shard}/${plan.swarm.of} of a job of ${int(plan.job.runs)} runs with seed ${plan.job.seed}: this shard runs ${int(plan.options.runs ?? 0)}\n`);
  }
  io.out(
    `scheduler ${describeScheduler(r.scheduler)}; seed ${r.seed}; ${int(plan.options.runs ?? 0)} runs of at most ${r.depth} steps; ` +
      `properties: ${r.properties.join(', ') || 'none'}; deadlock ${plan.options.checkDeadlock === false ? 'not checked' : 'checked'}\n\n`,
  );
  for (const t of traces) io.out(`${formatTrace(t, { render: model.render })}\n\n`);
  io.out(`${simulateVerdict(r)}\n`);
  for (const l of simulateStats(r)) io.out(`${l}\n`);
  if (traceOut && traces.length > 0) io.out(`trace written to ${traceOut}\n`);
  return code;
}
