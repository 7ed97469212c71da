/**
 * The reachable state graph, explored breadth first and stored compactly,
 * for the analyses that need edges (liveness, recoverability), not just
 * states.
 *
 * The exploration is the search's own (search.ts, run by bfs.ts's
 * `runLayers`) with an edge sink: the searcher hands every state and edge to
 * a {@link GraphSink}, which numbers the states exactly and stores the edges.
 * So the graph honours every limit a search does (states, depth, time,
 * memory) and stops for the same reasons (`stoppedBy`).
 *
 * Storage (all typed arrays, no per-state objects):
 *  - states are numbered in BFS discovery order; `states` holds each one's
 *    packed words (`words` per state), so state `i` is at `i * words`;
 *  - an open-addressing index (`Int32Array` of state number + 1) finds a
 *    state's number from its packed words; keys are compared word by word
 *    against `states`, so the index is exact whatever the encoding's width;
 *  - edges in CSR form: the out-edges of state `i` are `offsets[i] ..
 *    offsets[i + 1]`, each with its target in `targets` and the transition
 *    that takes it in `labels` (an index into `transitionsOf(model)`), in the
 *    engine's transition order;
 *  - the BFS tree (`parent`, `via`) gives a shortest path to every state.
 *
 * The graph is explored on one thread: its edges need every target's
 * number, and in a parallel search a successor owned by another thread is
 * numbered there, after its sender has moved on.
 */
import { passedMemoryLimit, runLayers } from '../explore/bfs.js';
import type { StopReason } from '../explore/control.js';
import { Growable } from '../state/growable.js';
import { kernelOf } from '../model/kernel.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { validateModel } from '../model/model.js';
import type { Progress } from '../explore/options.js';
import { resolveOptions } from '../explore/options.js';
import type { EdgeSink } from '../explore/search.js';
import type { Transition } from '../model/transitions.js';

/** Limits and progress reporting for {@link exploreGraph}; every field optional (the same meaning as `check`'s). */
export interface GraphOptions {
  /** Stop (graph incomplete) once this many distinct states are stored. Default: no limit. */
  maxStates?: number;
  /** Do not expand states at this depth (graph incomplete if any exist). Default: no limit. */
  maxDepth?: number;
  /** Stop (graph incomplete) after this many milliseconds. Default: no limit. */
  timeLimitMs?: number;
  /** Stop (graph incomplete) before the process's resident memory would pass this many bytes. Default: no limit. */
  maxMemoryBytes?: number;
  /** Called about once per `progressIntervalMs`. */
  onProgress?: (p: Progress) => void;
  /** Default: 1000. */
  progressIntervalMs?: number;
}

/** The stored reachable state graph of a model. */
export interface StateGraph<F extends FieldSpec = FieldSpec> {
  readonly model: Model<F>;
  /** The model's transitions; edge labels index this list. */
  readonly transitions: readonly Transition[];
  /** Packed 32-bit words per state. */
  readonly words: number;
  /** Number of distinct states stored. */
  readonly size: number;
  /** Number of edges stored (one per enabled transition of every expanded state). */
  readonly edgeCount: number;
  /** Packed states in discovery order: state `i` at `i * words`. */
  readonly states: Uint32Array;
  /** CSR offsets, `size + 1` entries: the out-edges of `i` are `offsets[i] .. offsets[i + 1]`. */
  readonly offsets: Int32Array;
  /** Target state of each edge. */
  readonly targets: Int32Array;
  /** Transition number of each edge. */
  readonly labels: Uint16Array;
  /** BFS tree: the state each was discovered from, -1 for an initial state. */
  readonly parent: Int32Array;
  /** BFS tree: the transition that discovered each state (0 for an initial state). */
  readonly via: Uint16Array;
  /** For each initial state's number, its index into `model.init` (-1 for other states). */
  readonly initialOf: (state: number) => number;
  /** States `0 .. expanded-1` have all their edges stored; the rest (if any) were not expanded. */
  readonly expanded: number;
  /** True when every reachable state was stored and expanded. */
  readonly complete: boolean;
  /** Why the exploration stopped early, as a search's `stoppedBy`. */
  readonly stoppedBy: StopReason;
  /** Depth of the deepest layer reached. */
  readonly diameter: number;
  readonly durationMs: number;
  /** Bytes the stored graph occupies (states, index, edges, BFS tree), counting each array's capacity. */
  readonly bytes: number;
  /** The number of the state whose packed words are `words[at .. at + this.words)`, or -1. */
  indexOf(words: Uint32Array, at: number): number;
  /** Unpacks state `i` into `vec` (a `model.layout.vector()`). */
  unpackState(i: number, vec: Int32Array): void;
}

function hashWords(words: Uint32Array, at: number, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ words[at + i], 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * An exact map from packed states to their numbers: open addressing with
 * linear probing over an `Int32Array` of `number + 1` (0 = empty), the keys
 * compared against the packed states themselves.
 */
export class StateIndex {
  table: Int32Array;
  private mask: number;
  private count = 0;
  constructor(
    private readonly states: Growable<Uint32Array>,
    private readonly W: number,
  ) {
    this.table = new Int32Array(1 << 16);
    this.mask = this.table.length - 1;
  }
  private same(i: number, words: Uint32Array, at: number): boolean {
    const s = this.states.data;
    const base = i * this.W;
    for (let w = 0; w < this.W; w++) if (s[base + w] !== words[at + w]) return false;
    return true;
  }
  /** The number of the state, or -1. */
  find(words: Uint32Array, at: number): number {
    const table = this.table;
    let slot = hashWords(words, at, this.W) & this.mask;
    for (;;) {
      const e = table[slot];
      if (e === 0) return -1;
      if (this.same(e - 1, words, at)) return e - 1;
      slot = (slot + 1) & this.mask;
    }
  }
  /** Adds state number `i` (whose words are already stored) for a key known to be absent. */
  insert(i: number): void {
    if ((this.count + 1) * 4 > this.table.length * 3) this.grow();
    this.place(i);
    this.count++;
  }
  private place(i: number): void {
    const table = this.table;
    let slot = hashWords(this.states.data, i * this.W, this.W) & this.mask;
    while (table[slot] !== 0) slot = (slot + 1) & this.mask;
    table[slot] = i + 1;
  }
  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (let j = 0; j < old.length; j++) if (old[j] !== 0) this.place(old[j] - 1);
  }
}

/**
 * The searcher's edge sink that stores the graph: it numbers the states
 * exactly (by their packed words) and appends the edges of each state as
 * the searcher expands it.
 */
export class GraphSink implements EdgeSink {
  readonly states: Growable<Uint32Array>;
  readonly index: StateIndex;
  readonly offsets = new Growable((n) => new Int32Array(n), 1 << 12);
  readonly targets = new Growable((n) => new Int32Array(n), 1 << 14);
  readonly labels = new Growable((n) => new Uint16Array(n), 1 << 14);
  readonly parent = new Growable((n) => new Int32Array(n), 1 << 12);
  readonly via = new Growable((n) => new Uint16Array(n), 1 << 12);
  /** Indices into `model.init` of the initial states stored, in order (duplicates skipped). */
  readonly inits: number[] = [];
  size = 0;
  created = false;

  constructor(private readonly W: number) {
    this.states = new Growable((n) => new Uint32Array(n), W << 12);
    this.index = new StateIndex(this.states, W);
  }

  add(words: Uint32Array, at: number, parent: number, via: number): number {
    let j = this.index.find(words, at);
    this.created = j < 0;
    if (j < 0) {
      const states = this.states;
      states.reserve(this.W);
      for (let w = 0; w < this.W; w++) states.data[states.length + w] = words[at + w];
      states.length += this.W;
      j = this.size++;
      this.index.insert(j);
      this.parent.push(parent < 0 ? -1 : parent);
      this.via.push(via);
      if (parent < 0) this.inits.push(-1 - parent);
    }
    if (parent >= 0) {
      this.targets.push(j);
      this.labels.push(via);
    }
    return j;
  }

  open(source: number): void {
    // States are expanded in their numbering order: state `source`'s edges start here.
    if (source !== this.offsets.length) throw new Error(`internal: state ${source} expanded out of order`);
    this.offsets.push(this.targets.length);
  }

  growthAhead(): number {
    let n = 0;
    for (const g of [this.states, this.offsets, this.targets, this.labels, this.parent, this.via]) {
      if (g.length * 5 > g.data.length * 4) n += 2 * g.data.byteLength;
    }
    if ((this.size + 1) * 5 > this.index.table.length * 3) n += 2 * this.index.table.byteLength;
    return n;
  }

  get bytes(): number {
    let n = this.index.table.byteLength;
    for (const g of [this.states, this.offsets, this.targets, this.labels, this.parent, this.via]) n += g.data.byteLength;
    return n;
  }
}

/**
 * Explores every state reachable from the model's initial states, breadth
 * first, and stores the graph (states, edges, BFS tree). Deterministic: the
 * same model and options give the same numbering and the same edges. Limits
 * stop it cleanly with `complete: false`, for the same reasons as `check`.
 */
export function exploreGraph<F extends FieldSpec>(model: Model<F>, options: GraphOptions = {}): StateGraph<F> {
  const m: Model = model;
  validateModel(m);
  const opts = resolveOptions(
    m,
    {
      properties: [],
      checkDeadlock: false,
      maxStates: options.maxStates,
      maxDepth: options.maxDepth,
      timeLimitMs: options.timeLimitMs,
      maxMemoryBytes: options.maxMemoryBytes,
      onProgress: options.onProgress,
      progressIntervalMs: options.progressIntervalMs,
    },
    'exploreGraph',
  );
  const start = performance.now();
  const layout = model.layout;
  const W = layout.words;
  const sink = new GraphSink(W);
  const run = runLayers(m, opts, start, false, sink);
  const s = run.s;
  // Memory the graph itself holds beyond the visited set may have taken the process past the limit: then it is not complete.
  const stoppedBy = run.stoppedBy ?? (passedMemoryLimit(opts.maxMemoryBytes) ? 'max-memory' : null);
  // States 0 .. expanded-1 were expanded whole; edges of a state whose expansion a limit cut short are dropped.
  const expanded = s.expanded;
  const { offsets, targets, labels } = sink;
  if (offsets.length > expanded) {
    targets.length = labels.length = offsets.data[expanded];
    offsets.length = expanded;
  }
  // Close the CSR: unexpanded states get empty edge lists (they are not terminal: `expanded` says so).
  while (offsets.length <= sink.size) offsets.push(targets.length);
  const statesView = sink.states.view();
  const inits = sink.inits;
  const index = sink.index;
  return {
    model,
    transitions: kernelOf(model).transitions,
    words: W,
    size: sink.size,
    edgeCount: targets.length,
    states: statesView,
    offsets: offsets.view(),
    targets: targets.view(),
    labels: labels.view(),
    parent: sink.parent.view(),
    via: sink.via.view(),
    initialOf: (i) => (i < inits.length ? inits[i] : -1),
    expanded,
    complete: stoppedBy === null && expanded === sink.size,
    stoppedBy,
    diameter: sink.size === 0 ? 0 : depthOf(sink.parent.view(), sink.size - 1),
    durationMs: performance.now() - start,
    bytes: sink.bytes,
    indexOf: (words, at) => index.find(words, at),
    unpackState: (i, vec) => layout.unpack(statesView, i * W, vec),
  };
}

function depthOf(parent: Int32Array, i: number): number {
  let d = 0;
  for (let j = i; parent[j] !== -1; j = parent[j]) d++;
  return d;
}

/** The shortest path (BFS tree) from an initial state to `state`: the initial state's number and the transitions taken. */
export function pathTo<F extends FieldSpec>(g: StateGraph<F>, state: number): { initial: number; transitions: number[]; states: number[] } {
  const ts: number[] = [];
  const ss: number[] = [state];
  let i = state;
  while (g.parent[i] !== -1) {
    ts.push(g.via[i]);
    i = g.parent[i];
    ss.push(i);
  }
  return { initial: i, transitions: ts.reverse(), states: ss.reverse() };
}

/** Evaluates a predicate on every stored state: 1 where it holds. */
export function markStates<F extends FieldSpec>(g: StateGraph<F>, holds: (s: Readonly<StateOf<F>>) => boolean): Uint8Array {
  const layout = g.model.layout;
  const vec = layout.vector();
  const view = layout.view(vec);
  const out = new Uint8Array(g.size);
  for (let i = 0; i < g.size; i++) {
    g.unpackState(i, vec);
    out[i] = holds(view) ? 1 : 0;
  }
  return out;
}
