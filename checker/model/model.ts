/**
 * The model interface. A model is three small answers (as in Stateright):
 * its initial states, the actions possible in a state, and the next state for
 * one action; plus named properties. Everything here is generic: the checker
 * knows nothing of any particular protocol.
 */
import type { FieldSpec, Json, JsonState, Layout, StateOf } from '../state/layout.js';
import { ModelError } from './model-error.js';
import type { Symmetry } from './symmetry-decl.js';
import type { FairnessDecl, LivenessProperty } from './temporal-decl.js';

/**
 * One named action, taken by each actor of a role in turn. `guard` reads the
 * state; `effect` mutates a copy of it (the engine hands it a scratch state
 * already holding the current one). An effect must change something: an
 * action that is enabled but leaves the state as it was is reported as a
 * self-loop by the engine's statistics, not hidden.
 */
export interface Action<S> {
  /** The name users see in traces and coverage, e.g. `acquireLock`. */
  readonly name: string;
  /** The role whose actors take this action, e.g. `enactor`. Must be a key of `Model.roles`. */
  readonly role: string;
  /** Whether actor `actor` may take this action in state `s`. Must not modify `s`. */
  guard(s: Readonly<S>, actor: number): boolean;
  /** Applies the action in place. */
  effect(s: S, actor: number): void;
}

/** A state invariant: must hold in every reachable state. */
export interface Invariant<S> {
  readonly name: string;
  /** One line saying what the property means, for reports and the viewer. */
  readonly description: string;
  holds(s: Readonly<S>): boolean;
  /** Why the property fails in `s`, in the domain's words. */
  explain?(s: Readonly<S>): string;
}

/** A step invariant: must hold for every transition, seeing both states. */
export interface StepInvariant<S> {
  readonly name: string;
  readonly description: string;
  holds(before: Readonly<S>, after: Readonly<S>): boolean;
  explain?(before: Readonly<S>, after: Readonly<S>): string;
}

/** What narration gets for one step. States are in their JSON form. */
export interface StepInfo {
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  readonly before: JsonState;
  readonly after: JsonState;
}

/** A model: the layout of its states, its actors, actions and properties. */
export interface Model<F extends FieldSpec = FieldSpec> {
  /** Short model name, e.g. `dns`. */
  readonly name: string;
  /** The variant of the model, if it has several (e.g. `as-was`). */
  readonly variant?: string;
  /** The parameters this instance was built with, recorded in traces. */
  readonly params: Readonly<Record<string, Json>>;
  readonly layout: Layout<F>;
  /** Actor roles and how many actors each has, e.g. `{ planner: 1, enactor: 3 }`. */
  readonly roles: Readonly<Record<string, number>>;
  /** The initial states, as plain objects. */
  readonly init: readonly StateOf<F>[];
  /** The actions, in the order the engine tries them. */
  readonly actions: readonly Action<StateOf<F>>[];
  readonly invariants: readonly Invariant<StateOf<F>>[];
  readonly stepInvariants: readonly StepInvariant<StateOf<F>>[];
  /** Liveness properties (see temporal.ts), checked on the stored state graph. Absent: none. */
  readonly liveness?: readonly LivenessProperty<StateOf<F>>[];
  /** Fairness the liveness properties assume, per actor or per group of actions. Absent: none. */
  readonly fairness?: readonly FairnessDecl[];
  /**
   * Whether a state with no enabled action is an acceptable end. Any other
   * terminal state is a deadlock. Absent: every terminal state is a deadlock.
   */
  terminalOk?(s: Readonly<StateOf<F>>): boolean;
  /** Names an actor for people, e.g. `enactor 0` or `the planner`. */
  actorName?(role: string, actor: number): string;
  /** Narrates one step in the domain's words. */
  narrate?(step: StepInfo): string;
  /** Renders a state for people, one line per part. */
  render?(s: JsonState): string[];
  /** Actors that are interchangeable, for symmetry reduction (`check` option `symmetry`). */
  readonly symmetry?: Symmetry;
  /**
   * Where the model comes from, so that worker threads can build the same
   * model: `module` (a file URL, JavaScript or TypeScript) exports `export`,
   * a function called with `args` or a model package whose `createModel`
   * gets `args[0]` (see origin.ts). Without it, a search runs on one thread.
   */
  readonly origin?: ModelOrigin;
}

/** A request to stop a run (a search, a real system's run), set from outside it (see `CheckOptions.interrupt`). */
export interface Interrupt {
  readonly requested: boolean;
}

/**
 * How to rebuild a model in another thread: `(await import(module))[export](...args)`
 * for a function, `(await import(module))[export].createModel(args[0])` for a
 * model package. A TypeScript module is imported through tsx.
 */
export interface ModelOrigin {
  /** A file URL. */
  readonly module: string;
  /** The name of the exported function or model package. */
  readonly export: string;
  /** The function's arguments; for a package, one element: its parameter values. */
  readonly args: readonly Json[];
}

export { ModelError } from './model-error.js';

/** Checks the structural rules of a model once, before a search. */
export function validateModel(model: Model): void {
  const where = `model ${model.name}`;
  if (model.init.length === 0) throw new ModelError(`${where}: init must hold at least one state`);
  const seen = new Set<string>();
  for (const a of model.actions) {
    if (seen.has(a.name)) throw new ModelError(`${where}: action ${a.name} is declared twice`);
    seen.add(a.name);
    const n = model.roles[a.role];
    if (n === undefined) throw new ModelError(`${where}: action ${a.name} has role ${a.role}, not one of ${Object.keys(model.roles).join(', ')}`);
    if (!Number.isInteger(n) || n < 1) throw new ModelError(`${where}: role ${a.role} must have at least one actor`);
  }
  const props = new Set<string>();
  for (const p of [...model.invariants, ...model.stepInvariants]) {
    if (props.has(p.name)) throw new ModelError(`${where}: property ${p.name} is declared twice`);
    props.add(p.name);
  }
}

/** Every property name of a model, state invariants first. */
export function propertyNames(model: Model): string[] {
  return [...model.invariants.map((p) => p.name), ...model.stepInvariants.map((p) => p.name)];
}

/** Default actor naming: `enactor 0`, or just the role when it has one actor. */
export function actorName(model: Model, role: string, actor: number): string {
  if (model.actorName) return model.actorName(role, actor);
  return model.roles[role] === 1 ? role : `${role} ${actor}`;
}
