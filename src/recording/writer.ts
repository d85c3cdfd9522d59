import { closeSync, renameSync, writeSync } from 'node:fs';
import type { RecordingHeader } from './format.js';
import { createPrivateFile } from './privateFile.js';

/** Sizes as `--record-max` takes them: bytes, or with k, M, G (powers of 1024). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

/** At one sample a second, ~3 KB each: about six hours before the one rotation. */
export const DEFAULT_RECORD_MAX_BYTES = 64 * 1024 ** 2;

/**
 * Appends records to a recording, the header first. When the file would
 * pass `maxBytes` it is renamed to FILE.1 (the one kept before it goes) and
 * a new FILE begins with the header again: at most twice `maxBytes` on disk,
 * each file playable on its own.
 */
export class RecordingWriter {
  private fd: number;
  private bytes = 0;
  private records = 0;
  /** Set when a write failed: recording stopped, and why. */
  failed?: string;

  constructor(
    private readonly path: string,
    private readonly header: RecordingHeader,
    private readonly maxBytes = DEFAULT_RECORD_MAX_BYTES,
  ) {
    this.fd = createPrivateFile(path);
    this.writeLine(JSON.stringify(header));
  }

  /** `full` gives the record whole: the first record of a file (after the header) must not depend on one before it. */
  append(recordJson: string, full: () => string = () => recordJson): void {
    if (this.failed !== undefined) return;
    try {
      if (this.bytes + recordJson.length + 1 > this.maxBytes) this.rotate();
      this.writeLine(this.records === 0 ? full() : recordJson);
      this.records++;
    } catch (error) {
      this.failed = `recording to ${this.path} stopped: ${(error as Error).message}`;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private rotate(): void {
    closeSync(this.fd);
    this.fd = -1;
    // rename replaces whatever is at FILE.1 (a link too) without following it.
    renameSync(this.path, `${this.path}.1`);
    this.fd = createPrivateFile(this.path);
    this.bytes = 0;
    this.records = 0;
    this.writeLine(JSON.stringify({ ...this.header, rotatedAt: new Date().toISOString() }));
  }

  private writeLine(text: string): void {
    const buf = Buffer.from(`${text}\n`, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.bytes += buf.length;
  }
}

/**
 * The last `keepMs` of records, as their JSON lines, for `w` ("I wish I had
 * been recording"): written out after the fact with the same header.
 */
export class RecentRecords {
  private lines: { atMs: number; json: string; full: boolean }[] = [];

  constructor(private readonly keepMs = 15 * 60_000) {}

  add(atMs: number, json: string, full = true): void {
    this.lines.push({ atMs, json, full });
    // Whole minutes go at once, so the copy is rare.
    const first = this.lines[0];
    if (first && atMs - first.atMs > this.keepMs + 60_000) this.lines = this.lines.filter((l) => atMs - l.atMs <= this.keepMs);
  }

  /** The kept lines from the first whole record on (a file of them must not start with a delta). */
  private playable(nowMs: number): { atMs: number; json: string; full: boolean }[] {
    const kept = this.lines.filter((l) => nowMs - l.atMs <= this.keepMs);
    const start = kept.findIndex((l) => l.full);
    return start < 0 ? [] : kept.slice(start);
  }

  /** The recording as text (header first), for a bundle; undefined before the first whole record. */
  text(header: RecordingHeader, nowMs = Date.now()): string | undefined {
    const lines = this.playable(nowMs);
    return lines.length === 0 ? undefined : `${[JSON.stringify(header), ...lines.map((l) => l.json)].join('\n')}\n`;
  }

  /** Writes them, from the first whole record, to a new private file; returns how many and the span they cover. */
  writeTo(path: string, header: RecordingHeader, nowMs = Date.now()): { records: number; spanMs: number } {
    const lines = this.playable(nowMs);
    if (lines.length === 0) throw new Error('no samples kept yet');
    const writer = new RecordingWriter(path, header, Number.POSITIVE_INFINITY);
    try {
      for (const l of lines) writer.append(l.json);
      if (writer.failed) throw new Error(writer.failed);
    } finally {
      writer.close();
    }
    return { records: lines.length, spanMs: (lines[lines.length - 1]?.atMs ?? 0) - (lines[0]?.atMs ?? 0) };
  }
}
