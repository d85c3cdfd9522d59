import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

describe.runIf(hasTmux && netnsOk)('a process named with escape sequences', () => {
  let ns: TestNetns;
  let session: TmuxSession | undefined;
  let pid = 0;

  beforeAll(async () => {
    ns = await TestNetns.create('hostile');
    // OSC 0 would retitle the terminal, CSI 2J would clear it: 14 of comm's 15 bytes.
    pid = (await ns.incident('states', { port: 9100, closeWait: 3, clientClose: 'destroy', comm: '\\x1b]0;pwned\\x07\\x1b[2J' })).pid;
  });
  afterAll(async () => {
    await session?.kill();
    await ns?.destroy();
  });

  it('owns CLOSE-WAIT sockets, and opening its owners view neither retitles nor clears the terminal', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'hostile' });
    await execa('tmux', ['select-pane', '-t', session.name, '-T', 'before']);
    expect(await session.waitFor(/CLOSE-WAIT\s+3\b/)).toMatch(/CLOSE-WAIT\s+3\b/);
    // socket panel, CLOSE-WAIT row (eighth), Enter
    await session.keys('2', 'g', 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'Enter');
    const screen = await session.waitFor(new RegExp(`${pid}.*\\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2J`));
    expect(screen).toContain('CLOSE-WAIT › owners');
    expect(screen).toMatch(new RegExp(`${pid} .*\\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2J +3`));
    expect(await session.title()).toBe('before');
    // still the dashboard's screen: header on the first line, nothing cleared under it
    expect(screen.split('\n')[0]).toMatch(/^nettriage target netns:/);
    expect(await session.alternateScreenOn()).toBe(true);
    // and into its sockets: the breadcrumb carries the name, escaped
    await session.keys('Enter');
    const sockets = await session.waitFor(/owners › \\x1b/);
    expect(sockets).toContain(`owners › \\x1b]0;pwned\\x07\\x1b[2J (${pid})`);
    expect(await session.title()).toBe('before');
    // q leaves the drill-down for the dashboard, and q there quits.
    await session.keys('q');
    await session.waitFor(/TCP sockets/);
    await session.keys('q');
    expect(await session.exitCode()).toBe(0);
  });
});
