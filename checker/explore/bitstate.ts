/**
 * Bitstate depth-first search: one shard of a swarm (Holzmann's swarm
 * verification). For state spaces too large to store, each shard searches
 * with a fixed-size visited set and its own hash functions and search order,
 * and shards never talk to each other; together they cover more of the space
 * than one search can, in the same memory each.
 *
 *  - The visited set is a bit array of a given size (Spin's `-DBITSTATE`,
 *    `-w`, `-k`): each state sets `hashes` bits chosen by hash functions of
 *    its 64-bit fingerprint (fingerprint.ts) seeded by `hashSeed`. A state is
 *    taken for seen when all its bits are set: a new state can be omitted (a
 *    false "seen", with the probability {@link BitstateStats.omissionProbability}
 *    gives at the end), a seen state is never searched twice. Hash-compact
 *    (storing a few bits per state) would omit less per state but needs
 *    slack and probing; bitstate packs most states into a given memory, which
 *    is what a shard's memory bound asks for.
 *  - The search is depth first, so its memory is the bit array and the
 *    stack: per level, the state's new successors (packed) and the
 *    transition that reached each. A counterexample is the stack itself (not
 *    a shortest one: a caller may shrink it). States at `maxDepth` are stored
 *    and checked but not expanded (counted as `truncated`).
 *  - With an `orderSeed` the successors of each state are taken in a seeded
 *    random order (deterministic for the seed); without, in the kernel's
 *    order.
 *  - A bottom-k sketch of the fingerprints of the states stored (the same
 *    fingerprints in every shard) lets a merge estimate how far shards
 *    overlap and how many states they saw together.
 * Nothing is allocated per edge: one unpacked state, one successor, one
 * packed scratch; the stack and the sketch are typed arrays.
 */
import { fmix, FingerprintSet } from '../state/fingerprint.js';
import { Growable } from '../state/growable.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import { kernelOf, selectProperties, statusOf, type Kernel, type Status } from '../model/kernel.js';
import { validateModel, type Model } from '../model/model.js';
import { OptionError } from '../model/validate.js';
import { peakRss, type Violation } from './bfs.js';
import type { StopReason } from './control.js';
import { diagnose, diagnoseInitial } from './diagnose.js';
import { compileExpand, type Expand } from './expand.js';
import { resolveOptions, type CheckOptions, type ResolvedOptions } from './options.js';

/** Options of a bitstate search: a search's (not `workers`, `symmetry`, `expectedStates`) and the shard's own. */
export interface BitstateOptions extends Omit<CheckOptions, 'workers' | 'symmetry' | 'expectedStates' | 'visit'> {
  /** Bytes of the bit array: a multiple of 4, at most {@link MAX_BITSTATE_BYTES}. */
  bytes: number;
  /** Bits set per state (Spin's `-k`). Default {@link DEFAULT_HASHES}. */
  hashes?: number;
  /** Seeds the hash functions (an unsigned 32-bit integer). */
  hashSeed: number;
  /** Seeds the order successors are taken in; null: the kernel's order. */
  orderSeed: number | null;
  /**
   * The properties (and `deadlock`) whose first violation stops the search
   * (unless `continueAfterViolation`). Default: every one.
   */
  stopOn?: readonly string[];
  /** Fingerprints kept in the bottom-k sketch. Default {@link SKETCH_SIZE}. */
  sketchSize?: number;
}

/** The largest bit array: one typed array of 2^32 - 1 words. */
export const MAX_BITSTATE_BYTES = 4 * (2 ** 32 - 1);
/** Bits set per state by default (Spin's default `-k3`). */
export const DEFAULT_HASHES = 3;
/** Fingerprints in a shard's sketch by default. */
export const SKETCH_SIZE = 1024;
/** Sketch keys are the top 53 bits of a fingerprint, a whole number below 2^53. */
export const SKETCH_RANGE = 2 ** 53;

/** What the bit array says about what the search may have missed. */
export interface BitstateStats {
  readonly bytes: number;
  readonly bits: number;
  readonly hashes: number;
  readonly hashSeed: number;
  readonly orderSeed: number | null;
  /** Bits set at the end, and their fraction of the array. */
  readonly bitsSet: number;
  readonly fill: number;
  /** Bits per state stored, as Spin's "hash factor" (best if above 100). */
  readonly hashFactor: number;
  /** The chance that a state the search had not seen would have been taken for seen at the end: fill^hashes. */
  readonly omissionProbability: number;
  /** Expected number of states omitted: the chance of a false "seen" summed over every new state met, as the array filled. */
  readonly expectedOmissions: number;
}

export interface BitstateResult {
  readonly status: Status;
  readonly stoppedBy: StopReason;
  /** The search ran to its end: nothing left on the stack and nothing truncated (states may still be omitted: see `bitstate`). */
  readonly ended: boolean;
  readonly properties: readonly string[];
  /** First violation of each property, in the order found; each schedule is the search's path to it. */
  readonly violations: readonly Violation[];
  /** States stored (each counted once: a stored state is never stored again). */
  readonly distinctStates: number;
  readonly generatedStates: number;
  /** States expanded. */
  readonly expanded: number;
  /** Deepest state stored, in steps from an initial state along the search's path. */
  readonly deepest: number;
  /** States stored at `maxDepth` and so not expanded. */
  readonly truncated: number;
  readonly durationMs: number;
  readonly statesPerSecond: number;
  readonly peakMemoryBytes: number;
  /** Bytes of the bit array and the largest the stack grew. */
  readonly engineBytes: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly unfired: readonly string[];
  readonly bitstate: BitstateStats;
  /** The smallest `sketchSize` sketch keys of the states stored, ascending (all of them when fewer were stored). */
  readonly sketch: readonly number[];
  readonly sketchSize: number;
}

/** How a call of {@link BitstateSearch.run} ended. */
const Run = { done: 0, paused: 1 } as const;
type Run = (typeof Run)[keyof typeof Run];

/** xorshift32: the search order's generator (never 0 from a non-zero state). */
function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

/** The search: call {@link BitstateSearch.run} until it returns done, then {@link BitstateSearch.result}. */
export class BitstateSearch {
  private readonly model: Model;
  private readonly opts: ResolvedOptions;
  private readonly kernel: Kernel;
  private readonly expand: Expand;
  private readonly W: number;
  /** Words per stack entry: the packed state and the transition that reached it (`-1 - k` for `model.init[k]`). */
  private readonly E: number;
  private readonly table: Int32Array;
  private readonly scale: number;
  private readonly k: number;
  private readonly s1: number;
  private readonly s2: number;
  private readonly shuffle: boolean;
  private readonly seeds: { readonly hash: number; readonly order: number | null };
  private rng: number;
  private readonly fp: FingerprintSet;
  private readonly stopOn: ReadonlySet<string> | null;
  private readonly invariants: Model['invariants'];
  private readonly stepInvariants: Model['stepInvariants'];
  private readonly invBroken: Uint8Array;
  private readonly stepBroken: Uint8Array;
  private deadlockFound = false;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  private readonly curView: StateOf<FieldSpec>;
  private readonly nextView: StateOf<FieldSpec>;
  private readonly scratch: Uint32Array;
  private readonly actionOf: Int32Array;
  private readonly onSuccessor: (t: number) => boolean;
  /** The stack's entries, level after level. */
  private readonly arena = new Growable((n) => new Uint32Array(n), 1 << 12);
  /** Per level: the entry of its state (level 0, the root, has none), its first successor entry, the next to take, the end. */
  private fAt: Int32Array<ArrayBuffer> = new Int32Array(64);
  private fLo: Int32Array<ArrayBuffer> = new Int32Array(64);
  private fPos: Int32Array<ArrayBuffer> = new Int32Array(64);
  private fHi: Int32Array<ArrayBuffer> = new Int32Array(64);
  private level = 0;
  private readonly heap: Float64Array;
  private heapSize = 0;
  private readonly start: number;
  private lastProgress: number;
  private stopReason: StopReason = null;
  private stopped = false;
  private finished = false;
  private maxArena = 0;
  readonly violations: Violation[] = [];
  readonly fired: Float64Array;
  stored = 0;
  generated = 0;
  expanded = 0;
  truncated = 0;
  deepest = 0;
  bitsSet = 0;
  expectedOmissions = 0;

  constructor(model: Model, options: BitstateOptions) {
    validateModel(model);
    const o = options as CheckOptions & BitstateOptions;
    if (o.workers !== undefined || o.symmetry || o.expectedStates !== undefined) {
      throw new OptionError('bitstate: a bitstate search runs on one thread, without symmetry or expectedStates');
    }
    this.opts = resolveOptions(model, options, 'bitstate');
    const { bytes, hashes = DEFAULT_HASHES, hashSeed, orderSeed, sketchSize = SKETCH_SIZE } = options;
    if (!Number.isSafeInteger(bytes) || bytes < 4 || bytes % 4 !== 0 || bytes > MAX_BITSTATE_BYTES) {
      throw new OptionError(`bitstate: option bytes must be a multiple of 4 from 4 to ${MAX_BITSTATE_BYTES}, got ${bytes}`);
    }
    if (!Number.isInteger(hashes) || hashes < 1 || hashes > 32)
      throw new OptionError(`bitstate: option hashes must be a whole number from 1 to 32, got ${hashes}`);
    for (const [name, v] of [
      ['hashSeed', hashSeed],
      ['orderSeed', orderSeed ?? 0],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new OptionError(`bitstate: option ${name} must be a whole number from 0 to 4294967295, got ${v}`);
    }
    if (!Number.isInteger(sketchSize) || sketchSize < 1 || sketchSize > 1 << 20) {
      throw new OptionError(`bitstate: option sketchSize must be a whole number from 1 to ${1 << 20}, got ${sketchSize}`);
    }
    this.model = model;
    this.kernel = kernelOf(model);
    this.expand = compileExpand(this.kernel);
    this.actionOf = this.kernel.actionOf;
    this.W = model.layout.words;
    this.E = this.W + 1;
    this.table = new Int32Array(bytes / 4);
    this.scale = this.table.length / 2 ** 32;
    this.k = hashes;
    this.s1 = fmix(hashSeed ^ 0x2545f491);
    this.s2 = fmix(hashSeed + 0x6c8e9cf5);
    this.shuffle = orderSeed !== null;
    this.seeds = { hash: hashSeed, order: orderSeed };
    this.rng = fmix((orderSeed ?? 0) ^ 0x5851f42d) | 1;
    this.fp = new FingerprintSet(this.W, 16);
    this.stopOn = options.stopOn === undefined ? null : new Set(options.stopOn);
    const chosen = selectProperties('bitstate', model, this.opts.properties);
    this.invariants = chosen.invariants;
    this.stepInvariants = chosen.stepInvariants;
    this.invBroken = new Uint8Array(this.invariants.length);
    this.stepBroken = new Uint8Array(this.stepInvariants.length);
    const layout = model.layout;
    this.cur = layout.vector();
    this.next = layout.vector();
    this.curView = layout.view(this.cur);
    this.nextView = layout.view(this.next);
    this.scratch = new Uint32Array(this.W);
    this.fired = new Float64Array(model.actions.length);
    this.heap = new Float64Array(sketchSize);
    this.onSuccessor = (t) => this.successor(t);
    this.start = performance.now();
    this.lastProgress = this.start;
    this.seed();
  }

  /** Sets the state's bits (its packed words in `scratch`); true when one was clear (a new state). Also keeps the sketch. */
  private testAndSet(): boolean {
    this.fp.fingerprint(this.scratch, 0);
    const hi = this.fp.hi;
    const lo = this.fp.lo;
    const table = this.table;
    const h1 = fmix(hi ^ this.s1);
    const h2 = fmix((lo ^ this.s2) + h1) | 1;
    const before = this.bitsSet;
    for (let i = 0; i < this.k; i++) {
      const h = (h1 + Math.imul(i, h2)) | 0;
      const w = Math.floor((h >>> 0) * this.scale);
      const b = 1 << (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 27);
      const old = table[w];
      if ((old & b) === 0) {
        table[w] = old | b;
        this.bitsSet++;
      }
    }
    if (this.bitsSet === before) return false;
    // The chance that this new state would have been taken for seen, at this fill: each such omission is a state like it lost.
    const p = (before / (32 * table.length)) ** this.k;
    this.expectedOmissions += p / (1 - p);
    this.sketch((hi >>> 0) * 2097152 + (lo >>> 11));
    return true;
  }

  /** Keeps the smallest keys in a max-heap. */
  private sketch(key: number): void {
    const heap = this.heap;
    const K = heap.length;
    if (this.heapSize === K) {
      if (key >= heap[0]) return;
      this.siftDown(key);
      return;
    }
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] >= key) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = key;
  }

  /** Replaces the heap's top (the largest key) by `key`. */
  private siftDown(key: number): void {
    const heap = this.heap;
    const n = this.heapSize;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1] > heap[c]) c++;
      if (heap[c] <= key) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = key;
  }

  /** Appends the state in `scratch`, reached by `via`, to the stack. */
  private push(via: number): void {
    const a = this.arena;
    const W = this.W;
    a.reserve(this.E);
    const d = a.data;
    const at = a.length;
    for (let w = 0; w < W; w++) d[at + w] = this.scratch[w];
    d[at + W] = via;
    a.length += this.E;
  }

  /** Stores the new state in `next` (packed in `scratch`) at `depth`: its invariants, the limits, and the stack if it is to be expanded. */
  private admit(via: number, depth: number): void {
    this.stored++;
    if (depth > this.deepest) this.deepest = depth;
    const invs = this.invariants;
    for (let p = 0; p < invs.length; p++) {
      if (this.invBroken[p] === 0 && !invs[p].holds(this.nextView)) {
        this.invBroken[p] = 1;
        this.record(invs[p].name, 'invariant', via);
      }
    }
    if (depth < this.opts.maxDepth) this.push(via);
    else this.truncated++;
    if (this.stored >= this.opts.maxStates) this.stop('max-states');
  }

  /** Adds the initial states: the root level's entries. */
  private seed(): void {
    const layout = this.model.layout;
    for (let k = 0; k < this.model.init.length && !this.stopped; k++) {
      try {
        layout.fromPlain(this.model.init[k], this.next);
        layout.pack(this.next, this.scratch, 0);
        if (this.testAndSet()) this.admit(-1 - k, 0);
      } catch (e) {
        throw diagnoseInitial(this.model, k, e);
      }
    }
    this.fLo[0] = this.fPos[0] = 0;
    this.fHi[0] = this.arena.length / this.E;
    this.fAt[0] = -1;
  }

  private successor(t: number): boolean {
    this.generated++;
    this.fired[this.actionOf[t]]++;
    const steps = this.stepInvariants;
    for (let p = 0; p < steps.length; p++) {
      if (this.stepBroken[p] === 0 && !steps[p].holds(this.curView, this.nextView)) {
        this.stepBroken[p] = 1;
        this.record(steps[p].name, 'step', t);
      }
    }
    if (this.stopped) return true;
    this.model.layout.pack(this.next, this.scratch, 0);
    if (this.testAndSet()) this.admit(t, this.level);
    return this.stopped;
  }

  /**
   * Records the first violation of a property: the path to the state being
   * expanded (levels 1 .. level), then `last` (a transition, or `-1 - k` for
   * initial state k; -2^31 for none).
   */
  private record(property: string, kind: Violation['kind'], last: number): void {
    const ts: number[] = [];
    let initial = -1;
    const d = this.arena.data;
    const W = this.W;
    for (let l = 1; l <= this.level; l++) {
      const via = d[this.fAt[l] * this.E + W] | 0;
      if (via < 0) initial = -1 - via;
      else ts.push(via);
    }
    if (last !== NONE) {
      if (last < 0) initial = -1 - last;
      else ts.push(last);
    }
    const transitions = this.kernel.transitions;
    this.violations.push({ property, kind, initial, schedule: ts.map((t) => transitions[t]) });
    if (!this.opts.continueAfterViolation && (this.stopOn === null || this.stopOn.has(property))) this.stop(null);
  }

  private stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = reason;
  }

  /** Makes room for level `L`. */
  private levels(L: number): void {
    if (L < this.fAt.length) return;
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.fAt = grow(this.fAt);
    this.fLo = grow(this.fLo);
    this.fPos = grow(this.fPos);
    this.fHi = grow(this.fHi);
  }

  /** Swaps stack entries `a` and `b`. */
  private swap(a: number, b: number): void {
    const d = this.arena.data;
    const E = this.E;
    for (let w = 0, i = a * E, j = b * E; w < E; w++, i++, j++) {
      const x = d[i];
      d[i] = d[j];
      d[j] = x;
    }
  }

  /** Searches until the search ends, or until `pauseAt` (a `performance.now()` time) passes. */
  run(pauseAt = Infinity): Run {
    const layout = this.model.layout;
    const E = this.E;
    const kernel = this.kernel;
    while (!this.stopped) {
      const L = this.level;
      if (L < 0) {
        this.finished = true;
        break;
      }
      const pos = this.fPos[L];
      const hi = this.fHi[L];
      if (pos === hi) {
        // Level L is done: its entries go, and the search backs up.
        if (this.arena.length > this.maxArena) this.maxArena = this.arena.length;
        this.arena.length = this.fLo[L] * E;
        this.level = L - 1;
        continue;
      }
      if (this.shuffle) {
        this.rng = xorshift(this.rng);
        const r = pos + Math.floor(((this.rng >>> 0) * (hi - pos)) / 2 ** 32);
        if (r !== pos) this.swap(r, pos);
      }
      this.fPos[L] = pos + 1;
      const N = L + 1;
      this.levels(N);
      const first = this.arena.length / E;
      this.fAt[N] = pos;
      this.fLo[N] = first;
      this.fPos[N] = first;
      this.level = N;
      layout.unpack(this.arena.data, pos * E, this.cur);
      let enabled: number;
      try {
        enabled = this.expand(this.curView, this.nextView, this.cur, this.next, this.onSuccessor);
      } catch (e) {
        throw diagnose(kernel, this.cur, e);
      }
      this.fHi[N] = this.arena.length / E;
      if (enabled === 0 && this.opts.checkDeadlock && !this.deadlockFound && !kernel.terminalOk(this.curView)) {
        this.deadlockFound = true;
        this.record('deadlock', 'deadlock', NONE);
      }
      if ((++this.expanded & 1023) === 0 && this.tick(pauseAt)) return Run.paused;
    }
    return Run.done;
  }

  /** Every thousand states: the limits and progress. True to pause (the caller's turn). */
  private tick(pauseAt: number): boolean {
    const now = performance.now();
    const o = this.opts;
    if (o.interrupt?.requested) this.stop('interrupted');
    else if (now - this.start >= o.timeLimitMs) this.stop('time-limit');
    else if (o.maxMemoryBytes !== Infinity && process.memoryUsage.rss() + this.arena.data.byteLength > o.maxMemoryBytes) this.stop('max-memory');
    if (o.onProgress && now - this.lastProgress >= o.progressIntervalMs) {
      this.lastProgress = now;
      o.onProgress({
        distinctStates: this.stored,
        generatedStates: this.generated,
        queue: this.arena.length / this.E,
        depth: this.level,
        elapsedMs: now - this.start,
      });
    }
    return !this.stopped && now >= pauseAt;
  }

  /** The result, once {@link BitstateSearch.run} is done. */
  result(): BitstateResult {
    const durationMs = performance.now() - this.start;
    const bits = 32 * this.table.length;
    const actions: Record<string, number> = {};
    this.model.actions.forEach((a, i) => {
      actions[a.name] = this.fired[i];
    });
    const fill = this.bitsSet / bits;
    const sketch = Array.from(this.heap.subarray(0, this.heapSize)).sort((a, b) => a - b);
    if (this.arena.length > this.maxArena) this.maxArena = this.arena.length;
    return {
      status: statusOf(this.violations, this.stopReason !== null),
      stoppedBy: this.stopReason,
      ended: this.finished && this.truncated === 0,
      properties: this.opts.properties,
      violations: this.violations,
      distinctStates: this.stored,
      generatedStates: this.generated,
      expanded: this.expanded,
      deepest: this.deepest,
      truncated: this.truncated,
      durationMs,
      statesPerSecond: durationMs > 0 ? Math.round((this.stored / durationMs) * 1000) : this.stored,
      peakMemoryBytes: peakRss(),
      engineBytes: this.table.byteLength + 4 * this.maxArena + 16 * this.fAt.length,
      actions,
      unfired: this.model.actions.filter((_, i) => this.fired[i] === 0).map((a) => a.name),
      bitstate: {
        bytes: this.table.byteLength,
        bits,
        hashes: this.k,
        hashSeed: this.seeds.hash,
        orderSeed: this.seeds.order,
        bitsSet: this.bitsSet,
        fill,
        hashFactor: this.stored > 0 ? bits / this.stored : bits,
        omissionProbability: fill ** this.k,
        expectedOmissions: this.expectedOmissions,
      },
      sketch,
      sketchSize: this.heap.length,
    };
  }
}

/** How often a search driven asynchronously lets its caller's event loop turn (to hear of Ctrl-C). */
const YIELD_EVERY_MS = 50;

/** Runs a bitstate search on this thread to its end (or a limit). Deterministic for the model and options. */
export function bitstateSearch<F extends FieldSpec>(model: Model<F>, options: BitstateOptions): BitstateResult {
  const s = new BitstateSearch(model as Model, options);
  s.run();
  return s.result();
}

/** {@link bitstateSearch}, letting the event loop turn about every 50 ms, so that `options.interrupt` can stop it. */
export async function bitstateSearchAsync<F extends FieldSpec>(model: Model<F>, options: BitstateOptions): Promise<BitstateResult> {
  const s = new BitstateSearch(model as Model, options);
  while (s.run(performance.now() + YIELD_EVERY_MS) === Run.paused) await new Promise((resolve) => setImmediate(resolve));
  return s.result();
}

/** No last step (see `record`). */
const NONE = -(2 ** 31);

/** What the shards' sketches say about the states they saw together. */
export interface SketchEstimate {
  /** Distinct states the shards stored together: exact when fewer than the sketch size, else estimated from the union's sketch. */
  readonly union: number;
  readonly exact: boolean;
  /** Per shard, the fraction of the union it stored. */
  readonly shares: readonly number[];
  /** Fractions of the union stored by exactly one shard, by exactly two, and by every shard. */
  readonly seenByOne: number;
  readonly seenByTwo: number;
  readonly seenByAll: number;
  /**
   * Chao's incidence estimator (Chao2, bias-corrected) of the states
   * reachable: the union plus an estimate of the states no shard saw, from
   * how many were seen by one shard and by two. A lower bound in
   * expectation; null with one shard (nothing to compare), or when no
   * sketched state was seen by exactly two shards while some were seen by
   * one (the shards overlap too little to say).
   */
  readonly reachable: number | null;
}

/**
 * Combines bottom-k sketches (each a shard's smallest `size` keys,
 * ascending) of the same fingerprints: the union's sketch is the `size`
 * smallest of all keys, and a key of it belongs to a shard exactly when
 * that shard's sketch holds it (a shard's rank of a key is at most the
 * union's).
 */
export function sketchEstimate(sketches: readonly (readonly number[])[], size: number): SketchEstimate {
  const m = sketches.length;
  const all = [...new Set(sketches.flat())].sort((a, b) => a - b);
  const exact = all.length < size;
  const s = all.slice(0, size);
  const union = exact ? s.length : Math.round(((size - 1) * SKETCH_RANGE) / (s[size - 1] + 1));
  const sets = sketches.map((k) => new Set(k));
  const count = s.map((key) => sets.reduce((n, set) => n + (set.has(key) ? 1 : 0), 0));
  const frac = (pred: (c: number) => boolean): number => (s.length === 0 ? 0 : count.filter(pred).length / s.length);
  const q1 = frac((c) => c === 1) * union;
  const q2 = frac((c) => c === 2) * union;
  return {
    union,
    exact,
    shares: sets.map((set) => (s.length === 0 ? 0 : s.filter((key) => set.has(key)).length / s.length)),
    seenByOne: frac((c) => c === 1),
    seenByTwo: frac((c) => c === 2),
    seenByAll: frac((c) => c === m),
    // Without a state seen by exactly two shards in the sketch the shards overlap too little for an estimate (Chao2 degenerates to Q1^2).
    reachable: m < 2 || (q2 === 0 && q1 > 0) ? null : Math.round(union + (((m - 1) / m) * q1 * Math.max(0, q1 - 1)) / (2 * (q2 + 1))),
  };
}
