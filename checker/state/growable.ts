/** An append-only typed array that doubles when full: the engine's growable storage. */
export class Growable<A extends Int32Array | Uint16Array | Uint32Array> {
  data: A;
  length = 0;
  constructor(
    private readonly make: (n: number) => A,
    cap: number,
  ) {
    this.data = make(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Makes room for `n` more elements. */
  reserve(n: number): void {
    if (this.length + n > this.data.length) this.grow(this.length + n);
  }
  private grow(min: number): void {
    let cap = Math.max(16, this.data.length * 2);
    while (cap < min) cap *= 2;
    const d = this.make(cap);
    d.set(this.data.subarray(0, this.length) as never);
    this.data = d;
  }
  /** The used part, sharing the storage. */
  view(): A {
    return this.data.subarray(0, this.length) as A;
  }
}
