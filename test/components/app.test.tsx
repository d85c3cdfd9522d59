import { afterEach, describe, expect, it } from 'vitest';
import { socketSeries, SOCKETS } from '../../collectors/sockets.js';
import { renderApp } from '../helpers/app.js';
import { CollectorProblem } from '../../src/problems.js';
import { QDISCS } from '../../collectors/qdiscs.js';
import { Store } from '../../src/store.js';
import { expectFrame, press } from '../helpers/ink.js';
import { socketStateSample } from '../helpers/samples.js';

const KEYS = { up: '\u001B[A', down: '\u001B[B', esc: '\u001B' };
const tick = () => new Promise((r) => setTimeout(r, 20));


function sample(states: Partial<Record<string, number>>, atMs = Date.now()) {
  const value = socketStateSample(states, { udp: 3, dumpedSockets: 4, portRange: { low: 32768, high: 60999, reserved: 0, usable: 28232 } });
  return { value, atMs, skippedLines: 0, notes: [] };
}

function setup(size = { columns: 100, rows: 30 }) {
  const store = new Store();
  const interval = {
    intervalMs: 1000,
    setIntervalMs(ms: number) {
      this.intervalMs = ms;
    },
  };
  let quit = 0;
  const app = renderApp({ store, interval, target: { kind: 'host' }, host: { host: 'web-1', kernel: '6.1.0' }, onQuit: () => quit++ }, size);
  const push = (states: Partial<Record<string, number>>, atMs = Date.now()) => {
    const s = sample(states, atMs);
    store.recordSample(SOCKETS, s, socketSeries(s.value));
    store.commitTick(atMs);
  };
  return { app, store, interval, push, quits: () => quit };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('dashboard screen', () => {
  it('shows every state with its count once a sample arrives', async () => {
    const { app, push } = setup();
    cleanup = app.unmount;
    expect(app.lastFrame()).toContain('waiting for first sample');
    push({ ESTAB: 36_000, 'CLOSE-WAIT': 42, LISTEN: 3 });
    await tick();
    const frame = app.lastFrame() ?? '';
    for (const state of ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING']) {
      expect(frame).toContain(state);
    }
    expect(frame).toMatch(/ESTAB\s+36,000/);
    expect(frame).toMatch(/CLOSE-WAIT\s+42/);
    expect(frame).toContain('ephemeral ports 32768–60999');
    expect(frame).toContain('host web-1');
  });

  it('moves the selection with arrows and j/k, and stops at the ends', async () => {
    const { app, push } = setup();
    cleanup = app.unmount;
    push({ ESTAB: 1 });
    await tick();
    expect(app.lastFrame()).toMatch(/› ESTAB/);
    await press(app, 'j');
    expect(app.lastFrame()).toMatch(/› SYN-SENT/);
    await press(app, KEYS.down);
    expect(app.lastFrame()).toMatch(/› SYN-RECV/);
    await press(app, 'k');
    expect(app.lastFrame()).toMatch(/› SYN-SENT/);
    for (let i = 0; i < 3; i++) await press(app, KEYS.up);
    expect(app.lastFrame()).toMatch(/› ESTAB/);
    await press(app, 'G');
    expect(app.lastFrame()).toMatch(/› CLOSING/);
  });

  it('opens help with ? and closes it with ? or Esc', async () => {
    const { app } = setup();
    cleanup = app.unmount;
    await tick();
    await press(app, '?');
    expect(app.lastFrame()).toContain('Help');
    expect(app.lastFrame()).not.toMatch(/STATE\s+COUNT/);
    await press(app, KEYS.esc);
    expect(app.lastFrame()).not.toContain('Help —');
    await press(app, '?');
    await press(app, '?');
    expect(app.lastFrame()).not.toContain('Help —');
  });

  it('opens the drop path with d, says which layers it cannot see, and q or Esc closes it without quitting', async () => {
    const { app, push, store, quits } = setup();
    cleanup = app.unmount;
    store.recordProblem(QDISCS, new CollectorProblem('missing-tool', 'tc not found', 'install the iproute2 package'), Date.now());
    push({ ESTAB: 1 });
    await tick();
    await press(app, 'd');
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('Drop path');
    expect(frame).toMatch(/NIC receive[\s\S]*softnet backlog[\s\S]*conntrack[\s\S]*IP[\s\S]*TCP[\s\S]*UDP[\s\S]*qdisc \(transmit\)[\s\S]*NIC transmit/);
    expect(frame).toMatch(/qdisc \(transmit\)\s+\?\s+\?\s+\? tc not found/);
    // Its own keys: the panels' (Enter, Tab, z) would act on panels out of sight.
    expect(frame).toMatch(/d drops.*p pause.*q dashboard/);
    expect(frame).not.toMatch(/Enter open|Tab panel|z zoom/);
    await press(app, '\r');
    await press(app, 'z');
    expect(app.lastFrame()).toContain('Drop path');
    await press(app, 'q');
    expect(app.lastFrame()).not.toContain('Drop path');
    expect(quits()).toBe(0);
    await press(app, 'd');
    await press(app, KEYS.esc);
    expect(app.lastFrame()).not.toContain('Drop path');
    // Nothing happened underneath: no drill-down opened, no panel zoomed.
    expect(app.lastFrame()).toMatch(/STATE\s+COUNT/);
    expect(app.lastFrame()).not.toContain('drill-down');
    expect(app.lastFrame()).toContain('Tab panel');
  });

  it('pause shows the badge and freezes the numbers while sampling goes on', async () => {
    const { app, push } = setup();
    cleanup = app.unmount;
    push({ 'CLOSE-WAIT': 10 });
    await tick();
    await press(app, 'p');
    expect(app.lastFrame()).toContain('PAUSED');
    push({ 'CLOSE-WAIT': 99 });
    await tick();
    expect(app.lastFrame()).toMatch(/CLOSE-WAIT\s+10/);
    await press(app, ' ');
    const resumed = await expectFrame(app, /CLOSE-WAIT\s+99/);
    expect(resumed).not.toContain('PAUSED');
    expect(resumed).toMatch(/CLOSE-WAIT\s+99/);
  });

  it('changes the interval with + and -', async () => {
    const { app, interval } = setup();
    cleanup = app.unmount;
    await press(app, '+');
    expect(interval.intervalMs).toBe(2000);
    expect(app.lastFrame()).toContain('every 2s');
    await press(app, '-');
    await press(app, '-');
    expect(interval.intervalMs).toBe(500);
    expect(app.lastFrame()).toContain('every 500ms');
  });

  it('offers Enter only where it opens something', async () => {
    const { app, push } = setup({ columns: 160, rows: 40 });
    cleanup = app.unmount;
    push({ ESTAB: 3 });
    await tick();
    const footer = () => (app.lastFrame() ?? '').split('\n').filter((l) => l.includes('Tab panel')).join('');
    // The socket states open their owners.
    expect(footer()).toContain('Enter open');
    // No alert is up: nothing to open there.
    await press(app, '1');
    expect(footer()).not.toContain('Enter open');
    await press(app, '2');
    expect(footer()).toContain('Enter open');
    await press(app, '3');
    expect(footer()).not.toContain('Enter open');
    await press(app, '6');
    expect(footer()).not.toContain('Enter open');
  });

  it('quits with q', async () => {
    const { app, quits } = setup();
    cleanup = app.unmount;
    await tick();
    await press(app, 'q');
    expect(quits()).toBe(1);
  });

  it('says the terminal is too small instead of drawing garbage', async () => {
    const { app } = setup({ columns: 40, rows: 10 });
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('terminal too small: need 60x22');
    expect(app.lastFrame()).not.toContain('ESTAB');
  });

  it('never renders taller than rows - 1, and shows every state at the minimum size', async () => {
    const { app, push } = setup({ columns: 60, rows: 22 });
    cleanup = app.unmount;
    push({ ESTAB: 5 });
    await tick();
    const frame = app.lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThanOrEqual(21);
    expect(frame).toMatch(/ESTAB[\s\S]*CLOSING/);
  });

  it('draws nothing again for a sample that changes nothing but the time, and writes only the new time', async () => {
    const { app, push } = setup({ columns: 120, rows: 40 });
    cleanup = app.unmount;
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 5000;
    // The sparklines fill up over the first samples; the panels' numbers do not change.
    for (let i = 0; i < 3; i++) push({ ESTAB: 12, LISTEN: 3 }, t0 + i * 1000);
    await expectFrame(app, /ESTAB\s+12/);
    const regionsDrawn = app.screen.renderedRegions;
    const bytes = app.screen.bytesWritten;
    push({ ESTAB: 12, LISTEN: 3 }, t0 + 3000);
    await expectFrame(app, new Date(t0 + 3000).toTimeString().slice(0, 8));
    // No panel was drawn by Ink again; the terminal got the header's new seconds and one sparkline step a row.
    expect(app.screen.renderedRegions).toBe(regionsDrawn);
    expect(app.screen.bytesWritten - bytes).toBeLessThan(400);
  });

  it('says in the header when samples stop arriving', async () => {
    const { app, push } = setup();
    cleanup = app.unmount;
    push({ ESTAB: 1 }, Date.now() - 9000);
    await expectFrame(app, /no sample for \d+(\.\d)?s/, 3000);
    push({ ESTAB: 1 });
    await expectFrame(app, /sampled \d\d:\d\d:\d\d/);
    expect(app.lastFrame()).not.toContain('no sample for');
  });

  it('marks the panel stale with the reason and what to do', async () => {
    const { app, store, push } = setup();
    cleanup = app.unmount;
    push({ ESTAB: 5 });
    store.recordProblem(SOCKETS, new CollectorProblem('missing-tool', 'ss not found', 'install the iproute2 package'), Date.now());
    store.commitTick(Date.now());
    await tick();
    expect(app.lastFrame()).toContain('ss not found — install the iproute2 package; showing data from');
  });

  it('highlights a climbing CLOSE-WAIT count', async () => {
    const { app, store } = setup();
    cleanup = app.unmount;
    const t0 = Date.now() - 30_000;
    for (let i = 0; i <= 30; i++) {
      const s = sample({ 'CLOSE-WAIT': 10 + i * 3 }, t0 + i * 1000);
      store.recordSample(SOCKETS, s, socketSeries(s.value));
      store.commitTick(t0 + i * 1000);
    }
    await tick();
    expect(app.lastFrame()).toMatch(/CLOSE-WAIT\s+100 .*↑ \+180.*climbing: leak\?/);
  });
});
