/**
 * The trace format: a versioned JSON document holding the model, variant,
 * parameters and violated property, the initial state (step 0) and, for each
 * step, the action, the actor, what the step wrote and the full state after
 * it. A 12-step trace therefore holds 13 states.
 *
 * `patches` are immer patches over the JSON form of the state: applying a
 * step's patches to the previous state gives the step's state.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Patch } from 'immer';
import type { Violation } from '../checker/explore/bfs.js';
import type { FieldSpec, Json, JsonState, StateOf } from '../checker/state/layout.js';
import { LayoutError } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import { actorName } from '../checker/model/model.js';
import { firstBreaks, replay, type ReplayResult, type ScheduleStep } from '../checker/model/replay.js';
import type { LivenessVerdict } from '../checker/liveness/liveness.js';
import { runSchedule, type Schedule, type ScheduleCheckOptions } from '../checker/random/schedule.js';

export const TRACE_FORMAT = 'dnsmc-trace';
export const TRACE_VERSION = 1;

/** A change one step made, as an immer patch over the JSON state. */
export interface TracePatch {
  readonly op: 'replace';
  readonly path: readonly (string | number)[];
  readonly value: Json;
}

export interface TraceStep {
  /** 1-based step number. */
  readonly step: number;
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  /** The step in the domain's words. */
  readonly narration: string;
  readonly patches: readonly TracePatch[];
  readonly state: JsonState;
}

/** A property broken along the trace: the first step where it fails. */
export interface TraceBreak {
  readonly property: string;
  readonly step: number;
  readonly kind: 'invariant' | 'step' | 'deadlock' | 'liveness';
  readonly explanation: string;
}

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly model: string;
  readonly variant: string | null;
  readonly params: Readonly<Record<string, Json>>;
  /**
   * For a user model loaded with `--model FILE`: that path (relative to the
   * working directory then). Only quoted in messages: dnsmc never loads a
   * module a trace names; replaying needs `--model` again. Absent for built-in models.
   */
  readonly module?: string;
  /** The property this trace is a counterexample to (`deadlock` for a deadlock). */
  readonly property: string;
  /** `liveness`: the trace is a lasso (see `loop`) breaking a liveness property. */
  readonly kind: 'invariant' | 'step' | 'deadlock' | 'liveness';
  /** Every property that breaks along the trace, at its first failing step (the violated one included). */
  readonly breaks: readonly TraceBreak[];
  readonly initial: JsonState;
  readonly steps: readonly TraceStep[];
  /**
   * For a lasso (an infinite run): the step index where the loop begins. The
   * last state equals the state at this index (step 0 is the initial state),
   * and steps `loop + 1 ..` repeat forever; `loop` equal to the number of
   * steps means the last state is terminal and repeats forever (stutters).
   * As ITF's `loop` field. Absent for a finite trace.
   */
  readonly loop?: number;
  /**
   * The scenario the search was restricted to (`check --scenario`), and the
   * constraints it ran under: recorded only. The trace is a run of the model
   * itself (the scenario's counters are not part of its states).
   */
  readonly scenario?: { readonly name: string; readonly params: Readonly<Record<string, Json>> };
  readonly constraints?: Readonly<Record<string, number>>;
}

/** Thrown when a trace does not fit the format or the model. */
export class TraceError extends Error {
  override name = 'TraceError';
}

function toJsonState<F extends FieldSpec>(model: Model<F>, s: StateOf<F>): JsonState {
  const v = model.layout.vector();
  model.layout.fromPlain(s, v);
  return model.layout.toJson(v);
}

function jsonPatches(patches: readonly Patch[], after: JsonState): TracePatch[] {
  const seen = new Set<string>();
  const out: TracePatch[] = [];
  for (const p of patches) {
    // A set field is one number in the plain state but an array in JSON; a
    // patch names the field (and element), and takes its JSON value after the step.
    const path = p.path.slice(0, 2) as (string | number)[];
    const key = path.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    let value: Json = after[path[0] as string];
    if (path.length > 1) value = (value as Json[])[path[1] as number];
    out.push({ op: 'replace', path, value });
  }
  return out;
}

/** Narrates one step with the model's narrator, or generically. */
function narrateStep<F extends FieldSpec>(model: Model<F>, action: string, role: string, actor: number, before: JsonState, after: JsonState): string {
  return model.narrate?.({ action, role, actor, before, after }) ?? `${actorName(model, role, actor)} takes ${action}`;
}

/** Builds a trace from a replay of a schedule. */
export function traceFromReplay<F extends FieldSpec>(model: Model<F>, run: ReplayResult<StateOf<F>>, property: string, kind: Trace['kind']): Trace {
  const initial = toJsonState(model, run.initial);
  const steps: TraceStep[] = [];
  let before = initial;
  run.steps.forEach((s, i) => {
    const after = toJsonState(model, s.state);
    steps.push({
      step: i + 1,
      action: s.action,
      role: s.role,
      actor: s.actor,
      narration: narrateStep(model, s.action, s.role, s.actor, before, after),
      patches: jsonPatches(s.patches, after),
      state: after,
    });
    before = after;
  });
  const breaks: TraceBreak[] = firstBreaks(model, run).map((b) => ({ ...b }));
  if (kind === 'deadlock') {
    breaks.push({
      property: 'deadlock',
      step: steps.length,
      kind: 'deadlock',
      explanation: 'no action is enabled, and the model does not accept this state as an end',
    });
  }
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    model: model.name,
    variant: model.variant ?? null,
    params: model.params,
    ...(typeof (model as { module?: unknown }).module === 'string' ? { module: (model as { module?: string }).module } : {}),
    property,
    kind,
    breaks,
    initial,
    steps,
  };
}

/** The trace with the scenario and constraints it was found under recorded (the trace itself when there are none). */
export function recordObservers(
  trace: Trace,
  by:
    | {
        readonly scenario: { readonly name: string; readonly params: Readonly<Record<string, Json>> } | null;
        readonly constraints: Readonly<Record<string, number>>;
      }
    | undefined,
): Trace {
  if (!by) return trace;
  return {
    ...trace,
    ...(by.scenario ? { scenario: { name: by.scenario.name, params: { ...by.scenario.params } } } : {}),
    ...(Object.keys(by.constraints).length > 0 ? { constraints: { ...by.constraints } } : {}),
  };
}

/** Rebuilds the trace of a violation the checker found, by replaying its schedule. */
export function traceOf<F extends FieldSpec>(model: Model<F>, v: Violation): Trace {
  const schedule: ScheduleStep[] = v.schedule.map((t) => ({ action: t.name, actor: t.actor }));
  const run = replay(model, model.init[v.initial], schedule);
  if (run.failure) {
    // The engine found this schedule by running the same actions; a failure here
    // means the model is not deterministic (e.g. it reads outside its state).
    throw new TraceError(
      `replaying the counterexample failed at step ${run.failure.step}: ${run.failure.reason}; is the model deterministic (does an action read anything but its state and actor)?`,
    );
  }
  return traceFromReplay(model, run, v.property, v.kind);
}

/**
 * The trace of a schedule that breaks a property (from `scheduleArb`, the
 * steps of a `ScheduleViolation`, or written by hand): its steps up to the
 * first break and the properties they break, as {@link traceOf} makes for a
 * violation the checker found. `options` choose the properties and the
 * deadlock check as for `assertSchedule`. Throws TraceError when the
 * schedule breaks nothing (a trace records a counterexample), OptionError
 * when a step is not enabled.
 */
export function traceOfSchedule<F extends FieldSpec>(
  model: Model<F>,
  schedule: Pick<Schedule, 'initial' | 'steps'>,
  options: ScheduleCheckOptions = {},
): Trace {
  const r = runSchedule(model, schedule, options);
  if (!r.broken && !r.deadlock) {
    throw new TraceError(
      `traceOfSchedule: the schedule's ${schedule.steps.length} steps break no property of model ${model.name}: a trace records a counterexample`,
    );
  }
  const run = replay(model, model.init[schedule.initial], schedule.steps.slice(0, r.length));
  if (run.failure)
    throw new TraceError(`traceOfSchedule: replaying the schedule failed at step ${run.failure.step}: ${run.failure.reason}; is the model deterministic?`);
  return r.broken ? traceFromReplay(model, run, r.broken.property, r.broken.kind) : traceFromReplay(model, run, 'deadlock', 'deadlock');
}

/** Whether `v` is a JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Validates untrusted JSON as a trace (structure only; see {@link checkTraceAgainst}
 * for the states). Throws a TraceError naming the first field that is wrong.
 */
export function parseTrace(json: unknown): Trace {
  if (!isObj(json)) throw new TraceError('trace: the file must hold a JSON object');
  if (json.format !== TRACE_FORMAT) throw new TraceError(`trace: field format must be "${TRACE_FORMAT}", got ${JSON.stringify(json.format) ?? 'nothing'}`);
  if (json.version !== TRACE_VERSION) throw new TraceError(`trace: field version must be ${TRACE_VERSION}, got ${JSON.stringify(json.version) ?? 'nothing'}`);
  const str = (k: string): void => {
    if (typeof json[k] !== 'string') throw new TraceError(`trace: field ${k} must be a string`);
  };
  str('model');
  str('property');
  if (json.variant !== null && typeof json.variant !== 'string') throw new TraceError('trace: field variant must be a string or null');
  if (!isObj(json.params)) throw new TraceError('trace: field params must be an object');
  if (json.module !== undefined && typeof json.module !== 'string') throw new TraceError('trace: field module must be a string when present');
  if (!['invariant', 'step', 'deadlock', 'liveness'].includes(json.kind as string))
    throw new TraceError('trace: field kind must be invariant, step, deadlock or liveness');
  if (!isObj(json.initial)) throw new TraceError('trace: field initial must be a state object');
  if (!Array.isArray(json.breaks)) throw new TraceError('trace: field breaks must be an array');
  json.breaks.forEach((b, i) => {
    if (!isObj(b) || typeof b.property !== 'string' || !Number.isInteger(b.step) || typeof b.explanation !== 'string') {
      throw new TraceError(`trace: breaks[${i}] must have a property, a step number and an explanation`);
    }
  });
  if (!Array.isArray(json.steps)) throw new TraceError('trace: field steps must be an array');
  json.steps.forEach((s, i) => {
    const at = `trace: steps[${i}]`;
    if (!isObj(s)) throw new TraceError(`${at} must be an object`);
    if (s.step !== i + 1) throw new TraceError(`${at}.step must be ${i + 1}`);
    if (typeof s.action !== 'string') throw new TraceError(`${at}.action must be a string`);
    if (typeof s.role !== 'string') throw new TraceError(`${at}.role must be a string`);
    if (!Number.isInteger(s.actor) || (s.actor as number) < 0) throw new TraceError(`${at}.actor must be a whole number of at least 0`);
    if (typeof s.narration !== 'string') throw new TraceError(`${at}.narration must be a string`);
    if (!Array.isArray(s.patches)) throw new TraceError(`${at}.patches must be an array`);
    if (!isObj(s.state)) throw new TraceError(`${at}.state must be a state object`);
  });
  if (json.scenario !== undefined) {
    const sc = json.scenario;
    if (!isObj(sc) || typeof sc.name !== 'string' || !isObj(sc.params))
      throw new TraceError('trace: field scenario must be an object { name, params } when present');
  }
  if (json.constraints !== undefined) {
    const cs = json.constraints;
    if (!isObj(cs) || !Object.values(cs).every((v) => Number.isSafeInteger(v)))
      throw new TraceError('trace: field constraints must be an object of whole numbers when present');
  }
  if (json.loop !== undefined) {
    const n = json.steps.length;
    if (!Number.isInteger(json.loop) || (json.loop as number) < 0 || (json.loop as number) > n) {
      throw new TraceError(`trace: field loop must be a step index from 0 to ${n}, got ${String(JSON.stringify(json.loop)).slice(0, 40)}`);
    }
    const steps = json.steps as Record<string, unknown>[];
    const stateAt = (i: number): unknown => (i === 0 ? json.initial : steps[i - 1].state);
    if (!isDeepStrictEqual(stateAt(json.loop as number), stateAt(n))) {
      throw new TraceError(
        `trace: field loop is ${json.loop as number}, but the last state (step ${n}) differs from the state at step ${json.loop as number}: the loop does not close`,
      );
    }
  } else if (json.kind === 'liveness') {
    throw new TraceError('trace: field loop is required when kind is liveness');
  }
  return json as unknown as Trace;
}

/** A step where a trace's recorded state differs from what the model computes. */
export interface TraceMismatch {
  readonly step: number;
  readonly reason: string;
}

/**
 * Checks a parsed trace against a model: every state must fit the model's
 * layout, and the schedule must replay from the initial state to exactly the
 * recorded states. Throws TraceError for a state that does not fit; returns
 * the steps that do not replay (empty when the trace is faithful).
 */
export function checkTraceAgainst<F extends FieldSpec>(model: Model<F>, trace: Trace): TraceMismatch[] {
  return replayRecorded(model, trace).mismatches;
}

/**
 * {@link checkTraceAgainst}, with the replay it made, so that a caller that
 * goes on to verify the trace (traces/verify.ts) replays it only once.
 */
export function replayRecorded<F extends FieldSpec>(model: Model<F>, trace: Trace): { mismatches: TraceMismatch[]; run: ReplayResult<StateOf<F>> } {
  const vec = model.layout.vector();
  const fit = (s: JsonState, where: string): StateOf<F> => {
    try {
      model.layout.fromJson(s, vec);
    } catch (e) {
      if (e instanceof LayoutError) throw new TraceError(`trace: ${where}: ${e.message}`);
      throw e;
    }
    return model.layout.toPlain(vec);
  };
  const initial = fit(trace.initial, 'initial');
  for (const s of trace.steps) fit(s.state, `steps[${s.step - 1}].state`);
  const run = replay(model, initial, trace.steps);
  const out: TraceMismatch[] = [];
  if (run.failure) out.push({ step: run.failure.step, reason: run.failure.reason });
  run.steps.forEach((s, i) => {
    const expected = JSON.stringify(toJsonState(model, s.state));
    const recorded = JSON.stringify(toJsonState(model, fit(trace.steps[i].state, `steps[${i}].state`)));
    if (expected !== recorded) {
      out.push({ step: i + 1, reason: `the recorded state differs from the one ${s.action} by ${s.role} ${s.actor} leads to` });
    }
  });
  return { mismatches: out, run };
}

/**
 * The break a violated liveness property records: at the stuck state for
 * `alwaysReachable` (`stuck`: its step and how many states are reachable
 * from it), at the loop's start otherwise. Every word comes from the model.
 */
export function livenessBreak<F extends FieldSpec>(
  model: Model<F>,
  property: string,
  loop: number,
  steps: number,
  stutters: boolean,
  stuck?: { readonly steps: number; readonly reachable: number },
): TraceBreak {
  const prop = (model.liveness ?? []).find((p) => p.name === property);
  const goal = prop === undefined ? property : prop.kind === 'leadsTo' ? prop.to.description : prop.goal.description;
  if (stuck) {
    return {
      property,
      step: stuck.steps,
      kind: 'liveness',
      explanation: `stuck: no state where ${goal} can be reached from here; ${stuck.reachable} state${stuck.reachable === 1 ? ' is' : 's are'} reachable from it, none of them such a state`,
    };
  }
  const repeat = stutters ? `the run ends in step ${loop}'s state, which has no way on, and stays there forever` : `steps ${loop + 1}-${steps} repeat forever`;
  const why = prop?.kind === 'leadsTo' ? `${prop.from.description} held, and from here ` : 'from here ';
  return { property, step: loop, kind: 'liveness', explanation: `${why}${repeat}, and ${goal} never holds` };
}

/**
 * Builds the trace of a violated liveness property: the lasso replayed
 * through the model, `loop` set to the step where the loop begins, and a
 * break for the property (at the stuck state for `alwaysReachable`, at the
 * loop's start otherwise). Throws TraceError if the replay fails or the loop
 * does not return to its first state (a model that is not deterministic).
 */
export function traceOfLasso<F extends FieldSpec>(model: Model<F>, v: LivenessVerdict): Trace {
  const lasso = v.lasso;
  if (!lasso) throw new TraceError(`liveness property ${v.property}: no lasso to trace (status ${v.status})`);
  const schedule: ScheduleStep[] = [...lasso.prefix, ...lasso.loop].map((t) => ({ action: t.name, actor: t.actor }));
  const run = replay(model, model.init[lasso.initial], schedule);
  if (run.failure) {
    throw new TraceError(
      `replaying the lasso failed at step ${run.failure.step}: ${run.failure.reason}; is the model deterministic (does an action read anything but its state and actor)?`,
    );
  }
  const base = traceFromReplay(model, run, v.property, 'liveness');
  const loop = lasso.prefix.length;
  const stateAt = (i: number): JsonState => (i === 0 ? base.initial : base.steps[i - 1].state);
  if (!isDeepStrictEqual(stateAt(loop), stateAt(base.steps.length))) {
    throw new TraceError(`the lasso for ${v.property} does not close: the state after its loop differs from the state at step ${loop}`);
  }
  const breaks: TraceBreak[] = [...base.breaks, livenessBreak(model, v.property, loop, base.steps.length, lasso.loop.length === 0, v.stuck)];
  breaks.sort((a, b) => a.step - b.step);
  return { ...base, breaks, loop };
}
