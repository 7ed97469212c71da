/**
 * Liveness properties and fairness declarations: what a model may ask the
 * liveness checker (liveness.ts) to prove, in the forms TLA+ and Spin users
 * know.
 *
 * Semantics (documented in docs/liveness.md):
 *  - A behaviour is an infinite path through the reachable state graph, or a
 *    finite path that ends in a terminal state (no enabled action), which then
 *    repeats forever (it stutters). The system as a whole never stops while
 *    some action is enabled, as in Spin; TLC also lets a behaviour stop in any
 *    state, which is the same thing once every action is under fairness.
 *  - Weak fairness of a group of transitions: if the group stays enabled from
 *    some point on, one of its transitions is taken infinitely often.
 *    Strong fairness: if the group is enabled infinitely often, one of its
 *    transitions is taken infinitely often. A terminal state enables nothing,
 *    so stuttering there satisfies every fairness constraint.
 *  - `alwaysReachable` (AG EF goal, e.g. `recoverable`) is a branching
 *    property; it does not depend on fairness (every finite path extends to
 *    a fair behaviour: every state reaches a terminal state or a bottom
 *    component, and both are fair).
 */
import type { Model } from '../model/model.js';
import { ModelError } from '../model/model-error.js';
import type { Transition } from '../model/transitions.js';
import { LIVENESS_KINDS, type FairnessDecl, type FairnessKind } from '../model/temporal-decl.js';

export * from '../model/temporal-decl.js';

/** One resolved fairness constraint: a kind and the transitions it covers. */
export interface FairnessGroup {
  readonly kind: FairnessKind;
  /** For people: `WF(enactor 1)`, `SF(enter by process 0)`. */
  readonly label: string;
  /** Transition numbers (indices into transitionsOf(model)), ascending. */
  readonly transitions: readonly number[];
}

/** Which fairness to check under: the model's declaration, or it with every kind replaced, or none. */
export type FairnessMode = 'declared' | 'weak' | 'strong' | 'none';

/** The names of a model's liveness properties. */
export function livenessNames(model: Model): string[] {
  return (model.liveness ?? []).map((p) => p.name);
}

/**
 * Checks a model's liveness and fairness declarations once. Throws a
 * ModelError naming the property or declaration that is wrong.
 */
export function validateLiveness(model: Model): void {
  const where = `model ${model.name}`;
  const taken = new Set([...model.invariants.map((p) => p.name), ...model.stepInvariants.map((p) => p.name), 'deadlock', 'all']);
  for (const p of model.liveness ?? []) {
    if (taken.has(p.name)) throw new ModelError(`${where}: liveness property ${p.name} clashes with another property name`);
    taken.add(p.name);
    if (!(LIVENESS_KINDS as readonly string[]).includes(p.kind)) {
      throw new ModelError(`${where}: liveness property ${p.name} has kind ${String(p.kind)}, not one of ${LIVENESS_KINDS.join(', ')}`);
    }
  }
  (model.fairness ?? []).forEach((f, i) => {
    const at = `${where}: fairness[${i}]`;
    if (f.kind !== 'weak' && f.kind !== 'strong') throw new ModelError(`${at}.kind must be weak or strong`);
    const per = f.per ?? 'actor';
    if (per !== 'actor' && per !== 'group') throw new ModelError(`${at}.per must be actor or group`);
    if (f.role !== undefined && model.roles[f.role] === undefined) {
      throw new ModelError(`${at}.role ${f.role} is not one of ${Object.keys(model.roles).join(', ')}`);
    }
    if (per === 'actor' && f.role === undefined) throw new ModelError(`${at}.role is required with per: actor`);
    if (f.role === undefined && f.actions === undefined) throw new ModelError(`${at} needs a role or a list of actions`);
    for (const a of f.actions ?? []) {
      const action = model.actions.find((x) => x.name === a);
      if (!action) throw new ModelError(`${at}.actions names ${a}, not an action of the model`);
      if (f.role !== undefined && action.role !== f.role) throw new ModelError(`${at}.actions names ${a}, an action of role ${action.role}, not ${f.role}`);
    }
  });
}

/**
 * The fairness constraints to check under, resolved to transition numbers.
 * `mode` `declared` keeps each declaration's kind; `weak` and `strong`
 * replace it; `none` drops them all. An explicit list of declarations may be
 * passed instead of a mode.
 */
export function fairnessGroups(model: Model, transitions: readonly Transition[], mode: FairnessMode | readonly FairnessDecl[] = 'declared'): FairnessGroup[] {
  const decls = typeof mode === 'string' ? (mode === 'none' ? [] : (model.fairness ?? [])) : mode;
  const out: FairnessGroup[] = [];
  for (const d of decls) {
    const kind: FairnessKind = typeof mode === 'string' && mode !== 'declared' ? (mode as FairnessKind) : d.kind;
    const tag = kind === 'weak' ? 'WF' : 'SF';
    const names = d.actions ?? model.actions.filter((a) => a.role === d.role).map((a) => a.name);
    const covers = (t: Transition): boolean => names.includes(t.name) && (d.role === undefined || t.role === d.role);
    const what = d.actions ? d.actions.join('|') : '';
    if ((d.per ?? 'actor') === 'actor') {
      const n = model.roles[d.role as string];
      for (let actor = 0; actor < n; actor++) {
        const ts: number[] = [];
        transitions.forEach((t, i) => {
          if (covers(t) && t.actor === actor) ts.push(i);
        });
        const who = n === 1 ? (d.role as string) : `${d.role} ${actor}`;
        out.push({ kind, label: `${tag}(${what ? `${what} by ` : ''}${who})`, transitions: ts });
      }
    } else {
      const ts: number[] = [];
      transitions.forEach((t, i) => {
        if (covers(t)) ts.push(i);
      });
      out.push({ kind, label: `${tag}(${what || d.role})`, transitions: ts });
    }
  }
  return out;
}
