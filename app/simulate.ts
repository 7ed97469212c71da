/**
 * `dnsmc simulate`: random walks over a model (the built-in `dns` model or a
 * user's), checking every property at every step; the first violation of
 * each property is shrunk to a minimal schedule, narrated, and written with
 * `--trace-out`. `--swarm i/N` runs one shard of a job split over N
 * machines; `dnsmc merge` combines the shards' JSON reports.
 */
import type { Model } from '../checker/model/model.js';
import { propertyNames } from '../checker/model/model.js';
import type { Progress } from '../checker/explore/options.js';
import type { ModelPackage } from '../checker/package/package.js';
import { simulate, swarmShard, type Scheduler, type SimulateOptions, type SimulateResult } from '../checker/random/simulate.js';
import { formatTrace } from '../traces/text.js';
import { recordObservers, traceOf } from '../traces/trace.js';
import { baseModel, describeObservedBy, observedBy } from '../checker/package/scenario.js';
import { UsageError } from './errors.js';
import { writeItf } from './export.js';
import { itfLine } from './check-outputs.js';
import { outputFlag, refuseOverwrite, secondsFlag, seedFlag, shown, swarmFlag, wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { propertiesFlag } from './options.js';
import { progressReporter } from './progress.js';
import { actionsLine, exitCode, headerLine, headerOf, printJson, writeTrace } from './report.js';
import { simulateReport } from './json-reports.js';
import { SIMULATE_DEFAULTS, schedulerNames, UNIFORM } from './command-defaults.js';

/** The flags of `dnsmc simulate`, as yargs hands them over (unvalidated). */
export interface SimulateArgs {
  /** `--model`, and the model's parameter flags. */
  [flag: string]: unknown;
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
  /** Write the (shrunk) counterexample as ITF to this file. */
  outItf?: unknown;
}

export { SIMULATE_DEFAULTS, schedulerNames, UNIFORM };

/** The scheduler a name stands for: `uniform`, or one the package declares (e.g. a package's `slow-worker`). */
export function schedulerFor(model: Model, name: unknown, pkg?: ModelPackage): { name: string; scheduler: Scheduler } {
  if (name === undefined || name === UNIFORM) return { name: UNIFORM, scheduler: { kind: 'uniform' } };
  const decl = pkg?.schedulers?.find((s) => s.name === name);
  if (!decl) throw new UsageError(`--scheduler must be one of ${schedulerNames(pkg).join('|')}, got ${shown(name)}`);
  const n = model.roles[decl.slow.role];
  if (n === undefined || decl.slow.actor >= n) {
    throw new UsageError(`--scheduler ${decl.name} slows ${decl.slow.role} ${decl.slow.actor}, which model ${model.name} does not have`);
  }
  return { name: decl.name, scheduler: { kind: 'slow-actor', role: decl.slow.role, actor: decl.slow.actor } };
}

/** What a simulation was asked to do, resolved from flags. */
export interface SimulatePlan {
  readonly schedulerName: string;
  /** The options of the whole job (before sharding). */
  readonly job: SimulateOptions & { runs: number; depth: number; seed: number; scheduler: Scheduler };
  /** This shard, with the options it runs; null when not sharded. */
  readonly swarm: { shard: number; of: number } | null;
  /** The options this process runs. */
  readonly options: SimulateOptions;
}

/** Resolves the flags of `dnsmc simulate` against a model. Throws UsageError naming the flag. */
export function simulatePlanFromArgs(model: Model, a: SimulateArgs, pkg?: ModelPackage): SimulatePlan {
  const all = propertyNames(model);
  const props = propertiesFlag(model, a.property, all, `check it with dnsmc check; simulate checks ${all.join('|')}`);
  const { name, scheduler } = schedulerFor(model, a.scheduler, pkg);
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

/** The scheduler as one phrase. */
export function describeScheduler(s: Scheduler): string {
  const w = s.weights
    ? `, action weights ${Object.entries(s.weights)
        .map(([a, x]) => `${a} ${x}`)
        .join(', ')}`
    : '';
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
  lines.push(actionsLine(r.actions));
  return lines;
}

/** A simulation's progress line (the engine reports walks run as `depth` and steps as `generatedStates`). */
function simulationLine(p: Progress): string {
  return `progress: ${int(p.depth)} runs, ${int(p.generatedStates)} steps, ${int(p.distinctStates)} distinct states, ${(p.elapsedMs / 1000).toFixed(0)} s`;
}

/** Runs `dnsmc simulate` and resolves to its exit code. Throws UsageError for bad input. */
export async function runSimulate(a: SimulateArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const { model, source } = await modelFromFlags(a, pkgSource);
  const plan = simulatePlanFromArgs(model, a, source.pkg);
  const traceOut = outputFlag('trace-out', a.traceOut);
  const outItf = outputFlag('out-itf', a.outItf);
  refuseOverwrite(
    [
      ['trace-out', traceOut],
      ['out-itf', outItf],
    ],
    [['the model module', source.module]],
  );
  const progress = progressReporter(io, simulationLine);
  let r: SimulateResult;
  try {
    r = simulate(model, { ...plan.options, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
  } finally {
    progress.done();
  }
  // Traces are runs of the model itself; they record the scenario and constraints (see checker/package/scenario.ts).
  const by = observedBy(model);
  const traces = r.violations.map((v) => recordObservers(traceOf(baseModel(model), v), by));
  if (traceOut && traces.length > 0) writeTrace(traceOut, traces[0]);
  if (outItf && traces.length > 0) writeItf(outItf, traces[0], baseModel(model));
  if (a.json === true) {
    const report = simulateReport(model, plan, r, traces);
    printJson(io, by ? { ...report, scenario: by.scenario, constraints: by.constraints } : report);
    return exitCode(r.status);
  }
  io.out(`${headerLine('simulate', headerOf(model))}\n`);
  if (by) io.out(`restricted to: ${describeObservedBy(by)}\n`);
  if (plan.swarm) {
    io.out(
      `swarm shard ${plan.swarm.shard}/${plan.swarm.of} of a job of ${int(plan.job.runs)} runs with seed ${plan.job.seed}: this shard runs ${int(plan.options.runs ?? 0)}\n`,
    );
  }
  io.out(
    `scheduler ${describeScheduler(r.scheduler)}; seed ${r.seed}; ${int(plan.options.runs ?? 0)} runs of at most ${r.depth} steps; ` +
      `properties: ${r.properties.join(', ') || 'none'}; deadlock ${plan.options.checkDeadlock === false ? 'not checked' : 'checked'}\n\n`,
  );
  for (const t of traces) io.out(`${formatTrace(t, { render: baseModel(model).render })}\n\n`);
  io.out(`${simulateVerdict(r)}\n`);
  for (const l of simulateStats(r)) io.out(`${l}\n`);
  if (traceOut && traces.length > 0) io.out(`trace written to ${traceOut}\n`);
  if (outItf) io.out(itfLine(outItf, traces.length > 0));
  return exitCode(r.status);
}
