/**
 * Transitions: the model's actions instantiated once per actor, in a fixed
 * order (action by action, actor by actor). The order is part of the
 * determinism contract: it decides which of several shortest counterexamples
 * the search reports.
 */
import type { Model } from './model.js';
import { ModelError } from './model-error.js';

/** One action taken by one actor. */
export interface Transition {
  /** Index into `model.actions`. */
  readonly action: number;
  readonly name: string;
  readonly role: string;
  readonly actor: number;
}

/** Most transitions a model may have: the engine stores the one that reached each state in 16 bits. */
export const MAX_TRANSITIONS = 0xffff;

/** The model's transitions in the engine's order. */
export function transitionsOf(
  model: Pick<Model, 'name' | 'roles'> & { readonly actions: readonly { readonly name: string; readonly role: string }[] },
): Transition[] {
  const out: Transition[] = [];
  model.actions.forEach((a, action) => {
    const n = model.roles[a.role] ?? 0;
    for (let actor = 0; actor < n; actor++) out.push({ action, name: a.name, role: a.role, actor });
  });
  if (out.length > MAX_TRANSITIONS) {
    throw new ModelError(`model ${model.name}: ${out.length} transitions (actions times actors); at most ${MAX_TRANSITIONS} are supported`);
  }
  return out;
}
