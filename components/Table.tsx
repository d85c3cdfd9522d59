import { Text } from 'ink';
import { padEnd, padStart, truncate } from '../src/format.js';
import { type ListWindow, cutMarker, listWindow } from '../src/panels/common.js';

/** A column: its header, width and alignment, and how a row fills it. */
export interface TableColumn<R> {
  header: string;
  /** Columns; the last may be `Infinity`: it takes what is left of the line. */
  width: number;
  align?: 'right';
  cell(row: R): string;
}

/** A column that may go when the terminal is narrow: the highest priority goes first, 0 never. */
export interface FitColumn<R> extends TableColumn<R> {
  priority: number;
}

/** The columns that fit in `width`, least important dropped first; the order stays. */
export function fitColumns<R>(all: readonly FitColumn<R>[], width: number): FitColumn<R>[] {
  const kept = [...all];
  const used = () => kept.reduce((n, c) => n + (Number.isFinite(c.width) ? c.width : 0) + 1, 0);
  while (used() > width) {
    const drop = kept.reduce((worst, c) => (c.priority > worst.priority ? c : worst), kept[0]!);
    if (drop.priority === 0) break;
    kept.splice(kept.indexOf(drop), 1);
  }
  return kept;
}

/** Cells padded to their columns, one space apart. */
export function columnLine(columns: readonly Pick<TableColumn<unknown>, 'width' | 'align'>[], cells: readonly string[]): string {
  return columns
    .map((c, i) => {
      const text = cells[i] ?? '';
      if (!Number.isFinite(c.width)) return text;
      return c.align === 'right' ? padStart(text, c.width) : padEnd(text, c.width);
    })
    .join(' ');
}

/** Two columns at the left of every row: the selection marker, or room for it. */
export const marker = (selected: boolean): string => (selected ? '› ' : '  ');

export interface RowStyle {
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
}

export interface TableProps<R> {
  columns: readonly TableColumn<R>[];
  rows: readonly R[];
  rowKey(row: R): string;
  selected: number;
  /** The selection shows (marker, inverse) only while the table has the keyboard. */
  focused: boolean;
  /** Rows that fit, markers included; the window scrolls to keep the selected row in it. */
  visible: number;
  /** The rows on screen, when the caller also places something over them (sparklines). */
  window?: ListWindow;
  /** How to see the rows a marker stands for (`z zoom`). */
  more?: string;
  /** Inner width of the panel: every line is cut to it. */
  width: number;
  header?: boolean;
  /** Said after the column headers (`history`, where the data comes from). */
  headerSuffix?: string;
  rowStyle?(row: R): RowStyle;
  /** What a selected row shows inverse: its first column (beside coloured cells) or the whole row. */
  inverse?: 'first' | 'row';
  /** Blank columns at the end of each row, where the screen draws sparklines. */
  trailing?: number;
}

/**
 * The rows of a table that fit, with a column header, scrolled to the
 * selection: the one way panels lay out columns, so padding and the
 * selection look the same everywhere.
 */
export function Table<R>({ columns, rows, rowKey, selected, focused, visible, window, more = '', width, header = true, headerSuffix = '', rowStyle, inverse = 'first', trailing = 0 }: TableProps<R>) {
  const shown = window ?? listWindow(rows.length, visible, selected);
  const start = shown.start;
  const [first, ...rest] = columns;
  const tail = trailing > 0 ? ` ${' '.repeat(trailing)}` : '';
  return (
    <>
      {header ? (
        <Text dimColor wrap="truncate-end">
          {truncate(`  ${columnLine(columns, columns.map((c) => c.header))}${headerSuffix}`, width)}
        </Text>
      ) : null}
      {shown.above > 0 ? (
        <Text dimColor wrap="truncate-end">
          {truncate(`  ${cutMarker(shown.above, 'above', more)}`, width)}
        </Text>
      ) : null}
      {rows.slice(start, shown.end).map((row, i) => {
        const isSelected = focused && start + i === selected;
        const style = rowStyle?.(row) ?? {};
        const cells = columns.map((c) => c.cell(row));
        if (inverse === 'row' || !first) {
          return (
            <Text key={rowKey(row)} wrap="truncate-end" color={style.color} bold={style.bold} dimColor={style.dim} inverse={isSelected}>
              {truncate(`${marker(isSelected)}${columnLine(columns, cells)}${tail}`, width)}
            </Text>
          );
        }
        return (
          <Text key={rowKey(row)} wrap="truncate-end" color={style.color} bold={style.bold} dimColor={style.dim}>
            <Text inverse={isSelected}>
              {marker(isSelected)}
              {columnLine([first], [cells[0] ?? ''])}
            </Text>{' '}
            {columnLine(rest, cells.slice(1))}
            {tail}
          </Text>
        );
      })}
      {shown.below > 0 ? (
        <Text dimColor wrap="truncate-end">
          {truncate(`  ${cutMarker(shown.below, 'below', more)}`, width)}
        </Text>
      ) : null}
    </>
  );
}
