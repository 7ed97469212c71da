/**
 * Figures that more than one test pins, each stated once: what the
 * semantics fix, whichever implementation or path reaches them.
 */

/**
 * The drifted freshness check (once, before the lock) caught under `fixed`
 * by `test-system --seed 1`, shrunk: seven steps, the last of which the real
 * system takes and the model refuses. The TypeScript drifted implementation
 * and the Python driver's drifted mode both shrink to it.
 */
export const FRESHNESS_DRIFT_SHRUNK = [
  'publishPlan(0)',
  'pickPlan(0)',
  'pickPlan(1)',
  'acquireLock(0)',
  'buildTree(0)',
  'flipAlias(0)',
  'acquireLock(1)',
] as const;
