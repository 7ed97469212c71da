import { describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import { dnsModel } from '../../models/dns/model.js';
import { resolveParams, VARIANT_NAMES } from '../../models/dns/params.js';

// The reference figures of docs/protocol.md, exactly.
describe('dns model: the reference figures of docs/protocol.md', () => {
  it('fixed, default parameters: 127,647 distinct states, diameter 28, no violation', () => {
    const r = check(dnsModel({ variant: 'fixed' }));
    expect(r.status).toBe('ok');
    expect(r.distinctStates).toBe(127_647);
    expect(r.diameter).toBe(28);
    expect(r.complete).toBe(true);
    expect(r.unfired).toEqual([]);
    expect(r.collisionProbability).toBe(0);
  });

  it('as-was under aliasResolves: the 12-step race, step by step as narrated', () => {
    const r = check(dnsModel({ variant: 'as-was' }), { properties: ['aliasResolves'] });
    expect(r.status).toBe('violation');
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0];
    expect(v.property).toBe('aliasResolves');
    expect(v.schedule.map((t) => (t.role === 'planner' ? t.name : `${t.name}(${t.actor})`))).toEqual([
      'publishPlan',
      'pickPlan(0)', // takes plan 1
      'publishPlan',
      'publishPlan',
      'pickPlan(1)', // takes plan 3
      'acquireLock(1)',
      'buildTree(1)',
      'flipAlias(1)', // alias -> 3
      'acquireLock(0)',
      'buildTree(0)',
      'flipAlias(0)', // alias -> 1: noRollback breaks here
      'cleanupPlans(1)', // deletes tree 1 (1 + 1 < 3): the alias points at nothing
    ]);
  });

  it('with 5 plans and 2 endpoints the fixed protocol has 1,507,896 states', () => {
    const r = check(dnsModel({ variant: 'fixed', plans: 5, endpoints: 2 }));
    expect([r.status, r.distinctStates]).toEqual(['ok', 1_507_896]);
  });
});

describe('dns model: variants', () => {
  // Pinned from dnsmc's own full runs (--continue); the fixed figures above are the cross-checked ones.
  const expected: Record<string, { states: number; diameter: number; broken: [string, number][] }> = {
    'as-was': {
      states: 278_301,
      diameter: 36,
      broken: [
        ['noRollback', 10],
        ['aliasResolves', 12],
      ],
    },
    fixed: { states: 127_647, diameter: 28, broken: [] },
    'recheck-only': { states: 127_647, diameter: 28, broken: [] },
    'spare-active-only': {
      states: 269_678,
      diameter: 36,
      broken: [
        ['noRollback', 10],
        ['aliasResolves', 12],
      ],
    },
  };
  for (const variant of VARIANT_NAMES) {
    it(`${variant}: every property, explored in full`, () => {
      const r = check(dnsModel({ variant }), { continueAfterViolation: true });
      expect(r.complete).toBe(true);
      expect(r.distinctStates).toBe(expected[variant].states);
      expect(r.diameter).toBe(expected[variant].diameter);
      expect(r.violations.map((v) => [v.property, v.schedule.length])).toEqual(expected[variant].broken);
    });
  }

  it('lockExclusive holds in every variant (the lock itself was sound)', () => {
    for (const variant of VARIANT_NAMES) {
      expect(check(dnsModel({ variant }), { properties: ['lockExclusive'] }).status).toBe('ok');
    }
  });

  it('every terminal state is an accepted end: no deadlock in any variant', () => {
    for (const variant of VARIANT_NAMES) {
      const r = check(dnsModel({ variant }), { properties: [] });
      expect(r.status).toBe('ok');
    }
  });
});

describe('dns model: parameters', () => {
  it('defaults are those of docs/protocol.md', () => {
    expect(resolveParams()).toEqual({ variant: 'as-was', enactors: 3, plans: 4, endpoints: 1, maxBackoff: 2, keep: 1 });
  });

  it('rejects out-of-range parameters, naming them', () => {
    expect(() => dnsModel({ enactors: 0 })).toThrow(/^enactors must be a whole number from 1 to 250/);
    expect(() => dnsModel({ plans: 32 })).toThrow(/^plans must be a whole number from 1 to 31/);
    expect(() => dnsModel({ endpoints: 1.5 })).toThrow(/^endpoints must be/);
    expect(() => dnsModel({ keep: -1 })).toThrow(/^keep must be/);
    expect(() => dnsModel({ variant: 'nope' as never })).toThrow(/^variant must be one of as-was\|fixed\|recheck-only\|spare-active-only/);
  });

  it('one enactor cannot race: every variant keeps aliasResolves', () => {
    for (const variant of VARIANT_NAMES) {
      expect(check(dnsModel({ variant, enactors: 1 }), { properties: ['aliasResolves'] }).status).toBe('ok');
    }
  });

  it('with keep large enough that cleanup deletes nothing, the as-was protocol keeps aliasResolves', () => {
    expect(check(dnsModel({ variant: 'as-was', keep: 4 }), { properties: ['aliasResolves'] }).status).toBe('ok');
  });

  it('a larger configuration still checks in full (2 endpoints, as-was)', () => {
    const r = check(dnsModel({ variant: 'as-was', endpoints: 2, plans: 3 }), { properties: ['aliasResolves'] });
    expect(r.status).toBe('violation');
  });
});

describe('dns model: spare-active-only is not enough', () => {
  it('the cleanup runs before the stale flip: tree 1 goes while plan 3 is active, then the alias moves onto it', () => {
    const r = check(dnsModel({ variant: 'spare-active-only' }), { properties: ['aliasResolves'] });
    const names = r.violations[0].schedule.map((t) => (t.role === 'planner' ? t.name : `${t.name}(${t.actor})`));
    expect(names.slice(-3)).toEqual(['buildTree(0)', 'cleanupPlans(1)', 'flipAlias(0)']);
    expect(names).toHaveLength(12);
  });
});
