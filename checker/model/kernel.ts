/**
 * The execution kernel: the one place that says what running a model means.
 * Everything that takes a step of a model (the search, the state graph,
 * simulation, shrinking, the fast-check arbitraries, replay, symmetry,
 * explain and conform's log search) goes through it; outside this file and
 * the expansion compiled from it (explore/expand.ts), nothing calls a
 * model's guard or effect:
 *
 *  - the transition table (each action once per actor, in the engine's order,
 *    see transitions.ts), with each transition's guard, effect and actor;
 *  - which transitions are enabled in a state, and taking one (in place, on
 *    the typed-array view the search uses or on a plain object, an immer
 *    draft included);
 *  - the deadlock predicate: nothing is enabled and the model does not accept
 *    the state as an end (`terminalOk`);
 *  - the properties chosen for a run, and the first one a state or a step
 *    breaks, with the model's explanation;
 *  - property-name validation and the status a run ends with.
 *
 * Nothing here allocates per step. The search's expansion (expand.ts) is
 * compiled into straight-line code from this table.
 */
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Invariant, Model, StepInvariant } from './model.js';
import { OptionError } from './validate.js';
import { transitionsOf, type Transition } from './transitions.js';

// Method-shaped (bivariant in S, as Action's own guard and effect are), so that a Kernel<F> is a Kernel.
type Guard<S> = { check(s: Readonly<S>, actor: number): boolean }['check'];
type Effect<S> = { apply(s: S, actor: number): void }['apply'];

/** Why a named step cannot be taken (see {@link Kernel.resolve}). */
export interface StepRefusal {
  readonly reason: string;
}

/** The transition table of a model and the operations on it. Build with {@link kernelOf}. */
export class Kernel<F extends FieldSpec = FieldSpec> {
  readonly model: Model<F>;
  /** The model's transitions in the engine's order. */
  readonly transitions: readonly Transition[];
  /** Per transition: its guard, its effect, its actor, its action's index. */
  readonly guards: readonly Guard<StateOf<F>>[];
  readonly effects: readonly Effect<StateOf<F>>[];
  readonly actors: Int32Array;
  readonly actionOf: Int32Array;
  /** Number of the first transition of each action (its actor 0). */
  private readonly firstOf: Int32Array;
  private readonly byName: ReadonlyMap<string, number>;

  constructor(model: Model<F>) {
    this.model = model;
    const transitions = transitionsOf(model);
    this.transitions = transitions;
    this.guards = transitions.map((t) => model.actions[t.action].guard);
    this.effects = transitions.map((t) => model.actions[t.action].effect);
    this.actors = Int32Array.from(transitions, (t) => t.actor);
    this.actionOf = Int32Array.from(transitions, (t) => t.action);
    this.firstOf = new Int32Array(model.actions.length).fill(-1);
    for (let t = transitions.length - 1; t >= 0; t--) this.firstOf[transitions[t].action] = t;
    this.byName = new Map(model.actions.map((a, i) => [a.name, i]));
  }

  /** Number of transitions. */
  get size(): number {
    return this.transitions.length;
  }

  /** Whether transition `t` is enabled in `s`. */
  enabled(s: Readonly<StateOf<F>>, t: number): boolean {
    return this.guards[t](s, this.actors[t]);
  }

  /** Writes the enabled transitions of `s` into `out` (in order); returns how many. */
  enabledList(s: Readonly<StateOf<F>>, out: Int32Array): number {
    let n = 0;
    for (let t = 0; t < this.guards.length; t++) if (this.guards[t](s, this.actors[t])) out[n++] = t;
    return n;
  }

  /** Whether any transition is enabled in `s`. */
  anyEnabled(s: Readonly<StateOf<F>>): boolean {
    for (let t = 0; t < this.guards.length; t++) if (this.guards[t](s, this.actors[t])) return true;
    return false;
  }

  /** Applies transition `t`'s effect to `s` in place (a view, a plain object or an immer draft); no guard. */
  apply(s: StateOf<F>, t: number): void {
    this.effects[t](s, this.actors[t]);
  }

  /**
   * One step on the typed-array form: `next` becomes `cur` with transition
   * `t` applied (`nextView` is `next`'s view). No guard.
   */
  step(cur: Int32Array, next: Int32Array, nextView: StateOf<F>, t: number): void {
    next.set(cur);
    this.effects[t](nextView, this.actors[t]);
  }

  /** Whether `s` has no enabled transition and the model accepts it as an end. */
  terminalOk(s: Readonly<StateOf<F>>): boolean {
    return this.model.terminalOk?.(s) ?? false;
  }

  /** The deadlock predicate: no transition is enabled in `s`, and the model does not accept `s` as an end. */
  deadlocked(s: Readonly<StateOf<F>>): boolean {
    return !this.anyEnabled(s) && !this.terminalOk(s);
  }

  /** The number of transition (action `name`, `actor`), or -1. */
  indexOf(name: string, actor: number): number {
    const a = this.byName.get(name);
    if (a === undefined) return -1;
    const n = this.model.roles[this.model.actions[a].role] ?? 0;
    if (!Number.isInteger(actor) || actor < 0 || actor >= n) return -1;
    return this.firstOf[a] + actor;
  }

  /** The number of the transition for (action index, actor) of a known-good pair. */
  transitionOf(action: number, actor: number): number {
    return this.firstOf[action] + actor;
  }

  /**
   * The transition a named step takes in `s`, or why it cannot be taken
   * there (an unknown action, no such actor, or not enabled).
   */
  resolve(s: Readonly<StateOf<F>>, name: string, actor: number): number | StepRefusal {
    const a = this.byName.get(name);
    if (a === undefined) return { reason: `unknown action ${name}` };
    const role = this.model.actions[a].role;
    const n = this.model.roles[role];
    if (!Number.isInteger(actor) || actor < 0 || actor >= n) return { reason: `${name} has no actor ${actor} (role ${role} has ${n})` };
    const t = this.firstOf[a] + actor;
    if (!this.enabled(s, t)) return { reason: `${name} by ${role} ${actor} is not enabled` };
    return t;
  }
}

/** Each model's kernel, built once per model object. */
const kernels = new WeakMap<Model, Kernel>();

/** The kernel of a model (built once per model object). */
export function kernelOf<F extends FieldSpec>(model: Model<F>): Kernel<F> {
  const known = kernels.get(model);
  // The cache is keyed by the model itself, so the kernel it holds is this model's: Kernel<F>.
  if (known) return known as Kernel<F>;
  const k = new Kernel(model);
  kernels.set(model, k);
  return k;
}

/**
 * Validates property names against the names a model has: returns them
 * without repeats (all of them when `names` is absent). `who` names the
 * caller in the message, e.g. `check`.
 */
export function checkNames(who: string, all: readonly string[], names: readonly string[] | undefined, what: string, modelName: string): string[] {
  if (names === undefined) return [...all];
  const out = [...new Set(names)];
  for (const p of out) {
    if (!all.includes(p)) throw new OptionError(`${who}: ${what} ${p} is not a ${what} of model ${modelName} (${all.join(', ') || 'none'})`);
  }
  return out;
}

/** What property selection needs of a model. */
interface Named {
  readonly name: string;
  readonly invariants: readonly { readonly name: string }[];
  readonly stepInvariants: readonly { readonly name: string }[];
}

/** The safety properties chosen for a run, by name, validated (see {@link checkNames}); all of them when `names` is absent. */
export function propertyList(who: string, model: Named, names?: readonly string[]): string[] {
  const all = [...model.invariants.map((p) => p.name), ...model.stepInvariants.map((p) => p.name)];
  return checkNames(who, all, names, 'property', model.name);
}

/** The state and step invariants of a run. */
export interface Properties<F extends FieldSpec> {
  readonly names: readonly string[];
  readonly invariants: readonly Invariant<StateOf<F>>[];
  readonly stepInvariants: readonly StepInvariant<StateOf<F>>[];
}

/** The model's properties selected by name (all when `names` is absent); throws OptionError for an unknown name. */
export function selectProperties<F extends FieldSpec>(who: string, model: Model<F>, names?: readonly string[]): Properties<F> {
  const chosen = propertyList(who, model, names);
  const set = new Set(chosen);
  return {
    names: chosen,
    invariants: model.invariants.filter((p) => set.has(p.name)),
    stepInvariants: model.stepInvariants.filter((p) => set.has(p.name)),
  };
}

/** The first of `invariants` that `s` breaks (its index), or -1. */
export function brokenInvariant<S>(invariants: readonly Invariant<S>[], s: NoInfer<Readonly<S>>): number {
  for (let p = 0; p < invariants.length; p++) if (!invariants[p].holds(s)) return p;
  return -1;
}

/** The first of `steps` that the step `before -> after` breaks (its index), or -1. */
export function brokenStep<S>(steps: readonly StepInvariant<S>[], before: NoInfer<Readonly<S>>, after: NoInfer<Readonly<S>>): number {
  for (let p = 0; p < steps.length; p++) if (!steps[p].holds(before, after)) return p;
  return -1;
}

/** Why `s` breaks invariant `p`, in the model's words (its description when it gives no explanation). */
export function explainInvariant<S>(p: Invariant<S>, s: NoInfer<Readonly<S>>): string {
  return p.explain?.(s) ?? p.description;
}

/** Why the step `before -> after` breaks step invariant `p`. */
export function explainStep<S>(p: StepInvariant<S>, before: NoInfer<Readonly<S>>, after: NoInfer<Readonly<S>>): string {
  return p.explain?.(before, after) ?? p.description;
}

/** How a run ended. */
export type Status = 'ok' | 'violation' | 'deadlock' | 'incomplete';

/**
 * The status of a run from what it found: a property violation wins over a
 * deadlock, which wins over stopping early.
 */
export function statusOf(violations: readonly { readonly kind: string }[], stopped: boolean): Status {
  if (violations.some((v) => v.kind !== 'deadlock')) return 'violation';
  if (violations.length > 0) return 'deadlock';
  return stopped ? 'incomplete' : 'ok';
}
