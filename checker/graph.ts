/**
 * The reachable state graph, explored breadth first and stored compactly,
 * for the analyses that need edges (liveness, recoverability), not just
 * states.
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
 * Exploration allocates nothing per edge: one unpacked scratch state, one
 * successor scratch, one packed scratch buffer, as in bfs.ts.
 */
import { Growable } from './growable.js';
import type { FieldSpec, StateOf } from './layout.js';
import type { Model } from './model.js';
import { validateModel } from './model.js';
import type { Progress } from './options.js';
import { OptionError } from './options.js';
import { transitionsOf, type Transition } from './transitions.js';

/** Limits and progress reporting for {@link exploreGraph}; every field optional. */
export interface GraphOptions {
  /** Stop (graph incomplete) once this many distinct states are stored. Default: no limit. */
  maxStates?: number;
  /** Do not expand states at this depth (graph incomplete if any exist). Default: no limit. */
  maxDepth?: number;
  /** Stop (graph incomplete) after this many milliseconds. Default: no limit. */
  timeLimitMs?: number;
  /** Called about once per `progressIntervalMs`. */
  onProgress?: (p: Progress) => void;
  /** Default: 1000. */
  progressIntervalMs?: number;
}

/** The stored reachable state graph of a model. */
export interface StateGraph {
  readonly model: Model;
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
  readonly stoppedBy: 'max-states' | 'max-depth' | 'time-limit' | null;
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
class StateIndex {
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

function limit(name: string, v: number | undefined, min: number): number {
  if (v === undefined) return Infinity;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || (name !== 'timeLimitMs' && Number.isFinite(v) && !Number.isInteger(v))) {
    throw new OptionError(`exploreGraph: option ${name} must be ${name === 'timeLimitMs' ? 'a number of at least 0' : `a whole number of at least ${min}`}, got ${v}`);
  }
  return v;
}

/**
 * Explores every state reachable from the model's initial states, breadth
 * first, and stores the graph (states, edges, BFS tree). Deterministic: the
 * same model and options give the same numbering and the same edges. Limits
 * stop it cleanly with `complete: false`.
 */
export function exploreGraph<F extends FieldSpec>(model: Model<F>, options: GraphOptions = {}): StateGraph {
  const m = model as unknown as Model;
  validateModel(m);
  const maxStates = limit('maxStates', options.maxStates, 1);
  const maxDepth = limit('maxDepth', options.maxDepth, 0);
  const timeLimitMs = limit('timeLimitMs', options.timeLimitMs, 0);
  const progressInterval = options.progressIntervalMs ?? 1000;
  const start = performance.now();
  const layout = model.layout;
  const W = layout.words;
  const transitions = transitionsOf(m);
  const T = transitions.length;
  const guards = transitions.map((t) => model.actions[t.action].guard);
  const effects = transitions.map((t) => model.actions[t.action].effect);
  const actors = Int32Array.from(transitions, (t) => t.actor);

  const cur = layout.vector();
  const next = layout.vector();
  const curView = layout.view(cur) as StateOf<F>;
  const nextView = layout.view(next) as StateOf<F>;
  const scratch = new Uint32Array(W);

  const states = new Growable((n) => new Uint32Array(n), W << 12);
  const index = new StateIndex(states, W);
  const offsets = new Growable((n) => new Int32Array(n), 1 << 12);
  const targets = new Growable((n) => new Int32Array(n), 1 << 14);
  const labels = new Growable((n) => new Uint16Array(n), 1 << 14);
  const parent = new Growable((n) => new Int32Array(n), 1 << 12);
  const via = new Growable((n) => new Uint16Array(n), 1 << 12);
  const inits: number[] = [];

  let stoppedBy: StateGraph['stoppedBy'] = null;
  let size = 0;
  let created = false;
  /** Stores the state in `scratch` if new (setting `created`); its number either way. */
  const store = (from: number, t: number): number => {
    const found = index.find(scratch, 0);
    created = found < 0;
    if (found >= 0) return found;
    states.reserve(W);
    states.data.set(scratch, states.length);
    states.length += W;
    index.insert(size);
    parent.push(from);
    via.push(t);
    return size++;
  };

  for (let k = 0; k < model.init.length; k++) {
    layout.fromPlain(model.init[k], next);
    layout.pack(next, scratch, 0);
    store(-1, 0);
    if (created) inits.push(k);
    if (created && size >= maxStates) {
      stoppedBy = 'max-states';
      break;
    }
  }

  let expanded = 0;
  let depth = 0;
  let layerEnd = size; // first state number of the next layer
  let lastProgress = start;
  while (stoppedBy === null && expanded < size) {
    if (expanded === layerEnd) {
      depth++;
      layerEnd = size;
    }
    if (depth >= maxDepth) {
      stoppedBy = 'max-depth';
      break;
    }
    const i = expanded;
    const mark = targets.length;
    offsets.push(mark);
    layout.unpack(states.data, i * W, cur);
    for (let t = 0; t < T; t++) {
      const actor = actors[t];
      if (!guards[t](curView, actor)) continue;
      next.set(cur);
      effects[t](nextView, actor);
      layout.pack(next, scratch, 0);
      const j = store(i, t);
      targets.push(j);
      labels.push(t);
      if (created && size >= maxStates) {
        // The limit is reached: the states stored are kept; this state's edges are dropped, so it counts as unexpanded.
        stoppedBy = 'max-states';
        break;
      }
    }
    if (stoppedBy !== null) {
      offsets.length--;
      targets.length = mark;
      labels.length = mark;
      break;
    }
    expanded++;
    if ((expanded & 1023) === 0) {
      const now = performance.now();
      if (now - start >= timeLimitMs) {
        stoppedBy = 'time-limit';
      } else if (options.onProgress && now - lastProgress >= progressInterval) {
        lastProgress = now;
        options.onProgress({ distinctStates: size, generatedStates: targets.length, queue: size - expanded, depth, elapsedMs: now - start });
      }
    }
  }
  // Close the CSR: unexpanded states get empty edge lists (they are not terminal: `expanded` says so).
  while (offsets.length <= size) offsets.push(targets.length);

  // Initial states are stored first, in the order of `model.init` (duplicates skipped): state i < inits.length is inits[i].
  const bytes =
    states.data.byteLength +
    index.table.byteLength +
    offsets.data.byteLength +
    targets.data.byteLength +
    labels.data.byteLength +
    parent.data.byteLength +
    via.data.byteLength;
  const statesView = states.view();
  return {
    model: m,
    transitions,
    words: W,
    size,
    edgeCount: targets.length,
    states: statesView,
    offsets: offsets.view(),
    targets: targets.view(),
    labels: labels.view(),
    parent: parent.view(),
    via: via.view(),
    initialOf: (i) => (i < inits.length ? inits[i] : -1),
    expanded,
    complete: stoppedBy === null,
    stoppedBy,
    diameter: size === 0 ? 0 : depthOf(parent.view(), size - 1),
    durationMs: performance.now() - start,
    bytes,
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
export function pathTo(g: StateGraph, state: number): { initial: number; transitions: number[]; states: number[] } {
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
export function markStates<F extends FieldSpec>(g: StateGraph, holds: (s: Readonly<StateOf<F>>) => boolean): Uint8Array {
  const layout = g.model.layout;
  const vec = layout.vector();
  const view = layout.view(vec) as unknown as StateOf<F>;
  const out = new Uint8Array(g.size);
  for (let i = 0; i < g.size; i++) {
    g.unpackState(i, vec);
    out[i] = holds(view) ? 1 : 0;
  }
  return out;
}

/** The reverse edges in CSR form: the predecessors of `i` are `sources[offsets[i] .. offsets[i + 1])`. */
export function reverseEdges(g: StateGraph): { offsets: Int32Array; sources: Int32Array } {
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
