import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitstateSearch, sketchEstimate, SKETCH_RANGE } from '../../../checker/explore/bitstate.js';
import { check } from '../../../checker/explore/bfs.js';
import { OptionError } from '../../../checker/explore/options.js';
import { replay } from '../../../checker/model/replay.js';
import { counterModel, naiveMutexModel } from '../../../models/toys/index.js';
import { graphModel, referenceDistances, type Graph } from '../graph.js';

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 24 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    out: fc.array(fc.array(fc.nat(nodes - 1), { maxLength: 4 }), { minLength: nodes, maxLength: nodes }),
    initial: fc.array(fc.nat(nodes - 1), { minLength: 1, maxLength: 3 }),
    bad: fc.array(fc.nat(nodes - 1), { maxLength: 3 }),
    ends: fc.array(fc.nat(nodes - 1), { maxLength: nodes }),
  }),
);
const seedArb = fc.option(fc.nat({ max: 0xffffffff }), { nil: null });
/** A bit array so large for these graphs that no state is omitted in practice (expected omissions below 1e-9). */
const ROOMY = 1 << 20;

describe('bitstate depth-first search', () => {
  it('with room to spare, stores exactly the reachable states, each once, whatever the order and the hash seed', () => {
    fc.assert(
      fc.property(graphArb, seedArb, fc.nat({ max: 0xffffffff }), (g, orderSeed, hashSeed) => {
        const ref = referenceDistances(g);
        const r = bitstateSearch(graphModel(g), { bytes: ROOMY, hashSeed, orderSeed, properties: [], checkDeadlock: false });
        expect(r.status).toBe('ok');
        expect(r.ended).toBe(true);
        expect(r.distinctStates).toBe(ref.size);
        expect(r.expanded).toBe(ref.size);
        const edges = [...ref.keys()].reduce((n, v) => n + g.out[v].length, 0);
        expect(r.generatedStates).toBe(edges);
        expect(r.bitstate.bitsSet).toBeLessThanOrEqual(3 * ref.size);
        expect(r.sketch).toHaveLength(ref.size);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a bad state when one is reachable, on a path that replays to it', () => {
    fc.assert(
      fc.property(graphArb, seedArb, (g, orderSeed) => {
        const ref = referenceDistances(g);
        const model = graphModel(g);
        const r = bitstateSearch(model, { bytes: ROOMY, hashSeed: 1, orderSeed, checkDeadlock: false });
        const reachable = g.bad.filter((v) => ref.has(v));
        if (reachable.length === 0) {
          expect(r.status).toBe('ok');
          return;
        }
        expect(r.status).toBe('violation');
        const v = r.violations[0];
        const run = replay(
          model,
          model.init[v.initial],
          v.schedule.map((t) => ({ action: t.name, actor: t.actor })),
        );
        expect(run.failure).toBeUndefined();
        const last = (run.steps.length > 0 ? run.steps[run.steps.length - 1].state : run.initial) as { node: number };
        expect(reachable).toContain(last.node);
        expect(v.schedule.length).toBeGreaterThanOrEqual(ref.get(last.node) ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic for its seeds; other seeds search in another order', () => {
    const model = naiveMutexModel(3);
    const a = bitstateSearch(model, { bytes: 1 << 16, hashSeed: 5, orderSeed: 7, continueAfterViolation: true });
    const b = bitstateSearch(model, { bytes: 1 << 16, hashSeed: 5, orderSeed: 7, continueAfterViolation: true });
    const plain = check(model, { continueAfterViolation: true });
    expect({ ...b, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0 }).toEqual({ ...a, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0 });
    expect(a.distinctStates).toBe(plain.distinctStates);
    const c = bitstateSearch(model, { bytes: 1 << 16, hashSeed: 5, orderSeed: null, continueAfterViolation: true });
    expect(c.distinctStates).toBe(plain.distinctStates);
    expect(c.violations.map((v) => v.schedule.map((t) => `${t.name}/${t.actor}`))).not.toEqual(
      a.violations.map((v) => v.schedule.map((t) => `${t.name}/${t.actor}`)),
    );
  });

  it('a small bit array omits states and says so: hash factor, fill, omission probability, expected omissions', () => {
    const model = counterModel(2000);
    const exact = check(model).distinctStates;
    const r = bitstateSearch(model, { bytes: 256, hashSeed: 3, orderSeed: null, properties: [] });
    expect(r.distinctStates).toBeLessThan(exact);
    expect(r.bitstate.bits).toBe(2048);
    expect(r.bitstate.fill).toBe(r.bitstate.bitsSet / 2048);
    expect(r.bitstate.hashFactor).toBe(2048 / r.distinctStates);
    expect(r.bitstate.omissionProbability).toBe(r.bitstate.fill ** 3);
    expect(r.bitstate.expectedOmissions).toBeGreaterThan(0);
  });

  it('stores states at the depth limit without expanding them', () => {
    const r = bitstateSearch(counterModel(50), { bytes: 1 << 12, hashSeed: 0, orderSeed: null, properties: [], maxDepth: 10 });
    expect(r.distinctStates).toBe(11);
    expect(r.deepest).toBe(10);
    expect(r.truncated).toBe(1);
    expect(r.ended).toBe(false);
  });

  it.each([
    [{ bytes: 6 }, 'option bytes must be a multiple of 4'],
    [{ bytes: 0 }, 'option bytes must be a multiple of 4'],
    [{ hashes: 0 }, 'option hashes must be a whole number from 1 to 32'],
    [{ hashSeed: -1 }, 'option hashSeed must be a whole number'],
    [{ workers: 2 }, 'runs on one thread'],
  ])('refuses %o', (bad, msg) => {
    expect(() => bitstateSearch(counterModel(3), { bytes: 64, hashSeed: 0, orderSeed: null, ...bad })).toThrow(OptionError);
    expect(() => bitstateSearch(counterModel(3), { bytes: 64, hashSeed: 0, orderSeed: null, ...bad })).toThrow(msg);
  });
});

describe('sketch estimates', () => {
  it('small sets are counted exactly: union, shares, seen by one, two and all, and Chao2', () => {
    const e = sketchEstimate(
      [
        [1, 2, 3, 4],
        [3, 4, 5],
        [4, 6],
      ],
      16,
    );
    expect(e).toEqual({
      union: 6,
      exact: true,
      shares: [4 / 6, 3 / 6, 2 / 6],
      // 1, 2, 5 and 6 by one shard, 3 by two, 4 by all three
      seenByOne: 4 / 6,
      seenByTwo: 1 / 6,
      seenByAll: 1 / 6,
      // Chao2: 6 + (2/3) * Q1 (Q1 - 1) / (2 (Q2 + 1)) with Q1 = 4, Q2 = 1
      reachable: 8,
    });
  });

  it('large sets: the union is estimated from the k-th smallest key; identical shards give coverage 1', () => {
    const n = 100_000;
    const keys = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) / n) * SKETCH_RANGE));
    const k = 256;
    const e = sketchEstimate([keys.slice(0, k), keys.slice(0, k)], k);
    expect(e.exact).toBe(false);
    expect(Math.abs(e.union - n) / n).toBeLessThan(0.01);
    expect(e.seenByAll).toBe(1);
    expect(e.reachable).toBe(e.union);
    const one = sketchEstimate([keys.slice(0, k)], k);
    expect(one.reachable).toBeNull();
  });
});
