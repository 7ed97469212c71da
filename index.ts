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
