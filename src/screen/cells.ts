import stringWidth from '../textWidth.js';

/**
 * A rectangle of terminal cells: one character (or grapheme) and one style
 * per cell, row after row. A wide character takes two cells, the second
 * holding ''. Styles are SGR parameter strings in one canonical order
 * (`1;31`, `7`, '' for none), so two cells look alike exactly when their
 * strings are equal.
 */
export interface Cells {
  width: number;
  height: number;
  chars: string[];
  styles: string[];
}

export function blankCells(width: number, height: number): Cells {
  const n = Math.max(0, width * height);
  return { width, height, chars: new Array<string>(n).fill(' '), styles: new Array<string>(n).fill('') };
}

interface Sgr {
  fg: string;
  bg: string;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  strike: boolean;
}

const plain = (): Sgr => ({ fg: '', bg: '', bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false });

function styleKey(s: Sgr): string {
  const parts: string[] = [];
  if (s.bold) parts.push('1');
  if (s.dim) parts.push('2');
  if (s.italic) parts.push('3');
  if (s.underline) parts.push('4');
  if (s.inverse) parts.push('7');
  if (s.strike) parts.push('9');
  if (s.fg) parts.push(s.fg);
  if (s.bg) parts.push(s.bg);
  return parts.join(';');
}

/** Applies one SGR sequence's parameters (`1;31`, `38;5;208`, `0`) to a style. */
function applySgr(style: Sgr, params: string): void {
  const p = params === '' ? [0] : params.split(';').map((x) => (x === '' ? 0 : Number(x)));
  for (let i = 0; i < p.length; i++) {
    const n = p[i] ?? 0;
    if (n === 0) Object.assign(style, plain());
    else if (n === 1) style.bold = true;
    else if (n === 2) style.dim = true;
    else if (n === 22) style.bold = style.dim = false;
    else if (n === 3) style.italic = true;
    else if (n === 23) style.italic = false;
    else if (n === 4) style.underline = true;
    else if (n === 24) style.underline = false;
    else if (n === 7) style.inverse = true;
    else if (n === 27) style.inverse = false;
    else if (n === 9) style.strike = true;
    else if (n === 29) style.strike = false;
    else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) style.fg = String(n);
    else if (n === 39) style.fg = '';
    else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) style.bg = String(n);
    else if (n === 49) style.bg = '';
    else if (n === 38 || n === 48) {
      // 38;5;N or 38;2;R;G;B
      const len = p[i + 1] === 5 ? 2 : p[i + 1] === 2 ? 4 : 0;
      const value = p.slice(i, i + 1 + len).join(';');
      if (n === 38) style.fg = value;
      else style.bg = value;
      i += len;
    }
  }
}

const widths = new Map<number, number>();
function charWidth(code: number, char: string): number {
  if (code >= 0x20 && code < 0x7f) return 1;
  let w = widths.get(code);
  if (w === undefined) {
    w = stringWidth(char);
    widths.set(code, w);
  }
  return w;
}

/**
 * One line as Ink renders it — text with SGR escapes — laid into exactly
 * `width` cells (padded with blanks, cut at the edge). Any other escape or
 * control character is dropped: whatever a panel failed to sanitise, the
 * terminal never receives it raw.
 */
export function lineToCells(line: string, width: number, into: Cells, row: number): void {
  const style = plain();
  let key = '';
  let col = 0;
  const base = row * into.width;
  for (let i = 0; i < line.length && col <= width; ) {
    const code = line.charCodeAt(i);
    if (code === 0x1b) {
      if (line[i + 1] === '[') {
        let j = i + 2;
        while (j < line.length && !(line.charCodeAt(j) >= 0x40 && line.charCodeAt(j) <= 0x7e)) j++;
        if (line[j] === 'm') {
          applySgr(style, line.slice(i + 2, j));
          key = styleKey(style);
        }
        i = j + 1;
      } else if (line[i + 1] === ']') {
        // OSC: up to BEL or ST.
        let j = i + 2;
        while (j < line.length && line.charCodeAt(j) !== 0x07 && !(line[j] === '\x1b' && line[j + 1] === '\\')) j++;
        i = line[j] === '\x07' ? j + 1 : j + 2;
      } else i += 2;
      continue;
    }
    const cp = line.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(cp);
    i += char.length;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    const w = charWidth(cp, char);
    if (w === 0) {
      // A combining mark belongs to the character before it.
      if (col > 0) into.chars[base + col - 1] += char;
      continue;
    }
    if (col + w > width) break;
    into.chars[base + col] = char;
    into.styles[base + col] = key;
    if (w === 2) {
      into.chars[base + col + 1] = '';
      into.styles[base + col + 1] = key;
    }
    col += w;
  }
  for (; col < width; col++) {
    into.chars[base + col] = ' ';
    into.styles[base + col] = '';
  }
}

/** A rendered block of lines (Ink's output) as cells of a fixed size. */
export function textToCells(text: string, width: number, height: number): Cells {
  const cells = blankCells(width, height);
  const lines = text.split('\n');
  for (let r = 0; r < height; r++) lineToCells(lines[r] ?? '', width, cells, r);
  return cells;
}

/** The SGR sequence that switches the terminal to a style from any other. */
export function sgr(style: string): string {
  return style === '' ? '\x1b[0m' : `\x1b[0;${style}m`;
}
