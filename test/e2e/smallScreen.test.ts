import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

/** The rows of a captured screen that lie inside the panel titled `title`. */
function panelRows(screen: string, title: string): string[] {
  const lines = screen.split('\n');
  const top = lines.findIndex((l) => l.includes(`╭─ ${title}`));
  if (top < 0) return [];
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('╰'));
  return lines.slice(top + 1, bottom < 0 ? undefined : bottom);
}

/**
 * Port exhaustion on a 80x24 terminal, driven by keys: what an alert is
 * about stays on screen, and whatever does not fit is said to be cut.
 */
describe.runIf(hasTmux && netnsOk)('a small terminal during an incident', () => {
  let ns: TestNetns;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    ns = await TestNetns.create('small');
    await ns.exec(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40199']);
    await ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=0']);
    await ns.incident('closer', { port: 9500 });
    // Every port toward 127.0.0.1:9500 in TIME-WAIT within a few seconds; they stay for 60 s.
    await ns.incident('churn', { port: 9500, count: 400, parallel: 10, maxMs: 20_000 });
  });
  afterAll(async () => ns?.destroy());
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  it('keeps the TIME-WAIT row and marks what it cuts when the alerts take the keyboard', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'small-alert', columns: 80, rows: 24 });
    expect(await session.waitFor(/ephemeral-port-exhaustion/, 20_000)).toMatch(/ephemeral-port-exhaustion/);
    await session.keys('1');
    const screen = await session.waitFor(/why: Every connect\(\)/);
    const sockets = panelRows(screen, 'TCP sockets');
    expect(sockets.some((l) => /TIME-WAIT\s+\d+/.test(l))).toBe(true);
    // Eleven states do not fit: those left out are named, not dropped.
    expect(sockets.some((l) => /\+ \d+ not shown: /.test(l))).toBe(true);
    const alerts = panelRows(screen, 'Alerts');
    expect(alerts.some((l) => /\$ .*ss -tan state time-wait/.test(l))).toBe(true);
    expect(alerts.some((l) => /↓ \d+ more lines? below/.test(l))).toBe(true);
  }, 40_000);

  it('shows a panel that has no room alone when its key is pressed, and says so', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'small-focus', columns: 80, rows: 24 });
    expect(await session.waitFor(/TCP sockets/)).toMatch(/more on a taller terminal/);
    await session.keys('3');
    const screen = await session.waitFor(/shown alone/);
    expect(screen).toMatch(/╭─ Kernel counters/);
    expect(screen).toMatch(/shown alone: it has no room beside the others at 80x24/);
    await session.keys('2');
    const back = await session.waitFor(/╭─ TCP sockets/);
    expect(back).not.toMatch(/shown alone/);
  }, 30_000);
});
