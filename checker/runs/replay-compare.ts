/**
 * Replaying a recorded schedule under other rules (another variant of the
 * same model) and comparing each step with the recording. Unlike `replay`,
 * which stops at the first step that cannot be taken, this carries on: a step
 * whose action is not enabled is skipped and said so, and every later step
 * that can still run is run. Generic: it knows only the model interface.
 */
import { kernelOf } from '../model/kernel.js';
import type { FieldSpec, JsonState, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { replay, type ReplayedStep, type ReplayResult, type ScheduleStep } from '../model/replay.js';

/**
 * How one step of the schedule came out under the other rules:
 * `same` (taken, and the state after it equals the recorded one),
 * `differs` (taken, but the state after it differs from the recorded one),
 * `not-enabled` (the action could not be taken here; skipped).
 */
export type StepOutcome = 'same' | 'differs' | 'not-enabled';

/** One step of the recorded schedule and what became of it: taken (the same or another state), or not enabled. */
export type ComparedStep = {
  /** 1-based step number in the recorded schedule. */
  readonly step: number;
  readonly action: string;
  readonly actor: number;
} & (
  | {
      readonly outcome: 'same' | 'differs';
      /** 1-based number of the step in the replayed run. */
      readonly replayStep: number;
    }
  | {
      readonly outcome: 'not-enabled';
      /** Why the step could not be taken. */
      readonly reason: string;
    }
);

/** The replayed run (only the steps taken) and the outcome of every recorded step. */
export interface ReplayComparison<S> {
  /** The run under the other rules: its initial state and the steps that could be taken. */
  readonly run: ReplayResult<S>;
  /** One entry per recorded step, in order. */
  readonly outcomes: readonly ComparedStep[];
}

/** The state as its JSON text, for comparing with a recorded JSON state. */
function jsonText<F extends FieldSpec>(model: Model<F>, vec: Int32Array, s: StateOf<F>): string {
  model.layout.fromPlain(s, vec);
  return JSON.stringify(model.layout.toJson(vec));
}

/**
 * Runs `schedule` from `initial` through `model`'s actions, skipping the
 * steps that are not enabled (or name an unknown action or actor), and
 * compares the state after each step taken with `recorded[i]`, the recorded
 * JSON state after step `i + 1`. Once a step differs, later steps usually
 * differ as well: each is reported as it comes out.
 */
export function replayAgainst<F extends FieldSpec>(
  model: Model<F>,
  initial: StateOf<F>,
  schedule: readonly ScheduleStep[],
  recorded: readonly JsonState[],
): ReplayComparison<StateOf<F>> {
  const vec = model.layout.vector();
  const steps: ReplayedStep<StateOf<F>>[] = [];
  const outcomes: ComparedStep[] = [];
  const start = replay(model, initial, []);
  let state = start.initial;
  schedule.forEach((s, i) => {
    const one = replay(model, state, [s]);
    if (one.failure) {
      outcomes.push({ step: i + 1, action: s.action, actor: s.actor, outcome: 'not-enabled', reason: one.failure.reason });
      return;
    }
    const taken = one.steps[0];
    steps.push(taken);
    state = taken.state;
    const same = i < recorded.length && jsonText(model, vec, taken.state) === JSON.stringify(recorded[i]);
    outcomes.push({ step: i + 1, action: s.action, actor: s.actor, outcome: same ? 'same' : 'differs', replayStep: steps.length });
  });
  return { run: { initial: start.initial, steps }, outcomes };
}

/**
 * Whether `s` is a deadlock of `model`: no action of any actor is enabled,
 * and the model does not accept `s` as an end.
 */
export function isDeadlock<F extends FieldSpec>(model: Model<F>, s: StateOf<F>): boolean {
  return kernelOf(model).deadlocked(s);
}
