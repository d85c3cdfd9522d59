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

  it('opens with n, shows each namespace with its counts, filters with /, and Esc returns to the dashboard', async () => {
    session = await TmuxSession.start(`node ${BIN}`, { label: 'overview' });
    await session.waitFor(/TCP sockets/);
    await session.keys('n');
    let screen = await session.waitFor(new RegExp(`${busy.name} .*\\b30\\b`));
    expect(screen).toMatch(/Network namespaces/);
    expect(screen).toMatch(/\(host\)/);
    // NAMESPACE PROCS ESTAB CLOSE-WAIT TIME-WAIT SYN-SENT
    expect(rowOf(screen, leaky.name)).toMatch(/\s1\s+4\s+12\s+0\s+0\s/);
    expect(rowOf(screen, busy.name)).toMatch(/\s1\s+0\s+0\s+30\s+0\s/);
    // Worst first: the one with CLOSE-WAIT above the one with only TIME-WAIT.
    expect(screen.indexOf(leaky.name)).toBeLessThan(screen.indexOf(busy.name));
    await session.keys('/', ...busy.name.split(''), 'Enter');
    screen = await session.waitFor(/filter: /);
    expect(rowOf(screen, busy.name)).not.toBe('');
    expect(screen).not.toContain(leaky.name);
    await session.keys('Escape');
    screen = await session.waitFor(new RegExp(leaky.name));
    expect(screen).not.toMatch(/filter: /);
    await session.keys('Escape');
    expect(await session.waitFor(/TCP sockets/)).not.toMatch(/Network namespaces/);
  }, 40_000);
});
