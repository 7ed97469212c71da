/**
 * A queue from one thread to another in shared memory: single producer,
 * single consumer, fixed-size records of 32-bit words, no locks. The
 * producer publishes its tail and the consumer its head with atomic stores,
 * each on a cache line of its own; between the two, records are plain
 * memory. The producer publishes in batches, so the consumer's cache sees
 * the tail change once per batch rather than per record.
 *
 * Counts run on as 32-bit integers and wrap; the capacity is a power of two,
 * so a count modulo the capacity is always the record's place.
 */
const HEAD = 0;
const TAIL = 16;
const DATA = 32;
/** Records the producer writes before it publishes them. */
const BATCH = 64;

export class Ring {
  /** Shared memory for a queue of `records` (a power of two) records of `width` words. */
  static memory(records: number, width: number): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * (DATA + records * width));
  }

  private readonly ctl: Int32Array;
  /** The records, as the engine's packed words. */
  readonly data: Uint32Array;
  private readonly mask: number;
  /** Producer: records written, records published, and the consumer's head as last read. */
  private tail = 0;
  private published = 0;
  private head = 0;

  constructor(
    memory: SharedArrayBuffer,
    readonly width: number,
  ) {
    this.ctl = new Int32Array(memory, 0, DATA);
    this.data = new Uint32Array(memory, 4 * DATA);
    const records = this.data.length / width;
    if ((records & (records - 1)) !== 0) throw new Error('Ring: the number of records must be a power of two');
    this.mask = records - 1;
    this.head = Atomics.load(this.ctl, HEAD);
    this.tail = this.published = Atomics.load(this.ctl, TAIL);
  }

  /** Producer: appends `words[at .. at + width)`; false when the queue is full. */
  push(words: Uint32Array, at: number): boolean {
    if (((this.tail - this.head) | 0) > this.mask) {
      this.head = Atomics.load(this.ctl, HEAD);
      if (((this.tail - this.head) | 0) > this.mask) {
        this.publish();
        return false;
      }
    }
    const w = this.width;
    const to = (this.tail & this.mask) * w;
    for (let k = 0; k < w; k++) this.data[to + k] = words[at + k];
    this.tail = (this.tail + 1) | 0;
    if (((this.tail - this.published) | 0) >= BATCH) this.publish();
    return true;
  }

  /** Producer: makes every record written so far visible to the consumer. */
  publish(): void {
    if (this.published === this.tail) return;
    Atomics.store(this.ctl, TAIL, this.tail);
    this.published = this.tail;
  }

  /**
   * Consumer: hands each published record to `take` (the record is at
   * `data[at ..]`), oldest first, and frees their room. Returns how many.
   */
  drain(take: (data: Uint32Array, at: number) => void): number {
    const tail = Atomics.load(this.ctl, TAIL);
    let head = this.ctl[HEAD];
    const n = (tail - head) | 0;
    const w = this.width;
    for (; head !== tail; head = (head + 1) | 0) take(this.data, (head & this.mask) * w);
    Atomics.store(this.ctl, HEAD, head);
    return n;
  }

  /** Bytes of the queue's memory. */
  get bytes(): number {
    return 4 * DATA + this.data.byteLength;
  }
}
