/**
 * The postmortem demo's words that read the counterexample: the root cause,
 * named with the steps of the trace at hand (not fixed numbers), so that the
 * sentence stays true when the model or its parameters change the race.
 */
import type { StepInfo } from '../../checker/model/model.js';

type Plain = Readonly<Record<string, unknown>>;
const at = (s: Plain, field: string, i: number): number => (s[field] as readonly number[])[i];

/** The index of the last step before `end` that `ok` accepts, or -1. */
function lastIndex(steps: readonly StepInfo[], end: number, ok: (s: StepInfo) => boolean): number {
  for (let i = end - 1; i >= 0; i--) if (ok(steps[i])) return i;
  return -1;
}

/**
 * "Root cause: enactor 0's one-time freshness check, passed at step 2 for
 * plan 1, was still trusted at step 11, when it installed plan 1 over the
 * newer plan 3; at step 12 enactor 1's cleanup deleted plan 1's tree under
 * the live alias." Read from the steps: the last flip of the top alias, the
 * pick-up of that plan by the same enactor before it, and the cleanup after.
 */
export function dnsRootCause(steps: readonly StepInfo[]): string {
  const flip = lastIndex(steps, steps.length, (s) => s.action === 'flipAlias');
  if (flip < 0) return 'Root cause: not found in this trace (no enactor points the top alias at a plan).';
  const { actor, before } = steps[flip];
  const stale = at(before as Plain, 'plan', actor);
  const newer = at(before as Plain, 'alias', at(before as Plain, 'endpoint', actor));
  const pick = lastIndex(steps, flip, (s) => s.action === 'pickPlan' && s.actor === actor);
  const cleanup = steps.findIndex((s, i) => i > flip && s.action === 'cleanupPlans');
  const over = newer > stale ? ` over the newer plan ${newer}` : '';
  const deleted = cleanup < 0 ? '' : `; at step ${cleanup + 1} enactor ${steps[cleanup].actor}'s cleanup deleted plan ${stale}'s tree under the live alias`;
  return (
    `Root cause: enactor ${actor}'s one-time freshness check, passed at step ${pick + 1} for plan ${stale}, ` +
    `was still trusted at step ${flip + 1}, when it installed plan ${stale}${over}${deleted}.`
  );
}
