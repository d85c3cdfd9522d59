import { renderToString } from 'ink';
import type { ReactElement } from 'react';
import { type Cells, blankCells, sgr, textToCells } from './cells.js';
import { sameProps } from './sameProps.js';

/** A rectangle of the screen and the Ink element that draws it. */
export interface Region {
  /** Stable across frames: the cache of what it drew is kept under it. */
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  element: ReactElement;
}

export interface ScreenSize {
  columns: number;
  rows: number;
}

interface Drawn {
  region: Region;
  cells: Cells;
}

/** Unchanged cells between two changed ones that are rewritten rather than jumped over (a jump costs ~8 bytes). */
const GAP = 6;

/**
 * The terminal as a grid of cells, and the only writer to it. Each region is
 * drawn by Ink (`renderToString`) only when its element's props changed —
 * Ink's renderer costs ~3 µs a cell, 35 ms for a whole 200x60 frame, so a
 * clock tick must not redraw twelve panels — and the frame is composed from
 * the cached regions. What reaches the terminal is the difference from the
 * previous frame, cell by cell, at absolute positions: a sample that changes
 * one number writes a dozen bytes, and no relative cursor motion can leave
 * a stale line behind. A resize repaints everything.
 */
export class Screen {
  private front: Cells | undefined;
  private readonly drawn = new Map<string, Drawn>();
  private pending: Region[] | undefined;
  private scheduled = false;
  private readonly resizeListeners = new Set<(size: ScreenSize) => void>();
  /** Regions drawn by Ink so far (tests, and the cost of a frame). */
  renderedRegions = 0;
  /** Bytes written so far. */
  bytesWritten = 0;

  constructor(
    private readonly write: (text: string) => void,
    private currentSize: ScreenSize,
  ) {}

  get size(): ScreenSize {
    return this.currentSize;
  }

  /** A new terminal size: everything is drawn and written again. */
  resize(size: ScreenSize): void {
    if (size.columns === this.currentSize.columns && size.rows === this.currentSize.rows) return;
    this.currentSize = size;
    this.front = undefined;
    this.drawn.clear();
    for (const l of this.resizeListeners) l(size);
  }

  onResize(listener: (size: ScreenSize) => void): () => void {
    this.resizeListeners.add(listener);
    return () => this.resizeListeners.delete(listener);
  }

  /**
   * The regions to show, later ones on top. The work happens once the
   * current task is done: React may still be committing, and several
   * presents in a row cost one frame.
   */
  present(regions: Region[]): void {
    this.pending = regions;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Draws what was presented, now. */
  flush(): void {
    const regions = this.pending;
    if (!regions) return;
    this.pending = undefined;
    const { columns, rows } = this.currentSize;
    const back = blankCells(columns, rows);
    const seen = new Set<string>();
    for (const region of regions) {
      seen.add(region.id);
      const cells = this.cellsOf(region);
      for (let r = 0; r < cells.height; r++) {
        const y = region.y + r;
        if (y < 0 || y >= rows) continue;
        for (let c = 0; c < cells.width; c++) {
          const x = region.x + c;
          if (x < 0 || x >= columns) continue;
          back.chars[y * columns + x] = cells.chars[r * cells.width + c] ?? ' ';
          back.styles[y * columns + x] = cells.styles[r * cells.width + c] ?? '';
        }
      }
    }
    for (const id of this.drawn.keys()) if (!seen.has(id)) this.drawn.delete(id);
    const out = diff(this.front, back);
    this.front = back;
    if (out !== '') {
      this.bytesWritten += Buffer.byteLength(out);
      this.write(out);
    }
  }

  /** What the terminal shows, as text: one line a row, trailing blanks trimmed. */
  text(): string {
    const front = this.front;
    if (!front) return '';
    const lines: string[] = [];
    for (let r = 0; r < front.height; r++) lines.push(front.chars.slice(r * front.width, (r + 1) * front.width).join('').trimEnd());
    return lines.join('\n');
  }

  private cellsOf(region: Region): Cells {
    const previous = this.drawn.get(region.id);
    const p = previous?.region;
    if (
      previous &&
      p &&
      p.x === region.x &&
      p.y === region.y &&
      p.width === region.width &&
      p.height === region.height &&
      p.element.type === region.element.type &&
      sameProps(p.element.props, region.element.props)
    ) {
      return previous.cells;
    }
    this.renderedRegions++;
    const cells = textToCells(renderToString(region.element, { columns: region.width }), region.width, region.height);
    this.drawn.set(region.id, { region, cells });
    return cells;
  }
}

/**
 * The bytes that turn `front` into `back`: for each row, runs of changed
 * cells (short unchanged gaps inside a run are rewritten rather than jumped
 * over) at absolute positions, a style change only where the style changes,
 * and an erase-to-end instead of trailing blanks.
 */
export function diff(front: Cells | undefined, back: Cells): string {
  const { width, height, chars, styles } = back;
  const whole = front === undefined || front.width !== width || front.height !== height;
  const parts: string[] = whole ? ['\x1b[0m\x1b[H\x1b[2J'] : [];
  // Every write ends in the default style, so the next one starts from it.
  let current = '';
  // After a clear every cell is a blank: only the others need writing.
  const changed = (i: number) => (whole ? chars[i] !== ' ' || styles[i] !== '' : front.chars[i] !== chars[i] || front.styles[i] !== styles[i]);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    // Where this row's content ends: beyond it, blanks that an erase can write.
    let end = width;
    while (end > 0 && chars[row + end - 1] === ' ' && styles[row + end - 1] === '') end--;
    let c = 0;
    while (c < width) {
      if (!changed(row + c)) {
        c++;
        continue;
      }
      let start = c;
      let last = c;
      for (let k = c + 1; k < width && k - last <= GAP; k++) if (changed(row + k)) last = k;
      // Never start on the second half of a wide character, nor stop on its first.
      if (start > 0 && chars[row + start] === '') start--;
      if (last + 1 < width && chars[row + last + 1] === '') last++;
      parts.push(`\x1b[${r + 1};${start + 1}H`);
      const stop = Math.min(last + 1, end);
      for (let k = start; k < stop; k++) {
        const style = styles[row + k] ?? '';
        if (style !== current) {
          parts.push(sgr(style));
          current = style;
        }
        parts.push(chars[row + k] ?? ' ');
      }
      if (last + 1 > end) {
        // What remains of the row is blank: erase it (in the default colours) instead of writing it.
        if (current !== '') {
          parts.push(sgr(''));
          current = '';
        }
        parts.push('\x1b[K');
        break;
      }
      c = last + 1;
    }
  }
  if (current !== '') parts.push(sgr(''));
  return parts.join('');
}
