import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

describe.runIf(hasTmux && netnsOk)('a recording played on the dashboard', () => {
  let ns: TestNetns;
  let session: TmuxSession | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'nt-replay-'));
  const file = join(dir, 'leak.ndjson');

  beforeAll(async () => {
    ns = await TestNetns.create('replay');
    await ns.incident('serve', { port: 9100, halfOpen: 'true' });
    await ns.incident('churn', { port: 9100, count: 2, parallel: 2, forever: 'true', everyMs: 1000 });
    const out = await execa('node', [BIN, '--json', '--netns', ns.name, '--count', '16', '--record', file], { reject: false });
    expect(out.exitCode).toBe(0);
    await ns.destroy();
  }, 60_000);
  afterAll(async () => {
    await session?.kill();
    await ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows REPLAY with the recorded time; Space pauses, arrows step, G and g jump, and the recorded alert is judged again', async () => {
    session = await TmuxSession.start(`node ${BIN} --replay ${file}`, { label: 'replay' });
    let screen = await session.waitFor(/REPLAY/);
    expect(screen).toMatch(new RegExp(`recorded \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d · \\d+/16 · ×1 · playing │ target netns:${ns.name}`));
    expect(screen).toMatch(/Space play\/pause/);
    await session.keys('G');
    screen = await session.waitFor(/16\/16 · ×1 · at the end/);
    // The leak the recording holds, judged again by this nettriage's rules.
    expect(screen).toMatch(/close-wait-climbing/);
    expect(screen).toMatch(/CLOSE-WAIT\s+[1-9]\d*/);
    // The drill-down of a replay: the owners the recording holds, said as recorded.
    await session.keys('1', 'Enter');
    const drill = await session.waitFor(/replay: the owners as recorded at \d\d:\d\d:\d\d/);
    expect(drill).toMatch(/CLOSE-WAIT drill-down/);
    await session.keys('q');
    await session.waitFor(/16\/16 · ×1 · at the end[\s\S]*TCP sockets/);
    await session.keys('2');
    await session.keys('Left', 'Left');
    screen = await session.waitFor(/14\/16 · ×1 · paused/);
    await session.keys('g');
    screen = await session.waitFor(/ 1\/16 · ×1 · paused/);
    expect(screen).not.toMatch(/close-wait-climbing/);
    await session.keys(']', ']', 'Space');
    await session.waitFor(/×4 · playing/);
    await session.keys('q');
    expect(await session.exitCode(5000)).toBe(0);
  }, 60_000);
});
