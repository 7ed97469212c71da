/**
 * Running a schedule (a list of steps from an initial state) against a
 * model and checking its properties at every state and step: fast, on typed
 * arrays, no trace (see arbitrary.ts for fast-check's schedules, which
 * these functions check). Apart from fast-check, so that reading a trace
 * file does not load it.
 */
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { brokenInvariant, brokenStep, explainInvariant, explainStep, kernelOf, selectProperties, type Kernel } from '../model/kernel.js';
import { actorName, validateModel } from '../model/model.js';
import type { PropertyBreak, ScheduleStep } from '../model/replay.js';
import type { Transition } from '../model/transitions.js';
import { OptionError } from '../model/validate.js';

/** A schedule (as scheduleArb in arbitrary.ts generates them), already read against the model. */
export interface Schedule {
  /** Index into `model.init` of the state the schedule starts from. */
  readonly initial: number;
  /** The steps, every one enabled when taken. */
  readonly steps: readonly ScheduleStep[];
}

/** Options of {@link runSchedule} and {@link assertSchedule}. */
export interface ScheduleCheckOptions {
  /** Properties to check, by name. Default: every property of the model. */
  properties?: readonly string[];
  /** Report a schedule that ends in a state with no enabled transition the model does not accept as an end. Default true. */
  checkDeadlock?: boolean;
}

/** What running a schedule found. */
export interface ScheduleRun {
  /** Steps taken. */
  readonly length: number;
  /** The first property break (state 0 is the initial state; a step invariant breaks at the step's number), or null. */
  readonly broken: PropertyBreak | null;
  /** Whether the last state has no enabled transition and is not an accepted end (judged only when checked and nothing broke before). */
  readonly deadlock: boolean;
}

/** Thrown by {@link assertSchedule}; the message is the narrated trace. */
export class ScheduleViolation extends Error {
  override name = 'ScheduleViolation';
  constructor(
    message: string,
    /** The property that broke (`deadlock` for a deadlock). */
    readonly property: string,
    /** Steps up to and including the break. */
    readonly steps: readonly ScheduleStep[],
  ) {
    super(message);
  }
}

/** A model's kernel and scratch states, for fast repeated runs on typed arrays. */
export interface Runner<F extends FieldSpec> {
  readonly kernel: Kernel<F>;
  readonly transitions: readonly Transition[];
  readonly cur: Int32Array;
  readonly next: Int32Array;
  readonly curView: StateOf<F>;
  readonly nextView: StateOf<F>;
}

const runners = new WeakMap<object, Runner<FieldSpec>>();

export function runnerOf<F extends FieldSpec>(model: Model<F>): Runner<F> {
  let r = runners.get(model) as Runner<F> | undefined;
  if (!r) {
    validateModel(model);
    const kernel = kernelOf(model);
    const cur = model.layout.vector();
    const next = model.layout.vector();
    r = { kernel, transitions: kernel.transitions, cur, next, curView: model.layout.view(cur), nextView: model.layout.view(next) };
    runners.set(model, r as Runner<FieldSpec>);
  }
  return r;
}

/**
 * Runs a schedule (its `steps`) and checks the chosen properties at every
 * state and step, stopping at the first break. Fast: runs on typed arrays,
 * builds no trace. Throws OptionError when a step is not enabled (a schedule
 * from another model, or edited by hand).
 */
export function runSchedule<F extends FieldSpec>(
  model: Model<F>,
  schedule: Pick<Schedule, 'initial' | 'steps'>,
  options: ScheduleCheckOptions = {},
): ScheduleRun {
  const r = runnerOf(model);
  const { kernel, curView, nextView } = r;
  const { invariants, stepInvariants } = selectProperties('runSchedule', model, options.properties);
  const checkDeadlock = options.checkDeadlock ?? true;
  const init = model.init[schedule.initial];
  if (init === undefined) throw new OptionError(`runSchedule: model ${model.name} has no initial state ${schedule.initial}`);
  model.layout.fromPlain(init, r.cur);
  const broke = (property: string, step: number, kind: PropertyBreak['kind'], explanation: string): ScheduleRun => ({
    length: step,
    broken: { property, step, kind, explanation },
    deadlock: false,
  });
  let p = brokenInvariant(invariants, curView);
  if (p >= 0) return broke(invariants[p].name, 0, 'invariant', explainInvariant(invariants[p], curView));
  for (let i = 0; i < schedule.steps.length; i++) {
    const { action: name, actor } = schedule.steps[i];
    const t = kernel.indexOf(name, actor);
    if (t < 0 || !kernel.enabled(curView, t)) {
      throw new OptionError(`runSchedule: step ${i + 1} (${name} by actor ${actor}) is not an enabled transition of model ${model.name}`);
    }
    kernel.step(r.cur, r.next, nextView, t);
    p = brokenStep(stepInvariants, curView, nextView);
    if (p >= 0) return broke(stepInvariants[p].name, i + 1, 'step', explainStep(stepInvariants[p], curView, nextView));
    p = brokenInvariant(invariants, nextView);
    if (p >= 0) return broke(invariants[p].name, i + 1, 'invariant', explainInvariant(invariants[p], nextView));
    r.cur.set(r.next);
  }
  return { length: schedule.steps.length, broken: null, deadlock: checkDeadlock && kernel.deadlocked(curView) };
}

/**
 * Runs a schedule and throws a {@link ScheduleViolation} when a chosen
 * property breaks or the schedule ends in a deadlock; its message narrates
 * the steps up to the break (with the model's `narrate`) and says why the
 * property fails. Returns normally otherwise, so it can be the body of a
 * fast-check property.
 */
export function assertSchedule<F extends FieldSpec>(model: Model<F>, schedule: Pick<Schedule, 'initial' | 'steps'>, options: ScheduleCheckOptions = {}): void {
  const run = runSchedule(model, schedule, options);
  if (!run.broken && !run.deadlock) return;
  const m: Model = model;
  const steps = schedule.steps.slice(0, run.length);
  const property = run.broken?.property ?? 'deadlock';
  const lines = [
    `${model.name}${model.variant ? ` (${model.variant})` : ''}: ${property === 'deadlock' ? 'deadlock' : `${property} violated`} after ${steps.length} step${steps.length === 1 ? '' : 's'}`,
  ];
  const { layout } = model;
  const vec = layout.vector();
  const view = layout.view(vec);
  layout.fromPlain(model.init[schedule.initial], vec);
  let before = layout.toJson(vec);
  const width = String(steps.length).length;
  const kernel = kernelOf(model);
  steps.forEach((s, i) => {
    const t = kernel.indexOf(s.action, s.actor);
    const role = kernel.transitions[t].role;
    kernel.apply(view, t);
    const after = layout.toJson(vec);
    const told = model.narrate?.({ action: s.action, role, actor: s.actor, before, after }) ?? `${actorName(m, role, s.actor)} takes ${s.action}`;
    lines.push(`  ${String(i + 1).padStart(width)}. ${told}`);
    before = after;
  });
  lines.push(`  >> ${run.broken ? run.broken.explanation : 'no action is enabled, and the model does not accept this state as an end'}`);
  throw new ScheduleViolation(lines.join('\n'), property, steps);
}
