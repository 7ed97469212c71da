/**
 * dnsmc's library API: the generic checker, the model-authoring API, the
 * `dns` model and the toy models, and trace formats.
 */
// Checking
export { check, peakRss, type CheckResult, type Status, type Violation } from './checker/bfs.js';
export { OptionError, resolveOptions, type CheckOptions, type Progress, type ResolvedOptions } from './checker/options.js';
export { replay, firstBreaks, type ReplayResult, type ReplayedStep, type ScheduleStep, type PropertyBreak } from './checker/path.js';
export { transitionsOf, findTransition, type Transition } from './checker/transitions.js';
export { FingerprintSet, collisionProbability } from './checker/fingerprint.js';
// Authoring models
export {
  array,
  bit,
  defineLayout,
  enumOf,
  int,
  maybe,
  setOf,
  Layout,
  LayoutError,
  type Field,
  type FieldSpec,
  type Ints,
  type Json,
  type JsonState,
  type StateOf,
} from './checker/layout.js';
export { ModelError, actorName, propertyNames, validateModel, type Action, type Invariant, type Model, type StepInfo, type StepInvariant } from './checker/model.js';
// Models
export { dnsModel, PHASES, type DnsModel, type DnsState, type DnsFields } from './models/dns/model.js';
export { DEFAULT_PARAMS, VARIANTS, VARIANT_NAMES, ParamError, resolveParams, type DnsParams, type Fixes, type Variant } from './models/dns/params.js';
export { counterModel, lockMutexModel, naiveMutexModel, tcommitModel, twoPhaseModel } from './models/toys/index.js';
// Traces
export {
  TRACE_FORMAT,
  TRACE_VERSION,
  TraceError,
  checkTraceAgainst,
  parseTrace,
  traceFromReplay,
  traceOf,
  type Trace,
  type TraceBreak,
  type TraceMismatch,
  type TracePatch,
  type TraceStep,
} from './traces/trace.js';
export { formatTrace, headline, type FormatOptions } from './traces/text.js';
export { writeFileAtomic } from './traces/io.js';
// Commands, for embedding
export { runCheck, checkReport, type CheckArgs, type CheckReport } from './app/check.js';
export { runDemo } from './app/demo.js';
export { bufferIo, processIo, type Io } from './app/io.js';
export { modelFromArgs, modelFromTrace, dnsParamsFromArgs, type ModelArgs } from './app/models.js';
export { UsageError, EXIT, usageMessage } from './app/errors.js';
// Replay under other rules, the trace viewer, exports (markdown, mermaid, ITF), trace files
/** Replays a schedule under other rules, skipping steps that are not enabled, and compares each step with a recording. */
export { replayAgainst, isDeadlock, type ComparedStep, type ReplayComparison, type StepOutcome } from './checker/replay-compare.js';
/** Trace exports: markdown table, mermaid sequence diagram, ITF (write and read back), and the lanes they share with the viewer. */
export {
  toMarkdown,
  traceTitle,
  toMermaid,
  toItf,
  traceFromItf,
  sequenceOf,
  loopOf,
  markdownText,
  mermaidText,
  ITF_FORMAT_DESCRIPTION,
  type ItfTrace,
  type ItfState,
  type ItfValue,
  type Lane,
  type LaneOptions,
  type MarkdownOptions,
  type ResourceLanes,
  type Sequence,
  type SequenceStep,
} from './traces/export.js';
/** The self-contained HTML trace viewer, and the step alignment of two traces it uses for comparisons. */
export { viewerHtml, alignTraces, firstDivergence, scriptSafeJson, type AlignedRow, type RowStatus, type ViewerOptions, type ViewerPane } from './traces/viewer.js';
/** `dnsmc replay` as a library function, and the replay of a trace under another model. */
export { runReplay, replayTrace, replayText, type ReplayArgs, type ReplayDivergence, type ReplayReport } from './app/replay.js';
/** `dnsmc view` as a library function, and the viewer page for a trace of a known model. */
export { runView, viewerPage, laneOptions, dnsRecordLanes, type ViewArgs, type ViewSource } from './app/view.js';
/** `dnsmc export` as a library function. */
export { runExport, exportTrace, EXPORT_FORMATS, type ExportArgs, type ExportFormat } from './app/export.js';
/** Reading and validating untrusted trace files (dnsmc traces and the ITF documents dnsmc writes). */
export { readTraceFile, loadTraceJson, type LoadedTrace } from './app/trace-file.js';
// Random simulation, shrinking, fast-check schedules, users' own models, swarm merge
/** Random simulation: random walks checking every property at every step, schedulers, swarm sharding. */
export {
  simulate,
  resolveSimulateOptions,
  swarmShard,
  SLOW_PROBABILITY,
  type Scheduler,
  type SimulateOptions,
  type ResolvedSimulateOptions,
  type SimulateResult,
  type SimulationViolation,
  type SwarmShard,
} from './checker/simulate.js';
/** The seeded generator the simulator draws from, and seed derivation. */
export { Rng, deriveSeed, MAX_SEED } from './checker/random.js';
/** Shrinking a violating schedule to a minimal one (ddmin, then single-step removal). */
export { shrinkViolation, shrinkIndices, LenientRunner, type ShrinkResult } from './checker/shrink.js';
/** fast-check integration: an arbitrary of executable schedules with shrinking, and helpers that run and check one. */
export {
  scheduleArb,
  scheduleOf,
  runSchedule,
  assertSchedule,
  ScheduleViolation,
  type Schedule,
  type ScheduleArbConfig,
  type ScheduleCheckOptions,
  type ScheduleRun,
} from './checker/arbitrary.js';
/** `dnsmc simulate` as a library function, with its flag parsing and JSON report. */
export {
  runSimulate,
  simulatePlanFromArgs,
  simulateReport,
  schedulerFor,
  swarmFlag,
  seedFlag,
  SCHEDULER_NAMES,
  SIMULATE_DEFAULTS,
  type SimulateArgs,
  type SimulatePlan,
  type SimulateReport,
  type SimulateViolationReport,
  type SchedulerName,
} from './app/simulate.js';
/** `dnsmc merge` as a library function: combine swarm shard reports. */
export { runMerge, mergeReports, readShard, type MergeArgs, type MergeReport, type MergedViolation } from './app/merge.js';
/** Loading users' own models from module files (`--model FILE`). */
export { loadModelModule, checkModelShape, moduleOf, type LoadOptions, type UserParams } from './app/user-model.js';
/** Parameters for a user module's createModel, from the model flags. */
export { userParamsFromArgs } from './app/models.js';
// Liveness: the stored state graph, recoverability, temporal properties under fairness, lassos
/** The reachable state graph stored compactly (states in BFS order, edges in CSR form), and helpers over it. */
export { exploreGraph, pathTo, markStates, reverseEdges, type GraphOptions, type StateGraph } from './checker/graph.js';
/** Liveness checking on the stored graph: recoverability by backward reachability, eventually / always eventually / leads to under fairness by SCC analysis, lassos. */
export {
  checkLiveness,
  checkModelLiveness,
  selectLiveness,
  loopIsFair,
  type Lasso,
  type LivenessOptions,
  type LivenessRun,
  type LivenessVerdict,
  type StuckState,
} from './checker/liveness.js';
/** Liveness property forms and fairness declarations of a model. */
export {
  fairnessGroups,
  livenessNames,
  validateLiveness,
  LIVENESS_KINDS,
  type AlwaysEventually,
  type AlwaysReachable,
  type Eventually,
  type FairnessDecl,
  type FairnessGroup,
  type FairnessKind,
  type FairnessMode,
  type LeadsTo,
  type LivenessProperty,
  type StatePredicate,
} from './checker/temporal.js';
/** Toy models with known liveness results. */
export { petersonModel, starvingMutexModel, lossyChannelModel, climbModel } from './models/toys/liveness.js';
/** Builds the trace of a violated liveness property: a lasso with its `loop` marked. */
export { traceOfLasso } from './traces/trace.js';
/** `dnsmc check` with liveness properties, as library functions: verdicts, the verdict table, the report. */
export {
  checkWithLiveness,
  runLivenessCheck,
  fairnessFromArgs,
  verdictTable,
  FAIRNESS_NAMES,
  type GraphCost,
  type LivenessCheckOutcome,
  type LivenessReport,
  type VerdictRow,
} from './app/liveness.js';
// Parallel search and symmetry reduction
export { checkParallel, defaultWorkers, startWorkers, type ParallelTuning } from './checker/parallel.js';
export { Canonicalizer, unsymmetrize, MAX_SYMMETRIC_ACTORS, type Symmetry } from './checker/symmetry.js';
export type { ModelOrigin } from './checker/model.js';
