import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../../checker/explore/bfs.js';
import { ModelError, type Model } from '../../../checker/model/model.js';
import { replay } from '../../../checker/model/replay.js';
import { array, defineLayout, int, type FieldSpec, type Ints } from '../../../checker/state/layout.js';
import { counterModel, lockMutexModel, naiveMutexModel } from '../../../models/toys/index.js';
import { graphModel, referenceDistances, referenceStopped, type Graph } from '../graph.js';

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 24 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    out: fc.array(fc.array(fc.nat(nodes - 1), { maxLength: 4 }), { minLength: nodes, maxLength: nodes }),
    initial: fc.array(fc.nat(nodes - 1), { minLength: 1, maxLength: 3 }),
    bad: fc.array(fc.nat(nodes - 1), { maxLength: 3 }),
    ends: fc.array(fc.nat(nodes - 1), { maxLength: nodes }),
  }),
);

describe('breadth-first search', () => {
  it('visits exactly the reachable set, each state once, in BFS order with its shortest distance', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = referenceDistances(g);
        const seen = new Map<number, number>();
        let lastDepth = 0;
        const r = check(graphModel(g), {
          properties: [],
          checkDeadlock: false,
          visit: (s, depth) => {
            const node = (s as { node: number }).node;
            expect(seen.has(node)).toBe(false);
            expect(depth).toBeGreaterThanOrEqual(lastDepth);
            lastDepth = depth;
            seen.set(node, depth);
          },
        });
        expect(r.status).toBe('ok');
        expect(seen).toEqual(ref);
        expect(r.distinctStates).toBe(ref.size);
        expect(r.diameter).toBe(Math.max(...ref.values()));
        const edges = [...ref.keys()].reduce((n, v) => n + g.out[v].length, 0);
        expect(r.generatedStates).toBe(edges);
      }),
      { numRuns: 300 },
    );
  });

  it('stopped part-way (state limit, violation, deadlock), counts as if each successor were stored when generated', () => {
    // The search looks successors up in batches; one that would never have been generated, had each been stored
    // at once, is taken off the counts. The graphs are smaller than a batch, so the whole search is one.
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 1, max: 30 }), fc.boolean(), (g, maxStates, deadlock) => {
        const ref = referenceStopped(g, maxStates, deadlock);
        const r = check(graphModel(g), { maxStates, checkDeadlock: deadlock });
        expect([r.distinctStates, r.generatedStates, r.distinctStates - r.queue, r.actions.follow ?? 0]).toEqual([
          ref.distinct,
          ref.generated,
          ref.expanded,
          ref.generated,
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it('reports a shortest counterexample that replays to a bad state', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = referenceDistances(g);
        const badDists = g.bad.filter((v) => ref.has(v)).map((v) => ref.get(v)!);
        const model = graphModel(g);
        const r = check(model, { checkDeadlock: false });
        if (badDists.length === 0) {
          expect(r.status).toBe('ok');
          return;
        }
        expect(r.status).toBe('violation');
        const v = r.violations[0];
        expect(v.schedule.length).toBe(Math.min(...badDists));
        const run = replay(
          model,
          model.init[v.initial],
          v.schedule.map((t) => ({ action: t.name, actor: t.actor })),
        );
        expect(run.failure).toBeUndefined();
        const last = run.steps.length > 0 ? run.steps[run.steps.length - 1].state : run.initial;
        expect(g.bad).toContain(last.node);
      }),
      { numRuns: 300 },
    );
  });

  it('reports a shortest path to a deadlock: a node with no successor that is not an accepted end', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = referenceDistances(g);
        const stuck = [...ref.entries()].filter(([v]) => g.out[v].length === 0 && !g.ends.includes(v)).map(([, d]) => d);
        const r = check(graphModel(g), { properties: [] });
        if (stuck.length === 0) expect(r.status).toBe('ok');
        else {
          expect(r.status).toBe('deadlock');
          expect(r.violations[0].schedule.length).toBe(Math.min(...stuck));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same model and options give the same counts and schedules', () => {
    const a = check(naiveMutexModel(3), { continueAfterViolation: true });
    const b = check(naiveMutexModel(3), { continueAfterViolation: true });
    expect({ ...a, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0 }).toEqual({ ...b, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0 });
  });
});

describe('stopping', () => {
  it('stops at the first violation by default, and with continueAfterViolation explores everything', () => {
    const first = check(naiveMutexModel(2));
    expect(first.status).toBe('violation');
    expect(first.complete).toBe(false);
    const all = check(naiveMutexModel(2), { continueAfterViolation: true });
    expect(all.status).toBe('violation');
    expect(all.complete).toBe(true);
    expect(all.violations.map((v) => [v.property, v.schedule.length])).toEqual([['mutualExclusion', 4]]);
    expect(all.distinctStates).toBeGreaterThan(first.distinctStates);
  });

  it('maxStates stops cleanly as incomplete with the statistics so far', () => {
    const r = check(counterModel(100), { maxStates: 10 });
    expect(r.status).toBe('incomplete');
    expect(r.stoppedBy).toBe('max-states');
    expect(r.distinctStates).toBe(10);
    expect(r.complete).toBe(false);
  });

  it('maxDepth does not expand states at that depth', () => {
    const r = check(counterModel(100), { maxDepth: 7 });
    expect(r.status).toBe('incomplete');
    expect(r.stoppedBy).toBe('max-depth');
    expect(r.distinctStates).toBe(8);
    expect(r.diameter).toBe(7);
    const whole = check(counterModel(7), { maxDepth: 7 });
    // The layer at depth 7 exists, so the search cannot know it is complete.
    expect(whole.status).toBe('incomplete');
    expect(check(counterModel(7), { maxDepth: 8 }).status).toBe('ok');
  });

  it('timeLimitMs stops cleanly as incomplete', () => {
    const r = check(lockMutexModel(12), { timeLimitMs: 1 });
    expect(r.status).toBe('incomplete');
    expect(r.stoppedBy).toBe('time-limit');
    expect(r.distinctStates).toBeLessThan(2 ** 12 + 12 * 2 ** 11);
  });

  it('reports progress while it runs, with counts that only grow', () => {
    const calls: number[] = [];
    check(lockMutexModel(14), { progressIntervalMs: 0, onProgress: (p) => calls.push(p.distinctStates) });
    expect(calls.length).toBeGreaterThan(0);
    expect([...calls].sort((a, b) => a - b)).toEqual(calls);
  });

  it('rejects options out of range, naming the option', () => {
    expect(() => check(counterModel(3), { maxStates: 0 })).toThrow(/maxStates/);
    expect(() => check(counterModel(3), { properties: ['nope'] })).toThrow(/property nope is not a property of model counter/);
  });
});

describe('coverage', () => {
  it('counts how often each action fired and flags the ones that never did', () => {
    const r = check(counterModel(3));
    expect(r.actions).toEqual({ increment: 3, reset: 3 });
    expect(r.unfired).toEqual([]);
    const capped = check(counterModel(3), { maxDepth: 1 });
    expect(capped.unfired).toEqual(['reset']);
  });
});

describe('checked writes in the search', () => {
  /**
   * Counts n up to 3,000, from `width` initial states (n = 0 .. width - 1: the first layer is that wide,
   * so that a bad write in it may be seen only states later); `hostile(s, n)` runs in the effect.
   */
  const hostileModel = (width: number, hostile: (s: { n: number; a: Ints }, n: number) => void): Model<FieldSpec> => {
    const layout = defineLayout({ n: int(0, 3000), a: array(2, int(0, 3)) });
    return {
      name: 'hostile',
      params: {},
      layout,
      roles: { r: 1 },
      init: Array.from({ length: width }, (_, n) => ({ n, a: [0, 0] })),
      actions: [
        {
          name: 'go',
          role: 'r',
          guard: (s: { n: number }) => s.n < 3000,
          effect: (s: { n: number; a: Ints }) => {
            const n = s.n;
            s.n = n + 1;
            hostile(s, n);
          },
        },
      ],
      invariants: [],
      stepInvariants: [],
      terminalOk: () => true,
    } as unknown as Model<FieldSpec>;
  };

  it('a write at a key that is not an element, seen only states later, names the state and the write', () => {
    const m = hostileModel(3000, (s, n) => {
      if (n === 2500) (s.a as unknown as Record<number, number>)[-1] = 1;
    });
    expect(() => check(m)).toThrow(new ModelError('model hostile: go by r 0 wrote a[-1] = 1: a has elements 0..1 only; from state {"n":2500,"a":[0,0]}'));
  });

  it('of two bad writes, the first in the order of the search is named, whichever is seen first', () => {
    const m = hostileModel(3000, (s, n) => {
      if (n === 2500) (s.a as unknown as Record<string, number>).x = 1;
      if (n === 2501) s.a[0] = 2.5;
    });
    expect(() => check(m)).toThrow(new ModelError('model hostile: go by r 0 wrote a[x] = 1: a has elements 0..1 only; from state {"n":2500,"a":[0,0]}'));
  });

  it('a whole-number element write is the step; one that is not, or past the end, is named', () => {
    expect(check(hostileModel(1, (s, n) => void (s.a[n % 2] = n % 4))).distinctStates).toBe(3001);
    expect(() => check(hostileModel(1, (s, n) => void (n === 7 && (s.a[1] = Number.NaN))))).toThrow(
      new ModelError('model hostile: go by r 0 wrote a[1] = NaN: not a whole number of 32 bits; from state {"n":7,"a":[0,0]}'),
    );
    expect(() => check(hostileModel(1, (s, n) => void (n === 9 && (s.a[2] = 1))))).toThrow(
      new ModelError('model hostile: go by r 0 wrote a[2] = 1: a has elements 0..1 only; from state {"n":9,"a":[0,0]}'),
    );
  });
});
