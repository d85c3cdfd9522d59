import type { AlertConfig } from '../alerts/types.js';
import { RECORD_VERSION, type SampleRecord } from '../record.js';

/** Bumped when a recording's header or line layout changes meaning; records carry their own `v`. */
export const RECORDING_FORMAT = 1;

/** The first line of a recording: what was watched, how, and with which thresholds. */
export interface RecordingHeader {
  nettriage: 'recording';
  format: typeof RECORDING_FORMAT;
  version: string;
  host: string;
  kernel: string;
  target: string;
  intervalMs: number;
  /** The alert thresholds in force while recording (a replay may judge with others). */
  config: AlertConfig;
  startedAt: string;
}

export interface Recording {
  header: RecordingHeader;
  records: SampleRecord[];
  /** What could not be read, by line number: the valid part still plays. */
  problems: string[];
}

export class RecordingError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A recording's text: its header, then one `--json` record a line (those
 * marked `countersDelta` list only the counters that moved since the line
 * before; every 60th, and the first of a file, lists them all). A file
 * that does not start with a header is not a recording (RecordingError); a
 * newer format is refused with the version that wrote it; a line that does
 * not parse (a truncated last line after a crash, a torn write) or a record
 * of a newer layout is skipped and said, and the rest plays.
 */
export function parseRecording(text: string): Recording {
  const lines = text.split('\n');
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    throw new RecordingError('not a nettriage recording: its first line is not a recording header');
  }
  if (!isObject(header) || header.nettriage !== 'recording') throw new RecordingError('not a nettriage recording: its first line is not a recording header');
  if (typeof header.format !== 'number' || header.format > RECORDING_FORMAT) {
    throw new RecordingError(`recording format ${String(header.format)} (from nettriage ${String(header.version)}) is newer than this nettriage reads (${RECORDING_FORMAT}): upgrade to replay it`);
  }
  if (typeof header.intervalMs !== 'number' || typeof header.target !== 'string') throw new RecordingError('the recording header lacks its target or interval');
  const records: SampleRecord[] = [];
  const problems: string[] = [];
  let newer = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      problems.push(i === lines.length - 1 ? `line ${i + 1}: cut short (the recording was interrupted); left out` : `line ${i + 1}: not JSON; left out`);
      continue;
    }
    if (!isObject(record) || typeof record.time !== 'string' || Number.isNaN(Date.parse(record.time))) {
      problems.push(`line ${i + 1}: not a sample record; left out`);
      continue;
    }
    if (typeof record.v !== 'number' || record.v > RECORD_VERSION) {
      newer++;
      continue;
    }
    // A record that lists only the counters that moved carries the others over from the one before.
    if (record.countersDelta === true) {
      const before = records[records.length - 1]?.counters;
      if (!before || 'error' in before) {
        problems.push(`line ${i + 1}: its counters build on a record that is missing; left out`);
        continue;
      }
      const { countersDelta: _, ...rest } = record;
      record = { ...rest, counters: { ...before, ...(rest.counters as object) } };
    }
    records.push(record as unknown as SampleRecord);
  }
  if (newer > 0) problems.push(`${newer} record${newer === 1 ? '' : 's'} of a newer layout than ${RECORD_VERSION}; left out`);
  return { header: header as unknown as RecordingHeader, records, problems };
}
