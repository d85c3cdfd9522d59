import { renderToString } from 'ink';
import type { ReactElement } from 'react';
import { type Cells, blankCells, sgr, textToCells } from './cells.js';
import { sameProps } from './sameProps.js';

interface RegionRect {
  /** Stable across frames: the cache of what it drew is kept under it. */
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A rectangle of the screen and what fills it: an Ink element, or lines of
 * text already styled (SGR) — for what changes every tick and is plain text,
 * such as a sparkline, where an Ink render of the panel around it would cost
 * milliseconds for one new cell.
 */
export type Region = RegionRect & ({ element: ReactElement; lines?: undefined } | { lines: string[]; element?: undefined });

/** Styled lines at a position relative to something else (a sparkline column inside its panel). */
export interface TextBlock {
  x: number;
  y: number;
  width: number;
  lines: string[];
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
  /** A second frame of the front's size and content: painted into, then swapped with it. */
  private spare: Cells | undefined;
  private readonly drawn = new Map<string, Drawn>();
  /** Regions whose cells changed since the last flush. */
  private readonly changed = new Set<string>();
  /** Where the regions were at the last flush. */
  private layout = '';
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
    this.spare = undefined;
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

  /**
   * Draws what was presented, now. When the regions are where they were,
   * only those whose content changed are painted again (with whatever lies
   * on top of them) and only their rows are compared: a tick that changes
   * the header touches one row, not the 12,000 cells of a 200x60 frame.
   */
  flush(): void {
    const regions = this.pending;
    if (!regions) return;
    this.pending = undefined;
    const { columns, rows } = this.currentSize;
    const layout = regions.map((r) => `${r.id}@${r.x},${r.y},${r.width}x${r.height}`).join('|');
    const cells = regions.map((r) => this.cellsOf(r));
    const seen = new Set(regions.map((r) => r.id));
    for (const id of this.drawn.keys()) if (!seen.has(id)) this.drawn.delete(id);
    const front = this.front;
    let back: Cells;
    let fromRow = 0;
    let toRow = rows;
    if (!front || layout !== this.layout || front.width !== columns || front.height !== rows) {
      back = blankCells(columns, rows);
      regions.forEach((region, i) => paintInto(back, region, cells[i] as Cells));
    } else {
      const dirty = regions.map((_, i) => this.changed.has(regions[i]?.id ?? ''));
      if (!dirty.includes(true)) return;
      fromRow = rows;
      toRow = 0;
      regions.forEach((region, i) => {
        if (!dirty[i]) return;
        // Whatever lies on top of a changed region is painted again over it.
        for (let j = i + 1; j < regions.length; j++) if (overlaps(region, regions[j] as Region)) dirty[j] = true;
      });
      regions.forEach((region, i) => {
        if (!dirty[i]) return;
        fromRow = Math.min(fromRow, Math.max(0, region.y));
        toRow = Math.max(toRow, Math.min(rows, region.y + region.height));
      });
      // Painted into the spare frame, equal to the front: no copy of the 12,000 cells of a
      // 200x60 frame each tick, where the sparklines change a dozen rows.
      back = this.spare && this.spare.width === columns && this.spare.height === rows ? this.spare : { ...front, chars: front.chars.slice(), styles: front.styles.slice() };
      regions.forEach((region, i) => {
        if (dirty[i]) paintInto(back, region, cells[i] as Cells);
      });
    }
    this.changed.clear();
    this.layout = layout;
    const out = diff(front, back, fromRow, toRow);
    // The frames swap: the old front, brought up to date on the rows that changed, is the next spare.
    if (front && front !== back && front.width === columns && front.height === rows) {
      copyRows(back, front, fromRow, toRow);
      this.spare = front;
    } else this.spare = undefined;
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

  /** The region's cells: from the cache while it shows the same thing at the same size (its position does not matter). */
  private cellsOf(region: Region): Cells {
    const previous = this.drawn.get(region.id);
    const p = previous?.region;
    if (previous && p && p.width === region.width && p.height === region.height && sameContent(p, region)) return previous.cells;
    let cells: Cells;
    if (region.element) {
      this.renderedRegions++;
      cells = textToCells(renderToString(region.element, { columns: region.width }), region.width, region.height);
    } else cells = textToCells(region.lines.join('\n'), region.width, region.height);
    this.drawn.set(region.id, { region, cells });
    this.changed.add(region.id);
    return cells;
  }
}

/** Rows [fromRow, toRow) of `from` into `to` (frames of one size). */
function copyRows(from: Cells, to: Cells, fromRow: number, toRow: number): void {
  const start = fromRow * from.width;
  const end = toRow * from.width;
  for (let i = start; i < end; i++) {
    to.chars[i] = from.chars[i] as string;
    to.styles[i] = from.styles[i] as string;
  }
}

function paintInto(back: Cells, region: Region, cells: Cells): void {
  const { width: columns, height: rows } = back;
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

function overlaps(a: Region, b: Region): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function sameContent(a: Region, b: Region): boolean {
  if (a.element && b.element) return a.element.type === b.element.type && sameProps(a.element.props, b.element.props);
  return a.lines !== undefined && b.lines !== undefined && sameProps(a.lines, b.lines);
}

/**
 * The bytes that turn `front` into `back`: for each row, runs of changed
 * cells (short unchanged gaps inside a run are rewritten rather than jumped
 * over) at absolute positions, a style change only where the style changes,
 * and an erase-to-end instead of trailing blanks.
 */
export function diff(front: Cells | undefined, back: Cells, fromRow = 0, toRow = back.height): string {
  const { width, height, chars, styles } = back;
  const whole = front === undefined || front.width !== width || front.height !== height;
  const parts: string[] = whole ? ['\x1b[0m\x1b[H\x1b[2J'] : [];
  // Every write ends in the default style, so the next one starts from it.
  let current = '';
  // After a clear every cell is a blank: only the others need writing.
  const changed = (i: number) => (whole ? chars[i] !== ' ' || styles[i] !== '' : front.chars[i] !== chars[i] || front.styles[i] !== styles[i]);
  for (let r = whole ? 0 : fromRow; r < (whole ? height : toRow); r++) {
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
