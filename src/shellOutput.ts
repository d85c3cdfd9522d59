/**
 * A byte buffer that grows by doubling, searched for the end-of-output
 * marker only in what arrived since the last search: a 5 MB dump costs one
 * copy of itself, not a copy per chunk.
 */
const SMALL = 64 * 1024;

export class Accumulator {
  private buf = Buffer.alloc(SMALL);
  private length = 0;
  private searched = 0;

  get size(): number {
    return this.length;
  }

  push(chunk: Buffer): void {
    if (this.length + chunk.length > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + chunk.length));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    chunk.copy(this.buf, this.length);
    this.length += chunk.length;
  }

  /**
   * The text before `needle` and the rest of the needle's line, once a whole
   * line is there. The text is decoded straight from the buffer (no copy of
   * a 5 MB dump in between), and a buffer that grew for a big dump goes back
   * to its small size once that dump is taken.
   */
  take(needle: Buffer): { body: string; trailer: string } | undefined {
    const at = this.buf.subarray(0, this.length).indexOf(needle, Math.max(0, this.searched - needle.length));
    if (at < 0) {
      this.searched = this.length;
      return undefined;
    }
    const eol = this.buf.subarray(0, this.length).indexOf(10, at + needle.length);
    if (eol < 0) return undefined;
    const body = this.buf.toString('utf8', 0, at);
    const trailer = this.buf.toString('latin1', at + needle.length, eol);
    const rest = this.length - (eol + 1);
    if (this.buf.length > SMALL && rest <= SMALL) {
      const small = Buffer.alloc(SMALL);
      this.buf.copy(small, 0, eol + 1, this.length);
      this.buf = small;
    } else this.buf.copy(this.buf, 0, eol + 1, this.length);
    this.length = rest;
    this.searched = 0;
    return { body, trailer };
  }

  text(): string {
    return this.buf.toString('utf8', 0, this.length);
  }

  clear(): void {
    this.length = 0;
    this.searched = 0;
  }
}
