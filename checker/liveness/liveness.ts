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
 *
 * The parts: regions.ts (the regions, by one breadth-first closure), scc.ts
 * (components), fair-components.ts (which components are fair), lasso.ts
 * (counterexamples).
 */
import type { FairnessGroup } from './temporal.js';
import { FairAnalysis } from './fair-components.js';
import { exploreGraph, markStates, pathTo, type GraphOptions, type StateGraph } from './graph.js';
import { checkNames } from '../model/kernel.js';
import { edgeBetween, lassoFrom, LoopBuilder, monitoredPath, type Lasso } from './lasso.js';
import type { FieldSpec } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { closure, complement, forward, members, reverseEdges } from './regions.js';
import { fairnessGroups, validateLiveness, type AlwaysReachable, type FairnessDecl, type FairnessMode, type LivenessProperty } from './temporal.js';

export { loopIsFair, type Lasso } from './lasso.js';

/** Which liveness properties to check and under which fairness; every field optional. */
export interface LivenessOptions {
  /** Properties by name. Default: every liveness property of the model. */
  properties?: readonly string[];
  /** Default `declared`: the model's own fairness declarations. */
  fairness?: FairnessMode | readonly FairnessDecl[];
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
  const chosen = checkNames(
    'checkLiveness',
    all.map((x) => x.name),
    names,
    'liveness property',
    model.name,
  );
  return all.filter((x) => chosen.includes(x.name)).sort((a, b) => chosen.indexOf(a.name) - chosen.indexOf(b.name));
}

function initialStates(g: StateGraph): number[] {
  const out: number[] = [];
  for (let v = 0; v < g.size && g.parent[v] === -1; v++) out.push(v);
  return out;
}

/** The region a property keeps its obligation open in, and the obligation monitor (see the top of this file). */
function regionOf(
  g: StateGraph,
  p: Exclude<LivenessProperty<unknown>, { kind: 'alwaysReachable' }>,
): { region: Uint8Array; next: (open: number, v: number) => number } {
  const mark = (pred: { holds(s: unknown): boolean }): Uint8Array => markStates(g, (s) => pred.holds(s));
  const n = g.size;
  if (p.kind === 'eventually') {
    const goal = mark(p.goal);
    return { region: closure(n, forward(g), initialStates(g), complement(goal)).mark, next: (_, v) => (goal[v] ? -1 : 1) };
  }
  if (p.kind === 'alwaysEventually') return { region: complement(mark(p.goal)), next: () => 1 };
  const from = mark(p.from);
  const to = mark(p.to);
  const notTo = complement(to);
  const seeds: number[] = [];
  for (let v = 0; v < n; v++) if (from[v] && !to[v]) seeds.push(v);
  return { region: closure(n, forward(g), seeds, notTo).mark, next: (open, v) => (to[v] ? 0 : open || from[v] ? 1 : 0) };
}

/** `recoverable`-style properties: a stuck state (one from which no goal state is reachable), and a fair lasso through it. */
function checkReachable(g: StateGraph, a: FairAnalysis, loops: LoopBuilder, p: AlwaysReachable<unknown>): Omit<LivenessVerdict, 'durationMs'> {
  const base = { property: p.name, kind: p.kind };
  const n = g.size;
  const goal = markStates(g, (s) => p.goal.holds(s));
  // Backward reachability from the goal states.
  const rev = reverseEdges(g);
  const can = closure(n, { offsets: rev.offsets, next: rev.sources }, members(goal), null).mark;
  const stuck = can.indexOf(0);
  if (stuck < 0) return { ...base, status: 'holds' };
  // Everything reachable from the stuck state is stuck too.
  const { mark: region, count } = closure(n, forward(g), [stuck], null);
  const { fair } = a.fairComponents(region);
  const toStuck = pathTo(g, stuck);
  const suffix = monitoredPath(g, [stuck], (_, v) => (region[v] ? 1 : -1), fair);
  const stuckInfo: StuckState = { state: stuck, steps: toStuck.transitions.length, reachable: count };
  // The stuck region always holds a fair cycle or a terminal state (a bottom component is fair).
  if (!suffix) throw new Error(`internal: no fair cycle among the stuck states for ${p.name}`);
  const prefixEdges: number[] = [];
  for (let i = 1; i < toStuck.states.length; i++) prefixEdges.push(edgeBetween(g, toStuck.states[i - 1], toStuck.states[i], toStuck.transitions[i - 1]));
  prefixEdges.push(...suffix.edges);
  return { ...base, status: 'violated', stuck: stuckInfo, lasso: lassoFrom(loops, fair, toStuck.initial, prefixEdges) };
}

function checkOne(g: StateGraph, a: FairAnalysis, loops: LoopBuilder, p: LivenessProperty<unknown>): Omit<LivenessVerdict, 'durationMs'> {
  if (p.kind === 'alwaysReachable') return checkReachable(g, a, loops, p);
  const base = { property: p.name, kind: p.kind };
  const { region, next } = regionOf(g, p);
  const { fair, count } = a.fairComponents(region);
  if (count === 0) return { ...base, status: 'holds' };
  const path = monitoredPath(g, initialStates(g), next, fair);
  // Every stored state is reachable, and the region is reachable with the obligation open: a path exists.
  if (!path) throw new Error(`internal: no path to the fair cycle found for ${p.name}`);
  return { ...base, status: 'violated', lasso: lassoFrom(loops, fair, path.source, path.edges) };
}

/**
 * Checks liveness properties on a stored graph. Every verdict is `unknown`
 * when the graph is incomplete. Deterministic: the same graph and options
 * give the same verdicts and lassos.
 */
export function checkLiveness<F extends FieldSpec>(g: StateGraph<F>, options: LivenessOptions = {}): LivenessVerdict[] {
  validateLiveness(g.model);
  const props = selectLiveness(g.model, options.properties);
  const groups = fairnessGroups(g.model, g.transitions, options.fairness ?? 'declared');
  const a = g.complete ? new FairAnalysis(g, groups) : null;
  const loops = a ? new LoopBuilder(a) : null;
  return props.map((p) => {
    const start = performance.now();
    if (!a || !loops) return { property: p.name, kind: p.kind, status: 'unknown', durationMs: 0 };
    const v = checkOne(g, a, loops, p);
    return { ...v, durationMs: performance.now() - start };
  });
}

/** The result of {@link checkModelLiveness}: the graph and the verdicts. */
export interface LivenessRun<F extends FieldSpec = FieldSpec> {
  readonly graph: StateGraph<F>;
  readonly fairness: readonly FairnessGroup[];
  readonly verdicts: readonly LivenessVerdict[];
}

/** Explores the model's graph (within the limits) and checks its liveness properties. */
export function checkModelLiveness<F extends FieldSpec>(model: Model<F>, options: LivenessOptions & GraphOptions = {}): LivenessRun<F> {
  const m: Model = model;
  validateLiveness(m);
  selectLiveness(m, options.properties); // unknown names fail before the exploration
  const graph = exploreGraph(model, options);
  return {
    graph,
    fairness: fairnessGroups(m, graph.transitions, options.fairness ?? 'declared'),
    verdicts: checkLiveness(graph, options),
  };
}
