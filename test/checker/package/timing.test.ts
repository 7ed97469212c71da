import { describe, expect, it } from 'vitest';
import { OptionError } from '../../../checker/model/validate.js';
import { meanOf, parseTimingProfile, parseTimingText, sample, withSlowDelay, type Dist, type TimingTarget } from '../../../checker/package/timing.js';
import { Rng } from '../../../checker/random/random.js';
import { DNS_TIMING } from '../../../models/dns/timing.js';
import { dnsPackage } from '../../../models/dns/package.js';

const target: TimingTarget = {
  model: 'dns',
  actions: ['publishPlan', 'pickPlan', 'acquireLock', 'retryLock', 'buildTree', 'flipAlias', 'cleanupPlans'],
  roles: { planner: 1, enactor: 3 },
  fields: ['phase', 'plan', 'endpoint', 'failures'],
};
const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(DNS_TIMING));
const bad = (json: unknown): string => {
  try {
    parseTimingProfile(json, 'timing file x.json', target);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('timing profiles', () => {
  it('the dns package ships its default profile, which parses back to itself', () => {
    expect(dnsPackage.timing).toBe(DNS_TIMING);
    expect(parseTimingProfile(base(), 'x', target)).toEqual(DNS_TIMING);
    expect(parseTimingText(JSON.stringify(DNS_TIMING), 'x', target)).toEqual(DNS_TIMING);
  });

  it('bad input is one line naming the field', () => {
    const p = base();
    (p.actions as Record<string, unknown>).acquireLock = { dist: 'exponential', mean: -1 };
    expect(bad(p)).toBe('timing file x.json: actions.acquireLock.mean must be a positive number');
    const q = base();
    (q.actions as Record<string, unknown>).fly = { dist: 'fixed', ms: 1 };
    expect(bad(q)).toMatch(/^timing file x\.json: actions\.fly must be an action of model dns \(publishPlan, /);
    const r = base();
    delete (r.actions as Record<string, unknown>).retryLock;
    expect(bad(r)).toBe('timing file x.json: actions.retryLock is missing (every action needs a distribution)');
    expect(bad({ ...base(), colour: 'red' })).toMatch(/^timing file x\.json: colour is not a known key/);
    expect(bad({ ...base(), model: 'mutex' })).toBe('timing file x.json: model must be "dns" (the model it is used with), got "mutex"');
    expect(bad({ ...base(), unit: 's' })).toBe('timing file x.json: unit must be "ms"');
    const s = base();
    (s.actions as Record<string, unknown>).pickPlan = { dist: 'uniform', min: 3, max: 1 };
    expect(bad(s)).toBe('timing file x.json: actions.pickPlan.max must be at least min (3)');
    const t = base();
    (t.actions as Record<string, unknown>).pickPlan = { dist: 'empirical', samples: [1, Number.NaN] };
    expect(bad(JSON.parse(JSON.stringify(t).replace('null', '"x"')))).toBe('timing file x.json: actions.pickPlan.samples[1] must be a non-negative number');
    const u = base();
    (u.actions as Record<string, unknown>).pickPlan = { dist: 'empirical', samples: [] };
    expect(bad(u)).toBe('timing file x.json: actions.pickPlan.samples must be a list of at least one number');
    expect(bad({ ...base(), slow: { role: 'enactor', actor: 3, actions: [], extra: { dist: 'fixed', ms: 1 } } })).toBe(
      'timing file x.json: slow.actor must be an actor of role enactor (0 to 2)',
    );
    expect(bad({ ...base(), backoff: { retryLock: { baseMs: 2, field: 'latest' } } })).toBe(
      'timing file x.json: backoff.retryLock.field must be a per-actor field of the state (phase, plan, endpoint, failures)',
    );
    expect(bad({ ...base(), version: 2 })).toBe('timing file x.json: version must be 1');
    expect(() => parseTimingText('{', 'timing file y.json', target)).toThrow(/^timing file y\.json: not JSON/);
  });

  it('draws from the seeded generator: the same seed, the same delays; each within its distribution', () => {
    const draw = (d: Dist, seed: number, n = 2000): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, () => sample(d, rng));
    };
    const ln: Dist = { dist: 'lognormal', median: 2, sigma: 0.5 };
    expect(draw(ln, 7)).toEqual(draw(ln, 7));
    expect(draw(ln, 7)).not.toEqual(draw(ln, 8));
    const u = draw({ dist: 'uniform', min: 7.5, max: 22.5 }, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(7.5);
    expect(Math.max(...u)).toBeLessThan(22.5);
    expect(draw({ dist: 'fixed', ms: 5 }, 1, 3)).toEqual([5, 5, 5]);
    expect(new Set(draw({ dist: 'empirical', samples: [1.2, 1.9, 3] }, 1, 200))).toEqual(new Set([1.2, 1.9, 3]));
    // The median of 2,000 lognormal draws lies near the declared median; the mean of exponential draws near the mean.
    const sorted = draw(ln, 3).sort((a, b) => a - b);
    expect(sorted[1000]).toBeGreaterThan(1.9);
    expect(sorted[1000]).toBeLessThan(2.1);
    const e = draw({ dist: 'exponential', mean: 2 }, 3);
    expect(e.reduce((a, b) => a + b, 0) / e.length).toBeCloseTo(2, 0);
    expect(meanOf(ln)).toBeCloseTo(2 * Math.exp(0.125), 10);
  });

  it('sets the slow actor’s delay', () => {
    expect(withSlowDelay(DNS_TIMING, 50).slow).toEqual({ role: 'enactor', actor: 0, actions: ['acquireLock'], extra: { dist: 'fixed', ms: 50 } });
    const { slow: _, ...none } = DNS_TIMING;
    expect(() => withSlowDelay(none, 50)).toThrow('the timing profile for dns names no slow actor, so its delay cannot be set');
  });
});
