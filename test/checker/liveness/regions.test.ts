/** The one breadth-first closure behind every liveness region, and the strongly connected components. */
import { describe, expect, it } from 'vitest';
import { exploreGraph } from '../../../checker/liveness/graph.js';
import { closure, complement, forward, members, reverseEdges } from '../../../checker/liveness/regions.js';
import { Components } from '../../../checker/liveness/scc.js';
import { graphModel } from '../graph.js';

// 0 -> 1 -> 2 -> 1, 0 -> 3, 3 terminal; 4 unreachable from 0 is not stored.
const g = exploreGraph(graphModel({ nodes: 5, out: [[1, 3], [2], [1], [], [0]], initial: [0], bad: [], ends: [3] }));
const node = (i: number): number => {
  const vec = g.model.layout.vector();
  g.unpackState(i, vec);
  return vec[0];
};
const nodes = (mark: Uint8Array): number[] => [...members(mark)].map(node).sort();

describe('closure', () => {
  it('forward from a seed, everywhere or through allowed states only', () => {
    const at = (n: number): number => [...Array(g.size).keys()].find((i) => node(i) === n)!;
    expect(g.size).toBe(4);
    expect(nodes(closure(g.size, forward(g), [at(1)], null).mark)).toEqual([1, 2]);
    const allowed = new Uint8Array(g.size);
    allowed[at(0)] = allowed[at(1)] = 1;
    const r = closure(g.size, forward(g), [at(0), at(2)], allowed);
    expect([nodes(r.mark), r.count]).toEqual([[0, 1], 2]);
  });

  it('backward over the reversed edges', () => {
    const rev = reverseEdges(g);
    const at3 = [...Array(g.size).keys()].find((i) => node(i) === 3)!;
    expect(nodes(closure(g.size, { offsets: rev.offsets, next: rev.sources }, [at3], null).mark)).toEqual([0, 3]);
  });

  it('complement and members', () => {
    expect(Array.from(complement(Uint8Array.from([1, 0, 0, 1])))).toEqual([0, 1, 1, 0]);
    expect([...members(Uint8Array.from([0, 1, 0, 1]))]).toEqual([1, 3]);
  });
});

describe('components', () => {
  it('only components that can hold a cycle: the 1-2 loop', () => {
    const c = new Components(g);
    const all = Int32Array.from(Array(g.size).keys());
    expect(c.of(all).map((comp) => Array.from(comp, node).sort())).toEqual([[1, 2]]);
  });
});
