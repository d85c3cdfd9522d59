import { execa } from 'execa';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

describe('prerequisites', () => {
  it.runIf(kernelTestsRequired)('has tmux (CI installs it)', () => expect(hasTmux).toBe(true));
});

describe.runIf(hasTmux && netnsOk)('the dashboard in a real terminal', () => {
  let ns: TestNetns;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    ns = await TestNetns.create('screen');
    await ns.incident('states', { port: 9100, established: 3, closeWait: 4, clientClose: 'destroy' });
  });
  afterAll(async () => ns?.destroy());
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  it('shows the socket-state panel, quits on q with status 0 and leaves the alternate screen', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'q' });
    const screen = await session.waitFor(/CLOSE-WAIT\s+4\b/);
    expect(screen).toMatch(/TCP sockets/);
    expect(screen).toMatch(/ESTAB\s+6\b/);
    expect(screen).toContain(`target netns:${ns.name}`);
    expect(await session.alternateScreenOn()).toBe(true);
    // rows - 1 tall: the last row of the 40 stays empty, the footer sits above it
    const lines = screen.split('\n');
    expect(lines[38]).toMatch(/q quit/);
    expect(lines[39] ?? '').toBe('');
    await session.keys('q');
    expect(await session.exitCode()).toBe(0);
    expect(await session.alternateScreenOn()).toBe(false);
    expect(await session.capture()).not.toContain('TCP sockets');
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const) {
    it(`restores the terminal on ${signal}`, async () => {
      session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: signal.toLowerCase() });
      expect(await session.waitFor(/CLOSE-WAIT\s+4\b/)).toMatch(/CLOSE-WAIT\s+4\b/);
      expect(await session.alternateScreenOn()).toBe(true);
      const pid = await session.dashboardPid();
      expect(pid).toBeDefined();
      process.kill(pid!, signal);
      expect(await session.exitCode()).toBe(code);
      expect(await session.alternateScreenOn()).toBe(false);
    });
  }

  it('quits on Ctrl-C typed at the keyboard', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'ctrlc' });
    expect(await session.waitFor(/CLOSE-WAIT\s+4\b/)).toMatch(/CLOSE-WAIT\s+4\b/);
    await session.keys('C-c');
    expect(await session.exitCode()).toBe(0);
    expect(await session.alternateScreenOn()).toBe(false);
  });

  it('leaves nothing behind after help, a drill-down and resizes: the frame is the same as before', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'behind', columns: 120, rows: 40 });
    expect(await session.waitFor(/CLOSE-WAIT\s+4\b/)).toMatch(/CLOSE-WAIT\s+4\b/);
    // Paused, the model holds still: every frame below must come back to exactly this one.
    await session.keys('p');
    const before = await session.waitFor(/PAUSED/);
    expect(before).toMatch(/PAUSED/);
    const resize = (x: number, y: number) => import('execa').then(({ execa }) => execa('tmux', ['resize-window', '-t', session!.name, '-x', String(x), '-y', String(y)]));
    const steps: [string, () => Promise<unknown>, RegExp][] = [
      ['help', () => session!.keys('?'), /Help — \? or Esc closes/],
      ['close help', () => session!.keys('?'), /TCP sockets/],
      ['drill-down', () => session!.keys('Enter'), /drill-down/],
      ['back', () => session!.keys('Escape'), /TCP sockets/],
      ['narrower', () => resize(90, 30), /TCP sockets/],
      ['too small', () => resize(50, 12), /terminal too small/],
      ['as before', () => resize(120, 40), /TCP sockets/],
    ];
    for (const [label, act, shown] of steps) {
      await act();
      expect(await session.waitFor(shown), label).toMatch(shown);
    }
    // Drawn again after the resize: wait (with a deadline) until every cell is as before.
    let after = '';
    for (const until = Date.now() + 5000; Date.now() < until && after !== before; ) {
      after = await session.capture();
      if (after !== before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after).toBe(before);
  });

  it('lays itself out again on resize and says when the terminal is too small', async () => {
    session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'resize', columns: 120, rows: 40 });
    expect(await session.waitFor(/CLOSE-WAIT/)).toMatch(/CLOSE-WAIT/);
    await import('execa').then(({ execa }) => execa('tmux', ['resize-window', '-t', session!.name, '-x', '50', '-y', '12']));
    expect(await session.waitFor(/terminal too small: need 60x22/)).toMatch(/terminal too small/);
    await import('execa').then(({ execa }) => execa('tmux', ['resize-window', '-t', session!.name, '-x', '90', '-y', '30']));
    const screen = await session.waitFor(/CLOSE-WAIT/);
    expect(screen).not.toContain('too small');
    expect(Math.max(...screen.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(90);
  });
});

describe.runIf(hasTmux)('colour', () => {
  let session: TmuxSession | undefined;
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  /** The screen with its styles, as tmux holds it: SGR sequences where a cell is coloured or styled. */
  const styled = async (s: TmuxSession) => (await execa('tmux', ['capture-pane', '-p', '-e', '-t', s.name])).stdout;
  const sgr = /\x1b\[[0-9;]*m/;

  for (const [how, command] of [
    ['NO_COLOR=1', `env NO_COLOR=1 node ${BIN}`],
    ['--no-color', `node ${BIN} --no-color`],
  ] as const) {
    it(`draws no colour and no style with ${how}, and the selection still shows`, async () => {
      session = await TmuxSession.start(command, { label: 'nocolor' });
      const screen = await session.waitFor(/LISTEN\s+\d+/);
      expect(screen).toContain('› ESTAB');
      expect(await styled(session)).not.toMatch(sgr);
    });
  }

  it('does colour by default (what the two above check is there to be missing)', async () => {
    session = await TmuxSession.start(`node ${BIN}`, { label: 'color' });
    await session.waitFor(/LISTEN\s+\d+/);
    expect(await styled(session)).toMatch(sgr);
    // The terminal's own cyan for the focused panel's border.
    expect(await styled(session)).toMatch(/\x1b\[36m╭─/);
  });

  for (const [how, command] of [
    ['--light', `node ${BIN} --light`],
    ['COLORFGBG=0;15', `env COLORFGBG='0;15' node ${BIN}`],
  ] as const) {
    it(`draws with darker shades readable on white with ${how}`, async () => {
      session = await TmuxSession.start(command, { label: 'light' });
      await session.waitFor(/LISTEN\s+\d+/);
      const screen = await styled(session);
      // Cyan becomes 256-colour 25 (#005faf, 6.4:1 on white); the terminal's cyan (2.0:1) is gone.
      expect(screen).toMatch(/\x1b\[38;5;25m╭─/);
      expect(screen).not.toMatch(/\x1b\[3[236]m/);
    });
  }
});
