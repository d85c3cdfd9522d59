import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

/** The row of the overview that names `name`. */
const rowOf = (screen: string, name: string) => screen.split('\n').find((l) => l.includes(` ${name} `)) ?? '';

describe.runIf(hasTmux && netnsOk)('the namespaces overview in a real terminal', () => {
  let leaky: TestNetns;
  let busy: TestNetns;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    leaky = await TestNetns.create('ov-leak');
    busy = await TestNetns.create('ov-tw');
    await leaky.incident('states', { port: 9100, established: 2, closeWait: 12, clientClose: 'destroy' });
    await busy.incident('states', { port: 9100, timeWait: 30 });
  });
  afterAll(async () => {
    await leaky?.destroy();
    await busy?.destroy();
  });
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  it('opens with n, shows each namespace with its counts, filters with /, Esc clears it and q returns to the dashboard', async () => {
    session = await TmuxSession.start(`node ${BIN}`, { label: 'overview' });
    await session.waitFor(/TCP sockets/);
    await session.keys('n');
    let screen = await session.waitFor(new RegExp(`${busy.name} .*\\b30\\b`));
    expect(screen).toMatch(/Network namespaces/);
    expect(screen).toMatch(/\(host\)/);
    expect(screen).toMatch(/ TROUBLE/);
    // NAMESPACE PROCS ESTAB CLOSE-WAIT TIME-WAIT SYN-SENT
    expect(rowOf(screen, leaky.name)).toMatch(/\s1\s+4\s+12\s+0\s+0\s/);
    expect(rowOf(screen, busy.name)).toMatch(/\s1\s+0\s+0\s+30\s+0\s/);
    // Worst first: the one with CLOSE-WAIT above the one with only TIME-WAIT.
    expect(screen.indexOf(leaky.name)).toBeLessThan(screen.indexOf(busy.name));
    await session.keys('/', ...busy.name.split(''), 'Enter');
    // Kept (Enter pressed): the whole name, no cursor.
    screen = await session.waitFor(new RegExp(`filter: ${busy.name} +│`));
    expect(rowOf(screen, busy.name)).not.toBe('');
    expect(screen).not.toContain(leaky.name);
    await session.keys('Escape');
    screen = await session.waitFor(new RegExp(leaky.name));
    expect(screen).not.toMatch(/filter: /);
    // q goes back to the dashboard from the overview; it quits only from there.
    await session.keys('q');
    expect(await session.waitFor(/TCP sockets/)).not.toMatch(/Network namespaces/);
    expect(await session.exitCode(500)).toBeUndefined();
  }, 40_000);

  it('switches the whole dashboard to the namespace Enter picks, and Esc brings the host back with its history', async () => {
    session = await TmuxSession.start(`node ${BIN}`, { label: 'switch' });
    // Some seconds of the host's history first: its Δ/min needs 5 s.
    await session.waitFor(/ESTAB\s+\d+\s+\S+\s+(→|↑|↓)/, 15_000);
    await session.keys('n');
    await session.waitFor(new RegExp(leaky.name));
    await session.keys('/', ...leaky.name.split(''), 'Enter', 'Enter');
    let screen = await session.waitFor(new RegExp(`target netns:${leaky.name}[\\s\\S]*CLOSE-WAIT\\s+12\\b`));
    expect(screen).toMatch(/CLOSE-WAIT\s+12\b/);
    expect(screen).not.toMatch(/Network namespaces/);
    // The header names what it watches by inode, as the fleet found it.
    const inode = (await execa('stat', ['-c', '%i', `/run/netns/${leaky.name}`])).stdout.trim();
    expect(screen).toContain(`target netns:${leaky.name} │ net:[${inode}]`);
    await session.keys('Escape');
    screen = await session.waitFor(/target host/);
    // The host's history is still there: its trend shows at once, without 5 s of new samples.
    expect(screen).toMatch(/ESTAB\s+\d+\s+\S+\s+(→|↑|↓)/);
  }, 40_000);

  it('raises a leak in another namespace on the host dashboard, naming it, and Enter goes there without a false calm', async () => {
    const growing = await TestNetns.create('ov-grow');
    try {
      await growing.incident('serve', { port: 9100, halfOpen: 'true' });
      await growing.incident('churn', { port: 9100, count: 3, parallel: 3, forever: 'true', everyMs: 1000 });
      session = await TmuxSession.start(`node ${BIN}`, { label: 'elsewhere' });
      const screen = await session.waitFor(new RegExp(`close-wait-climbing\\s+${growing.name}: `), 60_000);
      expect(screen).toMatch(/CRIT/);
      await session.keys('1');
      // The first alert is the one elsewhere (the host has none of its own here).
      await session.keys('Enter');
      const there = await session.waitFor(new RegExp(`target netns:${growing.name}`), 15_000);
      expect(there).toMatch(new RegExp(`target netns:${growing.name}`));
      // Its rules warm up; the alert that led here stays on screen meanwhile.
      expect(there).toMatch(/close-wait-climbing/);
      expect(there).not.toMatch(/✓ no alerts/);
    } finally {
      await session?.kill();
      session = undefined;
      await growing.destroy();
    }
  }, 90_000);
});
