/**
 * What the runs of a timed simulation say, per property: the probability
 * that it breaks within the horizon (with Wilson's and the Clopper-Pearson
 * interval), when it first breaks, and for state invariants the expected
 * share of time it is false (the unavailability, when the invariant says
 * that a name resolves), with a normal-approximation interval.
 */
import type { RunOutcome } from './timed.js';
import { clopperPearson, meanInterval, wilson, type Interval } from './stats.js';

export interface PropertyEstimate {
  readonly property: string;
  readonly kind: 'invariant' | 'step';
  readonly runs: number;
  /** Runs in which it broke within the horizon. */
  readonly broken: number;
  readonly probability: number;
  readonly wilson: Interval;
  readonly clopperPearson: Interval;
  /** The mean virtual ms to the first break, over the runs that broke; null when none did. */
  readonly meanFirstBreakMs: number | null;
  /**
   * Virtual time observed until the first break (or the horizon), summed over
   * runs, divided by the breaks: the mean time to the first break if breaks
   * come at a constant rate (the exponential estimate, censored runs
   * included); null when none broke.
   */
  readonly rateMeanFirstBreakMs: number | null;
  /** The share of the horizon the invariant was false, mean over runs with its interval; null for a step invariant. */
  readonly unavailability: ({ mean: number } & Interval) | null;
}

/** Per property (in `properties`' order), the estimates from `outcomes`. */
export function estimate(
  properties: readonly string[],
  kinds: readonly ('invariant' | 'step')[],
  outcomes: readonly RunOutcome[],
  horizonMs: number,
  confidence: number,
): PropertyEstimate[] {
  const n = outcomes.length;
  return properties.map((property, p) => {
    let broken = 0;
    let sumBreak = 0;
    let exposure = 0;
    let sum = 0;
    let sumSq = 0;
    for (const o of outcomes) {
      const at = o.firstBreakMs[p];
      if (at >= 0) {
        broken++;
        sumBreak += at;
        exposure += at;
      } else exposure += horizonMs;
      const share = o.falseMs[p] / horizonMs;
      sum += share;
      sumSq += share * share;
    }
    return {
      property,
      kind: kinds[p],
      runs: n,
      broken,
      probability: n === 0 ? 0 : broken / n,
      wilson: wilson(broken, n, confidence),
      clopperPearson: clopperPearson(broken, n, confidence),
      meanFirstBreakMs: broken === 0 ? null : sumBreak / broken,
      rateMeanFirstBreakMs: broken === 0 ? null : exposure / broken,
      unavailability: kinds[p] === 'invariant' ? meanInterval(sum, sumSq, n, confidence) : null,
    };
  });
}
