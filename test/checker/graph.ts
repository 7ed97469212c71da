/**
 * Random directed graphs as models, and a naive reference search written
 * independently of the engine, for checking the engine against.
 */
import { defineLayout, int, type StateOf } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';

export interface Graph {
  nodes: number;
  /** out[v] lists v's successors, in order. */
  out: number[][];
  initial: number[];
  bad: number[];
  /** Nodes accepted as ends; other nodes with no successor are deadlocks. */
  ends: number[];
}

export function graphModel(g: Graph) {
  const layout = defineLayout({ node: int(0, g.nodes - 1) });
  type S = StateOf<typeof layout.fields>;
  const degree = Math.max(1, ...g.out.map((o) => o.length));
  const bad = new Set(g.bad);
  const ends = new Set(g.ends);
  const model: Model<typeof layout.fields> = {
    name: 'graph',
    params: {},
    layout,
    roles: { edge: degree },
    init: g.initial.map((node) => ({ node })),
    actions: [
      {
        name: 'follow',
        role: 'edge',
        guard: (s: S, j) => j < g.out[s.node].length,
        effect: (s: S, j) => void (s.node = g.out[s.node][j]),
      },
    ],
    invariants: [{ name: 'good', description: 'never at a bad node', holds: (s: S) => !bad.has(s.node) }],
    stepInvariants: [],
    terminalOk: (s: S) => ends.has(s.node),
  };
  return model;
}

/** Reference BFS: the distance of every reachable node from the initial set. */
export function referenceDistances(g: Graph): Map<number, number> {
  const dist = new Map<number, number>();
  let frontier: number[] = [];
  for (const v of g.initial) {
    if (!dist.has(v)) {
      dist.set(v, 0);
      frontier.push(v);
    }
  }
  for (let d = 1; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const v of frontier) {
      for (const w of g.out[v]) {
        if (!dist.has(w)) {
          dist.set(w, d);
          next.push(w);
        }
      }
    }
    frontier = next;
  }
  return dist;
}
