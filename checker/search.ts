/**
 * One breadth-first searcher: the hot loop, shared by the single-threaded
 * search (bfs.ts) and by each worker of the parallel one (parallel.ts).
 *
 * - States are numbered per searcher in discovery order; a state's global
 *   number is `local * workers + self`. Only the searcher that rebuilds
 *   counterexamples (one, sequential) keeps parent links: per state the
 *   parent's number (`-1 - k` for `model.init[k]`) and the transition.
 * - Each searcher owns the states whose fingerprint falls in its share and
 *   keeps their fingerprints. A successor owned by another searcher goes to
 *   an outbox (packed words, parent, transition) and is absorbed by its owner
 *   after the layer, in a fixed order: the counts never depend on timing.
 * - The frontier is the packed words of the current layer; the next layer is
 *   appended as it is found.
 * - Nothing is allocated per edge: one unpacked scratch state, one successor
 *   scratch, one packed scratch.
 */
import { FingerprintSet } from './fingerprint.js';
import { Growable } from './growable.js';
import type { Model } from './model.js';
import { compileExpand, type Expand } from './expand.js';
import type { ResolvedOptions } from './options.js';
import { Canonicalizer } from './symmetry.js';
import { transitionsOf } from './transitions.js';

/** A violation as one searcher saw it: the state (global number) and, for a step, the transition. */
export interface RawViolation {
  readonly property: string;
  readonly kind: 'invariant' | 'step' | 'deadlock';
  /** Global number of the violating state, or of the source state of the violating step. */
  readonly state: number;
  /** The violating transition, for `step`; -1 otherwise. */
  readonly transition: number;
  /** Length of the shortest schedule to the violation (the depth of the state, plus one for a step). */
  readonly length: number;
}

/**
 * Counters shared with the coordinator: [stop, distinct (kept exactly only
 * under a state limit), then per searcher w: generated at CTL_PER + 2w,
 * expanded at CTL_PER + 2w + 1, and stored states at ctlDistinctSlot]. The
 * per-searcher counts are refreshed about every thousand states, for progress
 * reports.
 */
export const CTL_STOP = 0;
export const CTL_DISTINCT = 1;
export const CTL_PER = 2;
export const ctlSize = (workers: number): number => CTL_PER + 3 * workers;
/** Per searcher: its stored states, for progress reports when no global limit keeps a shared count. */
export const ctlDistinctSlot = (workers: number, self: number): number => CTL_PER + 2 * workers + self;
/** Values of CTL_STOP. */
export const STOP_NONE = 0;
export const STOP_MAX_STATES = 1;
export const STOP_TIME = 2;
export const STOP_VIOLATION = 3;
export const STOP_MEMORY = 4;
/** Slots of the recent-fingerprint cache, less one (2^16 slots, 512 KiB). */
const RECENT_MASK = (1 << 16) - 1;

export class LayerSearch {
  readonly model: Model;
  readonly W: number;
  readonly workers: number;
  readonly self: number;
  readonly seen: FingerprintSet;
  /** Parent links, when kept (for rebuilding counterexamples): per local state, the parent's global number and the transition. */
  readonly parent = new Growable((n) => new Int32Array(n), 16);
  readonly via = new Growable((n) => new Uint16Array(n), 16);
  /** Number of states stored by this searcher. */
  stored = 0;
  /** Packed words of the layer being expanded, and of the next one. */
  frontier = new Growable((n) => new Uint32Array(n), 1 << 12);
  nextFrontier = new Growable((n) => new Uint32Array(n), 1 << 12);
  /** Successors for other searchers: per owner, records of W words, parent, transition. */
  readonly outbox: Growable<Uint32Array>[];
  /** Local number of the first state of the current frontier. */
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

  private readonly opts: ResolvedOptions;
  private readonly ctl: Int32Array;
  private readonly shared: boolean;
  private readonly expand: Expand;
  private readonly actionOf: Int32Array;
  private readonly invariants: Model['invariants'];
  private readonly stepInvariants: Model['stepInvariants'];
  private readonly invBroken: Uint8Array;
  private readonly stepBroken: Uint8Array;
  private deadlockFound = false;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  private readonly curView: unknown;
  private readonly nextView: unknown;
  private readonly scratch: Uint32Array;
  private readonly canon: Canonicalizer | undefined;
  private readonly start: number;
  private lastProgress: number;
  private source = 0;
  private readonly onSuccessor: (t: number) => boolean;
  /** Fingerprints lately stored or sent to other searchers (direct-mapped, lossy). */
  private readonly recent = new Uint32Array(2 * (RECENT_MASK + 1));

  /**
   * @param ctl shared counters (a SharedArrayBuffer view in parallel runs).
   * @param start `performance.now()` when the whole search began.
   */
  constructor(
    model: Model,
    opts: ResolvedOptions,
    workers: number,
    self: number,
    ctl: Int32Array,
    start: number,
    private readonly keepParents = false,
  ) {
    this.model = model;
    this.opts = opts;
    this.workers = workers;
    this.self = self;
    this.ctl = ctl;
    this.shared = workers > 1;
    this.start = start;
    this.lastProgress = start;
    const layout = model.layout;
    this.W = layout.words;
    this.seen = new FingerprintSet(this.W);
    this.outbox = Array.from({ length: workers }, () => new Growable((n) => new Uint32Array(n), 1 << 10));
    const transitions = transitionsOf(model);
    this.expand = compileExpand(
      transitions.map((t) => model.actions[t.action].guard),
      transitions.map((t) => model.actions[t.action].effect),
      transitions.map((t) => t.actor),
    );
    this.actionOf = Int32Array.from(transitions, (t) => t.action);
    this.fired = new Float64Array(model.actions.length);
    const chosen = new Set(opts.properties);
    this.invariants = model.invariants.filter((p) => chosen.has(p.name));
    this.stepInvariants = model.stepInvariants.filter((p) => chosen.has(p.name));
    this.invBroken = new Uint8Array(this.invariants.length);
    this.stepBroken = new Uint8Array(this.stepInvariants.length);
    this.cur = layout.vector();
    this.next = layout.vector();
    this.curView = layout.view(this.cur);
    this.nextView = layout.view(this.next);
    this.scratch = new Uint32Array(this.W);
    this.canon = opts.symmetry ? new Canonicalizer(model) : undefined;
    this.onSuccessor = (t) => this.successor(t);
  }

  /** Whether the search should stop (a limit, or a violation when not continuing). */
  get stopped(): boolean {
    return this.ctl[CTL_STOP] !== STOP_NONE;
  }

  private stop(reason: number): void {
    if (this.shared) Atomics.compareExchange(this.ctl, CTL_STOP, STOP_NONE, reason);
    else if (this.ctl[CTL_STOP] === STOP_NONE) this.ctl[CTL_STOP] = reason;
  }

  /** Which searcher owns a fingerprint. */
  private owner(hi: number): number {
    return this.workers === 1 ? 0 : (hi >>> 0) % this.workers;
  }

  /** Packs (and canonicalises) the state in `vec` into the scratch words and fingerprints them. */
  private encode(vec: Int32Array): void {
    this.model.layout.pack(vec, this.scratch, 0);
    if (this.canon) this.canon.canonical(vec, this.scratch, 0);
    this.seen.fingerprint(this.scratch, 0);
  }

  /** Adds the initial states this searcher owns, in `model.init` order. */
  seedInitial(): void {
    const layout = this.model.layout;
    for (let k = 0; k < this.model.init.length && !this.stopped; k++) {
      layout.fromPlain(this.model.init[k], this.next);
      this.encode(this.next);
      if (this.owner(this.seen.hi) !== this.self) continue;
      this.insert(this.scratch, 0, -1 - k, 0, true, 0);
    }
  }

  /**
   * Inserts a state given by its packed words (whose fingerprint is in
   * `seen.hi/lo`) if new. `inNext`: the state is also unpacked in the
   * successor scratch; otherwise it is unpacked here for the invariants.
   */
  private insert(words: Uint32Array, at: number, parent: number, via: number, inNext: boolean, depth: number): void {
    if (this.shared && this.opts.maxStates !== Infinity) {
      if (this.seen.hasFingerprint(this.seen.hi, this.seen.lo)) return;
      // Claim a place under the global limit before storing, so exactly maxStates are stored.
      if (Atomics.add(this.ctl, CTL_DISTINCT, 1) >= this.opts.maxStates) {
        Atomics.sub(this.ctl, CTL_DISTINCT, 1);
        this.stop(STOP_MAX_STATES);
        return;
      }
      this.seen.addFingerprint(this.seen.hi, this.seen.lo);
    } else {
      if (!this.seen.addFingerprint(this.seen.hi, this.seen.lo)) return;
    }
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
    const global = local * this.workers + this.self;
    if (depth > this.deepest) this.deepest = depth;
    if (!inNext) this.model.layout.unpack(words, at, this.cur); // the current scratch is free while absorbing
    const view = inNext ? this.nextView : this.curView;
    this.opts.visit?.(view, depth);
    const invs = this.invariants;
    for (let p = 0; p < invs.length; p++) {
      if (this.invBroken[p] === 0 && !invs[p].holds(view as never)) {
        this.invBroken[p] = 1;
        this.record(invs[p].name, 'invariant', global, -1, depth);
      }
    }
    if (!this.shared && this.seen.size >= this.opts.maxStates) this.stop(STOP_MAX_STATES);
  }

  private record(property: string, kind: RawViolation['kind'], state: number, transition: number, length: number): void {
    this.violations.push({ property, kind, state, transition, length });
    // In a parallel run the layer is finished so that the choice among its violations is fixed.
    if (!this.opts.continueAfterViolation && !this.shared) this.stop(STOP_VIOLATION);
  }

  private successor(t: number): boolean {
    this.generated++;
    this.fired[this.actionOf[t]]++;
    const steps = this.stepInvariants;
    for (let p = 0; p < steps.length; p++) {
      if (this.stepBroken[p] === 0 && !steps[p].holds(this.curView as never, this.nextView as never)) {
        this.stepBroken[p] = 1;
        this.record(steps[p].name, 'step', this.source, t, this.depth + 1);
      }
    }
    if (this.stopped) return true;
    this.encode(this.next);
    // Most successors are states seen before, and many were seen lately. A
    // small direct-mapped cache of fingerprints lately stored or sent answers
    // those from the CPU cache, before a probe of the visited set (a cache miss
    // in memory) or a record for another searcher. A miss only costs the probe.
    const hi = this.seen.hi;
    const lo = this.seen.lo;
    const slot = 2 * ((lo ^ (hi >>> 7)) & RECENT_MASK);
    const recent = this.recent;
    if (recent[slot] === hi && recent[slot + 1] === lo && (hi | lo) !== 0) return false;
    recent[slot] = hi;
    recent[slot + 1] = lo;
    const owner = this.owner(hi);
    if (owner === this.self) {
      this.insert(this.scratch, 0, this.source, t, true, this.depth + 1);
      return this.stopped;
    }
    const box = this.outbox[owner];
    const W = this.W;
    box.reserve(W + 2);
    for (let w = 0; w < W; w++) box.data[box.length + w] = this.scratch[w];
    box.data[box.length + W] = this.source;
    box.data[box.length + W + 1] = t;
    box.length += W + 2;
    return false;
  }

  /**
   * Expands every state of the current frontier. Returns false if it stopped
   * early. `onProgress` is called about once per progress interval.
   */
  expandLayer(onTick?: () => void): boolean {
    const layout = this.model.layout;
    const W = this.W;
    const words = this.frontier.data;
    const count = this.frontier.length / W;
    const terminalOk = this.model.terminalOk;
    for (let j = 0; j < count; j++) {
      if (this.stopped) return false;
      const local = this.frontierStart + j;
      this.source = local * this.workers + this.self;
      layout.unpack(words, j * W, this.cur);
      const enabled = this.expand(this.curView, this.nextView, this.cur, this.next, this.onSuccessor);
      if (enabled < 0) return false;
      if (enabled === 0 && this.opts.checkDeadlock && !this.deadlockFound && !(terminalOk?.(this.curView as never) ?? false)) {
        this.deadlockFound = true;
        this.record('deadlock', 'deadlock', this.source, -1, this.depth);
      }
      this.expanded++;
      if ((this.expanded & 1023) === 0) {
        const now = performance.now();
        if (now - this.start >= this.opts.timeLimitMs) {
          this.stop(STOP_TIME);
          return false;
        }
        // Stop before the visited set's next growth would take the process past the memory limit.
        if (this.opts.maxMemoryBytes !== Infinity && process.memoryUsage.rss() + (this.seen.size > 0.6 * (this.seen.bytes / 8) ? this.seen.nextBytes : 0) > this.opts.maxMemoryBytes) {
          this.stop(STOP_MEMORY);
          return false;
        }
        if (this.shared) {
          Atomics.store(this.ctl, CTL_PER + 2 * this.self, this.generated);
          Atomics.store(this.ctl, CTL_PER + 2 * this.self + 1, this.expanded);
          if (this.opts.maxStates === Infinity) Atomics.store(this.ctl, ctlDistinctSlot(this.workers, this.self), this.seen.size);
        }
        if (onTick && now - this.lastProgress >= this.opts.progressIntervalMs) {
          this.lastProgress = now;
          onTick();
        }
      }
    }
    return true;
  }

  /** Absorbs successors other searchers found for this one (records of W words, parent, transition). */
  absorb(records: Uint32Array): void {
    const W = this.W;
    for (let at = 0; at + W + 2 <= records.length; at += W + 2) {
      if (this.stopped) return;
      this.seen.fingerprint(records, at);
      this.insert(records, at, records[at + W] | 0, records[at + W + 1], false, this.depth + 1);
    }
  }

  /** Ends a layer: the next frontier becomes the current one. */
  endLayer(): void {
    this.frontierStart += this.frontier.length / this.W;
    const t = this.frontier;
    this.frontier = this.nextFrontier;
    this.nextFrontier = t;
    this.nextFrontier.length = 0;
    for (const box of this.outbox) box.length = 0;
    this.depth++;
  }

  /** Bytes of this searcher's per-state structures now: visited set, frontiers, parent links if kept. */
  get bytes(): number {
    return this.seen.bytes + this.parent.data.byteLength + this.via.data.byteLength + this.frontier.data.byteLength + this.nextFrontier.data.byteLength;
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
