import type { SampleKey } from '../../collectors/types.js';
import { formatAge } from '../format.js';
import type { CollectorStatus, CounterState, Store } from '../store.js';

export type Concern = 'none' | 'watch' | 'bad';

/** How many samples of history a row carries; panels show as many as fit. */
export const SPARK_HISTORY = 120;

/** A counter "moved recently" if it changed within this window. */
export const MOVED_WINDOW_MS = 60_000;

export interface StatusLine {
  text: string;
  color: string;
}

export interface SourceStatusModel {
  problem?: CollectorStatus['problem'];
  notes: string[];
  skippedLines: number;
  /**
   * What the panel says about its source: the problem and what to do, how
   * old the data on screen is, notes, unparseable lines. Worded when the
   * model is built, so a panel without a problem does not change (and is
   * not drawn again) as the clock moves.
   */
  lines: StatusLine[];
}

/** Changed within the last minute: what makes a counter stand out. */
export function movedRecently(state: CounterState | undefined, nowMs: number): boolean {
  return state?.lastMovedMs !== undefined && nowMs - state.lastMovedMs <= MOVED_WINDOW_MS;
}

/** A counter as a panel row shows it: value, rate now, rate over the minute, and whether it moved. */
export interface CounterReading {
  value?: bigint;
  perSec?: number;
  perSecMinute?: number;
  moved: boolean;
}

export function readCounter(store: Store, owner: SampleKey<unknown>, name: string, nowMs: number): CounterReading {
  const state = store.counters(owner).get(name);
  const out: CounterReading = { moved: movedRecently(state, nowMs) };
  if (state) out.value = state.value;
  if (state?.perSec !== undefined) out.perSec = state.perSec;
  const minute = store.counterMinuteRate(owner, name);
  if (minute !== undefined) out.perSecMinute = minute;
  return out;
}

/**
 * `hadData`: whether the last good sample showed anything. A sample that
 * held nothing (ethtool before any interface was known) is no data to be
 * "showing from 6 s ago".
 */
export function sourceStatus(store: Store, name: SampleKey<unknown>, nowMs: number, hadData = true): SourceStatusModel {
  const status = store.status(name);
  const out: SourceStatusModel = { notes: status.notes, skippedLines: status.skippedLines, lines: [] };
  if (status.problem) out.problem = status.problem;
  // Not kept in the model: it changes every tick, and the panel shows it only as the age of stale data.
  out.lines = statusLines(out, hadData ? store.sample(name)?.atMs : undefined, nowMs);
  return out;
}

/** Every panel words its source's trouble alike, so "stale" looks the same everywhere. */
function statusLines(status: Omit<SourceStatusModel, 'lines'>, sampleAtMs: number | undefined, nowMs: number): StatusLine[] {
  const lines: StatusLine[] = [];
  if (status.problem) {
    const hint = status.problem.hint ? ` — ${status.problem.hint}` : '';
    const stale = sampleAtMs === undefined ? 'no data yet' : `showing data from ${formatAge(nowMs - sampleAtMs)} ago`;
    lines.push({ text: `⚠ ${status.problem.message}${hint}; ${stale}`, color: 'red' });
  }
  for (const note of status.notes) lines.push({ text: `• ${note}`, color: 'yellow' });
  if (status.skippedLines > 0) {
    lines.push({ text: `• ${status.skippedLines} unparseable line${status.skippedLines === 1 ? '' : 's'} skipped`, color: 'yellow' });
  }
  return lines;
}

/** 'bad' at or above `bad`, 'watch' at or above `watch`. */
export function concernAt(value: number | undefined, watch: number, bad: number): Concern {
  if (value === undefined) return 'none';
  return value >= bad ? 'bad' : value >= watch ? 'watch' : 'none';
}

/** The worst of several concerns: a panel's title takes its worst row's. */
export function worst(...concerns: Concern[]): Concern {
  if (concerns.includes('bad')) return 'bad';
  if (concerns.includes('watch')) return 'watch';
  return 'none';
}

/** The colour of each concern, the same in every panel. */
export const concernColor: Record<Concern, string | undefined> = { none: undefined, watch: 'yellow', bad: 'red' };

/** A line of a panel that lists lines rather than table rows. */
export interface PanelLine {
  key: string;
  text: string;
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
}

/** First row to draw so that `selected` stays visible in `visible` rows. */
export function scrollStart(total: number, selected: number, visible: number): number {
  if (visible <= 0 || total <= visible) return 0;
  const half = Math.floor(visible / 2);
  return Math.max(0, Math.min(total - visible, selected - half));
}

/** The lines of a list that fit, and how many are cut above and below it. */
export interface ListWindow {
  start: number;
  end: number;
  /** Lines cut above: a marker row says so. */
  above: number;
  /** Lines cut below: a marker row says so. */
  below: number;
}

/**
 * Which of `total` lines show in `room` rows, keeping lines `anchor` to
 * `anchorEnd` (the selection) in view. Nothing is cut silently: a marker row
 * takes the place of what is cut above, another of what is cut below.
 */
export function listWindow(total: number, room: number, anchor = 0, anchorEnd = anchor): ListWindow {
  if (total <= room) return { start: 0, end: total, above: 0, below: 0 };
  if (room <= 1) return { start: 0, end: 0, above: 0, below: total };
  const place = (rows: number) => {
    // Around the selection, with its last line in view, and its first when it cannot all show.
    const start = Math.max(0, Math.min(total - rows, anchor, Math.max(scrollStart(total, anchor, rows), anchorEnd - rows + 1)));
    return { start, end: start + rows };
  };
  // One marker first; if lines are cut on both sides, two.
  let { start, end } = place(room - 1);
  if (start > 0 && end < total) ({ start, end } = place(room - 2));
  return { start, end, above: start, below: total - end };
}

/** The marker row of lines cut above or below. */
export const cutMarker = (count: number, where: 'above' | 'below', how: string): string =>
  `${where === 'above' ? '↑' : '↓'} ${count} more line${count === 1 ? '' : 's'} ${where}${how ? ` · ${how}` : ''}`;

/** Columns inside a panel of `width`: border and padding take 4. */
export const innerWidth = (width: number): number => Math.max(10, width - 4);
