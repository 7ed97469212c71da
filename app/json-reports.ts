/**
 * The JSON reports of every command (`--json`): their shapes, in one place,
 * each opening with the same head (the model, its variant and parameters,
 * the module of a user model; `headFields`). docs/library.md and the
 * command docs describe them field by field.
 */
import type { CheckResult, Violation } from '../checker/explore/bfs.js';
import type { Model } from '../checker/model/model.js';
import type { Fault, WorkloadResult } from '../checker/package/system.js';
import type { Scheduler, SimulateResult } from '../checker/random/simulate.js';
import type { StepOutcome } from '../checker/runs/replay-compare.js';
import type { ReenactReport } from '../checker/runs/system-run.js';
import type { Json, JsonState } from '../checker/state/layout.js';
import type { ConformEvent, ConformResult } from '../checker/runs/log-search.js';
import type { Trace, TraceBreak } from '../traces/trace.js';
import { headerOf } from './report.js';

// ---- report ----------------------------------------

/** The fields every JSON report opens with: the model, its variant and parameters, the module of a user model. */
export interface ReportHead {
  model: string;
  variant: string | null;
  params: Record<string, unknown>;
  /** The user model module (`--model FILE`), or null for a built-in model. */
  module: string | null;
}

/** A model's {@link ReportHead}. */
export function headFields(model: Model): ReportHead {
  const h = headerOf(model);
  return { model: h.model, variant: h.variant ?? null, params: { ...h.params }, module: h.module ?? null };
}

/** The JSON report of `check --json`: exactly one object. */
export interface CheckReport extends ReportHead {
  status: CheckResult['status'];
  properties: readonly string[];
  /** The violated property (the most severe found, by the package's severity order), or null. */
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
  /** With symmetry: the states a search without it stores (the sizes of the stored representatives' classes, summed). */
  unreducedStates?: number;
  complete: boolean;
  stoppedBy: CheckResult['stoppedBy'];
  queue: number;
  collisionProbability: number;
  actions: Record<string, number>;
  unfired: readonly string[];
  /** First violation of each property, most severe first, then in the order found. */
  violations: { property: string; kind: Violation['kind']; length: number }[];
  /** The trace of the first violation in `violations`. */
  trace?: Trace;
}

/** The JSON report of a search. */
export function checkReport(model: Model, r: CheckResult, traces: readonly Trace[]): CheckReport {
  return {
    status: r.status,
    ...headFields(model),
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
    ...(r.symmetry ? { unreducedStates: r.unreducedStates } : {}),
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

// ---- simulate ----------------------------------------

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
export interface SimulateReport extends ReportHead {
  command: 'simulate';
  status: SimulateResult['status'];
  properties: readonly string[];
  /** The first violated property, or null. */
  property: string | null;
  /** The seed this process ran with (a shard's derived seed under --swarm). */
  seed: number;
  /** `uniform` or a scheduler of the package (e.g. `slow-worker`), as asked. */
  schedulerName: string;
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

/** How a simulation was asked for, as its report records it (the command's plan). */
export interface SimulateAsked {
  readonly schedulerName: string;
  readonly job: { readonly seed: number; readonly runs: number; readonly depth: number };
  readonly swarm: { readonly shard: number; readonly of: number } | null;
  readonly options: { readonly firstRun?: number };
}

export function simulateReport(model: Model, plan: SimulateAsked, r: SimulateResult, traces: Trace[]): SimulateReport {
  return {
    command: 'simulate',
    status: r.status,
    ...headFields(model),
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
    swarm: plan.swarm ? { ...plan.swarm, seed: plan.job.seed, runs: plan.job.runs, depth: plan.job.depth, firstRun: plan.options.firstRun ?? 0 } : null,
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

// ---- check --swarm ----------------------------------------

/** One violation a swarm shard found: the length of the search's path to it, and its shrunk trace. */
export interface CheckShardViolation {
  property: string;
  kind: 'invariant' | 'step' | 'deadlock';
  /** Steps of the depth-first path that found it. */
  foundLength: number;
  /** Steps of the shrunk schedule (the trace's length). */
  length: number;
  shrinkTests: number;
  trace: Trace;
}

/** The JSON report of `check --swarm i/N --json`: exactly one object. `dnsmc merge` reads these. */
export interface CheckShardReport extends ReportHead {
  command: 'check';
  status: CheckResult['status'];
  properties: readonly string[];
  /** The most severe violated property, or null. */
  property: string | null;
  /** This shard, and the job it is part of: its seed, and the bit array, bits per state and depth limit every shard uses. */
  swarm: { shard: number; of: number; seed: number; bitstateBytes: number; hashes: number; maxDepth: number };
  /** The seeds this shard derived from (job seed, shard): its hash functions', its successor order's (null: the model's order). */
  hashSeed: number;
  orderSeed: number | null;
  /** States stored (each once), transitions taken, the deepest state on the search's path, states at the depth limit not expanded. */
  distinctStates: number;
  generatedStates: number;
  deepest: number;
  truncated: number;
  /** The search ran to its end (no limit, no violation stopped it, nothing truncated). */
  ended: boolean;
  stoppedBy: CheckResult['stoppedBy'];
  durationMs: number;
  statesPerSecond: number;
  peakMemoryBytes: number;
  engineBytes: number;
  /** The bit array at the end: what the search may have missed. */
  bitstate: {
    bytes: number;
    bits: number;
    hashes: number;
    bitsSet: number;
    fill: number;
    hashFactor: number;
    omissionProbability: number;
    expectedOmissions: number;
  };
  /** The smallest sketch keys (top 53 bits of a state's fingerprint, the same in every shard) of the states stored, ascending. */
  sketch: { size: number; keys: number[] };
  actions: Record<string, number>;
  unfired: string[];
  /** First violation of each property, most severe first. */
  violations: CheckShardViolation[];
}

// ---- liveness ----------------------------------------

/** One row of the verdict table. */
export interface VerdictRow {
  property: string;
  /** `invariant`, `step`, `deadlock`, or a liveness form (`alwaysReachable`, `eventually`, `alwaysEventually`, `leadsTo`). */
  kind: string;
  verdict: 'holds' | 'violated' | 'unknown';
  /** Steps of the counterexample: the trace's length (a lasso's prefix and loop together). */
  steps?: number;
  /** For a lasso: the step where its loop begins. */
  loop?: number;
  /** For a violated `alwaysReachable` property: steps to the stuck state and the states reachable from it. */
  stuck?: { steps: number; reachable: number };
}

/** What storing the graph and analysing it cost. */
export interface GraphCost {
  states: number;
  edges: number;
  /** Bytes of the stored graph (states, index, edges, BFS tree). */
  bytes: number;
  /** Time to explore and store it. */
  durationMs: number;
  /** Time of the liveness analysis on it. */
  analysisMs: number;
}

/** The JSON report of `check --json` when liveness properties are checked: exactly one object. */
export interface LivenessReport extends ReportHead {
  status: CheckResult['status'];
  properties: string[];
  /** The fairness constraints the liveness properties were checked under, e.g. `WF(worker 0)`. */
  fairness: string[];
  /** The first violated property, or null. */
  property: string | null;
  verdicts: VerdictRow[];
  distinctStates: number;
  diameter: number;
  complete: boolean;
  stoppedBy: CheckResult['stoppedBy'];
  durationMs: number;
  peakMemoryBytes: number;
  graph: GraphCost | null;
  /** The safety search's own report, when safety properties were checked. */
  safety?: Omit<CheckReport, 'trace'>;
  /** The first counterexample. */
  trace?: Trace;
}

// ---- merge ----------------------------------------

/** A violation kept by the merge: the shortest of its property over the shards. */
export interface MergedViolation {
  property: string;
  kind: 'invariant' | 'step' | 'deadlock';
  shard: number;
  /** For simulate shards: the walk that found it and its seed (check shards have neither). */
  run?: number;
  runSeed?: number;
  foundLength: number;
  length: number;
  trace: Trace;
}

/** The JSON report of `merge --json`. */
export interface MergeReport
  extends Pick<SimulateReport, 'model' | 'variant' | 'params' | 'module' | 'properties' | 'runs' | 'steps' | 'terminalRuns' | 'longestRun' | 'actions'> {
  command: 'merge';
  status: 'ok' | 'violation' | 'deadlock' | 'incomplete';
  /** The violated property with the shortest violation, or null. */
  property: string | null;
  /** The job: its seed, runs and depth before sharding, and the number of shards. */
  seed: number;
  of: number;
  /** Shards merged, and the ones missing from 1..of. */
  shards: number[];
  missing: number[];
  /** Distinct states: the shards' counts cannot be unioned exactly (no fingerprints in the reports); these are the bounds. */
  distinctStatesAtLeast: number;
  distinctStatesAtMost: number;
  distinctStatesPerShard: number[];
  /** Summed over shards (machine time), and the longest shard (wall time when shards ran in parallel). */
  durationMsTotal: number;
  durationMsMax: number;
  unfired: string[];
  /** Shards stopped by a time limit. */
  incompleteShards: number[];
  violations: MergedViolation[];
}

/** The JSON report of `merge --json` over `check --swarm` shards. */
export interface CheckMergeReport extends ReportHead {
  command: 'merge';
  /** The shards were `check --swarm` shards. */
  kind: 'check';
  status: 'ok' | 'violation' | 'deadlock' | 'incomplete';
  properties: readonly string[];
  /** The most severe violated property found (the first in `violations`), or null. */
  property: string | null;
  /** The job: its seed, N, and the bit array, bits per state and depth limit of every shard. */
  seed: number;
  of: number;
  bitstateBytes: number;
  hashes: number;
  maxDepth: number;
  shards: number[];
  missing: number[];
  /** Per shard merged, in shard order: what it stored and what its bit array may have missed (its report's fields, as there). */
  perShard: (Pick<CheckShardReport, 'distinctStates' | 'generatedStates' | 'deepest' | 'truncated' | 'ended' | 'stoppedBy' | 'durationMs' | 'peakMemoryBytes'> &
    Pick<CheckShardReport['bitstate'], 'hashFactor' | 'fill' | 'omissionProbability' | 'expectedOmissions'> & {
      shard: number;
      /** The fraction of the states the shards stored together that this shard stored (from the sketches). */
      share: number;
    })[];
  distinctStatesAtLeast: number;
  distinctStatesAtMost: number;
  /** Distinct states the shards stored together: exact when `statesTogetherExact`, else estimated from the sketches. */
  statesTogether: number;
  statesTogetherExact: boolean;
  /** Fractions of those stored by one shard only and by every shard. */
  seenByOneShard: number;
  seenByAllShards: number;
  /** Chao2 estimate of the reachable states (a lower bound in expectation), and statesTogether over it; null with one shard or when the shards barely overlap. */
  reachableEstimate: number | null;
  coverageEstimate: number | null;
  /** Summed over the shards: states their bit arrays are expected to have taken for seen. */
  expectedOmissions: number;
  generatedStates: number;
  durationMsTotal: number;
  durationMsMax: number;
  actions: Record<string, number>;
  unfired: string[];
  /** Shards stopped by a limit (time, memory, states, a signal). */
  incompleteShards: number[];
  /** Per property, the shortest shrunk violation over the shards, most severe first. */
  violations: MergedViolation[];
}

/** A simulate report of a swarm shard: its `swarm` is present. */
export type ShardReport = SimulateReport & { swarm: NonNullable<SimulateReport['swarm']> };

// ---- replay ----------------------------------------

/** A step of the schedule whose outcome under the other rules differs from the trace. */
export interface ReplayDivergence {
  /** 1-based step number in the trace. */
  readonly step: number;
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  readonly outcome: Exclude<StepOutcome, 'same'>;
  /** The divergence in the model's words, e.g. `step 10: worker 0's commit gives up: its version is stale; ...`. */
  readonly text: string;
  /** What the step does in the replay (for `differs`), narrated by the model. */
  readonly narration?: string;
  /** What the step did in the trace. */
  readonly original: string;
  /** The state fields (`alias[0]`, ...) whose values after the step differ from the trace's (for `differs`). */
  readonly fields?: readonly string[];
}

/** What a replay found: the `--json` report of `dnsmc replay`. */
export interface ReplayReport {
  readonly model: string;
  /** The variant the trace was made under. */
  readonly traceVariant: string | null;
  /** The variant the schedule was replayed under. */
  readonly variant: string | null;
  readonly params: Record<string, unknown>;
  /** `violation` when a property breaks in the replayed run, else `ok`. */
  readonly status: 'ok' | 'violation';
  /** The first property that breaks in the replayed run, or null. */
  readonly property: string | null;
  /** Steps in the trace's schedule. */
  readonly steps: number;
  /** Steps taken in the replay (the others were not enabled and were skipped). */
  readonly replayedSteps: number;
  readonly skipped: number;
  /** Every step gave the same state as in the trace. */
  readonly reproduced: boolean;
  readonly firstDivergence: ReplayDivergence | null;
  readonly divergences: readonly ReplayDivergence[];
  /** Every step of the schedule and how it came out: `same`, `differs` or `not-enabled`. */
  readonly outcomes: readonly { step: number; action: string; actor: number; outcome: StepOutcome; replayStep?: number }[];
  /** Each property's first failing step in the replayed run (step numbers of the replayed run). */
  readonly breaks: readonly TraceBreak[];
  /** The same for the trace, as it records them. */
  readonly traceBreaks: readonly TraceBreak[];
  /** The replayed run as a trace (only the steps taken). */
  readonly trace: Trace;
}

// ---- test-system ----------------------------------------

/** The first failing run, shrunk, and its re-enactment. */
export interface TestSystemFailure {
  /** 1-based: the run that first failed. */
  readonly run: number;
  /** Steps of the shrunk schedule. */
  readonly length: number;
  readonly shrinks: number;
  /** `diverged` (exit 4) or `violation` (exit 1). */
  readonly status: 'diverged' | 'violation';
  readonly report: ReenactReport;
  readonly trace: ReenactedTrace;
}

export interface TestSystemReport extends ReportHead {
  readonly command: 'test-system';
  readonly status: 'ok' | 'violation' | 'diverged';
  readonly impl: string;
  readonly system: string;
  readonly seed: number;
  readonly runs: number;
  readonly runsDone: number;
  readonly depth: number;
  readonly properties: readonly string[];
  /** Steps performed on the system, shrinking included. */
  readonly steps: number;
  readonly durationMs: number;
  readonly failure: TestSystemFailure | null;
  /** `interrupted` when a signal stopped the runs (or the shrinking) early; null otherwise. */
  readonly stoppedBy: 'interrupted' | null;
  /** What the system's own processes (a driver) wrote on stderr, its last 64 KiB, by line. */
  readonly systemStderr: readonly string[];
}

// ---- reenact ----------------------------------------

/** The `--json` report: the re-enactment, with the server named as `{version, startMs}`. */
export interface ReenactJson extends Omit<ReenactReport, 'server'>, ReportHead {
  readonly server: { readonly version: string; readonly startMs: number | null };
  /** What the system's own processes (a driver) wrote on stderr, its last 64 KiB, by line. */
  readonly systemStderr: readonly string[];
}

/** A trace with what the real system held after each step (`observed`), and what it answered at the end. */
export interface ReenactedTrace extends Trace {
  readonly reenacted: {
    readonly status: ReenactReport['status'];
    readonly server: string;
    readonly observed: readonly (JsonState | null)[];
    readonly resolution: readonly Json[] | null;
    readonly stoppedBy?: 'interrupted';
  };
}

// ---- storm ----------------------------------------

/** The JSON report of `storm --json`: the run, the workload's own counts and findings (its summary's keys), the logs written. */
export type StormReport = ReportHead & {
  command: 'storm';
  seed: number;
  duration: number;
  faults: readonly Fault[];
  durationMs: number;
  stoppedBy: WorkloadResult['stoppedBy'];
  serverError: string | null;
  lost: readonly string[];
  /** Protocol events logged (observations such as probes are not counted). */
  events: number;
  files: readonly string[];
} & { readonly [summaryKey: string]: unknown };

// ---- conform ----------------------------------------

/** An event as reports name it: where it was read, and what it is. */
export interface EventRef {
  readonly file: string;
  readonly line: number;
  readonly process: string;
  readonly seq: number;
  readonly action: string;
  readonly actor: number;
}

export interface ConformReport extends ReportHead, Omit<ConformResult, 'failure' | 'final' | 'order'> {
  readonly command: 'conform';
  readonly conforms: boolean;
  readonly files: readonly string[];
  /** Where the logs begin: `model` (its initial states), the `--initial` file, or `server` (`--initial-from-server`). */
  readonly initial: string;
  /** What the package mapped from the system's numbering to the model's (dns: plan generations), or null. */
  readonly renumbered: string | null;
  /** When the logs conform: the model state after the last event (what `--state-out` writes). */
  readonly final: JsonState | null;
  /** An event no explained prefix can take next, the prefix, the model states before it and why each refuses it. */
  readonly failure:
    | (ConformEvent & {
        readonly alone: boolean;
        readonly culprits: readonly EventRef[];
        readonly culpritsTotal: number;
        readonly prefix: readonly (EventRef & { readonly narration: string })[];
        readonly states: readonly JsonState[];
        readonly statesTotal: number;
        readonly reasons: readonly string[];
      })
    | null;
}
