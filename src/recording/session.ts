import { join } from 'node:path';
import type { AlertConfig } from '../alerts/types.js';
import type { CounterRecord, SampleRecord } from '../record.js';
import { RECORDING_FORMAT, type RecordingHeader } from './format.js';
import { RecentRecords, RecordingWriter } from './writer.js';

export function recordingHeader(o: { version: string; host: string; kernel: string; target: string; intervalMs: number; config: AlertConfig }): RecordingHeader {
  return { nettriage: 'recording', format: RECORDING_FORMAT, ...o, startedAt: new Date().toISOString() };
}

type Counters = Record<string, CounterRecord>;

/**
 * Every this many records, one with all counters: where `w` starts what it
 * writes, and where a reader of a damaged file picks up again.
 */
export const FULL_EVERY = 60;

/** `nettriage-host-20261127-171500.ndjson`: what `w` names the file it writes. */
export function recentFileName(target: string, nowMs: number): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `nettriage-${target.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${t}.ndjson`;
}

/**
 * What happens to each record besides the screen or stdout: appended to
 * `--record FILE` when asked, and always kept for the last 15 minutes so
 * that `w` can write them after the fact.
 */
export class RecordingSession {
  private readonly writer: RecordingWriter | undefined;
  private readonly recent = new RecentRecords();
  /** Counter values as of the last record, to write only those that moved. */
  private last: Map<string, string> | undefined;
  /** `addTick`: the store tick of the last record with counters (the next lists what moved from it on). */
  private lastTick: number | undefined;
  private counted = 0;

  /** Throws a PrivateFileError when FILE cannot be created safely. */
  constructor(
    private readonly header: RecordingHeader,
    file?: string,
    maxBytes?: number,
  ) {
    if (file !== undefined) this.writer = new RecordingWriter(file, header, maxBytes);
  }

  add(record: SampleRecord): void {
    const counters = typeof record.counters === 'object' && !('error' in record.counters) ? (record.counters as Counters) : undefined;
    const full = counters === undefined || this.last === undefined || this.counted % FULL_EVERY === 0;
    this.counted++;
    const json = full ? JSON.stringify(record) : JSON.stringify({ ...record, counters: this.moved(counters), countersDelta: true });
    this.last = counters && new Map(Object.entries(counters).map(([name, c]) => [name, String(c.value)]));
    this.keep(record.time, json, full, () => JSON.stringify(record));
  }

  /**
   * A store tick's record (`tick`: the store's `ticks` after it), built by
   * `build` with only the counters that moved since the previous one
   * (`countersMovedSinceTick`) when that is all this line needs: most of ~400
   * counters do not move, and the screen keeps a record of every tick for
   * `w` (building and writing all of them was a third of a quiet tick there).
   */
  addTick(tick: number, build: (countersMovedSinceTick?: number) => SampleRecord): void {
    const full = this.lastTick === undefined || this.counted % FULL_EVERY === 0;
    this.counted++;
    const record = build(full ? undefined : this.lastTick);
    const usable = typeof record.counters === 'object' && !('error' in record.counters);
    this.lastTick = usable ? tick : undefined;
    const json = full || !usable ? JSON.stringify(record) : JSON.stringify({ ...record, countersDelta: true });
    this.keep(record.time, json, full || !usable, () => JSON.stringify(build()));
  }

  private keep(time: string, json: string, full: boolean, whole: () => string): void {
    this.writer?.append(json, full ? () => json : whole);
    this.recent.add(Date.parse(time), json, full);
  }

  /** The counters whose value moved since the last record: ~400 counters are most of a record, and few move. */
  private moved(counters: Counters): Counters {
    return Object.fromEntries(Object.entries(counters).filter(([name, c]) => this.last?.get(name) !== String(c.value)));
  }

  /** Why `--record` stopped, when it did (a full disk). */
  get failed(): string | undefined {
    return this.writer?.failed;
  }

  /** `w`: the last 15 minutes into a new private file in `dir`. */
  writeRecent(dir: string, nowMs = Date.now()): { path: string; records: number; spanMs: number } {
    const path = join(dir, recentFileName(this.header.target, nowMs));
    return { path, ...this.recent.writeTo(path, { ...this.header, startedAt: new Date(nowMs).toISOString() }, nowMs) };
  }

  /** The last 15 minutes as a recording's text, for a bundle. */
  recentText(nowMs = Date.now()): string | undefined {
    return this.recent.text({ ...this.header, startedAt: new Date(nowMs).toISOString() }, nowMs);
  }

  close(): void {
    this.writer?.close();
  }
}
