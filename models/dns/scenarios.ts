/**
 * The dns package's scenarios and constraints (see checker/package/scenario.ts and
 * docs/scenarios.md): observers over steps whose counters join the searched
 * state, so that `check --scenario NAME` finds the shortest counterexample
 * that tells that story.
 */
import { array, bit, int } from '../../checker/state/layout.js';
import type { ConstraintDecl, ObservedState, Observer, ScenarioDecl } from '../../checker/package/observer.js';
import type { Model } from '../../checker/model/model.js';
import { PHASES } from './model.js';

const FLIP = PHASES.indexOf('flip');
const NONE = -1;

const counts = (model: Model): { enactors: number; endpoints: number } => ({
  enactors: model.roles.enactor ?? 0,
  endpoints: model.params.endpoints as number,
});

/**
 * `postmortem`: the enactor that points an alias at a stale plan (older
 * than the one the alias pointed at) had, in the same pass, lost the lock
 * race at least `retries` times on each of at least two endpoints (on every
 * endpoint when there is only one). "One enactor experienced unusually high
 * delays needing to retry its update on several of the DNS endpoints."
 *
 * Counters per enactor: `scLost` (lock races lost on its current endpoint,
 * saturating at `retries`), `scSlowOn` (endpoints of this pass where it lost
 * `retries` times, saturating at the number needed); and `scTold` (the story
 * has been told: such a stale flip happened). After that the counters stay
 * as they are.
 */
export const postmortemScenario: ScenarioDecl = {
  name: 'postmortem',
  description:
    'the enactor that flips an alias to a stale plan first lost the lock race at least --retries times on each of at least two endpoints (the postmortem’s story)',
  params: [{ name: 'retries', type: 'int', min: 1, max: 7, default: 2, help: 'lock races the stale enactor loses on each of two endpoints' }],
  observer: (model, params): Observer => {
    const { enactors, endpoints } = counts(model);
    const R = params.retries as number;
    const need = Math.min(2, endpoints);
    return {
      fields: { scLost: array(enactors, int(0, R)), scSlowOn: array(enactors, int(0, need)), scTold: int(0, 1) },
      init: { scLost: new Array(enactors).fill(0), scSlowOn: new Array(enactors).fill(0), scTold: 0 },
      symmetry: { indexed: ['scLost', 'scSlowOn'], holds: [] },
      update: (b: Readonly<ObservedState>, action, e, a: ObservedState) => {
        if (b.scTold === 1) return;
        switch (action) {
          case 'pickPlan':
            a.scLost[e] = 0;
            a.scSlowOn[e] = 0;
            return;
          case 'acquireLock':
            if (b.lockHolder[b.endpoint[e]] !== NONE && b.scLost[e] < R) {
              a.scLost[e] = b.scLost[e] + 1;
              if (b.scLost[e] + 1 === R && b.scSlowOn[e] < need) a.scSlowOn[e] = b.scSlowOn[e] + 1;
            }
            return;
          case 'flipAlias': {
            const k = b.endpoint[e];
            if (b.plan[e] < b.alias[k] && b.scSlowOn[e] >= need) a.scTold = 1;
            a.scLost[e] = 0;
            return;
          }
        }
      },
      accepts: (s) => s.scTold === 1,
      progress: (s) => (s.scTold === 1 ? 'told: a slow enactor flipped an alias to a stale plan' : 'not yet told'),
    };
  },
};

/**
 * `cleanup-while-flipping`: some enactor's cleanup deletes the tree of the
 * plan another enactor has just built and is about to flip to (that one is
 * between its build and its flip on that endpoint). Sparing the active plan
 * does not spare that tree, which is not active yet.
 *
 * Counter: `scTold` (it happened).
 */
export const cleanupWhileFlippingScenario: ScenarioDecl = {
  name: 'cleanup-while-flipping',
  description: 'a cleanup deletes the tree another enactor has built and is about to flip to (between its build and its flip)',
  params: [],
  observer: (model): Observer => {
    const { enactors } = counts(model);
    return {
      fields: { scTold: int(0, 1) },
      init: { scTold: 0 },
      symmetry: { indexed: [], holds: [] },
      update: (b, action, e, a) => {
        if (b.scTold === 1 || action !== 'cleanupPlans') return;
        for (let f = 0; f < enactors; f++) {
          if (f === e || b.phase[f] !== FLIP) continue;
          const k = b.endpoint[f];
          const g = bit(b.plan[f]);
          if ((b.trees[k] & g) !== 0 && (a.trees[k] & g) === 0) {
            a.scTold = 1;
            return;
          }
        }
      },
      accepts: (s) => s.scTold === 1,
    };
  },
};

/** `--max-retries-total N`: at most N lock retries (retryLock steps) in a run, all enactors together. */
export const maxRetriesTotal: ConstraintDecl = {
  name: 'maxRetriesTotal',
  help: 'at most this many lock retries (retryLock steps) in a run, all enactors together',
  min: 0,
  max: 15,
  observer: (_model, n): Observer => ({
    fields: { ccRetries: int(0, n) },
    init: { ccRetries: 0 },
    symmetry: { indexed: [], holds: [] },
    allows: (s, action) => action !== 'retryLock' || s.ccRetries < n,
    update: (_b, action, _e, a) => {
      if (action === 'retryLock') a.ccRetries = a.ccRetries + 1;
    },
  }),
};

export const DNS_SCENARIOS: readonly ScenarioDecl[] = [postmortemScenario, cleanupWhileFlippingScenario];
export const DNS_CONSTRAINTS: readonly ConstraintDecl[] = [maxRetriesTotal];
