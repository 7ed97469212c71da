/**
 * Breadth-first search over a model's state graph.
 *
 * Layout of the search:
 *  - States are numbered in discovery order. BFS discovers them layer by
 *    layer, so the number is also the queue position: the frontier is the
 *    packed words of the current layer, and the next layer is appended as it
 *    is found.
 *  - Per state the engine keeps only its parent's number and the transition
 *    that reached it (typed arrays); the visited set keeps 64-bit
 *    fingerprints. A counterexample is rebuilt by following parent links back
 *    to an initial state and replaying the transitions forward (see path.ts).
 *  - Each state is unpacked once into a scratch vector; each enabled
 *    transition copies it into a second scratch vector, applies the effect
 *    there, packs the result into a scratch word buffer and fingerprints it.
 *    Nothing is allocated per edge.
 */
import { collisionProbability } from '../state/fingerprint.js';
import type { FieldSpec } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { validateModel } from '../model/model.js';
import type { CheckOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import { Ctl, ctlSize, LayerEnd, stopReason, type StopReason } from './control.js';
import { kernelOf, statusOf, type Status } from '../model/kernel.js';
import { LayerSearch, scheduleTo, type EdgeSink, type RawViolation } from './search.js';
import { unsymmetrize } from './symmetry.js';
import type { Transition } from '../model/transitions.js';
import type { LayerProfile, SearchProfile } from './profile.js';

export type { Status } from '../model/kernel.js';
export type { StopReason } from './control.js';

/** The first violation found of one property: a shortest schedule that leads to it. */
export interface Violation {
  readonly property: string;
  /** `invariant`: a state breaks it; `step`: the last step breaks it; `deadlock`: the last state has no way on. */
  readonly kind: 'invariant' | 'step' | 'deadlock';
  /** Index into `model.init` of the state the schedule starts from. */
  readonly initial: number;
  /** The transitions taken, in order. */
  readonly schedule: readonly Transition[];
}

export interface CheckResult {
  readonly status: Status;
  /** Why the search stopped early, when it did. */
  readonly stoppedBy: StopReason;
  /** False when states were left unexplored (a limit, or stopping at the first violation). */
  readonly complete: boolean;
  readonly properties: readonly string[];
  /** First violation of each property, in the order found. */
  readonly violations: readonly Violation[];
  readonly distinctStates: number;
  /** Transitions taken: every enabled action from every expanded state. */
  readonly generatedStates: number;
  /** Longest shortest path from an initial state, in steps (depth of the deepest layer reached). */
  readonly diameter: number;
  /** States discovered and not expanded when the search stopped. */
  readonly queue: number;
  readonly durationMs: number;
  readonly statesPerSecond: number;
  /** Peak resident set size of the process, in bytes. */
  readonly peakMemoryBytes: number;
  /** Bytes of the engine's own per-state structures at the end (visited table, parent links, frontier). */
  readonly engineBytes: number;
  /** How often each action fired, by name, in the model's order. */
  readonly actions: Readonly<Record<string, number>>;
  /** Actions that never fired (as TLC's coverage flags them). */
  readonly unfired: readonly string[];
  /** `engineBytes / distinctStates`. */
  readonly bytesPerState: number;
  /** Probability that a fingerprint collision hid a state (0 when fingerprints are exact). */
  readonly collisionProbability: number;
  /** Whether states were reduced by symmetry. */
  readonly symmetry: boolean;
  /**
   * The states a search without symmetry stores where this one stored
   * `distinctStates` representatives: the sum of the sizes of their classes
   * (exact for a complete search; for a stopped one, those behind the states
   * stored; with `maxDepth`, the states up to that depth). Equal to
   * `distinctStates` without symmetry.
   */
  readonly unreducedStates: number;
  /** Threads the search was given (a parallel search over before its worker threads have started runs on the calling thread alone). */
  readonly workers: number;
  /** Where the search's time went, when `options.profile` asked (see profile.ts). */
  readonly profile?: SearchProfile;
}

/** Peak resident set size so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Whether the process's resident memory has at some point passed `limit`
 * bytes (Infinity or undefined: no limit). A search stops before its own
 * growth would pass the limit; memory taken by anything else (a model, a
 * graph's analysis) may still pass it, and a result whose run passed it is
 * then reported as stopped by the limit, never as complete.
 */
export function passedMemoryLimit(limit: number | undefined): boolean {
  return limit !== undefined && limit !== Infinity && peakRss() > limit;
}

/** What the searchers report at the end, summed into a result by {@link assemble}. */
export interface SearchTotals {
  readonly distinctStates: number;
  readonly unreducedStates: number;
  readonly generated: number;
  readonly expanded: number;
  readonly fired: Float64Array;
  readonly depth: number;
  readonly stoppedBy: StopReason;
  readonly engineBytes: number;
  readonly exact: boolean;
  readonly workers: number;
}

/** Builds the result of a search from its totals and its violations (schedules resolved). */
export function assemble(
  model: Model,
  opts: ResolvedOptions,
  start: number,
  totals: SearchTotals,
  violations: Violation[],
  profile?: SearchProfile,
): CheckResult {
  const durationMs = performance.now() - start;
  const queue = totals.distinctStates - totals.expanded;
  const actions: Record<string, number> = {};
  model.actions.forEach((a, i) => {
    actions[a.name] = totals.fired[i];
  });
  const stoppedBy = totals.stoppedBy ?? (passedMemoryLimit(opts.maxMemoryBytes) ? 'max-memory' : null);
  return {
    status: statusOf(violations, stoppedBy !== null),
    stoppedBy,
    complete: queue === 0 && stoppedBy === null,
    properties: opts.properties,
    violations,
    distinctStates: totals.distinctStates,
    generatedStates: totals.generated,
    diameter: totals.depth,
    queue,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((totals.distinctStates / durationMs) * 1000) : totals.distinctStates,
    peakMemoryBytes: peakRss(),
    engineBytes: totals.engineBytes,
    bytesPerState: totals.distinctStates > 0 ? totals.engineBytes / totals.distinctStates : 0,
    actions,
    unfired: model.actions.filter((_, i) => totals.fired[i] === 0).map((a) => a.name),
    collisionProbability: collisionProbability(totals.distinctStates, totals.exact),
    symmetry: opts.symmetry,
    unreducedStates: totals.unreducedStates,
    workers: totals.workers,
    ...(profile ? { profile } : {}),
  };
}

/**
 * Runs a sequential search layer by layer. The main search keeps no parent
 * links; the search that rebuilds counterexamples does; the state graph's
 * exploration hands every state and edge to its sink.
 */
export function runLayers(m: Model, opts: ResolvedOptions, start: number, keepParents: boolean, sink?: EdgeSink): Layers {
  const layers = searchLayers(m, opts, start, keepParents, sink, 0);
  for (;;) {
    const r = layers.next();
    if (r.done) return r.value;
  }
}

/**
 * The same search, pausing about every `yieldEveryMs` to let the event loop
 * turn (so that a signal handler can set `opts.interrupt`).
 */
export async function runLayersAsync(m: Model, opts: ResolvedOptions, start: number, yieldEveryMs: number): Promise<Layers> {
  const layers = searchLayers(m, opts, start, false, undefined, yieldEveryMs);
  for (;;) {
    const r = layers.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A sequential search's searcher, why it stopped, and its layers' profile (when profiling). */
export interface Layers {
  readonly s: LayerSearch;
  readonly stoppedBy: StopReason;
  readonly layers?: LayerProfile[];
}

/** The layer loop of a sequential search; it yields where the searcher paused part-way through a layer. */
function* searchLayers(
  m: Model,
  opts: ResolvedOptions,
  start: number,
  keepParents: boolean,
  sink: EdgeSink | undefined,
  yieldEveryMs: number,
): Generator<void, Layers> {
  const ctl = new Int32Array(ctlSize(1));
  const s = new LayerSearch(m, opts, ctl, start, { searchers: 1, self: 0, keepParents, sink });
  s.yieldEveryMs = yieldEveryMs;
  const tick = opts.onProgress
    ? (): void =>
        opts.onProgress?.({
          distinctStates: s.stored,
          generatedStates: s.generated,
          queue: s.stored - s.expanded,
          depth: s.depth,
          elapsedMs: performance.now() - start,
        })
    : undefined;
  s.seedInitial();
  let stoppedBy: StopReason = null;
  const layers: LayerProfile[] | undefined = opts.profile ? [] : undefined;
  while (!s.stopped) {
    s.nextLayer();
    if (s.layerStates === 0) break;
    if (s.depth >= opts.maxDepth) {
      stoppedBy = 'max-depth';
      break;
    }
    const at = layers ? performance.now() : 0;
    while (s.expandLayer(tick) === LayerEnd.paused) yield;
    const part = s.layerPart();
    if (layers && part) layers.push({ depth: s.depth, states: s.layerStates, atMs: at - start, ms: performance.now() - at, threads: [part] });
  }
  return { s, stoppedBy: stoppedBy ?? stopReason(ctl[Ctl.stop]), layers };
}

/**
 * Rebuilds the counterexamples of a search. The search itself stores only
 * fingerprints; here a sequential search with parent links re-explores the
 * layers up to the deepest violation and stops there, so it costs no more
 * than the part of the state space the counterexamples live in. Its violations
 * are the ones a sequential search reports, whatever found them first, so a
 * parallel search gives the same counterexamples as a sequential one.
 * Under symmetry the schedules are mapped back so that they replay without it.
 */
export function rebuildViolations(m: Model, opts: ResolvedOptions, raws: readonly RawViolation[]): { violations: Violation[]; search?: LayerSearch } {
  if (raws.length === 0) return { violations: [] };
  const deadlock = raws.some((r) => r.kind === 'deadlock');
  const deepest = Math.max(...raws.map((r) => r.length));
  const violated = new Set(raws.map((r) => r.property));
  const ropts: ResolvedOptions = {
    ...opts,
    properties: opts.continueAfterViolation ? opts.properties.filter((p) => violated.has(p)) : opts.properties,
    checkDeadlock: opts.continueAfterViolation ? deadlock : opts.checkDeadlock,
    // A deadlock at depth d shows when layer d is expanded.
    maxDepth: deepest + (deadlock ? 1 : 0),
    maxStates: Infinity,
    timeLimitMs: Infinity,
    maxMemoryBytes: Infinity,
    expectedStates: 0,
    profile: false,
    onProgress: undefined,
    visit: undefined,
    // The counterexamples of what was found are rebuilt even after an interruption.
    interrupt: undefined,
  };
  const { s } = runLayers(m, ropts, performance.now(), true);
  const transitions = kernelOf(m).transitions;
  const violations = s.violations.map((v) => {
    const { initial, transitions: ts } = scheduleTo(s.parent.data, s.via.data, v.state, v.transition);
    let schedule = ts.map((t) => transitions[t]);
    if (opts.symmetry) {
      const plain = unsymmetrize(
        m,
        m.init[initial],
        schedule.map((t) => ({ action: t.name, actor: t.actor })),
      );
      schedule = plain.map((st, i) => ({ ...schedule[i], actor: st.actor }));
    }
    return { property: v.property, kind: v.kind, initial, schedule };
  });
  return { violations, search: s };
}

/** A searcher's counts, as the totals of a search. */
export function totalsOf(s: LayerSearch, stoppedBy: StopReason, workers: number): SearchTotals {
  return {
    distinctStates: s.stored,
    unreducedStates: s.unreduced,
    generated: s.generated,
    expanded: s.expanded,
    fired: s.fired,
    depth: s.deepest,
    stoppedBy,
    engineBytes: s.bytes,
    exact: s.seen.exact,
    workers,
  };
}

/**
 * Explores every state reachable from the model's initial states, breadth
 * first, on this thread, checking the chosen properties. Deterministic: the
 * same model and options give the same counts and the same counterexamples.
 * See `checkParallel` for several threads.
 */
export function check<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}): CheckResult {
  const m: Model = model;
  validateModel(m);
  const opts = resolveOptions(m, options);
  const start = performance.now();
  return sequentialResult(m, opts, start, runLayers(m, opts, start, false));
}

/** The result of a search on this thread: its totals, and its counterexamples rebuilt. */
function sequentialResult(m: Model, opts: ResolvedOptions, start: number, { s, stoppedBy, layers }: Layers): CheckResult {
  const rebuilding = performance.now();
  const { violations } = rebuildViolations(m, opts, s.violations);
  const profile: SearchProfile | undefined = layers && {
    startedAtMs: start,
    workersReadyMs: [],
    joinedMs: null,
    joinedDepth: null,
    layers,
    ...s.growth(),
    rebuildMs: performance.now() - rebuilding,
  };
  return assemble(m, opts, start, totalsOf(s, stoppedBy, 1), violations, profile);
}

/** How often a search on this thread lets its caller's event loop turn, when it can be interrupted. */
const YIELD_EVERY_MS = 50;

/**
 * {@link check}, letting the event loop turn about every 50 ms while it
 * searches, so that `options.interrupt` can be set (by a signal handler)
 * and stop it. The same counts and counterexamples as `check`.
 */
export async function checkAsync<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}): Promise<CheckResult> {
  const m: Model = model;
  validateModel(m);
  const opts = resolveOptions(m, options);
  const start = performance.now();
  return sequentialResult(m, opts, start, await runLayersAsync(m, opts, start, YIELD_EVERY_MS));
}
