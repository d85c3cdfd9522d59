import stringWidth from 'string-width';

/**
 * A terminal that understands what the screen writer sends — cursor
 * positioning, clear, erase to end of line, SGR, text — and nothing else:
 * anything unexpected throws, so a test sees exactly what a terminal would
 * show after the bytes, and that no other control sequence got through.
 */
export class VirtualTerminal {
  readonly chars: string[];
  readonly styles: string[];
  private row = 0;
  private col = 0;
  private style = '';

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    this.chars = new Array<string>(columns * rows).fill(' ');
    this.styles = new Array<string>(columns * rows).fill('');
  }

  feed(bytes: string): void {
    for (let i = 0; i < bytes.length; ) {
      if (bytes[i] === '\x1b') {
        const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(bytes.slice(i, i + 32));
        if (!m) throw new Error(`unexpected escape at ${i}: ${JSON.stringify(bytes.slice(i, i + 12))}`);
        this.control(m[1] ?? '', m[2] ?? '');
        i += m[0].length;
        continue;
      }
      const cp = bytes.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) throw new Error(`control character ${cp} written raw`);
      const w = stringWidth(ch);
      if (w === 0) {
        this.chars[this.row * this.columns + this.col - 1] += ch;
        continue;
      }
      this.put(ch);
      if (w === 2) this.put('');
    }
  }

  text(): string {
    const lines: string[] = [];
    for (let r = 0; r < this.rows; r++) lines.push(this.chars.slice(r * this.columns, (r + 1) * this.columns).join('').trimEnd());
    return lines.join('\n');
  }

  private put(ch: string): void {
    if (this.col >= this.columns) throw new Error(`wrote past the right edge on row ${this.row}`);
    this.chars[this.row * this.columns + this.col] = ch;
    this.styles[this.row * this.columns + this.col] = this.style;
    this.col++;
  }

  private control(params: string, final: string): void {
    switch (final) {
      case 'H': {
        const [r, c] = params.split(';').map((n) => Number(n || 1));
        this.row = (r ?? 1) - 1;
        this.col = (c ?? 1) - 1;
        if (this.row >= this.rows || this.col >= this.columns) throw new Error(`cursor moved off screen: ${params}`);
        return;
      }
      case 'J':
        if (params !== '2') throw new Error(`unexpected erase ${params}J`);
        this.chars.fill(' ');
        this.styles.fill('');
        return;
      case 'K':
        for (let c = this.col; c < this.columns; c++) {
          this.chars[this.row * this.columns + c] = ' ';
          this.styles[this.row * this.columns + c] = this.style;
        }
        return;
      case 'm':
        this.style = params === '0' || params === '' ? '' : params.replace(/^0;/, '');
        return;
      default:
        throw new Error(`unexpected control sequence ${params}${final}`);
    }
  }
}
