import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../../checker/explore/bfs.js';
import { exploreGraph, markStates, pathTo, type StateGraph } from '../../../checker/liveness/graph.js';
import { reverseEdges } from '../../../checker/liveness/regions.js';
import { array, defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import { replay } from '../../../checker/model/replay.js';
import { dnsModel } from '../../../models/dns/model.js';
import { counterModel } from '../../../models/toys/index.js';
import { graphModel, referenceDistances, type Graph } from '../graph.js';

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 24 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    out: fc.array(fc.array(fc.nat(nodes - 1), { maxLength: 4 }), { minLength: nodes, maxLength: nodes }),
    initial: fc.array(fc.nat(nodes - 1), { minLength: 1, maxLength: 3 }),
    bad: fc.constant([]),
    ends: fc.constant([]),
  }),
);

/** The node each stored state stands for. */
function nodesOf(g: StateGraph): number[] {
  const vec = g.model.layout.vector();
  const out: number[] = [];
  for (let i = 0; i < g.size; i++) {
    g.unpackState(i, vec);
    out.push(vec[0]);
  }
  return out;
}

/** A graph model whose states are four words wide: the node, and three 31-bit words derived from it. */
function wideModel(g: Graph) {
  const layout = defineLayout({ node: int(0, g.nodes - 1), pad: array(3, int(0, 0x7ffffffe)) });
  type S = StateOf<typeof layout.fields>;
  // Equal in the first pad word for every node: only the later words tell states apart.
  const padOf = (v: number, i: number): number => (i === 0 ? 12345 : (Math.imul(v + 1, 0x9e3779b1) >>> 1) % 0x7fffffff);
  const set = (s: S, v: number): void => {
    s.node = v;
    for (let i = 0; i < 3; i++) s.pad[i] = padOf(v, i);
  };
  const degree = Math.max(1, ...g.out.map((o) => o.length));
  const model: Model<typeof layout.fields> = {
    name: 'wide-graph',
    params: {},
    layout,
    roles: { edge: degree },
    init: g.initial.map((v) => ({ node: v, pad: [0, 1, 2].map((i) => padOf(v, i)) })),
    actions: [{ name: 'follow', role: 'edge', guard: (s: S, j) => j < g.out[s.node].length, effect: (s: S, j) => set(s, g.out[s.node][j]) }],
    invariants: [],
    stepInvariants: [],
  };
  return { model, padOf };
}

/** Element-wise equality of two typed arrays (vitest's deep equality is slow on large ones). */
function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('state graph storage', () => {
  it('stores exactly the reachable states, numbered in BFS order, with every edge in transition order', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const ref = referenceDistances(g);
        const graph = exploreGraph(graphModel(g));
        expect(graph.complete).toBe(true);
        expect(graph.size).toBe(ref.size);
        const nodes = nodesOf(graph);
        expect(new Set(nodes)).toEqual(new Set(ref.keys()));
        // BFS order: distances never decrease along the numbering; each parent is one step closer.
        for (let i = 1; i < graph.size; i++) expect(ref.get(nodes[i])!).toBeGreaterThanOrEqual(ref.get(nodes[i - 1])!);
        for (let i = 0; i < graph.size; i++) {
          const p = graph.parent[i];
          if (p === -1) expect(ref.get(nodes[i])).toBe(0);
          else expect(ref.get(nodes[p])! + 1).toBe(ref.get(nodes[i]));
          // Edges: one per successor slot, in order, labelled with the slot's transition.
          const out = g.out[nodes[i]];
          expect(graph.offsets[i + 1] - graph.offsets[i]).toBe(out.length);
          out.forEach((w, j) => {
            const e = graph.offsets[i] + j;
            expect(nodes[graph.targets[e]]).toBe(w);
            expect(graph.labels[e]).toBe(j);
          });
        }
        expect(graph.edgeCount).toBe([...ref.keys()].reduce((n, v) => n + g.out[v].length, 0));
        expect(graph.diameter).toBe(Math.max(...ref.values()));
      }),
      { numRuns: 300 },
    );
  });

  it('finds every state by its packed words, also when states are several words wide and agree in some words', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const { model, padOf } = wideModel(g);
        expect(model.layout.words).toBeGreaterThan(2);
        const graph = exploreGraph(model);
        expect(graph.size).toBe(referenceDistances(g).size);
        const words = new Uint32Array(model.layout.words);
        const vec = model.layout.vector();
        for (let i = 0; i < graph.size; i++) {
          graph.unpackState(i, vec);
          model.layout.pack(vec, words, 0);
          expect(graph.indexOf(words, 0)).toBe(i);
        }
        // A state that is not reachable is not found.
        const unreachable = [...Array(g.nodes).keys()].find((v) => !referenceDistances(g).has(v));
        if (unreachable !== undefined) {
          model.layout.fromPlain({ node: unreachable, pad: [0, 1, 2].map((k) => padOf(unreachable, k)) }, vec);
          model.layout.pack(vec, words, 0);
          expect(graph.indexOf(words, 0)).toBe(-1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('reverse edges list exactly the predecessors', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const graph = exploreGraph(graphModel(g));
        const rev = reverseEdges(graph);
        for (let v = 0; v < graph.size; v++) {
          const expected: number[] = [];
          for (let u = 0; u < graph.size; u++) for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) if (graph.targets[e] === v) expected.push(u);
          expect([...rev.sources.subarray(rev.offsets[v], rev.offsets[v + 1])]).toEqual(expected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('pathTo gives a shortest path that replays to the state', () => {
    const model = dnsModel({ variant: 'fixed', plans: 2 });
    const graph = exploreGraph(model);
    const vec = model.layout.vector();
    for (const i of [0, 1, Math.floor(graph.size / 2), graph.size - 1]) {
      const p = pathTo(graph, i);
      expect(p.states).toHaveLength(p.transitions.length + 1);
      const run = replay(
        model,
        model.init[graph.initialOf(p.initial)],
        p.transitions.map((t) => ({ action: graph.transitions[t].name, actor: graph.transitions[t].actor })),
      );
      expect(run.failure).toBeUndefined();
      graph.unpackState(i, vec);
      expect(run.steps.length === 0 ? run.initial : run.steps[run.steps.length - 1].state).toEqual(model.layout.toPlain(vec));
    }
  });

  it('markStates evaluates a predicate on every stored state', () => {
    const graph = exploreGraph(counterModel(9));
    expect([...markStates(graph, (s: { n: number }) => s.n % 3 === 0)]).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('is deterministic: the same model gives the same numbering and edges', () => {
    const a = exploreGraph(dnsModel({ variant: 'as-was', plans: 3 }));
    const b = exploreGraph(dnsModel({ variant: 'as-was', plans: 3 }));
    expect(a.size).toBe(b.size);
    expect(sameArray(a.states, b.states)).toBe(true);
    expect(sameArray(a.targets, b.targets)).toBe(true);
    expect(sameArray(a.labels, b.labels)).toBe(true);
    expect(sameArray(a.offsets, b.offsets)).toBe(true);
  });
});

describe('state graph of the dns model (default parameters)', () => {
  // The same states and transitions the safety search counts (docs/protocol.md's figures for fixed).
  it('fixed: 127,647 states and 408,243 edges (the safety search generates 408,243 transitions), diameter 28', () => {
    const g = exploreGraph(dnsModel({ variant: 'fixed' }));
    expect([g.complete, g.size, g.edgeCount, g.diameter]).toEqual([true, 127_647, 408_243, 28]);
    // Every state but the accepted ends has a successor.
    let terminal = 0;
    for (let v = 0; v < g.size; v++) if (g.offsets[v] === g.offsets[v + 1]) terminal++;
    expect(terminal).toBeGreaterThan(0);
    expect(g.bytes).toBeLessThan(16 * 2 ** 20);
  });

  it('as-was: 278,301 states and as many edges as the safety search generates transitions', () => {
    const model = dnsModel({ variant: 'as-was' });
    const g = exploreGraph(model);
    const r = check(model, { properties: [], checkDeadlock: false });
    expect([g.size, g.edgeCount, g.diameter]).toEqual([278_301, r.generatedStates, 36]);
    expect(g.edgeCount).toBe(884_101);
  });
});

describe('state graph limits', () => {
  it('maxStates stops with exactly that many states stored, incomplete', () => {
    const g = exploreGraph(counterModel(100), { maxStates: 10 });
    expect([g.size, g.complete, g.stoppedBy]).toEqual([10, false, 'max-states']);
    expect(g.expanded).toBeLessThan(10);
    expect(g.offsets).toHaveLength(11);
  });

  it('maxDepth does not expand states at that depth', () => {
    const g = exploreGraph(counterModel(100), { maxDepth: 7 });
    expect([g.size, g.expanded, g.complete, g.stoppedBy, g.diameter]).toEqual([8, 7, false, 'max-depth', 7]);
  });

  it('timeLimitMs stops cleanly', () => {
    const g = exploreGraph(dnsModel({ variant: 'fixed', plans: 6, endpoints: 2 }), { timeLimitMs: 50 });
    expect([g.complete, g.stoppedBy]).toEqual([false, 'time-limit']);
    expect(g.size).toBeGreaterThan(g.expanded);
    expect(g.offsets).toHaveLength(g.size + 1);
  });

  it('maxMemoryBytes stops cleanly, as check does (the graph counts its own arrays)', () => {
    const limit = process.memoryUsage.rss() + 24 * 2 ** 20;
    const g = exploreGraph(dnsModel({ variant: 'fixed', plans: 6, endpoints: 2 }), { maxMemoryBytes: limit });
    expect([g.complete, g.stoppedBy]).toEqual([false, 'max-memory']);
    expect(g.size).toBeGreaterThan(g.expanded);
    expect(g.offsets).toHaveLength(g.size + 1);
    expect(process.memoryUsage.rss()).toBeLessThan(limit + 64 * 2 ** 20);
  });

  it('stops for the same reasons as check, at the same counts', () => {
    const model = counterModel(100);
    // A state whose expansion the state limit cut short (state 8, after its first edge) keeps no edges in the graph.
    for (const [o, cut] of [
      [{ maxStates: 10 }, 1],
      [{ maxDepth: 7 }, 0],
    ] as const) {
      const g = exploreGraph(model, o);
      const r = check(model, { ...o, properties: [], checkDeadlock: false });
      expect([g.stoppedBy, g.size, g.expanded, g.edgeCount + cut]).toEqual([r.stoppedBy, r.distinctStates, r.distinctStates - r.queue, r.generatedStates]);
    }
  });

  it('rejects a bad limit, naming it', () => {
    expect(() => exploreGraph(counterModel(3), { maxStates: 0 })).toThrow(/option maxStates must be a whole number of at least 1/);
    expect(() => exploreGraph(counterModel(3), { maxDepth: 1.5 })).toThrow(/option maxDepth/);
  });
});
