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

/**
 * Reference BFS that stops as the engine's search does: once `maxStates`
 * states are stored, once a bad node is stored, or (with `deadlock`) once a
 * node with no successor that is not an end is expanded. Counts the edges
 * generated up to the stop (the edge that stored the last state included)
 * and the nodes expanded (the one whose expansion the stop cut short not
 * included; a deadlock's node included).
 */
export function referenceStopped(g: Graph, maxStates: number, deadlock: boolean): { distinct: number; generated: number; expanded: number } {
  const bad = new Set(g.bad);
  const ends = new Set(g.ends);
  const seen = new Set<number>();
  const queue: number[] = [];
  let generated = 0;
  const store = (v: number): boolean => {
    if (seen.has(v)) return false;
    seen.add(v);
    queue.push(v);
    return seen.size >= maxStates || bad.has(v);
  };
  for (const v of g.initial) if (store(v)) return { distinct: seen.size, generated, expanded: 0 };
  for (let i = 0; i < queue.length; i++) {
    const out = g.out[queue[i]];
    for (const w of out) {
      generated++;
      if (store(w)) return { distinct: seen.size, generated, expanded: i };
    }
    if (deadlock && out.length === 0 && !ends.has(queue[i])) return { distinct: seen.size, generated, expanded: i + 1 };
  }
  return { distinct: seen.size, generated, expanded: queue.length };
}
