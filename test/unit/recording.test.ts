import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { COUNTERS } from '../../collectors/counters.js';
import { type SampleRecord, buildRecord } from '../../src/record.js';
import { Store } from '../../src/store.js';
import { parseRecording } from '../../src/recording/format.js';
import { FULL_EVERY, RecordingSession, recordingHeader } from '../../src/recording/session.js';
import { RecordingWriter, parseSize } from '../../src/recording/writer.js';

const header = recordingHeader({ version: '0.1.0', host: 'h', kernel: 'k', target: 'host', intervalMs: 1000, config: defaultAlertConfig() });
const record = (i: number, counters: Record<string, number>): SampleRecord =>
  ({
    v: 1,
    time: new Date(1_000_000 + i * 1000).toISOString(),
    target: 'host',
    intervalMs: 1000,
    counters: Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, { value: v, rate: null }])),
    alerts: [],
  }) as unknown as SampleRecord;

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const tmp = () => (dir = mkdtempSync(join(tmpdir(), 'nt-rec-unit-')));

describe('a recording', () => {
  it('reads sizes as --record-max takes them', () => {
    expect(parseSize('64M')).toBe(64 * 1024 ** 2);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('500k')).toBe(500 * 1024);
    expect(parseSize('1.5MiB')).toBe(1.5 * 1024 ** 2);
    expect(parseSize('4096')).toBe(4096);
    for (const bad of ['', 'M', '-1M', '10T', '0']) expect(parseSize(bad), bad).toBeUndefined();
  });

  it('writes only the counters that moved, and reads them back whole', () => {
    const file = join(tmp(), 'r.ndjson');
    const session = new RecordingSession(header, file);
    session.add(record(0, { A: 1, B: 7 }));
    session.add(record(1, { A: 2, B: 7 }));
    session.add(record(2, { A: 3, B: 8 }));
    session.close();
    const raw = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { counters?: object; countersDelta?: boolean });
    expect(raw[1]?.countersDelta).toBeUndefined();
    expect(raw[2]).toMatchObject({ countersDelta: true, counters: { A: { value: 2 } } });
    expect(Object.keys(raw[2]?.counters ?? {})).toEqual(['A']);
    const { records, problems } = parseRecording(readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(records.map((r) => Object.fromEntries(Object.entries(r.counters).map(([k, c]) => [k, (c as { value: number }).value])))).toEqual([
      { A: 1, B: 7 },
      { A: 2, B: 7 },
      { A: 3, B: 8 },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('builds a tick’s record with only the counters that moved since the last, and reads it back whole', () => {
    const file = join(tmp(), 'r.ndjson');
    const session = new RecordingSession(header, file);
    const store = new Store();
    const builds: (number | undefined)[] = [];
    [
      { A: 1n, B: 7n },
      { A: 2n, B: 7n },
      { A: 3n, B: 8n },
      { A: 3n, B: 8n },
    ].forEach((values, i) => {
      const atMs = 1_000_000 + i * 1000;
      store.recordSample(COUNTERS, { value: { total: 2, values: new Map(Object.entries(values)) }, atMs, skippedLines: 0, notes: [] }, {});
      store.recordCounters(COUNTERS, atMs, new Map(Object.entries(values)));
      store.commitTick(atMs);
      session.addTick(store.ticks, (since) => {
        builds.push(since);
        return buildRecord(store, { kind: 'host' }, 1000, undefined, atMs, since);
      });
    });
    session.close();
    // The first whole; then what moved: A, then A and B, then nothing.
    expect(builds).toEqual([undefined, 1, 2, 3]);
    const raw = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { counters?: object; countersDelta?: boolean });
    expect(raw.slice(1).map((r) => [r.countersDelta ?? false, Object.keys(r.counters ?? {})])).toEqual([
      [false, ['A', 'B']],
      [true, ['A']],
      [true, ['A', 'B']],
      [true, []],
    ]);
    const { records, problems } = parseRecording(readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(records.map((r) => Object.fromEntries(Object.entries(r.counters).map(([k, c]) => [k, (c as { value: number }).value])))).toEqual([
      { A: 1, B: 7 },
      { A: 2, B: 7 },
      { A: 3, B: 8 },
      { A: 3, B: 8 },
    ]);
  });

  it('rotates once past its size: FILE.1 and FILE each start with the header and a whole record', () => {
    const file = join(tmp(), 'r.ndjson');
    // Room for the header (it carries every rule's parameters) and a few records.
    const maxBytes = JSON.stringify(header).length + 700;
    const writer = new RecordingWriter(file, header, maxBytes);
    for (let i = 0; i < 30; i++) writer.append(`{"v":1,"time":"${new Date(i * 1000).toISOString()}","countersDelta":true,"pad":"${'x'.repeat(100)}"}`, () => `{"v":1,"time":"${new Date(i * 1000).toISOString()}","full":true}`);
    writer.close();
    for (const f of [file, `${file}.1`]) {
      const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
      expect(JSON.parse(lines[0]!)).toMatchObject({ nettriage: 'recording' });
      expect(JSON.parse(lines[1]!)).toMatchObject({ full: true });
      expect(statSync(f).size).toBeLessThanOrEqual(maxBytes);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
  });

  it('w writes the last 15 minutes from a whole record, playable on its own', () => {
    tmp();
    const session = new RecordingSession(header);
    for (let i = 0; i < FULL_EVERY + 5; i++) session.add(record(i, { A: i }));
    const { path, records } = session.writeRecent(dir, 1_000_000 + (FULL_EVERY + 5) * 1000);
    expect(records).toBe(FULL_EVERY + 5);
    const played = parseRecording(readFileSync(path, 'utf8'));
    expect(played.records.map((r) => (r.counters as Record<string, { value: number }>).A?.value)).toEqual(Array.from({ length: FULL_EVERY + 5 }, (_, i) => i));
    // Written again at the same second: a new name is not made up, the file is not overwritten.
    expect(() => session.writeRecent(dir, 1_000_000 + (FULL_EVERY + 5) * 1000)).toThrow(/already exists/);
  });
});

describe("a bundle's capture filter", () => {
  it("is the selected socket's 4-tuple, and nothing a shell or tcpdump would read otherwise", async () => {
    const { socketFilter } = await import('../../src/bundle/capture.js');
    expect(socketFilter({ address: '10.0.0.5', port: '43210' }, { address: '10.0.0.9', port: '8080' })).toBe('tcp and host 10.0.0.5 and port 43210 and host 10.0.0.9 and port 8080');
    expect(socketFilter({ address: '::ffff:10.0.0.5', port: '1' }, { address: '2001:db8::1', port: '443' })).toBe('tcp and host 10.0.0.5 and port 1 and host 2001:db8::1 and port 443');
    expect(socketFilter({ address: '*', port: '*' }, { address: '0.0.0.0', port: '*' })).toBe('tcp and host 0.0.0.0');
    expect(socketFilter({ address: 'x; rm -rf /', port: 'http' }, { address: '*', port: '*' })).toBeUndefined();
  });
});

describe('a damaged recording', () => {
  it('plays what it can: a line that is not JSON and sections of the wrong shape are left out, never a crash', async () => {
    const { Replayer } = await import('../../src/recording/replayer.js');
    const good = (i: number) => JSON.stringify(record(i, { TcpRetransSegs: i }));
    const text = [
      JSON.stringify(header),
      good(0),
      '{"v":1,"time":"2026-01-01T00:00:01Z", this is not json',
      JSON.stringify({ ...record(2, { TcpRetransSegs: 2 }), tcp: { states: 'x' } }),
      JSON.stringify({ ...record(3, {}), counters: { TcpRetransSegs: { value: 'abc', rate: null } }, nics: { eth0: { state: 1, stats: null } } }),
      JSON.stringify({ ...record(4, {}), owners: { byState: 7 }, conntrack: { count: 'x' } }),
      good(5),
    ].join('\n');
    const { records, problems } = parseRecording(text);
    expect(problems).toEqual(['line 3: not JSON; left out']);
    expect(records).toHaveLength(5);
    const replayer = new Replayer('host', defaultAlertConfig());
    for (const r of records) expect(() => replayer.step(r)).not.toThrow();
    expect(replayer.alerts?.disabled).toEqual([]);
  });
});
