/**
 * Shrinking a violating schedule to a minimal one that still violates the
 * same property.
 *
 * A candidate schedule is run leniently: from the violation's initial state,
 * each step is taken if its transition is enabled and dropped if not, and the
 * run stops at the first state (or step) that breaks the property. A
 * candidate "still violates" when that happens; what it leaves is the steps
 * actually taken, so every schedule this module returns is executable as it
 * stands.
 *
 * The search is delta debugging (Zeller and Hildebrandt's ddmin: try chunks,
 * then complements of chunks, refining the granularity), followed by removing
 * single steps until no single removal still violates: a local minimum
 * ("1-minimal"). Deterministic: the same violation always shrinks to the same
 * schedule.
 */
import type { Violation } from '../explore/bfs.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { ModelError } from '../model/model.js';
import { kernelOf, type Kernel } from '../model/kernel.js';
import type { Transition } from '../model/transitions.js';

/** A shrunk violation, and how much work shrinking took. */
export interface ShrinkResult extends Violation {
  /** Candidate schedules run while shrinking. */
  readonly tests: number;
}

/**
 * Runs schedules (as transition numbers) leniently against one property.
 * Made once per shrink; reuses its state buffers for every candidate.
 */
export class LenientRunner<F extends FieldSpec> {
  readonly transitions: readonly Transition[];
  private readonly kernel: Kernel<F>;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  private readonly curView: StateOf<F>;
  private readonly nextView: StateOf<F>;
  private readonly start: Int32Array;
  private readonly target: (before: StateOf<F>, after: StateOf<F>) => boolean;

  constructor(
    readonly model: Model<F>,
    initial: number,
    readonly property: string,
    readonly kind: Violation['kind'],
  ) {
    this.kernel = kernelOf(model);
    this.transitions = this.kernel.transitions;
    const layout = model.layout;
    this.cur = layout.vector();
    this.next = layout.vector();
    this.curView = layout.view(this.cur);
    this.nextView = layout.view(this.next);
    this.start = layout.vector();
    const init = model.init[initial];
    if (init === undefined) throw new ModelError(`shrink: model ${model.name} has no initial state ${initial}`);
    layout.fromPlain(init, this.start);
    if (kind === 'invariant') {
      const inv = model.invariants.find((p) => p.name === property);
      if (!inv) throw new ModelError(`shrink: ${property} is not a state invariant of model ${model.name}`);
      this.target = (_b, a) => !inv.holds(a);
    } else if (kind === 'step') {
      const inv = model.stepInvariants.find((p) => p.name === property);
      if (!inv) throw new ModelError(`shrink: ${property} is not a step invariant of model ${model.name}`);
      this.target = (b, a) => !inv.holds(b, a);
    } else {
      this.target = () => false; // a deadlock is judged on the last state only
    }
  }

  /**
   * Runs `schedule` leniently. Returns the steps taken up to and including
   * the one where the property breaks, or null when it never breaks.
   */
  run(schedule: readonly number[]): number[] | null {
    const kernel = this.kernel;
    this.cur.set(this.start);
    if (this.kind === 'invariant' && this.target(this.curView, this.curView)) return [];
    const taken: number[] = [];
    for (const t of schedule) {
      if (!kernel.enabled(this.curView, t)) continue;
      kernel.step(this.cur, this.next, this.nextView, t);
      taken.push(t);
      if (this.target(this.curView, this.nextView)) return taken;
      this.cur.set(this.next);
    }
    if (this.kind === 'deadlock' && kernel.deadlocked(this.curView)) return taken;
    return null;
  }
}

/** Splits `xs` into `n` contiguous chunks of near-equal size. */
function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor((xs.length - at) / (n - i));
    out.push(xs.slice(at, at + size));
    at += size;
  }
  return out;
}

/**
 * Shrinks a schedule of transition numbers that violates `runner`'s property.
 * Returns the minimal schedule and the number of candidates tried.
 */
export function shrinkIndices<F extends FieldSpec>(runner: LenientRunner<F>, schedule: readonly number[]): { schedule: number[]; tests: number } {
  let tests = 1;
  const first = runner.run(schedule);
  if (first === null) throw new ModelError(`shrink: the schedule does not violate ${runner.property}; is the model deterministic?`);
  let best: number[] = first;
  const attempt = (candidate: readonly number[]): number[] | null => {
    tests++;
    const r = runner.run(candidate);
    return r !== null && r.length < best.length ? r : null;
  };
  // ddmin.
  let n = 2;
  while (best.length >= 2) {
    const parts = chunks(best, Math.min(n, best.length));
    let found: number[] | null = null;
    for (const part of parts) {
      found = attempt(part);
      if (found) break;
    }
    if (found) {
      best = found;
      n = 2;
      continue;
    }
    if (parts.length > 2) {
      for (let i = 0; i < parts.length && !found; i++) {
        found = attempt(parts.filter((_, j) => j !== i).flat());
      }
      if (found) {
        best = found;
        n = Math.max(n - 1, 2);
        continue;
      }
    }
    if (n >= best.length) break;
    n = Math.min(n * 2, best.length);
  }
  // One-step removal until no single step can go.
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = best.length - 1; i >= 0; i--) {
      const found = attempt([...best.slice(0, i), ...best.slice(i + 1)]);
      if (found) {
        best = found;
        changed = true;
        i = Math.min(i, best.length);
      }
    }
  }
  return { schedule: best, tests };
}

/**
 * Shrinks a violation to a minimal schedule that still violates the same
 * property from the same initial state: ddmin, then single-step removal to a
 * local minimum. No single step of the result can be removed (with the steps
 * that then become disabled dropped) without losing the violation.
 * Deterministic.
 */
export function shrinkViolation<F extends FieldSpec>(model: Model<F>, v: Violation): ShrinkResult {
  const runner = new LenientRunner(model, v.initial, v.property, v.kind);
  const kernel = kernelOf(model);
  const indices = v.schedule.map((t) => {
    const i = kernel.indexOf(t.name, t.actor);
    if (i < 0) throw new ModelError(`shrink: ${t.name} by actor ${t.actor} is not a transition of model ${model.name}`);
    return i;
  });
  const r = shrinkIndices(runner, indices);
  return { property: v.property, kind: v.kind, initial: v.initial, schedule: r.schedule.map((i) => runner.transitions[i]), tests: r.tests };
}
