/**
 * 64-bit fingerprints of packed states, and the visited set that stores them.
 *
 * A state whose packed encoding fits in 64 bits is fingerprinted by a
 * four-round Feistel network over its two words. A Feistel network is a
 * bijection whatever its round function, so distinct states get distinct
 * fingerprints and the visited set is exact. Longer encodings are hashed by
 * two independent 32-bit murmur3-style passes; there the set can in principle
 * confuse two states, with the probability {@link collisionProbability} gives,
 * as TLC reports for its fingerprints.
 *
 * The set is open addressing with linear probing over one `Int32Array`
 * (two words per slot, `0,0` marking an empty slot): no JS `Map`, no strings,
 * no BigInt, and no allocation except when it grows.
 */

/** murmur3's 32-bit finaliser: a bijective mixer (also the bitstate search's seeded hashes). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

const K0 = 0x9e3779b9 | 0;
const K1 = 0x7f4a7c15 | 0;
const K2 = 0x3c6ef372 | 0;
const K3 = 0xdaa66d2b | 0;

/**
 * The table grows by half when it is four fifths full, so it is always
 * between 53% and 80% full: 8 bytes a slot make 10 to 15 bytes per stored
 * state, which leaves room in 16 for the frontier. Capacities are not powers
 * of two; a slot is chosen by scaling the hash into the capacity
 * ("fastrange").
 */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;

/** V8's bound on a resizable buffer's `maxByteLength` (Node 20): tables past it grow by copying. */
const MAX_RESIZABLE_BYTES = 2 ** 32;
/** Address space a table reserves to grow into in place (see FingerprintSet.alloc). */
const RESERVE_BYTES = 2 ** 30;

/** A growable `SharedArrayBuffer` (ES2024; Node 20 has it, this project's lib is ES2022). */
interface GrowableBuffer {
  readonly maxByteLength: number;
  readonly growable: boolean;
  grow(bytes: number): void;
}
const GrowableShared = SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => SharedArrayBuffer;

/** Slots for `states` fingerprints without growing. */
export function slotsFor(states: number): number {
  return Math.ceil(states / MAX_LOAD) + 1;
}

/**
 * A visited set as memory another thread can take over: its table (in
 * shared memory), the number stored and whether the zero fingerprint is.
 */
export interface FingerprintImage {
  readonly table: SharedArrayBuffer;
  readonly count: number;
  readonly zeroPresent: boolean;
}

/**
 * A set of 64-bit fingerprints of packed states. It belongs to one thread at
 * a time; one made with `movable` keeps its table in shared memory, so that
 * it can be handed to another thread ({@link FingerprintSet.image}).
 */
export class FingerprintSet {
  private table: Int32Array;
  private cap: number;
  /** cap / 2^32: maps a 32-bit hash onto a slot. */
  private scale: number;
  private count = 0;
  private limit: number;
  private zeroPresent = false;
  /** Packed words per state. */
  readonly words: number;
  /** True when fingerprints are a bijection of the encoding (no collisions possible). */
  readonly exact: boolean;
  /** The fingerprint computed by the last `add`, high and low word (as signed 32-bit integers, which V8 keeps unboxed). */
  hi = 0;
  lo = 0;

  private readonly movable: boolean;
  /** Times the table grew, and the milliseconds that took (a clock read per growth, which is rare). */
  grows = 0;
  growMs = 0;

  /** Address space a table reserves to grow into in place (see {@link FingerprintSet.alloc}). */
  private readonly reserve: number;

  /**
   * @param from a capacity in slots, or the image of a set another thread handed over.
   * @param reserve bytes of address space a table reserves to grow into (tests set it low, to make tables move as they grow).
   */
  constructor(words: number, from: number | FingerprintImage = 1 << 16, movable = false, reserve = RESERVE_BYTES) {
    this.words = words;
    this.reserve = reserve;
    this.exact = words <= 2;
    this.movable = movable || typeof from !== 'number';
    if (typeof from === 'number') {
      this.table = this.alloc(Math.max(16, Math.ceil(from)));
    } else {
      this.table = new Int32Array(from.table, 0, from.table.byteLength / 4);
      this.count = from.count;
      this.zeroPresent = from.zeroPresent;
    }
    this.cap = this.table.length / 2;
    this.scale = this.cap / 2 ** 32;
    this.limit = Math.floor(this.cap * MAX_LOAD);
  }

  /**
   * A table of `slots` in a buffer that can grow in place to 1 GiB (the
   * `reserve`; or 16 times its size, if more; at most 4 GiB, V8's bound), so that growing
   * keeps the pages already written (see {@link FingerprintSet.grow}). Only
   * address space is reserved; memory is taken as the table grows. Fresh
   * memory costs a page fault a page: on this project's 2-core test machine
   * (a virtual machine) about 12 µs a page, so a table that moved to a new
   * buffer as it grew would pay again for the pages of each size it passed.
   * If the address space cannot be reserved (a `ulimit -v`), the buffer can
   * grow 16 times. The buffer is a growable SharedArrayBuffer whether or not
   * the set is movable: on Node 20 a search probing a table over a
   * resizable (unshared) ArrayBuffer measured slower (fixed P5 K2 on 1
   * worker: 0.92 and 0.95 of the wall time with the shared one, 16 and 20
   * alternating pairs; as-was 1.00, 4 pairs).
   */
  private alloc(slots: number): Int32Array {
    const bytes = 8 * slots;
    const max = Math.min(MAX_RESIZABLE_BYTES, Math.max(this.reserve, 16 * bytes));
    if (bytes > max) return this.movable ? new Int32Array(new SharedArrayBuffer(bytes)) : new Int32Array(2 * slots);
    let buffer: SharedArrayBuffer;
    try {
      buffer = new GrowableShared(bytes, { maxByteLength: max });
    } catch {
      buffer = new GrowableShared(bytes, { maxByteLength: Math.min(max, 16 * bytes) });
    }
    return new Int32Array(buffer, 0, 2 * slots);
  }

  /** The set as memory another thread can take over (a `movable` set); this thread must not use it after. */
  image(): FingerprintImage {
    if (!this.movable || !(this.table.buffer instanceof SharedArrayBuffer)) throw new Error('FingerprintSet.image: the set was not made movable');
    return { table: this.table.buffer, count: this.count, zeroPresent: this.zeroPresent };
  }

  /** Fraction of the slots in use. */
  get load(): number {
    return this.count / this.cap;
  }

  /** Number of fingerprints stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes the table occupies now. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Bytes the table will take after its next growth. */
  get nextBytes(): number {
    return Math.ceil(this.cap * GROWTH) * 8;
  }

  /** Whether the next add of a new fingerprint makes the table grow. */
  get full(): boolean {
    return this.count + 1 > this.limit;
  }

  /** Computes the fingerprint of `words[at .. at + this.words)` into `hi`/`lo`. */
  fingerprint(words: Uint32Array, at: number): void {
    if (this.exact) {
      let l = words[at] | 0;
      let r = this.words === 2 ? words[at + 1] | 0 : 0;
      let t = l ^ fmix((r + K0) | 0);
      l = r;
      r = t;
      t = l ^ fmix((r + K1) | 0);
      l = r;
      r = t;
      t = l ^ fmix((r + K2) | 0);
      l = r;
      r = t;
      t = l ^ fmix((r + K3) | 0);
      this.hi = r;
      this.lo = t;
      return;
    }
    let h1 = 0x1b873593 ^ this.words;
    let h2 = 0x5bd1e995 ^ this.words;
    for (let i = 0; i < this.words; i++) {
      let k = Math.imul(words[at + i], 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h1 ^= k;
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      let j = Math.imul(words[at + i] ^ 0x27d4eb2f, 0x165667b1);
      j = (j << 17) | (j >>> 15);
      h2 = Math.imul(h2 ^ j, 0x9e3779b1);
      h2 = (h2 << 11) | (h2 >>> 21);
    }
    this.hi = fmix(h1 ^ fmix(h2));
    this.lo = fmix(h2 + Math.imul(h1, 0x85ebca6b));
  }

  /**
   * Fingerprints `words[at ..]` and adds it. Returns true when it was not
   * there before. The fingerprint is left in `hi`/`lo`.
   */
  add(words: Uint32Array, at: number): boolean {
    this.fingerprint(words, at);
    return this.addFingerprint(this.hi, this.lo);
  }

  /** The slot a fingerprint's probe starts at: its hash scaled into the capacity, so homes grow with the hash. */
  private home(hi: number, lo: number): number {
    return Math.min(this.cap - 1, Math.floor(((lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0) * this.scale));
  }

  /**
   * Reads the first word of the slot where a probe for this fingerprint
   * starts, and returns it: loads made one after another, with nothing in
   * between, overlap, so that the probes that follow find their slots in the
   * CPU cache (the search's batched lookups).
   */
  touch(hi: number, lo: number): number {
    return this.table[2 * this.home(hi, lo)];
  }

  /** The slot holding this fingerprint, or the empty slot where it belongs (linear probing). */
  private slotOf(hi: number, lo: number): number {
    const table = this.table;
    const cap = this.cap;
    let i = this.home(hi, lo);
    for (;;) {
      const h = table[2 * i];
      const l = table[2 * i + 1];
      if ((h === 0 && l === 0) || (h === hi && l === lo)) return i;
      if (++i === cap) i = 0;
    }
  }

  /** Adds a fingerprint; true when it was new. */
  addFingerprint(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) {
      if (this.zeroPresent) return false;
      this.zeroPresent = true;
      this.count++;
      return true;
    }
    const i = this.slotOf(hi, lo);
    if (this.table[2 * i] !== 0 || this.table[2 * i + 1] !== 0) return false;
    this.table[2 * i] = hi;
    this.table[2 * i + 1] = lo;
    if (++this.count > this.limit) this.grow();
    return true;
  }

  /** Whether a fingerprint is present. */
  hasFingerprint(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) return this.zeroPresent;
    const i = this.slotOf(hi, lo);
    return this.table[2 * i] !== 0 || this.table[2 * i + 1] !== 0;
  }

  private grow(): void {
    const t0 = performance.now();
    const old = this.cap;
    const cap = Math.ceil(old * GROWTH);
    // The old slots go, as they are, to the end of the grown table (one block copy), the rest is zeroed.
    const shift = cap - old;
    const buffer = this.table.buffer as ArrayBufferLike & Partial<GrowableBuffer>;
    let t: Int32Array;
    if (buffer.growable === true && buffer.maxByteLength !== undefined && buffer.maxByteLength >= 8 * cap) {
      // Grown within its own buffer, the pages already written are kept (fresh memory costs a page fault a page).
      buffer.grow?.(8 * cap);
      t = new Int32Array(buffer, 0, 2 * cap);
      t.copyWithin(2 * shift, 0, 2 * old);
      t.fill(0, 0, 2 * shift);
    } else {
      t = this.alloc(cap);
      t.set(this.table, 2 * shift);
    }
    this.setTable(t, cap);
    this.place(shift);
    this.grows++;
    this.growMs += performance.now() - t0;
  }

  private setTable(table: Int32Array, cap: number): void {
    this.table = table;
    this.cap = cap;
    this.scale = cap / 2 ** 32;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  /**
   * Growing, once the old slots are at slots `from ..` of the grown table
   * and every slot before them is empty: places their entries by their new
   * homes, in slot order, within the table itself.
   *
   * Each entry is taken out of its slot `p` and placed by linear probing
   * from its new home, never past `p`: the slots after it still hold entries
   * to place, which would later be emptied and break a probe run. An entry
   * whose probe would go past `p` waits in a list, and is placed at the end
   * by ordinary probing. Homes grow with the hash and the entries come in
   * nearly hash order, so few wait (30 of 1.5 million in a measurement):
   * only those whose probe had wrapped past the table's end, and those
   * pushed along by them.
   */
  private place(from: number): void {
    const t = this.table;
    const cap = this.cap;
    let waiting: number[] | null = null;
    for (let p = from; p < cap; p++) {
      const hi = t[2 * p];
      const lo = t[2 * p + 1];
      if (hi === 0 && lo === 0) continue;
      t[2 * p] = 0;
      t[2 * p + 1] = 0;
      // Slots before p hold placed entries or nothing; p itself was just emptied.
      let i = this.home(hi, lo);
      while (i < p && (t[2 * i] !== 0 || t[2 * i + 1] !== 0)) i++;
      if (i <= p) {
        t[2 * i] = hi;
        t[2 * i + 1] = lo;
      } else (waiting ??= []).push(hi, lo);
    }
    if (waiting !== null) {
      for (let k = 0; k < waiting.length; k += 2) {
        const i = this.slotOf(waiting[k], waiting[k + 1]);
        t[2 * i] = waiting[k];
        t[2 * i + 1] = waiting[k + 1];
      }
    }
  }
}

/**
 * The probability that hashing `states` distinct states into 64-bit
 * fingerprints confused at least two of them (birthday bound), or 0 when the
 * fingerprints are a bijection.
 */
export function collisionProbability(states: number, exact: boolean): number {
  if (exact) return 0;
  return Math.min(1, (states * (states - 1)) / 2 / 2 ** 64);
}
