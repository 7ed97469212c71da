/**
 * Replaying schedules. The search stores only parent links and transition
 * numbers; a counterexample is rebuilt here by running the model's own
 * actions forward from an initial state, on plain objects, under immer so
 * that each step also yields the patches that say exactly what it wrote.
 * This runs once per trace, never in the search loop.
 */
import { enablePatches, produceWithPatches, type Patch } from 'immer';
import { explainInvariant, explainStep, kernelOf } from './kernel.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Model } from './model.js';

enablePatches();

/** One replayed step: the transition taken and the state it led to. */
export interface ReplayedStep<S> {
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  readonly state: S;
  /** What the step wrote, as immer patches over the plain state (paths like `["alias", 0]`). */
  readonly patches: readonly Patch[];
}

/** A step of a schedule, by action name and actor. */
export interface ScheduleStep {
  readonly action: string;
  readonly actor: number;
}

export interface ReplayResult<S> {
  readonly initial: S;
  readonly steps: readonly ReplayedStep<S>[];
  /** Set when a step could not be taken: its 1-based number and why. The steps before it are in `steps`. */
  readonly failure?: { readonly step: number; readonly reason: string };
}

function clonePlain<F extends FieldSpec>(model: Model<F>, s: StateOf<F>): StateOf<F> {
  const v = model.layout.vector();
  model.layout.fromPlain(s, v);
  return model.layout.toPlain(v);
}

/**
 * Replays `schedule` from `initial` (a plain state) through the model's
 * actions. Stops at the first step whose action is unknown or not enabled.
 * Each resulting state is also checked against the layout's ranges.
 */
export function replay<F extends FieldSpec>(model: Model<F>, initial: StateOf<F>, schedule: readonly ScheduleStep[]): ReplayResult<StateOf<F>> {
  const steps: ReplayedStep<StateOf<F>>[] = [];
  const vec = model.layout.vector();
  const words = new Uint32Array(model.layout.words);
  const kernel = kernelOf(model);
  let state = clonePlain(model, initial);
  const first = state;
  for (let i = 0; i < schedule.length; i++) {
    const { action: name, actor } = schedule[i];
    const t = kernel.resolve(state, name, actor);
    if (typeof t !== 'number') return { initial: first, steps, failure: { step: i + 1, reason: t.reason } };
    const [next, patches] = produceWithPatches(state, (draft: StateOf<F>) => {
      kernel.apply(draft, t);
    });
    model.layout.fromPlain(next, vec);
    model.layout.pack(vec, words, 0); // throws on a value outside its range
    steps.push({ action: name, role: kernel.transitions[t].role, actor, state: next, patches });
    state = next;
  }
  return { initial: first, steps };
}

/** Which properties fail at which step of a replay (step 0 is the initial state). */
export interface PropertyBreak {
  readonly property: string;
  readonly step: number;
  readonly kind: 'invariant' | 'step';
  readonly explanation: string;
}

/** Evaluates every property of the model along a replayed path; returns each property's first failure. */
export function firstBreaks<F extends FieldSpec>(model: Model<F>, run: ReplayResult<StateOf<F>>, only?: readonly string[]): PropertyBreak[] {
  return breaksAlong(model, [run.initial, ...run.steps.map((s) => s.state)], only);
}

/**
 * Each property's first failure along a sequence of states (step 0 first),
 * the one evaluation of properties along a path that replay, explain and
 * reenact share. A state may be missing (null: a real system not observed
 * there): no invariant is evaluated on it, nor a step invariant on a step
 * to or from it.
 */
export function breaksAlong<F extends FieldSpec>(model: Model<F>, states: readonly (Readonly<StateOf<F>> | null)[], only?: readonly string[]): PropertyBreak[] {
  const out: PropertyBreak[] = [];
  const want = (name: string): boolean => !only || only.includes(name);
  for (const inv of model.invariants) {
    if (!want(inv.name)) continue;
    const i = states.findIndex((s) => s !== null && !inv.holds(s));
    if (i >= 0) out.push({ property: inv.name, step: i, kind: 'invariant', explanation: explainInvariant(inv, states[i] as StateOf<F>) });
  }
  for (const inv of model.stepInvariants) {
    if (!want(inv.name)) continue;
    for (let i = 1; i < states.length; i++) {
      const before = states[i - 1];
      const after = states[i];
      if (before !== null && after !== null && !inv.holds(before, after)) {
        out.push({ property: inv.name, step: i, kind: 'step', explanation: explainStep(inv, before, after) });
        break;
      }
    }
  }
  return out.sort((a, b) => a.step - b.step);
}
