/**
 * Liveness on the stored state graph (graph.ts): recoverability by backward
 * reachability, and "eventually", "always eventually" and "leads to" under
 * weak and strong fairness by strongly-connected-component analysis, with
 * counterexamples as lassos (a prefix, then a loop that returns to its first
 * state).
 *
 * How a temporal property is decided. Each form is violated exactly when
 * some fair behaviour keeps a "pending" obligation open forever:
 *  - `eventually P`: the behaviour never meets P. The pending region is the
 *    set of states reachable from an initial state through non-P states only.
 *  - `always eventually P`: from some point on the behaviour never meets P.
 *    The region is every reachable non-P state.
 *  - `P leads to Q`: some P state is followed by no Q state (itself
 *    included). The region is every state reachable, through non-Q states,
 *    from a reachable state where P holds and Q does not.
 * Each region is closed under the successors that keep the obligation open,
 * so the property fails iff the region holds a terminal state (it stutters
 * forever, which every fairness constraint allows) or a fair cycle. Fair
 * cycles are found per strongly connected component of the region
 * (iterative Tarjan): weak fairness of a group holds in a component iff the
 * group is taken on an internal edge or disabled in some state of it; for
 * strong fairness, a group that is enabled in the component but never taken
 * inside it rules out the states where it is enabled, and what remains is
 * decomposed again (the Emerson-Lei / Streett refinement).
 *
 * The lasso's prefix is a shortest path (BFS over the state graph times the
 * obligation monitor) to the nearest state of a fair component; its loop is
 * built inside that component, visiting in turn what each fairness
 * constraint needs, then returning to the start.
 */
import type { FieldSpec } from './layout.js';
import type { Model } from './model.js';
import type { Transition } from './transitions.js';
import { exploreGraph, markStates, pathTo, reverseEdges, type GraphOptions, type StateGraph } from './graph.js';
import { fairnessGroups, validateLiveness, type FairnessDecl, type FairnessGroup, type FairnessMode, type LivenessProperty } from './temporal.js';
import { OptionError } from './options.js';

/** Which liveness properties to check and under which fairness; every field optional. */
export interface LivenessOptions {
  /** Properties by name. Default: every liveness property of the model. */
  properties?: readonly string[];
  /** Default `declared`: the model's own fairness declarations. */
  fairness?: FairnessMode | readonly FairnessDecl[];
}

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

/** Evidence that a state cannot recover: how far it is, and what it can still reach. */
export interface StuckState {
  /** The graph's number for the stuck state (the first in BFS order, so the path to it is shortest). */
  readonly state: number;
  /** Steps of the shortest path to it (the first `steps` transitions of the lasso's prefix). */
  readonly steps: number;
  /** Distinct states reachable from it, itself included; none is a goal state. */
  readonly reachable: number;
}

/** The verdict on one liveness property. */
export interface LivenessVerdict {
  readonly property: string;
  readonly kind: LivenessProperty<unknown>['kind'];
  /** `unknown` when the graph is incomplete (a limit stopped the exploration). */
  readonly status: 'holds' | 'violated' | 'unknown';
  /** The counterexample, when violated. For `alwaysReachable` it runs through the stuck state to a fair cycle of states that cannot recover. */
  readonly lasso?: Lasso;
  /** For a violated `alwaysReachable` property: the stuck state. */
  readonly stuck?: StuckState;
  readonly durationMs: number;
}

/** The model's liveness properties selected by name (all when `names` is absent). Throws OptionError for an unknown name. */
export function selectLiveness(model: Model, names?: readonly string[]): LivenessProperty<unknown>[] {
  const all = (model.liveness ?? []) as readonly LivenessProperty<unknown>[];
  if (names === undefined) return [...all];
  return [...new Set(names)].map((n) => {
    const p = all.find((x) => x.name === n);
    if (!p) throw new OptionError(`checkLiveness: ${n} is not a liveness property of model ${model.name} (${all.map((x) => x.name).join(', ') || 'none'})`);
    return p;
  });
}

/** Working arrays shared by the analyses of one graph. */
class Analysis {
  readonly n: number;
  readonly terminal: Uint8Array;
  /** CSR over transitions: the fairness groups each transition belongs to. */
  private readonly tgOff: Int32Array;
  private readonly tgIds: Int32Array;
  // Tarjan
  private readonly idx: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly stack: Int32Array;
  private readonly call: Int32Array;
  private readonly iter: Int32Array;
  /** Membership stamps: a node is in the current subgraph iff `member[v] === stamp`. */
  private readonly member: Int32Array;
  private stamp = 0;
  // BFS inside a component
  private readonly seen: Int32Array;
  private seenStamp = 0;
  private readonly from: Int32Array;
  // Per-group scratch
  private readonly gTaken: Uint8Array;
  private readonly gEnabled: Uint8Array;
  private readonly gDisabled: Uint8Array;
  private readonly gHere: Int32Array;
  private hereStamp = 0;

  constructor(
    readonly g: StateGraph,
    readonly groups: readonly FairnessGroup[],
  ) {
    const n = g.size;
    this.n = n;
    this.terminal = new Uint8Array(n);
    for (let v = 0; v < g.expanded; v++) if (g.offsets[v] === g.offsets[v + 1]) this.terminal[v] = 1;
    const T = g.transitions.length;
    const count = new Int32Array(T + 1);
    for (const gr of groups) for (const t of gr.transitions) count[t + 1]++;
    for (let t = 0; t < T; t++) count[t + 1] += count[t];
    this.tgOff = count;
    this.tgIds = new Int32Array(count[T]);
    const fill = count.slice(0, T);
    groups.forEach((gr, id) => {
      for (const t of gr.transitions) this.tgIds[fill[t]++] = id;
    });
    this.idx = new Int32Array(n);
    this.low = new Int32Array(n);
    this.onStack = new Uint8Array(n);
    this.stack = new Int32Array(n);
    this.call = new Int32Array(n);
    this.iter = new Int32Array(n);
    this.member = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.from = new Int32Array(n);
    const G = groups.length;
    this.gTaken = new Uint8Array(G);
    this.gEnabled = new Uint8Array(G);
    this.gDisabled = new Uint8Array(G);
    this.gHere = new Int32Array(G);
  }

  /**
   * The strongly connected components of the subgraph induced by `nodes`
   * that can hold a cycle (more than one state, or one with a self-loop),
   * by iterative Tarjan: no recursion, so no stack overflow on long paths.
   * Components come out in reverse topological order.
   */
  sccs(nodes: Int32Array): Int32Array[] {
    const { g, idx, low, onStack, stack, call, iter, member } = this;
    const s = ++this.stamp;
    for (let i = 0; i < nodes.length; i++) {
      member[nodes[i]] = s;
      idx[nodes[i]] = -1;
    }
    const out: Int32Array[] = [];
    let counter = 0;
    let sp = 0;
    for (let r = 0; r < nodes.length; r++) {
      const root = nodes[r];
      if (idx[root] !== -1) continue;
      let cp = 0;
      idx[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      iter[root] = g.offsets[root];
      call[cp++] = root;
      while (cp > 0) {
        const v = call[cp - 1];
        const end = g.offsets[v + 1];
        let descended = false;
        while (iter[v] < end) {
          const w = g.targets[iter[v]++];
          if (member[w] !== s) continue;
          if (idx[w] === -1) {
            idx[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            iter[w] = g.offsets[w];
            call[cp++] = w;
            descended = true;
            break;
          }
          if (onStack[w] && idx[w] < low[v]) low[v] = idx[w];
        }
        if (descended) continue;
        if (low[v] === idx[v]) {
          let k = sp;
          do k--;
          while (stack[k] !== v);
          for (let j = k; j < sp; j++) onStack[stack[j]] = 0;
          if (sp - k > 1 || this.selfLoop(v, s)) out.push(stack.slice(k, sp).sort());
          sp = k;
        }
        cp--;
        if (cp > 0) {
          const u = call[cp - 1];
          if (low[v] < low[u]) low[u] = low[v];
        }
      }
    }
    return out;
  }

  private selfLoop(v: number, s: number): boolean {
    const g = this.g;
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) if (g.targets[e] === v && this.member[v] === s) return true;
    return false;
  }

  /** Fills gTaken / gEnabled / gDisabled for the component whose nodes carry stamp `s`. Returns whether it has an internal edge. */
  private survey(comp: Int32Array, s: number): boolean {
    const { g, member, gTaken, gEnabled, gDisabled, gHere, tgOff, tgIds } = this;
    gTaken.fill(0);
    gEnabled.fill(0);
    gDisabled.fill(0);
    let internal = false;
    for (let i = 0; i < comp.length; i++) {
      const u = comp[i];
      const here = ++this.hereStamp;
      for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
        const t = g.labels[e];
        const inside = member[g.targets[e]] === s;
        if (inside) internal = true;
        for (let k = tgOff[t]; k < tgOff[t + 1]; k++) {
          const id = tgIds[k];
          gHere[id] = here;
          if (inside) gTaken[id] = 1;
        }
      }
      for (let id = 0; id < gHere.length; id++) {
        if (gHere[id] === here) gEnabled[id] = 1;
        else gDisabled[id] = 1;
      }
    }
    return internal;
  }

  /**
   * Marks the states of the region (`region[v] = 1`) that lie in a fair
   * component, or are terminal: `fair[v]` gets the component's number, -1
   * elsewhere. Returns the number of fair components.
   */
  fairComponents(region: Uint8Array): { fair: Int32Array; count: number } {
    const fair = new Int32Array(this.n).fill(-1);
    let count = 0;
    const nodes: number[] = [];
    for (let v = 0; v < this.n; v++) {
      if (!region[v]) continue;
      if (this.terminal[v]) fair[v] = count++;
      else nodes.push(v);
    }
    const work = this.sccs(Int32Array.from(nodes));
    while (work.length > 0) {
      const comp = work.pop() as Int32Array;
      const s = ++this.stamp;
      for (let i = 0; i < comp.length; i++) this.member[comp[i]] = s;
      if (!this.survey(comp, s)) continue; // a single state without a self-loop: no cycle
      const bad: number[] = [];
      this.groups.forEach((gr, id) => {
        if (gr.kind === 'strong' && this.gEnabled[id] && !this.gTaken[id]) bad.push(id);
      });
      if (bad.length > 0) {
        const rest: number[] = [];
        for (let i = 0; i < comp.length; i++) if (!this.enablesAny(comp[i], bad)) rest.push(comp[i]);
        if (rest.length > 0) for (const c of this.sccs(Int32Array.from(rest))) work.push(c);
        continue;
      }
      let weakOk = true;
      this.groups.forEach((gr, id) => {
        if (gr.kind === 'weak' && !this.gTaken[id] && !this.gDisabled[id]) weakOk = false;
      });
      if (!weakOk) continue;
      const id = count++;
      for (let i = 0; i < comp.length; i++) fair[comp[i]] = id;
    }
    return { fair, count };
  }

  /** Whether state `u` enables a transition of group `id`. */
  enables(u: number, id: number): boolean {
    const { g, tgOff, tgIds } = this;
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const t = g.labels[e];
      for (let k = tgOff[t]; k < tgOff[t + 1]; k++) if (tgIds[k] === id) return true;
    }
    return false;
  }

  private enablesAny(u: number, ids: readonly number[]): boolean {
    for (const id of ids) if (this.enables(u, id)) return true;
    return false;
  }

  /** Whether edge `e`'s transition belongs to group `id`. */
  inGroup(e: number, id: number): boolean {
    const t = this.g.labels[e];
    for (let k = this.tgOff[t]; k < this.tgOff[t + 1]; k++) if (this.tgIds[k] === id) return true;
    return false;
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
    if (this.terminal[start]) return [];
    const { g, groups } = this;
    const members: number[] = [];
    for (let v = 0; v < this.n; v++) if (fair[v] === comp) members.push(v);
    const s = ++this.stamp;
    for (const v of members) this.member[v] = s;
    this.survey(Int32Array.from(members), s);
    const enabledInComp = Uint8Array.from(this.gEnabled);
    const satisfied = new Uint8Array(groups.length);
    const internal = (e: number): boolean => fair[g.targets[e]] === comp;
    const visit = (v: number): void => {
      groups.forEach((gr, id) => {
        if (gr.kind === 'weak' && !satisfied[id] && !this.enables(v, id)) satisfied[id] = 1;
      });
    };
    const take = (e: number): void => {
      groups.forEach((_, id) => {
        if (!satisfied[id] && this.inGroup(e, id)) satisfied[id] = 1;
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
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) if (internal(e) && this.inGroup(e, id)) return e;
      return -1;
    };
    for (let id = 0; id < groups.length; id++) {
      if (satisfied[id]) continue;
      const weak = groups[id].kind === 'weak';
      const to = this.walk(fair, comp, cur, (v) => (weak && !this.enables(v, id)) || groupEdge(v, id) >= 0, false);
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
function monitoredPath(
  g: StateGraph,
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

function lassoFrom(g: StateGraph, a: Analysis, fair: Int32Array, source: number, prefixEdges: readonly number[]): Lasso {
  const states: number[] = [source];
  for (const e of prefixEdges) states.push(g.targets[e]);
  const entry = states[states.length - 1];
  const loopEdges = a.fairLoop(fair, fair[entry], entry);
  for (const e of loopEdges) states.push(g.targets[e]);
  const tr = (e: number): Transition => g.transitions[g.labels[e]];
  return { initial: g.initialOf(source), prefix: prefixEdges.map(tr), loop: loopEdges.map(tr), states };
}

function initialStates(g: StateGraph): number[] {
  const out: number[] = [];
  for (let v = 0; v < g.size && g.parent[v] === -1; v++) out.push(v);
  return out;
}

function checkOne(g: StateGraph, a: Analysis, p: LivenessProperty<unknown>): Omit<LivenessVerdict, 'durationMs'> {
  const base = { property: p.name, kind: p.kind };
  const n = g.size;
  const inits = initialStates(g);
  const mark = (pred: { holds(s: unknown): boolean }): Uint8Array => markStates(g, (s) => pred.holds(s));
  if (p.kind === 'alwaysReachable') {
    const goal = mark(p.goal);
    // Backward reachability from the goal states.
    const rev = reverseEdges(g);
    const can = new Uint8Array(n);
    const queue = new Int32Array(n);
    let tail = 0;
    for (let v = 0; v < n; v++) if (goal[v]) (can[v] = 1), (queue[tail++] = v);
    for (let h = 0; h < tail; h++) {
      const v = queue[h];
      for (let k = rev.offsets[v]; k < rev.offsets[v + 1]; k++) {
        const u = rev.sources[k];
        if (!can[u]) (can[u] = 1), (queue[tail++] = u);
      }
    }
    let stuck = -1;
    for (let v = 0; v < n; v++) {
      if (!can[v]) {
        stuck = v;
        break;
      }
    }
    if (stuck < 0) return { ...base, status: 'holds' };
    // Everything reachable from the stuck state is stuck too.
    const region = new Uint8Array(n);
    region[stuck] = 1;
    tail = 0;
    queue[tail++] = stuck;
    for (let h = 0; h < tail; h++) {
      const v = queue[h];
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        const w = g.targets[e];
        if (!region[w]) (region[w] = 1), (queue[tail++] = w);
      }
    }
    const { fair } = a.fairComponents(region);
    const toStuck = pathTo(g, stuck);
    const suffix = monitoredPath(g, [stuck], (_, v) => (region[v] ? 1 : -1), fair);
    const stuckInfo: StuckState = { state: stuck, steps: toStuck.transitions.length, reachable: tail };
    // The stuck region always holds a fair cycle or a terminal state (a bottom component is fair).
    if (!suffix) throw new Error(`internal: no fair cycle among the stuck states for ${p.name}`);
    const prefixEdges: number[] = [];
    for (let i = 1; i < toStuck.states.length; i++) prefixEdges.push(edgeBetween(g, toStuck.states[i - 1], toStuck.states[i], toStuck.transitions[i - 1]));
    prefixEdges.push(...suffix.edges);
    return { ...base, status: 'violated', stuck: stuckInfo, lasso: lassoFrom(g, a, fair, toStuck.initial, prefixEdges) };
  }
  let region: Uint8Array;
  let next: (open: number, v: number) => number;
  if (p.kind === 'eventually' || p.kind === 'alwaysEventually') {
    const goal = mark(p.goal);
    region = new Uint8Array(n);
    if (p.kind === 'eventually') {
      next = (_, v) => (goal[v] ? -1 : 1);
      const queue: number[] = inits.filter((v) => !goal[v]);
      for (const v of queue) region[v] = 1;
      for (let h = 0; h < queue.length; h++) {
        const v = queue[h];
        for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
          const w = g.targets[e];
          if (!goal[w] && !region[w]) (region[w] = 1), queue.push(w);
        }
      }
    } else {
      next = () => 1;
      for (let v = 0; v < n; v++) region[v] = goal[v] ? 0 : 1;
    }
  } else {
    const from = mark(p.from);
    const to = mark(p.to);
    next = (open, v) => (to[v] ? 0 : open || from[v] ? 1 : 0);
    region = new Uint8Array(n);
    const queue: number[] = [];
    for (let v = 0; v < n; v++) if (from[v] && !to[v]) (region[v] = 1), queue.push(v);
    for (let h = 0; h < queue.length; h++) {
      const v = queue[h];
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        const w = g.targets[e];
        if (!to[w] && !region[w]) (region[w] = 1), queue.push(w);
      }
    }
  }
  const { fair, count } = a.fairComponents(region);
  if (count === 0) return { ...base, status: 'holds' };
  const path = monitoredPath(g, inits, next, fair);
  // Every stored state is reachable, and the region is reachable with the obligation open: a path exists.
  if (!path) throw new Error(`internal: no path to the fair cycle found for ${p.name}`);
  return { ...base, status: 'violated', lasso: lassoFrom(g, a, fair, path.source, path.edges) };
}

/** The edge from `u` to `v` taken by transition `t`. */
function edgeBetween(g: StateGraph, u: number, v: number, t: number): number {
  for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) if (g.targets[e] === v && g.labels[e] === t) return e;
  throw new Error(`internal: no edge ${u} -> ${v} by transition ${t}`);
}

/**
 * Checks liveness properties on a stored graph. Every verdict is `unknown`
 * when the graph is incomplete. Deterministic: the same graph and options
 * give the same verdicts and lassos.
 */
export function checkLiveness(g: StateGraph, options: LivenessOptions = {}): LivenessVerdict[] {
  validateLiveness(g.model);
  const props = selectLiveness(g.model, options.properties);
  const groups = fairnessGroups(g.model, g.transitions, options.fairness ?? 'declared');
  const a = g.complete ? new Analysis(g, groups) : null;
  return props.map((p) => {
    const start = performance.now();
    if (!a) return { property: p.name, kind: p.kind, status: 'unknown', durationMs: 0 };
    const v = checkOne(g, a, p);
    return { ...v, durationMs: performance.now() - start };
  });
}

/** The result of {@link checkModelLiveness}: the graph and the verdicts. */
export interface LivenessRun {
  readonly graph: StateGraph;
  readonly fairness: readonly FairnessGroup[];
  readonly verdicts: readonly LivenessVerdict[];
}

/** Explores the model's graph (within the limits) and checks its liveness properties. */
export function checkModelLiveness<F extends FieldSpec>(model: Model<F>, options: LivenessOptions & GraphOptions = {}): LivenessRun {
  const m = model as unknown as Model;
  validateLiveness(m);
  selectLiveness(m, options.properties); // unknown names fail before the exploration
  const graph = exploreGraph(model, options);
  return {
    graph,
    fairness: fairnessGroups(m, graph.transitions, options.fairness ?? 'declared'),
    verdicts: checkLiveness(graph, options),
  };
}

/**
 * Whether a lasso's loop is fair under `groups`, judged on the graph: for
 * each weak group, the loop takes one of its transitions or passes a state
 * where it is disabled; for each strong group enabled somewhere on the loop,
 * the loop takes one of its transitions. An empty loop (a terminal state)
 * is fair. Independent of the component analysis; used to test it.
 */
export function loopIsFair(g: StateGraph, lasso: Lasso, groups: readonly FairnessGroup[]): boolean {
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
