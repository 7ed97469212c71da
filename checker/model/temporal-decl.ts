/**
 * The declarations a model makes about liveness: its properties, in the
 * forms TLA+ and Spin users know, and the fairness they assume. Types only
 * (and the list of forms), so that the model interface can name them; what
 * is done with them is in temporal.ts and liveness.ts.
 */

/** A state predicate, named for people. */
export interface StatePredicate<S> {
  /** Short description, e.g. `every alias = latest and resolves`. */
  readonly description: string;
  holds(s: Readonly<S>): boolean;
}

interface LivenessBase {
  /** The name users see and pass to `--property`, e.g. `converges`. */
  readonly name: string;
  /** One line saying what the property means. */
  readonly description: string;
}

/** AG EF goal: from every reachable state, some goal state can still be reached. Independent of fairness. */
export interface AlwaysReachable<S> extends LivenessBase {
  readonly kind: 'alwaysReachable';
  readonly goal: StatePredicate<S>;
}
/** F goal: every fair behaviour reaches a goal state (from each initial state). */
export interface Eventually<S> extends LivenessBase {
  readonly kind: 'eventually';
  readonly goal: StatePredicate<S>;
}
/** GF goal: every fair behaviour visits goal states infinitely often. */
export interface AlwaysEventually<S> extends LivenessBase {
  readonly kind: 'alwaysEventually';
  readonly goal: StatePredicate<S>;
}
/** P ~> Q, that is G(P => F Q): on every fair behaviour, each P state is followed (or matched) by a Q state. */
export interface LeadsTo<S> extends LivenessBase {
  readonly kind: 'leadsTo';
  readonly from: StatePredicate<S>;
  readonly to: StatePredicate<S>;
}

/** A liveness property of a model. */
export type LivenessProperty<S> = AlwaysReachable<S> | Eventually<S> | AlwaysEventually<S> | LeadsTo<S>;

/** The forms, as `kind` spells them. */
export const LIVENESS_KINDS = ['alwaysReachable', 'eventually', 'alwaysEventually', 'leadsTo'] as const;

/** Weak or strong fairness. */
export type FairnessKind = 'weak' | 'strong';

/**
 * A fairness declaration. `per: 'actor'` (the default) makes one constraint
 * per actor of `role`, over that actor's transitions of `actions` (all of the
 * role's actions when absent): WF(enactor e) for every e. `per: 'group'`
 * makes one constraint over all those transitions together (then `actions`
 * may name actions of several roles, and `role` may be absent).
 */
export interface FairnessDecl {
  readonly kind: FairnessKind;
  /** The role whose actors are fair. Required with `per: 'actor'`. */
  readonly role?: string;
  /** The actions covered, by name. Default: every action of `role`. */
  readonly actions?: readonly string[];
  /** One constraint per actor (default) or one for the whole group. */
  readonly per?: 'actor' | 'group';
}
