import { execa } from 'execa';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const available = await canCreateNetns();

interface Line {
  time: string;
  alerts: { id: string; severity: string; subject: string }[];
  tcp: { states: Record<string, number> };
}
const lines = (text: string): Line[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
const ids = (l: Line) => l.alerts.map((a) => `${a.id}:${a.severity}`).sort();

describe.runIf(available)('recording an incident and judging it again', () => {
  let ns: TestNetns;
  const dir = mkdtempSync(join(tmpdir(), 'nt-rec-'));
  const file = join(dir, 'leak.ndjson');
  let live: Line[] = [];

  beforeAll(async () => {
    ns = await TestNetns.create('rec');
    // A server that never closes its side, and a client that comes and closes: CLOSE-WAIT climbs one a second.
    await ns.incident('serve', { port: 9100, halfOpen: 'true' });
    await ns.incident('churn', { port: 9100, count: 1, parallel: 1, forever: 'true', everyMs: 1000 });
    const out = await execa('node', [BIN, '--json', '--netns', ns.name, '--count', '20', '--record', file], { reject: false });
    expect(out.exitCode).toBe(0);
    live = lines(out.stdout);
  }, 90_000);
  afterAll(async () => {
    await ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a private file: a header, then every record', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const header = JSON.parse(text[0]!) as { nettriage: string; target: string; intervalMs: number; config: object };
    expect(header).toMatchObject({ nettriage: 'recording', target: `netns:${ns.name}`, intervalMs: 1000 });
    expect(header.config).toEqual(defaultAlertConfig());
    expect(text).toHaveLength(21);
    expect(live.some((l) => l.alerts.some((a) => a.id === 'close-wait-climbing'))).toBe(true);
  });

  it('replays to the same alerts at the same sample, and judges harder with stricter thresholds', async () => {
    const replayed = lines((await execa('node', [BIN, '--replay', file, '--json'])).stdout);
    expect(replayed).toHaveLength(live.length);
    expect(replayed.map(ids)).toEqual(live.map(ids));
    // Subjects too: the owners asked while the alert wanted names are in the recording.
    const subjects = (l: Line) => l.alerts.map((a) => a.subject).sort();
    expect(replayed.map(subjects)).toEqual(live.map(subjects));
    expect(live.flatMap(subjects).some((s) => /\(pid \d+\)/.test(s))).toBe(true);
    expect(replayed.map((l) => l.tcp.states['CLOSE-WAIT'])).toEqual(live.map((l) => l.tcp.states['CLOSE-WAIT']));

    // The same incident judged by a team that wants to hear of 3 CLOSE-WAIT and a climb of 1 a minute.
    const config = join(dir, 'strict.json');
    writeFileSync(config, JSON.stringify({ rules: { 'close-wait-climbing': { floor: 3, warnPerMin: 1, critPerMin: 5, minRisingSteps: 1 } } }));
    const strict = lines((await execa('node', [BIN, '--replay', file, '--json', '--config', config])).stdout);
    const raised = (ls: Line[], severity: string) => ls.map((l) => l.alerts.some((a) => a.id === 'close-wait-climbing' && a.severity === severity));
    const any = (ls: Line[]) => ls.map((l) => l.alerts.some((a) => a.id === 'close-wait-climbing'));
    // Every sample that alerted by default alerts with the strict thresholds, and critical ones come where there were warnings.
    any(replayed).forEach((was, i) => was && expect(any(strict)[i], `sample ${i}`).toBe(true));
    expect(raised(strict, 'critical').filter(Boolean).length).toBeGreaterThan(raised(replayed, 'critical').filter(Boolean).length);
  }, 60_000);

  it('plays the valid part of a truncated recording and says what it left out', async () => {
    const cut = join(dir, 'cut.ndjson');
    const text = readFileSync(file, 'utf8');
    writeFileSync(cut, text.slice(0, text.length - 200));
    const out = await execa('node', [BIN, '--replay', cut, '--json'], { reject: false });
    expect(out.exitCode).toBe(0);
    expect(lines(out.stdout)).toHaveLength(19);
    expect(out.stderr).toMatch(/line 21: cut short \(the recording was interrupted\); left out/);
  }, 30_000);

  it('refuses a file that is not a recording, a newer format, and writing through a planted link', async () => {
    const foreign = join(dir, 'foreign.ndjson');
    writeFileSync(foreign, '{"v":1,"time":"2026-11-27T00:00:00Z"}\n');
    let out = await execa('node', [BIN, '--replay', foreign, '--json'], { reject: false });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/not a nettriage recording/);
    const newer = join(dir, 'newer.ndjson');
    writeFileSync(newer, `${JSON.stringify({ nettriage: 'recording', format: 99, version: '9.0.0', target: 'host', intervalMs: 1000 })}\n`);
    out = await execa('node', [BIN, '--replay', newer, '--json'], { reject: false });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/format 99 \(from nettriage 9\.0\.0\) is newer/);

    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep me\n');
    const planted = join(dir, 'planted.ndjson');
    symlinkSync(victim, planted);
    out = await execa('node', [BIN, '--json', '--count', '1', '--record', planted], { reject: false });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/already exists: nettriage neither overwrites a file nor follows a link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
  }, 30_000);
});
