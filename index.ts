/**
 * dnsmc's library API: what users write models, model packages and tests
 * with. Every export is listed, with one line on what it is for, in
 * docs/library.md. The command line's own functions are not part of it
 * (the `dnsmc/cli` entry point runs the command line in-process).
 */

// ---- Writing a model --------------------------------------------------------
/** Declaring a state layout: fields with ranges, packed into a few 32-bit words. */
export {
  array,
  bit,
  defineLayout,
  enumOf,
  int,
  maybe,
  setOf,
  LayoutError,
  type Field,
  type FieldSpec,
  type Json,
  type JsonState,
  type InitOf,
  type StateOf,
} from './checker/state/layout.js';
/** Typed authoring: the state type inferred from the layout, parameter values from their declarations. */
export { defineModel, definePackage, type ModelDecl, type PackageDecl } from './checker/package/define.js';
/** The model interface: actions (guard, effect), invariants, step invariants, narration. */
export { ModelError, type Action, type Invariant, type Model, type ModelOrigin, type StepInfo, type StepInvariant } from './checker/model/model.js';
/** Liveness properties and the fairness they assume. */
export type {
  AlwaysEventually,
  AlwaysReachable,
  Eventually,
  FairnessDecl,
  FairnessKind,
  LeadsTo,
  LivenessProperty,
  StatePredicate,
} from './checker/liveness/temporal.js';
/** Interchangeable actors, for symmetry reduction. */
export type { Symmetry } from './checker/explore/symmetry.js';
/** A model package: declared parameters (the CLI's flags), schedulers, scenarios and constraints, presentation, a real system behind the model, a demo. */
export {
  ParamError,
  describeParam,
  resolveParamValues,
  type BoolParam,
  type EnumParam,
  type IntParam,
  type ParamSpec,
  type ParamValues,
  type ParamValuesOf,
} from './checker/package/params.js';
export type { ConstraintDecl, ObservedState, Observer, ScenarioDecl } from './checker/package/observer.js';
export type { DemoScript, DemoSection } from './checker/package/demo.js';
export type { BrokenRun, Lane, PictureNode, Presentation, ResourceLanes, RootCauseSpan } from './checker/package/presentation.js';
export type { ModelPackage, SchedulerDecl } from './checker/package/package.js';
export type {
  RunningSystem,
  SystemAdapter,
  SystemCommand,
  SystemFlag,
  Workload,
  WorkloadRun,
  WorkloadResult,
  Fault,
  FaultDecl,
  LoggedStep,
} from './checker/package/system.js';

// ---- Checking ---------------------------------------------------------------
/** Exhaustive breadth-first search: every reachable state, shortest counterexamples. */
export { check, type CheckResult, type Status, type Violation } from './checker/explore/bfs.js';
/** The same search on several threads (same counts and traces); the model needs an origin. */
export { checkParallel } from './checker/explore/parallel.js';
/** Search options and the progress they report. */
export { OptionError, type CheckOptions, type Progress } from './checker/explore/options.js';
export type { LayerProfile, SearchProfile, ThreadLayerProfile } from './checker/explore/profile.js';
/** Liveness on the stored state graph: recoverability, eventually, leads-to under fairness; lassos. */
export { checkModelLiveness, type Lasso, type LivenessOptions, type LivenessRun, type LivenessVerdict, type StuckState } from './checker/liveness/liveness.js';
/** Random walks that check every property at every step, and shrink what breaks. */
export { simulate, type Scheduler, type SimulateOptions, type SimulateResult, type SimulationViolation } from './checker/random/simulate.js';
/** The timed simulation behind `dnsmc risk`: runs in virtual time with delays from a timing profile, and the estimates and tests on them (docs/risk.md). */
export { runTimed, type TimedRunOptions, type TimedRunResult } from './checker/risk/runner.js';
export type { RunOutcome } from './checker/risk/timed.js';
export { estimate, type PropertyEstimate } from './checker/risk/estimate.js';
export { clopperPearson, wilson, Sprt, type Interval } from './checker/risk/stats.js';
export { parseTimingProfile, type Dist, type TimingProfile } from './checker/package/timing.js';
/** fast-check: an arbitrary of executable schedules, and the functions that run and check one. */
export {
  scheduleArb,
  runSchedule,
  assertSchedule,
  ScheduleViolation,
  type Schedule,
  type ScheduleArbConfig,
  type ScheduleCheckOptions,
  type ScheduleRun,
} from './checker/random/arbitrary.js';
/** Running a schedule (action, actor) from a state through the model's own actions. */
export { replay, type ReplayResult, type ReplayedStep, type ScheduleStep } from './checker/model/replay.js';

// ---- Traces -----------------------------------------------------------------
/** The trace format: counterexamples as versioned JSON with narration and per-step patches. */
export { traceOf, traceOfSchedule, parseTrace, TraceError, TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceBreak, type TraceStep } from './traces/trace.js';
/** A trace as text, narrated in the model's words. */
export { formatTrace, type FormatOptions } from './traces/text.js';
/** The trace viewer, one self-contained HTML page, written atomically: a CI artifact. */
export { writeViewer, type ViewerPane } from './traces/viewer.js';

// ---- The dns model ----------------------------------------------------------
/** The DNS planner/enactor protocol (docs/protocol.md), as a model and as a package. */
export { dnsModel, type DnsModel, type DnsState } from './models/dns/model.js';
export { dnsPackage } from './models/dns/package.js';
export { VARIANTS, VARIANT_NAMES, type DnsParams, type Variant } from './models/dns/params.js';
