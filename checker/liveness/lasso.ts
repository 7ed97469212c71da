/**
 * Lassos: counterexamples to liveness properties, a prefix from an initial
 * state, then a loop that returns to its first state.
 *
 * The prefix is a shortest path (BFS over the state graph times the
 * obligation monitor) to the nearest state of a fair component; the loop is
 * built inside that component, visiting in turn what each fairness
 * constraint needs, then returning to the start.
 */
import type { FairAnalysis } from './fair-components.js';
import type { StateGraph } from './graph.js';
import type { FieldSpec } from '../state/layout.js';
import type { FairnessGroup } from './temporal.js';
import type { Transition } from '../model/transitions.js';

/**
 * A lasso: from an initial state, `prefix` leads to the loop's first state;
 * `loop` leads from it back to it. An empty loop means the loop's state is
 * terminal and repeats forever (stuttering).
 */
export interface Lasso {
  /** Index into `model.init` of the state the lasso starts from. */
  readonly initial: number;
  readonly prefix: readonly Transition[];
  readonly loop: readonly Transition[];
  /** The graph's state numbers along the lasso: `prefix.length + loop.length + 1` of them, the last equal to `states[prefix.length]`. */
  readonly states: readonly number[];
}

/** Builds fair loops inside the fair components of one analysis; its working arrays are reused. */
export class LoopBuilder<F extends FieldSpec = FieldSpec> {
  readonly g: StateGraph<F>;
  private readonly seen: Int32Array;
  private seenStamp = 0;
  private readonly from: Int32Array;

  constructor(readonly a: FairAnalysis<F>) {
    this.g = a.g;
    this.seen = new Int32Array(a.n);
    this.from = new Int32Array(a.n);
  }

  /**
   * BFS inside the states with `fair[v] === comp` from `start` to the
   * nearest state accepted by `goal` (with at least one step when
   * `nonEmpty`). Returns the edges taken, or null.
   */
  walk(fair: Int32Array, comp: number, start: number, goal: (v: number) => boolean, nonEmpty: boolean): number[] | null {
    const { g, seen, from } = this;
    const s = ++this.seenStamp;
    const queue: number[] = [start];
    if (!nonEmpty) {
      if (goal(start)) return [];
      seen[start] = s;
    }
    // With nonEmpty the start stays unseen, so a walk may end back at it.
    for (let h = 0; h < queue.length; h++) {
      const v = queue[h];
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        const w = g.targets[e];
        if (fair[w] !== comp || seen[w] === s) continue;
        seen[w] = s;
        from[w] = e;
        if (goal(w)) return this.edgesTo(w, start);
        queue.push(w);
      }
    }
    return null;
  }

  /** The edges from `start` to `v` along the `from` links of the last walk. */
  private edgesTo(v: number, start: number): number[] {
    const edges: number[] = [];
    let x = v;
    do {
      const e = this.from[x];
      edges.push(e);
      x = this.sourceOf(e);
    } while (x !== start);
    return edges.reverse();
  }

  /** The source state of edge `e` (binary search over the CSR offsets). */
  sourceOf(e: number): number {
    const off = this.g.offsets;
    let lo = 0;
    let hi = this.g.expanded - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (off[mid] <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * A fair loop from `start` back to it inside fair component `comp`: it
   * visits, for every weak group, a state where the group is disabled or
   * one of its internal edges, and for every strong group enabled in the
   * component, one of its internal edges. Empty when `start` is terminal.
   */
  fairLoop(fair: Int32Array, comp: number, start: number): number[] {
    if (this.a.terminal[start]) return [];
    const { g, a } = this;
    const groups = a.groups;
    const members: number[] = [];
    for (let v = 0; v < a.n; v++) if (fair[v] === comp) members.push(v);
    const s = a.components.enter(members);
    a.survey(Int32Array.from(members), s);
    const enabledInComp = Uint8Array.from(a.gEnabled);
    const satisfied = new Uint8Array(groups.length);
    const internal = (e: number): boolean => fair[g.targets[e]] === comp;
    const visit = (v: number): void => {
      groups.forEach((gr, id) => {
        if (gr.kind === 'weak' && !satisfied[id] && !a.enables(v, id)) satisfied[id] = 1;
      });
    };
    const take = (e: number): void => {
      groups.forEach((_, id) => {
        if (!satisfied[id] && a.inGroup(e, id)) satisfied[id] = 1;
      });
    };
    groups.forEach((gr, id) => {
      if (gr.kind === 'strong' && !enabledInComp[id]) satisfied[id] = 1; // never enabled on the loop
    });
    const path: number[] = [];
    let cur = start;
    visit(cur);
    const follow = (edges: readonly number[]): void => {
      for (const e of edges) {
        take(e);
        path.push(e);
        cur = g.targets[e];
        visit(cur);
      }
    };
    const groupEdge = (v: number, id: number): number => {
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) if (internal(e) && a.inGroup(e, id)) return e;
      return -1;
    };
    for (let id = 0; id < groups.length; id++) {
      if (satisfied[id]) continue;
      const weak = groups[id].kind === 'weak';
      const to = this.walk(fair, comp, cur, (v) => (weak && !a.enables(v, id)) || groupEdge(v, id) >= 0, false);
      if (to === null) throw new Error(`internal: fair component ${comp} has no way to satisfy ${groups[id].label}`);
      follow(to);
      if (!satisfied[id]) follow([groupEdge(cur, id)]);
    }
    if (path.length === 0 || cur !== start) {
      const back = this.walk(fair, comp, cur, (v) => v === start, path.length === 0);
      if (back === null) throw new Error(`internal: no way back to the loop's start in fair component ${comp}`);
      follow(back);
    }
    return path;
  }
}

/**
 * A shortest path, over the graph times a two-state obligation monitor, from
 * an initial state (or from `from`) to a state `v` with `fair[v] >= 0`
 * reached with the obligation open. `next(open, v)` is the monitor's flag on
 * entering `v` (1 open, 0 closed, -1 the path may not go there). Returns the
 * source state and the edges taken, or null.
 */
export function monitoredPath<F extends FieldSpec>(
  g: StateGraph<F>,
  sources: readonly number[],
  next: (open: number, v: number) => number,
  fair: Int32Array,
): { source: number; edges: number[] } | null {
  const n = g.size;
  const parentEdge = new Int32Array(2 * n).fill(-2); // -2 unseen, -1 a source
  const parentSource = new Int32Array(2 * n);
  const queue = new Int32Array(2 * n);
  let tail = 0;
  for (const v of sources) {
    const f = next(0, v);
    if (f < 0) continue;
    const node = 2 * v + f;
    if (parentEdge[node] !== -2) continue;
    parentEdge[node] = -1;
    queue[tail++] = node;
  }
  const finish = (node: number): { source: number; edges: number[] } => {
    const edges: number[] = [];
    let x = node;
    while (parentEdge[x] !== -1) {
      const e = parentEdge[x];
      edges.push(e);
      x = parentSource[x];
    }
    return { source: x >> 1, edges: edges.reverse() };
  };
  for (let h = 0; h < tail; h++) {
    const node = queue[h];
    const v = node >> 1;
    const open = node & 1;
    if (open && fair[v] >= 0) return finish(node);
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      const w = g.targets[e];
      const f = next(open, w);
      if (f < 0) continue;
      const m = 2 * w + f;
      if (parentEdge[m] !== -2) continue;
      parentEdge[m] = e;
      parentSource[m] = node;
      queue[tail++] = m;
    }
  }
  return null;
}

/** The lasso that follows `prefixEdges` from `source`, then a fair loop in the component it ends in. */
export function lassoFrom<F extends FieldSpec>(loops: LoopBuilder<F>, fair: Int32Array, source: number, prefixEdges: readonly number[]): Lasso {
  const g = loops.g;
  const states: number[] = [source];
  for (const e of prefixEdges) states.push(g.targets[e]);
  const entry = states[states.length - 1];
  const loopEdges = loops.fairLoop(fair, fair[entry], entry);
  for (const e of loopEdges) states.push(g.targets[e]);
  const tr = (e: number): Transition => g.transitions[g.labels[e]];
  return { initial: g.initialOf(source), prefix: prefixEdges.map(tr), loop: loopEdges.map(tr), states };
}

/** The edge from `u` to `v` taken by transition `t`. */
export function edgeBetween<F extends FieldSpec>(g: StateGraph<F>, u: number, v: number, t: number): number {
  for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) if (g.targets[e] === v && g.labels[e] === t) return e;
  throw new Error(`internal: no edge ${u} -> ${v} by transition ${t}`);
}

/**
 * Whether a lasso's loop is fair under `groups`, judged on the graph: for
 * each weak group, the loop takes one of its transitions or passes a state
 * where it is disabled; for each strong group enabled somewhere on the loop,
 * the loop takes one of its transitions. An empty loop (a terminal state)
 * is fair. Independent of the component analysis; used to test it.
 */
export function loopIsFair<F extends FieldSpec>(g: StateGraph<F>, lasso: Lasso, groups: readonly FairnessGroup[]): boolean {
  const start = lasso.prefix.length;
  const loopStates = lasso.states.slice(start, lasso.states.length - 1);
  const taken = (gr: FairnessGroup): boolean => lasso.loop.some((t) => gr.transitions.includes(g.transitions.indexOf(t)));
  const enabledAt = (gr: FairnessGroup, v: number): boolean => {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) if (gr.transitions.includes(g.labels[e])) return true;
    return false;
  };
  if (lasso.loop.length === 0) {
    const v = lasso.states[start];
    return v < g.expanded && g.offsets[v] === g.offsets[v + 1];
  }
  return groups.every((gr) => {
    if (taken(gr)) return true;
    if (gr.kind === 'weak') return loopStates.some((v) => !enabledAt(gr, v));
    return loopStates.every((v) => !enabledAt(gr, v));
  });
}
