/**
 * A trace file is untrusted input, and what a command shows of it must be
 * the model's word, not the file's. `verifyTrace` re-derives everything a
 * trace claims from the model, given only its initial state and its
 * schedule (action and actor per step), and refuses the trace at the first
 * field that disagrees: the initial state must be one of the model's, every
 * state must hold exactly the layout's fields, every step's role, narration,
 * patches and state must be what the model's action gives, the variant the
 * model's, the property one of the model's (with its kind), and `breaks`
 * exactly the properties that fail along the run. For a lasso the liveness
 * break is re-derived too: the goal never holds where the trace says, and a
 * "stuck" state is explored to show that no goal state is reachable from it.
 * What is not re-derived: that a lasso's loop is fair (that takes the state
 * graph: `dnsmc check` decides it).
 */
import { isDeepStrictEqual } from 'node:util';
import { check } from '../checker/explore/bfs.js';
import type { FieldSpec, JsonState, StateOf } from '../checker/state/layout.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import { replay, type ReplayResult } from '../checker/model/replay.js';
import { isDeadlock } from '../checker/runs/replay-compare.js';
import { livenessNames } from '../checker/liveness/temporal.js';
import { livenessBreak, traceFromReplay, TraceError, type Trace, type TraceBreak } from './trace.js';

/**
 * Throws a TraceError naming the first field of `trace` that the model does
 * not derive. `replayed` is the trace's schedule already replayed from its
 * initial state (see `replayRecorded`), which is then not replayed again.
 */
export function verifyTrace<F extends FieldSpec>(model: Model<F>, trace: Trace, replayed?: ReplayResult<StateOf<F>>): void {
  const fail = (field: string, what: string): never => {
    throw new TraceError(`trace: field ${field} ${what}`);
  };
  const fields = Object.keys(model.layout.fields);
  const keysOf = (s: JsonState, where: string): void => {
    const keys = Object.keys(s);
    const extra = keys.find((k) => !fields.includes(k));
    if (extra !== undefined) fail(where, `has ${JSON.stringify(extra).slice(0, 40)}, which is not a field of model ${model.name} (${fields.join(', ')})`);
    const missing = fields.find((f) => !Object.hasOwn(s, f));
    if (missing !== undefined) fail(where, `lacks the field ${missing}`);
  };
  keysOf(trace.initial, 'initial');
  trace.steps.forEach((s, i) => {
    keysOf(s.state, `steps[${i}].state`);
  });

  if ((model.variant ?? null) !== trace.variant) fail('variant', `must be the model's variant, ${JSON.stringify(model.variant ?? null)}`);
  const vec = model.layout.vector();
  const canonical = (s: unknown): string => {
    model.layout.fromJson(s as JsonState, vec);
    return JSON.stringify(model.layout.toJson(vec));
  };
  const init = model.init.map((s) => {
    model.layout.fromPlain(s, vec);
    return JSON.stringify(model.layout.toJson(vec));
  });
  const initialIndex = init.indexOf(canonical(trace.initial));
  // A trace of logs that began at a snapshot (conform --trace-out) starts there: the state must fit the layout, and is the file's word.
  const snapshot = (trace as { conform?: { snapshot?: unknown } }).conform?.snapshot === true;
  if (initialIndex < 0 && !snapshot) fail('initial', `is not an initial state of model ${model.name}`);

  let start = model.init[Math.max(0, initialIndex)] as StateOf<F>;
  if (initialIndex < 0) {
    model.layout.fromJson(trace.initial, vec);
    start = model.layout.toPlain(vec) as StateOf<F>;
  }
  const run = replayed ?? replay(model, start, trace.steps);
  if (run.failure) fail(`steps[${run.failure.step - 1}]`, `cannot be taken: ${run.failure.reason}`);
  const safety = propertyNames(model);
  const live = livenessNames(model);
  const kindOf = (p: string): Trace['kind'] | undefined =>
    p === 'deadlock'
      ? 'deadlock'
      : model.invariants.some((x) => x.name === p)
        ? 'invariant'
        : model.stepInvariants.some((x) => x.name === p)
          ? 'step'
          : live.includes(p)
            ? 'liveness'
            : undefined;
  const kind = kindOf(trace.property) ?? fail('property', `must be one of ${[...safety, ...live, 'deadlock'].join('|')}`);
  if (kind !== trace.kind) fail('kind', `must be ${kind} (the kind of ${trace.property})`);

  const last = run.steps.length > 0 ? run.steps[run.steps.length - 1].state : run.initial;
  if (kind === 'deadlock' && !isDeadlock(model, last)) fail('kind', 'is deadlock, but the last state has a way on or is an accepted end');
  const rebuilt = traceFromReplay(model, run, trace.property, kind);
  rebuilt.steps.forEach((s, i) => {
    const t = trace.steps[i];
    if (t.role !== s.role) fail(`steps[${i}].role`, `must be ${s.role} (the role of ${s.action})`);
    if (t.narration !== s.narration) fail(`steps[${i}].narration`, "differs from the model's narration of the step");
    if (!isDeepStrictEqual(t.patches, s.patches)) fail(`steps[${i}].patches`, 'differ from what the step writes');
  });

  const expected: TraceBreak[] = [...rebuilt.breaks];
  if (kind === 'liveness')
    expected.push(
      livenessBreakOf(
        model,
        trace,
        run.initial,
        run.steps.map((s) => s.state),
      ),
    );
  expected.sort((a, b) => a.step - b.step);
  if (trace.breaks.length !== expected.length) fail('breaks', `must list ${expected.length} properties that fail along the run, got ${trace.breaks.length}`);
  trace.breaks.forEach((b, i) => {
    if (!isDeepStrictEqual({ property: b.property, step: b.step, kind: b.kind, explanation: b.explanation }, expected[i])) {
      fail(`breaks[${i}]`, `differs from what the model derives (${expected[i].property} at step ${expected[i].step})`);
    }
  });
}

/** The liveness break of a lasso, re-derived: the file's claim is only the property, its loop, and whether it says "stuck". */
function livenessBreakOf<F extends FieldSpec>(model: Model<F>, trace: Trace, initial: StateOf<F>, after: readonly StateOf<F>[]): TraceBreak {
  const prop = (model.liveness ?? []).find((p) => p.name === trace.property);
  const loop = trace.loop;
  if (prop === undefined || loop === undefined)
    throw new TraceError(`trace: field loop must mark the lasso of ${trace.property}, a liveness property of model ${model.name}`);
  const states = [initial, ...after];
  const n = states.length - 1;
  const claimed = trace.breaks.find((b) => b.property === trace.property && b.kind === 'liveness');
  if (claimed === undefined) throw new TraceError(`trace: field breaks must list ${trace.property}, the liveness property the trace violates`);
  if (prop.kind === 'alwaysReachable') {
    // Stuck: from the claimed state no goal state can be reached; from the one before, one can.
    const at = claimed.step;
    if (!Number.isInteger(at) || at < 0 || at > n) throw new TraceError(`trace: field breaks: ${trace.property} must break at a step from 0 to ${n}`);
    const reachable = goalReachable(model, states[at], prop.goal.holds);
    if (reachable.found)
      throw new TraceError(`trace: field breaks: the state at step ${at} is not stuck: a state where ${prop.goal.description} is reachable from it`);
    if (at > 0 && !goalReachable(model, states[at - 1], prop.goal.holds).found) {
      throw new TraceError(`trace: field breaks: the run is stuck before step ${at} already`);
    }
    return livenessBreak(model, trace.property, loop, n, loop === n, { steps: at, reachable: reachable.states });
  }
  const goal = prop.kind === 'leadsTo' ? prop.to : prop.goal;
  const fromLoop = states.slice(loop);
  if (fromLoop.some((s) => goal.holds(s)))
    throw new TraceError(`trace: field loop: ${goal.description} holds on the loop, so the lasso does not violate ${trace.property}`);
  if (prop.kind === 'eventually' && states.some((s) => goal.holds(s))) throw new TraceError(`trace: the run reaches a state where ${goal.description}`);
  if (prop.kind === 'leadsTo') {
    // Some state holds `from`, and `to` never holds from it on.
    let ok = false;
    for (let i = n; i >= 0 && !ok; i--) {
      if (goal.holds(states[i])) break;
      ok = prop.from.holds(states[i]);
    }
    if (!ok) throw new TraceError(`trace: no state of the run where ${prop.from.description} is followed only by states where ${goal.description} fails`);
  }
  return livenessBreak(model, trace.property, loop, n, loop === n);
}

/** Explores the states reachable from `start` and says whether a goal state is among them (stopping at the first). */
function goalReachable<F extends FieldSpec>(
  model: Model<F>,
  start: StateOf<F>,
  goal: (s: Readonly<StateOf<F>>) => boolean,
): { found: boolean; states: number } {
  const probe: Model<F> = {
    ...model,
    init: [start],
    invariants: [{ name: 'noGoal', description: 'no goal state', holds: (s) => !goal(s) }],
    stepInvariants: [],
    liveness: [],
    symmetry: undefined,
    origin: undefined,
  };
  const r = check(probe, { properties: ['noGoal'], checkDeadlock: false, workers: 1 });
  return { found: r.violations.length > 0, states: r.distinctStates };
}

/** The longest description of an observed value outside the model (`CNAME www.example.`, `TXT a, b`). */
const MAX_DESCRIPTION = 200;

/**
 * What `dnsmc reenact --trace-out` (and `test-system`) recorded the real
 * system holding after each step (`reenacted.observed`), checked: at most
 * one observation per state, each null (the step was refused, or not
 * reached) or an object of the model's fields. A field's value either fits
 * the model's layout (over the model's own state at that step), or is what
 * the system held that the model cannot (the adapter's words for it, as a
 * divergence shows it): a string of at most 200 characters, or for an
 * array field an array of the model's length whose every element fits or
 * is such a string. Anything else is refused, naming the field. These are
 * the file's word, not re-derived; the viewer says so.
 */
export function verifyObservations<F extends FieldSpec>(model: Model<F>, trace: Trace, observed: unknown): (JsonState | null)[] {
  const states = [trace.initial, ...trace.steps.map((s) => s.state)];
  if (!Array.isArray(observed) || observed.length > states.length) {
    throw new TraceError(`trace: field reenacted.observed must be an array of at most ${states.length} observed states`);
  }
  const vec = model.layout.vector();
  const fields = Object.keys(model.layout.fields);
  const fits = (state: JsonState): boolean => {
    try {
      model.layout.fromJson(state, vec);
      return true;
    } catch {
      return false;
    }
  };
  const described = (v: unknown): boolean => typeof v === 'string' && v.length <= MAX_DESCRIPTION;
  return observed.map((o, i) => {
    if (o === null) return null;
    const where = `reenacted.observed[${i}]`;
    if (typeof o !== 'object' || Array.isArray(o)) throw new TraceError(`trace: field ${where} must be a state object or null`);
    const s = states[i];
    for (const [f, v] of Object.entries(o as Record<string, unknown>)) {
      if (!fields.includes(f)) throw new TraceError(`trace: field ${where} has ${JSON.stringify(f).slice(0, 40)}, which is not a field of model ${model.name}`);
      if (fits({ ...s, [f]: v as JsonState[string] }) || described(v)) continue;
      const m = s[f];
      const elementsOk =
        Array.isArray(v) &&
        Array.isArray(m) &&
        v.length === m.length &&
        v.every((x, j) => described(x) || fits({ ...s, [f]: m.map((y, k) => (k === j ? x : y)) as JsonState[string] }));
      if (!elementsOk)
        throw new TraceError(
          `trace: field ${where}.${f} fits neither the model's layout nor a description of what the system held (a string of at most ${MAX_DESCRIPTION} characters)`,
        );
    }
    return o as JsonState;
  });
}
