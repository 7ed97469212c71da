/**
 * fast-check integration: an arbitrary of schedules for any model, with
 * shrinking, and helpers that run a schedule and check its properties.
 *
 * What a generated schedule is. fast-check draws a list of choices, each a
 * transition number in `0 .. T-1` (T = actions times actors, in the engine's
 * order, see transitions.ts), and, when the model has several initial
 * states, which one to start from. The choices are read against the model as
 * it runs: choice `c` takes transition `c` if it is enabled, else the first
 * enabled transition after it (wrapping around); the schedule ends early
 * when no transition is enabled. The generated value is the list of steps so
 * taken, every one enabled when taken.
 *
 * Shrinking works on the steps themselves, as delta debugging does: a
 * candidate removes a run of steps (halves first, then quarters, down to
 * single steps) and drops any later step that is then no longer enabled, so
 * every candidate is executable too; a candidate may also start from a lower
 * initial state. fast-check keeps the first candidate that still fails and
 * shrinks again, so it ends at a schedule from which no single step can be
 * removed.
 *
 *     fc.assert(fc.property(scheduleArb(model, { maxSteps: 40 }), (s) => assertSchedule(model, s)));
 *
 * On failure fast-check reports the shrunk schedule (as `[publishPlan,
 * pickPlan(0), ...]`) and `assertSchedule`'s error, which narrates the
 * steps up to the one where the property breaks, in the model's words. For
 * the full trace, `replay` the steps and pass the result to
 * `traceFromReplay` and `formatTrace`.
 */
import fc from 'fast-check';
import type { FieldSpec } from '../state/layout.js';
import type { Model } from '../model/model.js';
import type { Transition } from '../model/transitions.js';
import { OptionError, wholeOption } from '../model/validate.js';
import { runnerOf, type Schedule } from './schedule.js';

export { assertSchedule, runSchedule, ScheduleViolation, type Schedule, type ScheduleCheckOptions, type ScheduleRun } from './schedule.js';

/** Options of {@link scheduleArb}; all optional. */
export interface ScheduleArbConfig {
  /** Most steps in a schedule (fewer when the model reaches a state with no enabled transition). Default 50. */
  maxSteps?: number;
}

function nameStep(model: Model, t: Transition): string {
  return (model.roles[t.role] ?? 0) > 1 ? `${t.name}(${t.actor})` : t.name;
}

/** A schedule as transition numbers, and the value users see. */
function makeSchedule<F extends FieldSpec>(model: Model<F>, initial: number, taken: readonly number[]): Schedule {
  const r = runnerOf(model);
  const m: Model = model;
  const steps = taken.map((t) => ({ action: r.transitions[t].name, actor: r.transitions[t].actor }));
  const value: Schedule & { [fc.toStringMethod]: () => string } = {
    initial,
    steps,
    [fc.toStringMethod]: () => `[${taken.map((t) => nameStep(m, r.transitions[t])).join(', ')}]${initial > 0 ? ` from initial state ${initial}` : ''}`,
  };
  Object.defineProperty(value, TAKEN, { value: taken, enumerable: false });
  return value;
}

const TAKEN = Symbol('transitions taken');

/** Reads choices from `initial` (see the top of this file); returns the transitions taken. */
function readChoices<F extends FieldSpec>(model: Model<F>, initial: number, choices: readonly number[], lenient: boolean): number[] {
  const r = runnerOf(model);
  const T = r.transitions.length;
  const init = model.init[initial];
  if (init === undefined) throw new OptionError(`scheduleOf: model ${model.name} has no initial state ${initial}`);
  model.layout.fromPlain(init, r.cur);
  const enabledAt = (j: number): boolean => r.kernel.enabled(r.curView, j);
  const taken: number[] = [];
  for (const c of choices) {
    const first = ((c % T) + T) % T;
    let t = -1;
    if (lenient) {
      // Shrinking: keep a step only if it is still enabled.
      if (enabledAt(first)) t = first;
      else continue;
    } else {
      for (let k = 0; k < T && t < 0; k++) if (enabledAt((first + k) % T)) t = (first + k) % T;
      if (t < 0) break;
    }
    r.kernel.apply(r.curView, t);
    taken.push(t);
  }
  return taken;
}

/**
 * Reads choices against the model: choice `c` takes transition `c` when it
 * is enabled, else the first enabled one after it, wrapping around; stops
 * when nothing is enabled. What {@link scheduleArb} does with the choices it
 * draws.
 */
export function scheduleOf<F extends FieldSpec>(model: Model<F>, choices: readonly number[], initial = 0): Schedule {
  return makeSchedule(model, initial, readChoices(model, initial, choices, false));
}

class ScheduleArbitrary<F extends FieldSpec> extends fc.Arbitrary<Schedule> {
  constructor(
    private readonly model: Model<F>,
    private readonly choices: fc.Arbitrary<[number, number[]]>,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Schedule> {
    const [initial, cs] = this.choices.generate(mrng, biasFactor).value;
    return new fc.Value(scheduleOf(this.model, cs, initial), undefined);
  }

  canShrinkWithoutContext(value: unknown): value is Schedule {
    return typeof value === 'object' && value !== null && TAKEN in value;
  }

  shrink(value: Schedule): fc.Stream<fc.Value<Schedule>> {
    const taken = (value as unknown as Record<symbol, number[]>)[TAKEN];
    const { model } = this;
    const n = taken.length;
    const initial = value.initial;
    function* candidates(): IterableIterator<fc.Value<Schedule>> {
      if (initial > 0) yield new fc.Value(makeSchedule(model, 0, readChoices(model, 0, taken, true)), undefined);
      for (let size = n >> 1 || 1; size >= 1 && n > 0; size = size === 1 ? 0 : Math.max(1, size >> 1)) {
        for (let at = n - size; at >= 0; at -= size) {
          const rest = [...taken.slice(0, at), ...taken.slice(at + size)];
          yield new fc.Value(makeSchedule(model, initial, readChoices(model, initial, rest, true)), undefined);
        }
      }
    }
    return new fc.Stream(candidates());
  }
}

/**
 * A fast-check arbitrary of executable schedules for `model`, with
 * shrinking (see the top of this file for what a schedule is and how it
 * shrinks).
 */
export function scheduleArb<F extends FieldSpec>(model: Model<F>, config: ScheduleArbConfig = {}): fc.Arbitrary<Schedule> {
  const maxSteps = wholeOption('scheduleArb', 'maxSteps', config.maxSteps ?? 50, 0);
  const T = runnerOf(model).transitions.length;
  const choices = fc.array(fc.nat({ max: T - 1 }), { maxLength: maxSteps, size: 'max' });
  const initial = model.init.length > 1 ? fc.nat({ max: model.init.length - 1 }) : fc.constant(0);
  return new ScheduleArbitrary(model, fc.tuple(initial, choices));
}
