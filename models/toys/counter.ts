/**
 * A bounded counter: the smallest model with known figures. From 0 it counts
 * up to `max`; `reset` returns to 0. `max + 1` states, diameter `max`, and
 * `neverReaches(limit)` fails after exactly `limit` steps when limit <= max.
 */
import { defineLayout, int, type StateOf } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';

export function counterModel(max: number, forbidden: number | null = null) {
  const layout = defineLayout({ n: int(0, max) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'counter',
    origin: { module: import.meta.url, export: 'counterModel', args: [max, forbidden] },
    params: { max, forbidden },
    layout,
    roles: { counter: 1 },
    init: [{ n: 0 }],
    actions: [
      { name: 'increment', role: 'counter', guard: (s: S) => s.n < max, effect: (s: S) => void (s.n = s.n + 1) },
      { name: 'reset', role: 'counter', guard: (s: S) => s.n > 0, effect: (s: S) => void (s.n = 0) },
    ],
    invariants: [
      {
        name: 'belowForbidden',
        description: `the counter never reaches ${forbidden ?? 'a forbidden value'}`,
        holds: (s: S) => forbidden === null || s.n < forbidden,
      },
    ],
    stepInvariants: [],
    terminalOk: () => true,
  };
  return model;
}
