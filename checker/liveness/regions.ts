/**
 * Regions of a stored state graph: the sets of states a liveness property
 * keeps an obligation open in (see liveness.ts), all computed by one
 * breadth-first closure over an adjacency in CSR form (the graph's edges, or
 * the reversed ones).
 */
import type { StateGraph } from './graph.js';
import type { FieldSpec } from '../state/layout.js';

/** Out-edges in CSR form: the neighbours of `v` are `next[offsets[v] .. offsets[v + 1])`. */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly next: Int32Array;
}

/** The graph's own edges as an {@link Adjacency}. */
export function forward<F extends FieldSpec>(g: StateGraph<F>): Adjacency {
  return { offsets: g.offsets, next: g.targets };
}

/** The reverse edges in CSR form: the predecessors of `i` are `sources[offsets[i] .. offsets[i + 1])`. */
export function reverseEdges<F extends FieldSpec>(g: StateGraph<F>): { offsets: Int32Array; sources: Int32Array } {
  const n = g.size;
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < g.edgeCount; e++) offsets[g.targets[e] + 1]++;
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, n);
  const sources = new Int32Array(g.edgeCount);
  for (let v = 0; v < g.expanded; v++) {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) sources[fill[g.targets[e]]++] = v;
  }
  return { offsets, sources };
}

/**
 * The states reachable from `seeds` (themselves included) through states
 * where `through` is not 0 (every state when it is null), breadth first:
 * 1 where reached. Seeds outside `through` are skipped. Returns the marks
 * and how many states they hold.
 */
export function closure(n: number, adj: Adjacency, seeds: Iterable<number>, through: Uint8Array | null): { mark: Uint8Array; count: number } {
  const mark = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (const v of seeds) {
    if (mark[v] || (through && !through[v])) continue;
    mark[v] = 1;
    queue[tail++] = v;
  }
  const { offsets, next } = adj;
  for (let h = 0; h < tail; h++) {
    const v = queue[h];
    for (let k = offsets[v]; k < offsets[v + 1]; k++) {
      const w = next[k];
      if (!mark[w] && (!through || through[w])) {
        mark[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return { mark, count: tail };
}

/** 1 where `a` is 0. */
export function complement(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ? 0 : 1;
  return out;
}

/** The indices where `a` is not 0, in order. */
export function* members(a: Uint8Array): Generator<number> {
  for (let i = 0; i < a.length; i++) if (a[i]) yield i;
}
