import { describe, expect, it } from 'vitest';
import { check } from '../../../checker/explore/bfs.js';
import { defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import { OptionError } from '../../../checker/explore/options.js';
import { Rng, deriveSeed } from '../../../checker/random/random.js';
import { simulate, swarmShard, type SimulateResult } from '../../../checker/random/simulate.js';
import { dnsModel } from '../../../models/dns/model.js';
import { counterModel, lockMutexModel, naiveMutexModel } from '../../../models/toys/index.js';
import { traceOf } from '../../../traces/trace.js';

const names = (r: SimulateResult, i = 0): string[] => r.violations[i].schedule.map((t) => `${t.name}(${t.actor})`);
const big = (variant: 'as-was' | 'fixed') => dnsModel({ variant, plans: 8, endpoints: 3, enactors: 4 });

/** Two roles, one actor each, both always enabled: `stepA` and `stepB` flip their own bit. */
function twoRoles() {
  const layout = defineLayout({ a: int(0, 1), b: int(0, 1) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'two-roles',
    params: {},
    layout,
    roles: { a: 1, b: 1 },
    init: [{ a: 0, b: 0 }],
    actions: [
      { name: 'stepA', role: 'a', guard: () => true, effect: (s: S) => void (s.a = 1 - s.a) },
      { name: 'stepB', role: 'b', guard: () => true, effect: (s: S) => void (s.b = 1 - s.b) },
    ],
    invariants: [],
    stepInvariants: [],
  };
  return model;
}

/** Counts 0..3 and then has no way on: a deadlock after exactly 3 steps. */
function stuckCounter() {
  const layout = defineLayout({ n: int(0, 3) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'stuck',
    params: {},
    layout,
    roles: { counter: 1 },
    init: [{ n: 0 }],
    actions: [{ name: 'up', role: 'counter', guard: (s: S) => s.n < 3, effect: (s: S) => void (s.n = s.n + 1) }],
    invariants: [],
    stepInvariants: [],
  };
  return model;
}

describe('simulate: the dns done-when configuration (plans 8, endpoints 3, enactors 4, 2000 runs, seed 1)', () => {
  it('as-was: finds noRollback and aliasResolves, shrunk to 10 and 18 steps (the BFS shortest), with pinned counts', () => {
    const model = big('as-was');
    const r = simulate(model, { runs: 2000, seed: 1 });
    expect(r.status).toBe('violation');
    expect([r.runs, r.steps, r.distinctStates, r.terminalRuns, r.longestRun]).toEqual([2000, 199_938, 178_668, 11, 100]);
    expect(r.actions).toEqual({
      publishPlan: 16_000,
      pickPlan: 16_377,
      acquireLock: 66_285,
      retryLock: 30_308,
      buildTree: 33_372,
      flipAlias: 30_119,
      cleanupPlans: 7_477,
    });
    expect(r.violations.map((v) => [v.property, v.kind, v.run, v.found.length, v.schedule.length, v.shrinkTests])).toEqual([
      ['noRollback', 'step', 0, 31, 10, 161],
      ['aliasResolves', 'invariant', 0, 60, 18, 284],
    ]);
    // The shrunk aliasResolves schedule replays to a trace whose last step breaks it.
    const t = traceOf(model, r.violations[1]);
    expect(t.steps).toHaveLength(18);
    expect(t.breaks.find((b) => b.property === 'aliasResolves')?.step).toBe(18);
    expect(t.steps[17].state.alias).toEqual([1, 3, 3]);
  });

  it('fixed: no violation, with pinned counts', () => {
    const r = simulate(big('fixed'), { runs: 2000, seed: 1 });
    expect(r.status).toBe('ok');
    expect(r.violations).toEqual([]);
    expect([r.runs, r.steps, r.distinctStates, r.terminalRuns, r.longestRun]).toEqual([2000, 182_979, 151_537, 1_144, 100]);
  });

  it('is deterministic per seed, and another seed gives other walks', () => {
    const a = simulate(big('fixed'), { runs: 300, seed: 7 });
    const b = simulate(big('fixed'), { runs: 300, seed: 7 });
    const c = simulate(big('fixed'), { runs: 300, seed: 8 });
    const key = (r: SimulateResult) => JSON.stringify([r.steps, r.distinctStates, r.terminalRuns, r.actions]);
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
  });

  it('slow-enactor on as-was: pinned violations, shrunk to the same minimal lengths', () => {
    const r = simulate(big('as-was'), { runs: 2000, seed: 1, scheduler: { kind: 'slow-actor', role: 'enactor', actor: 0 } });
    expect(r.violations.map((v) => [v.property, v.run, v.found.length, v.schedule.length])).toEqual([
      ['noRollback', 1, 37, 10],
      ['aliasResolves', 12, 92, 18],
    ]);
    expect([r.steps, r.distinctStates]).toEqual([199_092, 162_289]);
  });
});

describe('simulate: toy models with known figures', () => {
  it('naive mutex: finds the race and shrinks it to the 4-step schedule (two tests, then two sets)', () => {
    const r = simulate(naiveMutexModel(2), { runs: 100, seed: 1 });
    expect(r.status).toBe('violation');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].found).toHaveLength(7);
    expect(names(r)).toEqual(['test(0)', 'test(1)', 'set(0)', 'set(1)']);
    // The walks visit every one of the 13 reachable states (check counts them exhaustively).
    expect(r.distinctStates).toBe(check(naiveMutexModel(2), { properties: [] }).distinctStates);
    expect(r.distinctStates).toBe(13);
  });

  it('counter forbidden to reach 4: shrinks to exactly four increments (resets removed)', () => {
    const r = simulate(counterModel(10, 4), { runs: 100, seed: 1 });
    expect(r.violations[0].found.length).toBeGreaterThan(4);
    expect(names(r)).toEqual(['increment(0)', 'increment(0)', 'increment(0)', 'increment(0)']);
  });

  it('lock mutex (n = 3): no violation, and the walks see all 2^3 + 3 * 2^2 = 20 states', () => {
    const r = simulate(lockMutexModel(3), { runs: 200, depth: 50, seed: 1 });
    expect([r.status, r.distinctStates, r.steps]).toEqual(['ok', 20, 10_000]);
  });

  it('reports a deadlock, shrunk, and accepts proper ends with checkDeadlock off', () => {
    const r = simulate(stuckCounter(), { runs: 5, seed: 3 });
    expect(r.status).toBe('deadlock');
    expect(r.violations.map((v) => [v.property, v.kind, v.schedule.length])).toEqual([['deadlock', 'deadlock', 3]]);
    const off = simulate(stuckCounter(), { runs: 5, seed: 3, checkDeadlock: false });
    expect([off.status, off.runs, off.steps, off.terminalRuns]).toEqual(['ok', 5, 15, 0]);
  });

  it('checks only the chosen properties', () => {
    const r = simulate(big('as-was'), { runs: 2000, seed: 1, properties: ['lockExclusive'] });
    expect(r.status).toBe('ok');
    expect(r.properties).toEqual(['lockExclusive']);
  });
});

describe('schedulers', () => {
  it('uniform: each of two always-enabled actions fires about half the time (pinned for seed 5)', () => {
    const r = simulate(twoRoles(), { runs: 10, depth: 1000, seed: 5 });
    expect(r.actions.stepA + r.actions.stepB).toBe(10_000);
    expect(r.actions.stepA).toBe(5_015);
  });

  it('slow-actor: the slow actor moves with the given probability when others can (pinned for seed 5)', () => {
    const r = simulate(twoRoles(), { runs: 10, depth: 1000, seed: 5, scheduler: { kind: 'slow-actor', role: 'a', actor: 0, probability: 0.1 } });
    expect(r.actions.stepA).toBe(980);
    expect(r.actions.stepA).toBeGreaterThan(850);
    expect(r.actions.stepA).toBeLessThan(1150);
    const dflt = simulate(twoRoles(), { runs: 10, depth: 1000, seed: 5, scheduler: { kind: 'slow-actor', role: 'a', actor: 0 } });
    expect(dflt.actions.stepA).toBeLessThan(650); // default probability 0.05: about 500
  });

  it('weights skew the choice in proportion', () => {
    const r = simulate(twoRoles(), { runs: 10, depth: 1000, seed: 5, scheduler: { kind: 'uniform', weights: { stepA: 3 } } });
    expect(r.actions.stepA).toBeGreaterThan(7_200);
    expect(r.actions.stepA).toBeLessThan(7_800);
  });
});

describe('options', () => {
  const m = twoRoles();
  it.each([
    [{ seed: -1 }, 'option seed must be a whole number from 0 to 4294967295'],
    [{ seed: 2 ** 32 }, 'option seed must be a whole number from 0 to 4294967295'],
    [{ seed: 1.5 }, 'option seed'],
    [{ runs: -1 }, 'option runs'],
    [{ depth: 0 }, 'option depth'],
    [{ properties: ['nope'] }, 'property nope is not a property of model two-roles'],
    [{ scheduler: { kind: 'slow-actor', role: 'c', actor: 0 } }, 'option scheduler.role must be a role of model two-roles (a, b)'],
    [{ scheduler: { kind: 'slow-actor', role: 'a', actor: 1 } }, 'option scheduler.actor must be a whole number from 0 to 0'],
    [{ scheduler: { kind: 'slow-actor', role: 'a', actor: 0, probability: 0 } }, 'option scheduler.probability'],
    [{ scheduler: { kind: 'uniform', weights: { nope: 1 } } }, 'option scheduler.weights.nope'],
    [{ scheduler: { kind: 'uniform', weights: { stepA: -1 } } }, 'option scheduler.weights.stepA must be a number above 0'],
    [{ scheduler: { kind: 'random' } }, 'option scheduler.kind must be uniform or slow-actor'],
  ])('%j is refused with a message naming the option', (o, msg) => {
    expect(() => simulate(m, o as never)).toThrow(OptionError);
    expect(() => simulate(m, o as never)).toThrow(msg);
  });

  it('a time limit stops the simulation with status incomplete', () => {
    const r = simulate(big('fixed'), { runs: 1_000_000, seed: 1, timeLimitMs: 0 });
    expect([r.status, r.stoppedBy]).toEqual(['incomplete', 'time-limit']);
    expect(r.steps).toBe(1024);
  });
});

describe('swarm shards', () => {
  const model = big('fixed');
  const job = { runs: 10, depth: 100, seed: 1 };

  it('shard 1 of 1 is the unsharded run', () => {
    const s = swarmShard(model, job, 1, 1);
    expect(s.options).toMatchObject({ runs: 10, depth: 100, seed: 1, firstRun: 0, scheduler: { kind: 'uniform' } });
    const a = simulate(model, s.options);
    const b = simulate(model, job);
    expect([a.steps, a.distinctStates]).toEqual([b.steps, b.distinctStates]);
  });

  it('splits the runs without overlap, and diversifies seed, depth and scheduler per shard', () => {
    const shards = [1, 2, 3, 4].map((i) => swarmShard(model, job, i, 4));
    expect(shards.map((s) => s.options.runs)).toEqual([3, 3, 2, 2]);
    expect(shards.map((s) => s.options.firstRun)).toEqual([0, 3, 6, 8]);
    expect(shards.map((s) => s.options.depth)).toEqual([100, 200, 50, 100]);
    expect(shards[0].options.seed).toBe(1);
    expect(new Set(shards.map((s) => s.options.seed)).size).toBe(4);
    expect(shards[1].options.scheduler.kind).toBe('uniform');
    expect(Object.keys(shards[1].options.scheduler.weights ?? {})).toEqual(model.actions.map((a) => a.name));
    // Deterministic.
    expect(swarmShard(model, job, 3, 4)).toEqual(shards[2]);
  });

  it('slow-actor shards choose their slow enactor and probability from their seed', () => {
    const slowJob = { ...job, scheduler: { kind: 'slow-actor' as const, role: 'enactor', actor: 0 } };
    const s = [2, 3, 4, 5, 6].map((i) => swarmShard(model, slowJob, i, 6).options.scheduler);
    for (const x of s) {
      expect(x.kind).toBe('slow-actor');
      if (x.kind === 'slow-actor') {
        expect(x.actor).toBeGreaterThanOrEqual(0);
        expect(x.actor).toBeLessThan(4);
        expect([0.02, 0.05, 0.1, 0.2]).toContain(x.probability);
      }
    }
  });

  it.each([
    [0, 4],
    [5, 4],
    [1, 0],
    [1.5, 4],
  ])('shard %d of %d is refused', (i, n) => {
    expect(() => swarmShard(model, job, i, n)).toThrow(OptionError);
  });
});

describe('the generator', () => {
  it('is deterministic and spreads seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
  });

  it('below(n) is within range and roughly uniform', () => {
    const r = new Rng(9);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.below(4)]++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(9_500);
      expect(c).toBeLessThan(10_500);
    }
  });
});
