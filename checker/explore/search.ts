/**
 * One breadth-first searcher: the hot loop, shared by the single-threaded
 * search (bfs.ts) and by each thread of the parallel one (parallel.ts).
 *
 * - A layer is a list of segments of packed words. On one thread it is the
 *   one segment the searcher appended while expanding the layer before. In a
 *   parallel search each thread appends the states it stores to a segment of
 *   its own (shared memory), the next layer is all those segments, and the
 *   threads claim the layer's states in chunks from a shared cursor.
 * - The visited set is split by fingerprint among the threads: each owns the
 *   states whose fingerprint falls in its share, keeps their fingerprints in
 *   a table no other thread touches, checks their invariants and appends
 *   them. A successor another thread owns goes to it through a queue in
 *   shared memory ({@link Ring}); owners take in their queues between chunks
 *   and while they wait for the layer to end. The layers are sets, whoever
 *   finds a state first, so no count depends on timing.
 * - Only the searcher that rebuilds counterexamples (one thread) keeps
 *   parent links: per state, numbered in discovery order, the parent's
 *   number (`-1 - k` for `model.init[k]`) and the transition.
 * - Successors (and states other threads send) are held back and looked up
 *   in the visited set in batches, so that the cache misses of the probes
 *   overlap ({@link LayerSearch.flush}); the counts are those of storing
 *   each state when it is generated.
 * - Nothing is allocated per edge: one unpacked scratch state, one successor
 *   scratch, one packed scratch, and a fixed buffer of held-back states.
 */
import type { EffectWrites, FieldSpec, StateOf } from '../state/layout.js';
import { Ctl, ctlSearcher, LayerEnd, StopCode } from './control.js';
import { diagnose, diagnoseInitial, diagnoseReached, findFault } from './diagnose.js';
import { compileExpand, type Expand } from './expand.js';
import { FingerprintSet, slotsFor, type FingerprintImage } from '../state/fingerprint.js';
import { Growable } from '../state/growable.js';
import { kernelOf, selectProperties, type Kernel } from '../model/kernel.js';
import { ModelError, type Model } from '../model/model.js';
import type { ResolvedOptions } from './options.js';
import { Ring } from '../state/ring.js';
import { Canonicalizer } from './symmetry.js';
import { LayerClock, type ThreadLayerProfile } from './profile.js';

/** A violation as one searcher saw it: the state and, for a step, the transition. */
export interface RawViolation {
  readonly property: string;
  readonly kind: 'invariant' | 'step' | 'deadlock';
  /** Number of the violating state, or of the source state of the violating step (meaningful where parent links are kept). */
  readonly state: number;
  /** The violating transition, for `step`; -1 otherwise. */
  readonly transition: number;
  /** Length of the shortest schedule to the violation (the depth of the state, plus one for a step). */
  readonly length: number;
}

/** The control block's stop word and its value while the search runs, as plain numbers for the per-edge check. */
const STOP_WORD: number = Ctl.stop;
const RUNNING: number = StopCode.none;
/**
 * Slots of the recent-fingerprint cache, less one: 2^12 slots, 32 KiB, which
 * stay in the CPU's fastest caches. With lookups in batches (see flush) it
 * did better than 2^16 slots (search time on fixed P5 K2: 0.94 of it on 1
 * and on 2 workers, 10 alternating pairs each; as-was P5 K2, 1 worker: 0.91,
 * 2 pairs), 2^10 and 2^14 (1.03 and 1.07 of 2^12's, fixed, 1 worker).
 */
const RECENT_MASK = (1 << 12) - 1;
/** Successors held back before one pass over the visited set stores them (see flush): at least this many, plus one state's. */
const BATCH = 64;

/** How a searcher takes part in a search. */
export interface SearcherRole {
  /** Searchers in the search (1: on one thread). */
  readonly searchers: number;
  /** This searcher's number. */
  readonly self: number;
  /** Queues to each other searcher (`null` at its own place), and from each. */
  readonly outbox?: readonly (SharedArrayBuffer | null)[];
  readonly inbox?: readonly (SharedArrayBuffer | null)[];
  /**
   * Hold every searcher's share of the visited set (movable, to hand over
   * later), not only this one's: a parallel search starts on one thread.
   */
  readonly holdAll?: boolean;
  /** This searcher's share comes later ({@link LayerSearch.adopt}): start with a token table. */
  readonly shareLater?: boolean;
  /** Keep parent links (for rebuilding counterexamples; one thread only). */
  readonly keepParents?: boolean;
  /** Hand every state and edge to this sink, which also decides which states are new (one thread only). */
  readonly sink?: EdgeSink;
}

/**
 * Receives the states and edges of a search, in discovery order, to store
 * the state graph (graph.ts). With a sink the searcher asks it, not the
 * fingerprint set, whether a state is new: it numbers states exactly.
 */
export interface EdgeSink {
  /**
   * The number of the state whose packed words are `words[at ..]`, storing
   * it when new (then {@link EdgeSink.created} is true). `parent` is the
   * number of the state being expanded, whose edge by transition `via` leads
   * here, or `-1 - k` for `model.init[k]` (no edge).
   */
  add(words: Uint32Array, at: number, parent: number, via: number): number;
  /** Whether the last {@link EdgeSink.add} stored a new state. */
  readonly created: boolean;
  /** Called before state `source` (numbered in discovery order) is expanded. */
  open(source: number): void;
  /** Bytes its structures would take from memory were they to grow now (for the memory limit). */
  growthAhead(): number;
}

const sharedWords = (n: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(4 * n));
const ownWords = (n: number): Uint32Array => new Uint32Array(n);

export class LayerSearch {
  readonly model: Model;
  readonly W: number;
  readonly self: number;
  /** The shares of the visited set this searcher holds, by owner: its own, or all of them. */
  readonly sets: (FingerprintSet | undefined)[];
  /** This searcher's own share (it also computes fingerprints). */
  seen: FingerprintSet;
  /** Parent links, when kept (for rebuilding counterexamples): per state, the parent's number and the transition. */
  readonly parent = new Growable((n) => new Int32Array(n), 16);
  readonly via = new Growable((n) => new Uint16Array(n), 16);
  /** Number of states this searcher stored. */
  stored = 0;
  /** Under symmetry: the sum of the sizes of the stored representatives' classes (see `unreduced`). */
  private classSizes = 0;
  /** This searcher's segment of the layer being expanded, and of the next one (shared memory in a parallel search). */
  frontier: Growable<Uint32Array>;
  nextFrontier: Growable<Uint32Array>;
  /** Number of the first state of the current layer (one thread). */
  frontierStart = 0;
  /** How often each action fired. */
  readonly fired: Float64Array;
  /** First violation of each property this searcher found, in order. */
  readonly violations: RawViolation[] = [];
  expanded = 0;
  generated = 0;
  /** Depth of the layer being expanded (-1 until the initial states become the first layer). */
  depth = -1;
  /** Greatest depth of a stored state. */
  deepest = 0;
  /** States taken in from other threads by the last {@link LayerSearch.takeIn}. */
  taken = 0;
  /** The layer's clock and counters, when profiling (`opts.profile`). */
  readonly clock: LayerClock | undefined;
  /** Growth of shares of the visited set handed to other threads (see {@link LayerSearch.growth}). */
  private releasedGrows = 0;
  private releasedGrowMs = 0;

  private readonly opts: ResolvedOptions;
  private readonly ctl: Int32Array;
  private readonly searchers: number;
  private readonly parallel: boolean;
  private readonly keepParents: boolean;
  private readonly outbox: (Ring | undefined)[];
  private readonly inbox: Ring[];
  private readonly kernel: Kernel;
  private readonly expand: Expand;
  /** The checked effect view and its calls, on a layout that checks writes (see Layout.effectWrites). */
  private readonly writes: EffectWrites<FieldSpec> | undefined;
  private readonly actionOf: Int32Array;
  private readonly sink: EdgeSink | undefined;
  private readonly invariants: Model['invariants'];
  private readonly stepInvariants: Model['stepInvariants'];
  private readonly invBroken: Uint8Array;
  private readonly stepBroken: Uint8Array;
  private deadlockFound = false;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  private readonly curView: StateOf<FieldSpec>;
  private readonly nextView: StateOf<FieldSpec>;
  /** A state being stored that is not in `next` (a successor held back, or one another thread sent), unpacked for its invariants. */
  private readonly held: Int32Array;
  private readonly heldView: StateOf<FieldSpec>;
  private readonly scratch: Uint32Array;
  private readonly canon: Canonicalizer | undefined;
  private readonly start: number;
  private lastProgress: number;
  private source = 0;
  private readonly onSuccessor: (t: number) => boolean;
  private readonly onRecord: (data: Uint32Array, at: number) => void;
  /** Fingerprints lately stored or sent (direct-mapped, lossy). */
  private readonly recent = new Int32Array(2 * (RECENT_MASK + 1));
  /** Successors held back, in the order they were generated: packed words, fingerprint, parent's number and transition (see flush). */
  private readonly heldWords: Uint32Array;
  private readonly heldHi: Int32Array;
  private readonly heldLo: Int32Array;
  private readonly heldSource: Int32Array;
  private readonly heldVia: Int32Array;
  private pending = 0;
  /** What the loads of flush's first pass read (kept, so that the loads are made). */
  private touched = 0;
  /** The layer being expanded: its segments, the state count up to the end of each, and the chunk size threads claim. */
  private segments: Uint32Array[] = [];
  private segmentEnd: number[] = [];
  private chunk = 0;
  /** The claimed states not yet expanded: [at, end) of the layer. */
  private at = 0;
  private end = 0;
  /** The layer's cursor, on one thread. */
  private cursor = 0;
  /** The pieces each segment of the layer is cut into, in a parallel search (see claim). */
  private rounds = 0;

  /**
   * @param ctl counters shared by the search's threads ({@link ctlSize}).
   * @param start `performance.now()` when the whole search began.
   */
  constructor(model: Model, opts: ResolvedOptions, ctl: Int32Array, start: number, role: SearcherRole = { searchers: 1, self: 0 }) {
    this.model = model;
    this.opts = opts;
    this.self = role.self;
    this.ctl = ctl;
    this.searchers = role.searchers;
    this.parallel = role.searchers > 1;
    this.keepParents = role.keepParents ?? false;
    this.start = start;
    this.lastProgress = start;
    const layout = model.layout;
    this.W = layout.words;
    // Sized for the expected states (each share for its part, with 5% to spare), or small to grow.
    const slots = opts.expectedStates > 0 && !role.shareLater ? slotsFor((1.05 * opts.expectedStates) / role.searchers) : 1 << 10;
    const own = new FingerprintSet(this.W, slots, this.parallel);
    this.sets = Array.from({ length: role.searchers }, (_, s) =>
      s === role.self ? own : role.holdAll ? new FingerprintSet(this.W, slots, this.parallel) : undefined,
    );
    this.seen = own;
    this.outbox = (role.outbox ?? []).map((m) => (m ? new Ring(m, this.W) : undefined));
    this.inbox = (role.inbox ?? []).flatMap((m) => (m ? [new Ring(m, this.W)] : []));
    const words = this.parallel ? sharedWords : ownWords;
    this.frontier = new Growable(words, 16);
    this.nextFrontier = new Growable(words, 16);
    this.kernel = kernelOf(model);

    this.actionOf = this.kernel.actionOf;
    this.sink = role.sink;
    if (this.sink && (this.parallel || opts.symmetry)) throw new Error('internal: an edge sink needs a search on one thread, without symmetry');
    this.fired = new Float64Array(model.actions.length);
    const chosen = selectProperties('check', model, opts.properties);
    this.invariants = chosen.invariants;
    this.stepInvariants = chosen.stepInvariants;
    this.invBroken = new Uint8Array(this.invariants.length);
    this.stepBroken = new Uint8Array(this.stepInvariants.length);
    this.cur = layout.vector();
    this.next = layout.vector();
    // Guards and properties read plain views; an effect on a layout that checks writes writes through the checked effect view.
    this.curView = layout.readView(this.cur);
    this.nextView = layout.readView(this.next);
    this.held = layout.vector();
    this.heldView = layout.readView(this.held);
    // A flush comes after a state's successors when BATCH or more are held: one state adds at most one per transition.
    const room = BATCH + this.kernel.guards.length;
    this.heldWords = new Uint32Array(room * this.W);
    this.heldHi = new Int32Array(room);
    this.heldLo = new Int32Array(room);
    this.heldSource = new Int32Array(room);
    this.heldVia = new Int32Array(room);
    this.writes = layout.effectWrites(this.cur, this.next);
    this.expand = compileExpand(this.kernel, this.writes);
    this.scratch = new Uint32Array(this.W);
    this.canon = opts.symmetry ? new Canonicalizer(model) : undefined;
    this.clock = opts.profile ? new LayerClock() : undefined;
    this.onSuccessor = (t) => this.successor(t);
    this.onRecord = (data, at) => {
      const seen = this.seen;
      seen.fingerprint(data, at);
      // The other thread often sends a state this one has just stored itself (both expanded parents
      // of it at about the same time, see claim): the cache of recent fingerprints answers it.
      if (this.recentlySeen(seen.hi, seen.lo)) return;
      // The rest are looked up together, as this thread's own successors are (see flush).
      this.hold(data, at, seen.hi, seen.lo, -1, 0);
      if (this.pending >= BATCH) this.flush(true);
    };
  }

  /**
   * A sequential search driven asynchronously (bfs.ts `checkAsync`) pauses
   * after about this many milliseconds of expanding, so that its caller's
   * event loop turns (to hear of Ctrl-C). 0: never.
   */
  yieldEveryMs = 0;
  private lastYield = 0;
  private pauseNow = false;

  /** Whether the search should stop (a limit, or a violation when not continuing). */
  get stopped(): boolean {
    return this.ctl[STOP_WORD] !== RUNNING;
  }

  private stop(reason: StopCode): void {
    Atomics.compareExchange(this.ctl, Ctl.stop, StopCode.none, reason);
  }

  /** The states its stored representatives stand for: under symmetry the sum of their classes' sizes, otherwise `stored`. */
  get unreduced(): number {
    return this.canon ? this.classSizes : this.stored;
  }

  /** Which searcher owns a fingerprint (by its high word). */
  private owner(hi: number): number {
    return ((hi >>> 16) * this.searchers) >>> 16;
  }

  /** Hands over searcher `s`'s share of the visited set, held since the start (see `holdAll`). */
  release(s: number): FingerprintImage {
    const set = this.sets[s];
    if (set === undefined) throw new Error(`searcher ${this.self} does not hold share ${s}`);
    this.sets[s] = undefined;
    this.releasedGrows += set.grows;
    this.releasedGrowMs += set.growMs;
    return set.image();
  }

  /** Times the shares of the visited set this searcher held grew, and the milliseconds that took. */
  growth(): { grows: number; growMs: number } {
    let grows = this.releasedGrows;
    let growMs = this.releasedGrowMs;
    for (const set of this.sets) {
      grows += set?.grows ?? 0;
      growMs += set?.growMs ?? 0;
    }
    return { grows, growMs };
  }

  /** This searcher's part of the layer just ended, when profiling. */
  layerPart(): ThreadLayerProfile | undefined {
    return this.clock?.part(this.expanded, this.stored);
  }

  /** Takes over this searcher's share of the visited set from the thread that held it. */
  adopt(image: FingerprintImage): void {
    this.seen = this.sets[this.self] = new FingerprintSet(this.W, image);
  }

  /** Packs (and canonicalises) the state in `vec` into the scratch words and fingerprints them. */
  private encode(vec: Int32Array): void {
    this.model.layout.pack(vec, this.scratch, 0);
    if (this.canon) this.canon.canonical(vec, this.scratch, 0);
    this.seen.fingerprint(this.scratch, 0);
  }

  /** Adds the initial states, in `model.init` order (a searcher holding every share). */
  seedInitial(): void {
    const layout = this.model.layout;
    for (let k = 0; k < this.model.init.length && !this.stopped; k++) {
      try {
        layout.fromPlain(this.model.init[k], this.next);
        this.encode(this.next);
        const set = this.sets[this.owner(this.seen.hi)];
        if (set === undefined) throw new Error('the initial states are added by the searcher that holds every share');
        if (this.sink === undefined) {
          if (set.addFingerprint(this.seen.hi, this.seen.lo)) this.admit(this.scratch, 0, -1 - k, 0, true, 0);
        } else {
          this.sink.add(this.scratch, 0, -1 - k, 0);
          if (this.sink.created) this.admit(this.scratch, 0, -1 - k, 0, true, 0);
        }
      } catch (e) {
        throw diagnoseInitial(this.model, k, e);
      }
    }
  }

  /**
   * Stores a new state, given by its packed words: counts it, appends it to
   * the next layer, checks its invariants. `inNext`: the state is also
   * unpacked in the successor scratch; otherwise it is unpacked here (into
   * `held`).
   */
  private admit(words: Uint32Array, at: number, parent: number, via: number, inNext: boolean, depth: number): void {
    const local = this.stored++;
    if (this.keepParents) {
      this.parent.push(parent);
      this.via.push(via);
    }
    const nf = this.nextFrontier;
    const W = this.W;
    nf.reserve(W);
    for (let w = 0; w < W; w++) nf.data[nf.length + w] = words[at + w];
    nf.length += W;
    if (depth > this.deepest) this.deepest = depth;
    if (!inNext) this.model.layout.unpack(words, at, this.held);
    // The vector holds the state or another of its class: the class is the same size.
    if (this.canon) this.classSizes += this.canon.orbitSize(inNext ? this.next : this.held);
    const view = inNext ? this.nextView : this.heldView;
    this.opts.visit?.(view, depth);
    const invs = this.invariants;
    for (let p = 0; p < invs.length; p++) {
      if (this.invBroken[p] === 0 && !invs[p].holds(view)) {
        this.invBroken[p] = 1;
        this.record(invs[p].name, 'invariant', local, -1, depth);
      }
    }
    // A state limit runs on one thread (checkParallel), so that where it stops does not depend on timing.
    if (this.stored >= this.opts.maxStates) this.stop(StopCode.maxStates);
  }

  private record(property: string, kind: RawViolation['kind'], state: number, transition: number, length: number): void {
    this.violations.push({ property, kind, state, transition, length });
    // In a parallel search the layer is finished so that the choice among its violations is fixed.
    if (!this.opts.continueAfterViolation && !this.parallel) this.stop(StopCode.violation);
  }

  private successor(t: number): boolean {
    this.generated++;
    this.fired[this.actionOf[t]]++;
    const steps = this.stepInvariants;
    for (let p = 0; p < steps.length; p++) {
      if (this.stepBroken[p] === 0 && !steps[p].holds(this.curView, this.nextView)) {
        // The successors held back come first; if one of them stops the search, this one was never generated.
        if (this.flush(false)) {
          this.uncount(t);
          return true;
        }
        this.stepBroken[p] = 1;
        this.record(steps[p].name, 'step', this.source, t, this.depth + 1);
      }
    }
    if (this.stopped) return true;
    this.encode(this.next);
    if (this.sink !== undefined) {
      this.sink.add(this.scratch, 0, this.source, t);
      if (this.sink.created) this.admit(this.scratch, 0, this.source, t, true, this.depth + 1);
      return this.stopped;
    }
    // Most successors are states seen before, and many were seen lately. A
    // small direct-mapped cache of fingerprints lately stored or sent
    // answers those from the CPU cache, before a probe of the visited set (a
    // cache miss in memory) or a record for another thread. A miss only
    // costs the probe.
    const hi = this.seen.hi;
    const lo = this.seen.lo;
    if (this.parallel) {
      if (this.recentlySeen(hi, lo)) return false;
      const owner = this.owner(hi);
      if (this.sets[owner] === undefined) {
        // A share this searcher does not hold has a queue to its owner (the constructor made one per other searcher).
        // biome-ignore lint/style/noNonNullAssertion: checked by construction, not per state
        const box = this.outbox[owner]!;
        return box.push(this.scratch, 0) ? false : this.stall(box, this.scratch, 0);
      }
    }
    // The rest are held back, to be looked up together (flush). On one thread every successor is, so that one
    // that is never to be generated (see flush) can be taken off the counts: those the cache answers as such,
    // by the complement of their transition, with nothing to store.
    if (!this.parallel && this.recentlySeen(hi, lo)) {
      const k = this.pending++;
      this.heldSource[k] = this.source;
      this.heldVia[k] = ~t;
      return false;
    }
    this.hold(this.scratch, 0, hi, lo, this.source, t);
    return false;
  }

  /** Holds back a state to store (see flush): its packed words, fingerprint, parent's number and transition. */
  private hold(words: Uint32Array, at: number, hi: number, lo: number, source: number, via: number): void {
    const k = this.pending++;
    const W = this.W;
    const held = this.heldWords;
    for (let w = 0; w < W; w++) held[k * W + w] = words[at + w];
    this.heldHi[k] = hi;
    this.heldLo[k] = lo;
    this.heldSource[k] = source;
    this.heldVia[k] = via;
  }

  /**
   * Stores the successors held back (those this searcher holds the share
   * of), in the order they were generated, so that every count and number
   * is as if each had been stored when generated. A probe of the visited set
   * is a cache miss in memory; made one after another, each waits for the
   * one before. A first pass reads the slot where each probe will start,
   * with nothing in between, so that those loads overlap; the probes then
   * find their slots in the CPU cache.
   *
   * Returns true when the search stops. If storing one of them stops it (a
   * violation, the state limit), the ones after it, and the states expanded
   * after its parent, are taken off the counts, as never generated or
   * expanded (one thread; in a parallel search only timing stops it here).
   * `counted`: the state being expanded (`source`) is already counted as
   * expanded.
   */
  private flush(counted: boolean): boolean {
    const n = this.pending;
    if (n === 0) return this.stopped;
    this.pending = 0;
    const his = this.heldHi;
    const los = this.heldLo;
    const vias = this.heldVia;
    let touched = 0;
    if (this.parallel) {
      // biome-ignore lint/style/noNonNullAssertion: held back only when this searcher holds the share
      for (let k = 0; k < n; k++) touched ^= this.sets[this.owner(his[k])]!.touch(his[k], los[k]);
    } else {
      const set = this.seen;
      for (let k = 0; k < n; k++) if (vias[k] >= 0) touched ^= set.touch(his[k], los[k]);
    }
    this.touched ^= touched;
    const W = this.W;
    const depth = this.depth + 1;
    for (let k = 0; k < n; k++) {
      if (this.stopped) return this.drop(k, n, counted);
      if (vias[k] < 0) continue;
      const hi = his[k];
      const lo = los[k];
      // biome-ignore lint/style/noNonNullAssertion: held back only when this searcher holds the share
      const set = this.parallel ? this.sets[this.owner(hi)]! : this.seen;
      if (!set.addFingerprint(hi, lo)) continue;
      try {
        this.admit(this.heldWords, k * W, this.heldSource[k], vias[k], false, depth);
      } catch (e) {
        throw this.heldFault(k, e);
      }
    }
    return this.stopped ? this.drop(n, n, counted) : false;
  }

  /**
   * The ModelError for an error thrown while storing held state `k` (an
   * invariant that throws): found by expanding its parent again, when the
   * parent is in the layer being expanded (one this thread generated),
   * otherwise on the state itself.
   */
  private heldFault(k: number, e: unknown): Error {
    const vec = this.model.layout.vector();
    const j = this.heldSource[k] - this.frontierStart;
    if (this.heldSource[k] >= 0 && j >= 0 && j < this.layerStates) {
      const s = this.segmentOf(j);
      this.model.layout.unpack(this.segments[s], (j - this.segmentStart(s)) * this.W, vec);
      return diagnose(this.kernel, vec, e);
    }
    this.model.layout.unpack(this.heldWords, k * this.W, vec);
    return diagnoseReached(this.kernel, vec, e);
  }

  /**
   * The search stopped with held successors `k ..` of `n` not stored: takes
   * them off the counts, and the states expanded from the parent of the one
   * whose storing stopped it (successor `k - 1`) on (see flush).
   */
  private drop(k: number, n: number, counted: boolean): boolean {
    if (!this.parallel) this.expanded -= this.source - this.heldSource[Math.max(0, k - 1)] + (counted ? 1 : 0);
    for (let j = k; j < n; j++) {
      const via = this.heldVia[j];
      this.uncount(via < 0 ? ~via : via);
    }
    return true;
  }

  /** Takes a successor by transition `t` off the counts: it was not generated after all (see flush). */
  private uncount(t: number): void {
    this.generated--;
    this.fired[this.actionOf[t]]--;
  }

  /**
   * Whether a fingerprint is in the cache of those lately stored or sent;
   * if not, it is put there (the caller stores or sends it).
   */
  private recentlySeen(hi: number, lo: number): boolean {
    const slot = 2 * ((lo ^ (hi >>> 7)) & RECENT_MASK);
    const recent = this.recent;
    if (recent[slot] === hi && recent[slot + 1] === lo && (hi | lo) !== 0) return true;
    recent[slot] = hi;
    recent[slot + 1] = lo;
    return false;
  }

  /** The owner's queue is full: take in this thread's own queues while it catches up, or sleep (50 µs at most). */
  private stall(box: Ring, words: Uint32Array, at: number): boolean {
    const clock = this.clock;
    const t0 = clock ? performance.now() : 0;
    do {
      if (this.stopped) return true;
      if (this.drain() === 0) Atomics.wait(this.ctl, Ctl.stop, StopCode.none, 0.05);
    } while (!box.push(words, at));
    if (clock) {
      clock.stalls++;
      clock.stallMs += performance.now() - t0;
    }
    return false;
  }

  /**
   * On a layout that checks writes: throws the ModelError for the first of
   * the layer's states `from .. to - 1` (in `words`, whose first is state
   * `first`) whose expansion wrote an array field at a key that is not an
   * element, if the effect view's arrays show one (see EffectWrites.clean,
   * too dear to look at for every state). Returns `end` otherwise.
   */
  private sweep(words: Uint32Array, first: number, from: number, to: number, end: LayerEnd): LayerEnd {
    const fault = this.strayFault(words, first, from, to);
    if (fault === null) return end;
    throw (
      fault ??
      new ModelError(
        `model ${this.model.name}: an effect wrote an array field at a key that is not an element, expanding one of the states ${from}..${to - 1} of layer ${this.depth}, and running them again did not find it`,
      )
    );
  }

  /**
   * Null when the effect view's arrays have no key besides their elements
   * (or the layout does not check writes); otherwise the ModelError for the
   * first of the states `from .. to - 1` whose expansion, run again on
   * views that check every write, fails, or undefined when none does.
   */
  private strayFault(words: Uint32Array, first: number, from: number, to: number): Error | undefined | null {
    if (this.writes === undefined || this.writes.clean(this.writes.view)) return null;
    const vec = this.model.layout.vector();
    for (let j = from; j < to; j++) {
      this.model.layout.unpack(words, (j - first) * this.W, vec);
      const fault = findFault(this.kernel, vec);
      if (fault) return fault;
    }
    return undefined;
  }

  /** Takes in the states other threads sent this one. */
  private drain(): number {
    let n = 0;
    for (const box of this.inbox) n += box.drain(this.onRecord);
    this.flush(true);
    return n;
  }

  /**
   * Starts expanding a layer given as segments of packed words; threads
   * claim `chunk` states at a time (the caller resets the shared cursor).
   */
  beginLayer(segments: readonly Uint32Array[], chunk: number, depth: number): void {
    this.segments = segments.slice();
    this.segmentEnd = [];
    let n = 0;
    for (const s of segments) this.segmentEnd.push((n += s.length / this.W));
    this.chunk = chunk;
    // Pieces per segment, so that a piece holds `chunk` states on average.
    this.rounds = Math.max(1, Math.ceil(n / (chunk * Math.max(1, segments.length))));
    this.at = this.end = this.cursor = 0;
    this.depth = depth;
    this.clock?.begin(this.expanded, this.stored);
  }

  /** The segment of the layer being expanded that holds its state `j`. */
  private segmentOf(j: number): number {
    let s = 0;
    while (this.segmentEnd[s] <= j) s++;
    return s;
  }

  /** The number, within the layer, of segment `s`'s first state. */
  private segmentStart(s: number): number {
    return s === 0 ? 0 : this.segmentEnd[s - 1];
  }

  /** States in the layer being expanded. */
  get layerStates(): number {
    return this.segmentEnd.length === 0 ? 0 : this.segmentEnd[this.segmentEnd.length - 1];
  }

  /**
   * Claims the next states of the layer into [at, end); false when none are
   * left. On one thread, in order. In a parallel search the layer is one
   * segment per thread, each in the order its states were stored; the
   * threads claim pieces of the segments in turn (piece 0 of each segment,
   * then piece 1 of each, ...), each segment cut into as many pieces as the
   * others, so that states stored at about the same time are expanded at
   * about the same time, as on one thread. Their successors overlap most
   * (two states reached from one parent often share successors), and the
   * cache of recent fingerprints then answers the second of two such
   * successors before a probe of the visited set.
   */
  private claim(): boolean {
    if (!this.parallel) {
      const total = this.layerStates;
      if (this.cursor >= total) return false;
      this.at = this.cursor;
      this.end = this.cursor = Math.min(total, this.cursor + this.chunk);
      return true;
    }
    const ends = this.segmentEnd;
    const S = ends.length;
    if (S === 0) return false;
    for (;;) {
      const c = Atomics.add(this.ctl, Ctl.cursor, 1);
      const round = Math.floor(c / S);
      if (round >= this.rounds) return false;
      const s = c - round * S;
      const first = this.segmentStart(s);
      const piece = Math.ceil((ends[s] - first) / this.rounds);
      this.at = first + round * piece;
      this.end = Math.min(ends[s], this.at + piece);
      if (this.at < this.end) return true;
    }
  }

  /**
   * Expands states of the current layer until none are left to claim, then,
   * in a parallel search, takes in what the other threads send until every
   * thread has finished expanding (`done`: this searcher's part of the
   * next layer is complete). Returns `stopped` when the search stops.
   * With `wait` false it returns `waiting` instead of waiting for the
   * others (see {@link LayerSearch.takeIn}). `onTick` is called about once
   * per progress interval.
   */
  expandLayer(onTick?: () => void, wait = true): LayerEnd {
    const W = this.W;
    const layout = this.model.layout;
    const kernel = this.kernel;
    const sink = this.sink;
    for (;;) {
      while (this.at < this.end) {
        const s = this.segmentOf(this.at);
        const words = this.segments[s];
        const first = this.segmentStart(s);
        const stop = Math.min(this.end, this.segmentEnd[s]);
        // The states since the effect view's arrays were last looked at (see sweep).
        let from = this.at;
        for (; this.at < stop; ) {
          if (this.stopped) {
            this.flush(true);
            return this.sweep(words, first, from, this.at, LayerEnd.stopped);
          }
          const j = this.at++;
          this.source = this.frontierStart + j;
          layout.unpack(words, (j - first) * W, this.cur);
          if (sink !== undefined) sink.open(this.source);
          let enabled: number;
          try {
            enabled = this.expand(this.curView, this.nextView, this.cur, this.next, this.onSuccessor);
          } catch (e) {
            // A model that throws (a bad write, a value out of range, a guard or invariant that fails): find and name it.
            // A key written by an earlier state's effect (seen only now) comes first.
            const earlier = this.strayFault(words, first, from, j);
            if (earlier) throw earlier;
            layout.unpack(words, (j - first) * W, this.cur);
            throw diagnose(kernel, this.cur, e);
          }
          if (enabled < 0) return this.sweep(words, first, from, this.at, LayerEnd.stopped);
          // The deadlock predicate (kernel.deadlocked), with the enabled count expand already has.
          if (enabled === 0 && this.opts.checkDeadlock && !this.deadlockFound && !kernel.terminalOk(this.curView)) {
            // The successors held back come first (their violations, a limit they reach).
            if (this.flush(false)) return this.sweep(words, first, from, this.at, LayerEnd.stopped);
            this.deadlockFound = true;
            this.record('deadlock', 'deadlock', this.source, -1, this.depth);
          }
          ++this.expanded;
          if (this.pending >= BATCH && this.flush(true)) return this.sweep(words, first, from, this.at, LayerEnd.stopped);
          if ((this.expanded & 1023) === 0) {
            if (this.flush(true)) return this.sweep(words, first, from, this.at, LayerEnd.stopped);
            this.sweep(words, first, from, this.at, LayerEnd.done);
            from = this.at;
            if (this.tick(onTick)) return LayerEnd.stopped;
            if (this.pauseNow) {
              this.pauseNow = false;
              return LayerEnd.paused;
            }
          }
        }
        if (this.flush(true)) return this.sweep(words, first, from, this.at, LayerEnd.stopped);
        this.sweep(words, first, from, this.at, LayerEnd.done);
      }
      if (this.parallel) this.drain();
      if (!this.claim()) break;
    }
    if (this.clock) this.clock.doneAt = this.clock.endAt = performance.now();
    if (!this.parallel) return LayerEnd.done;
    // Done expanding: publish what is queued for others, and take in theirs until all are done.
    for (const box of this.outbox) box?.publish();
    Atomics.sub(this.ctl, Ctl.expanding, 1);
    Atomics.notify(this.ctl, Ctl.expanding);
    if (!wait) return LayerEnd.waiting;
    // Between two looks at its queues the thread sleeps (50 µs at most, or until a thread
    // finishes) rather than spin: a spinning loop would take the core from the threads still
    // expanding and from V8's compiler, and V8 would keep recompiling it.
    for (;;) {
      const expanding = Atomics.load(this.ctl, Ctl.expanding);
      const r = this.takeIn();
      if (r !== LayerEnd.waiting) {
        if (this.clock) this.clock.endAt = performance.now();
        return r;
      }
      if (this.taken === 0) Atomics.wait(this.ctl, Ctl.expanding, expanding, 0.05);
    }
  }

  /**
   * Once done expanding: takes in what the other threads sent, and says
   * whether the layer is over (`done`), the search stopped (`stopped`), or
   * others are still expanding (`waiting`).
   */
  takeIn(): LayerEnd {
    const ctl = this.ctl;
    const expanding = Atomics.load(ctl, Ctl.expanding);
    // Once every thread has finished expanding (and published), one more drain takes in the rest.
    this.taken = this.drain();
    const stop = Atomics.load(ctl, Ctl.stop);
    if (expanding === 0) return stop === StopCode.none ? LayerEnd.done : LayerEnd.stopped;
    return stop === StopCode.none ? LayerEnd.waiting : LayerEnd.stopped;
  }

  /** Every thousand states: the time and memory limits, counters for progress. True when the search must stop. */
  private tick(onTick: (() => void) | undefined): boolean {
    const now = performance.now();
    if (this.opts.interrupt?.requested) {
      this.stop(StopCode.interrupted);
      return true;
    }
    if (this.yieldEveryMs > 0 && now - this.lastYield >= this.yieldEveryMs) {
      this.lastYield = now;
      this.pauseNow = true;
    }
    if (now - this.start >= this.opts.timeLimitMs) {
      this.stop(StopCode.time);
      return true;
    }
    // Stop before the visited set's next growth would take the process past the memory limit.
    if (this.opts.maxMemoryBytes !== Infinity && process.memoryUsage.rss() + this.growthAhead() > this.opts.maxMemoryBytes) {
      this.stop(StopCode.memory);
      return true;
    }
    if (this.parallel) {
      const c = ctlSearcher(this.self);
      Atomics.store(this.ctl, c, this.generated);
      Atomics.store(this.ctl, c + 1, this.expanded);
      Atomics.store(this.ctl, c + 2, this.stored);
    }
    if (onTick && now - this.lastProgress >= this.opts.progressIntervalMs) {
      this.lastProgress = now;
      onTick();
    }
    return false;
  }

  /** Bytes the shares this searcher holds will take from memory when they next grow, for those near growing. */
  private growthAhead(): number {
    let n = 0;
    for (const set of this.sets) if (set !== undefined && set.load > 0.6) n += set.nextBytes;
    return n + (this.sink?.growthAhead() ?? 0);
  }

  /** Ends a layer: this searcher's part of the next layer becomes its part of the current one. */
  endLayer(): void {
    this.frontierStart += this.frontier.length / this.W;
    const t = this.frontier;
    this.frontier = this.nextFrontier;
    this.nextFrontier = t;
    this.nextFrontier.length = 0;
  }

  /** Ends a layer on one thread: the next layer is the one segment this searcher appended. */
  nextLayer(): void {
    this.endLayer();
    this.beginLayer([this.frontier.view()], Infinity, this.depth + 1);
  }

  /** Bytes of this searcher's per-state structures now: the shares of the visited set it holds, frontiers, queues to it, parent links if kept. */
  get bytes(): number {
    let n = this.parent.data.byteLength + this.via.data.byteLength + this.frontier.data.byteLength + this.nextFrontier.data.byteLength;
    for (const set of this.sets) n += set?.bytes ?? 0;
    for (const box of this.inbox) n += box.bytes;
    return n;
  }
}

/**
 * The schedule leading to a state of a searcher that kept parent links
 * (counterexamples are rebuilt by one sequential searcher, whose global
 * numbers are its local ones).
 */
export function scheduleTo(parent: Int32Array, via: Uint16Array, state: number, extra: number): { initial: number; transitions: number[] } {
  const steps: number[] = [];
  if (extra >= 0) steps.push(extra);
  for (let i = state; ; ) {
    const p = parent[i];
    if (p < 0) {
      steps.reverse();
      return { initial: -1 - p, transitions: steps };
    }
    steps.push(via[i]);
    i = p;
  }
}
