import { describe, expect, it } from 'vitest';
import { betaRegularized, clopperPearson, meanInterval, normalQuantile, Sprt, wilson } from '../../../checker/risk/stats.js';

describe('the statistics of risk', () => {
  it('normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.5758293035489, 7);
  });

  it('Wilson and Clopper-Pearson intervals (figures from published tables)', () => {
    // 0 of 20: the exact upper bound is 1 - 0.025^(1/20) = 0.16843; Wilson's 0.16113.
    expect(clopperPearson(0, 20, 0.95).high).toBeCloseTo(0.168433, 5);
    expect(clopperPearson(0, 20, 0.95).low).toBe(0);
    expect(wilson(0, 20, 0.95).high).toBeCloseTo(0.161125, 5);
    // 10 of 20: Clopper-Pearson [0.27196, 0.72804]; Wilson [0.29930, 0.70070].
    const cp = clopperPearson(10, 20, 0.95);
    expect(cp.low).toBeCloseTo(0.271958, 5);
    expect(cp.high).toBeCloseTo(0.728042, 5);
    const w = wilson(10, 20, 0.95);
    expect(w.low).toBeCloseTo(0.299298, 5);
    expect(w.high).toBeCloseTo(0.700702, 5);
    // n of n mirrors 0 of n.
    expect(clopperPearson(20, 20, 0.95).low).toBeCloseTo(1 - 0.168433, 5);
    expect(clopperPearson(20, 20, 0.95).high).toBe(1);
    expect(betaRegularized(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });

  it('mean intervals', () => {
    // 0.4, 0.6, 0.5, 0.5: variance 0.02/3.
    const m = meanInterval(2, 1.02, 4, 0.95);
    expect(m.mean).toBe(0.5);
    expect(m.low).toBeCloseTo(0.5 - 1.959964 * Math.sqrt(0.02 / 3 / 4), 6);
    expect(m.high).toBeCloseTo(0.5 + 1.959964 * Math.sqrt(0.02 / 3 / 4), 6);
    expect(meanInterval(0, 0, 5, 0.95)).toEqual({ mean: 0, low: 0, high: 0 });
  });

  it('Wald’s test: accepts below after enough unbroken runs, above after a few breaks', () => {
    const below = new Sprt(5e-5, 1.5e-4, 0.05, 0.05);
    // ln(0.05/0.95) / ln((1-1.5e-4)/(1-5e-5)) = 29,441.4...
    expect(below.runsToAcceptBelow).toBe(29_442);
    let d: string | null = null;
    for (let i = 0; i < 29_441; i++) d = below.add(false);
    expect(d).toBeNull();
    expect(below.add(false)).toBe('below');
    expect(below.n).toBe(29_442);
    const above = new Sprt(5e-5, 1.5e-4, 0.05, 0.05);
    // Each break adds ln 3; ln(0.95/0.05) = 2.94: three breaks decide.
    expect(above.add(true)).toBeNull();
    expect(above.add(true)).toBeNull();
    expect(above.add(true)).toBe('above');
  });
});
