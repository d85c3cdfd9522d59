/**
 * A fixed-size ring of numbers: history that never grows, so a dashboard left
 * open for days uses the same memory on day three as in minute fifteen.
 * NaN marks a tick where the source had no value (it failed, or didn't exist yet).
 */
export class Ring {
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('ring capacity must be positive');
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count < this.capacity) {
      this.values[(this.start + this.count) % this.capacity] = value;
      this.count++;
    } else {
      this.values[this.start] = value;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** i = 0 is the oldest kept value, length - 1 the newest. */
  at(i: number): number {
    if (i < 0 || i >= this.count) return Number.NaN;
    return this.values[(this.start + i) % this.capacity] ?? Number.NaN;
  }

  last(): number {
    return this.at(this.count - 1);
  }

  /** The newest n values, oldest first. */
  tail(n: number): number[] {
    const k = Math.min(n, this.count);
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = this.at(this.count - k + i);
    return out;
  }
}
