import { afterEach, describe, expect, it } from 'vitest';
import { groupByDestination } from '../../collectors/destinations.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import type { TcpState } from '../../src/tcpState.js';
import { renderApp } from '../helpers/app.js';
import type { DrillData, DrillSource, OwnerRow } from '../../src/drilldown/controller.js';
import { Store } from '../../src/store.js';
import { expectFrame, press } from '../helpers/ink.js';

const KEYS = { up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', esc: '\u001B', enter: '\r', backspace: '\u007F', pageDown: '\u001B[6~', end: '\u001B[F', home: '\u001B[H' };
const tick = () => new Promise((r) => setTimeout(r, 30));
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function socket(local: string, peer: string, state: TcpState, owner?: { name: string; pid: number }): SocketEntry {
  const ep = (t: string) => ({ address: t.slice(0, t.lastIndexOf(':')), port: t.slice(t.lastIndexOf(':') + 1) });
  return { state, recvQ: 0, sendQ: 0, local: ep(local), peer: ep(peer), owners: owner ? [{ ...owner, fd: 3 }] : [] };
}

/** Drill data as the controller would produce it, served to the screen without a kernel. */
function source(
  byState: Partial<Record<TcpState, SocketEntry[]>>,
  owners: Partial<Record<TcpState, OwnerRow[]>> = {},
  health?: DrillData['health'],
): DrillSource & { opened: TcpState[]; watched: (number | undefined)[] } {
  let state: TcpState | undefined;
  let healthPid: number | undefined;
  const listeners = new Set<() => void>();
  const s = {
    refreshMs: 5000,
    opened: [] as TcpState[],
    watched: [] as (number | undefined)[],
    watchHealth(pid: number | undefined) {
      healthPid = pid;
      s.watched.push(pid);
      // As the controller does once the health query answers.
      for (const l of listeners) l();
    },
    open(st: TcpState) {
      state = st;
      s.opened.push(st);
    },
    close() {
      state = undefined;
    },
    current(): DrillData | undefined {
      if (!state) return undefined;
      const sockets = byState[state] ?? [];
      const unowned = sockets.filter((x) => x.owners.length === 0);
      return {
        state,
        atMs: Date.now(),
        sockets,
        owners: owners[state] ?? [],
        unowned,
        destinations: groupByDestination(unowned),
        withOwners: state !== 'TIME-WAIT',
        notRoot: false,
        skippedLines: 0,
        ...(health && health.pid === healthPid ? { health } : {}),
      };
    },
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return s;
}

function owner(pid: number, name: string, count: number, total: number): OwnerRow {
  return {
    pid,
    name,
    count,
    share: count / total,
    peers: [{ endpoint: '10.0.0.9:5432', count }],
    locals: [],
    details: { pid, comm: name, cmdline: `${name} --serve --port 8080`, user: 'app', fds: 120 + pid, fdLimit: 1024, cpuPercent: pid / 1000, rssBytes: pid * 1_000_000, gone: false, container: { runtime: 'containerd', id: '3f2a1b9c8d7e', podUid: '5c2a7e10-1111-2222-3333-444455556666' } },
  };
}

let quits = 0;

function setup(drill: DrillSource, rows = 40) {
  quits = 0;
  const app = renderApp(
    {
      store: new Store(),
      drill,
      interval: { intervalMs: 1000, setIntervalMs() {} },
      target: { kind: 'netns', name: 'blue' },
      host: { host: 'h', kernel: 'k' },
      onQuit: () => {
        quits++;
      },
    },
    { columns: 100, rows },
  );
  cleanup = app.unmount;
  return app;
}

/** Selects a state in the socket panel and presses Enter; resolves once the drill-down shows data. */
async function openState(app: ReturnType<typeof setup>, index: number, enterKey = KEYS.enter) {
  await expectFrame(app, 'TCP sockets');
  await press(app, '2');
  await press(app, 'g');
  for (let i = 0; i < index; i++) await press(app, 'j');
  await press(app, enterKey);
  await expectFrame(app, /drill-down[\s\S]*refreshed/);
}

const CW = 7; // CLOSE-WAIT's row in the socket panel
const TW = 5; // TIME-WAIT's row

describe('drill-down', () => {
  const cw = [
    ...Array.from({ length: 3 }, (_, i) => socket(`10.0.0.1:8080`, `10.0.0.9:${5000 + i}`, 'CLOSE-WAIT', { name: 'python3', pid: 4213 })),
    socket('10.0.0.1:8080', '10.0.0.9:6000', 'CLOSE-WAIT', { name: 'java', pid: 99 }),
  ];
  const owners = { 'CLOSE-WAIT': [owner(4213, 'python3', 3, 4), owner(99, 'java', 1, 4)] };

  for (const [name, key] of [
    ['Enter', KEYS.enter],
    ['right', KEYS.right],
    ['l', 'l'],
  ] as const) {
    it(`opens a state's owners with ${name}, then an owner's sockets, with a breadcrumb`, async () => {
      const drill = source({ 'CLOSE-WAIT': cw }, owners);
      const app = setup(drill);
      await openState(app, CW, key);
      expect(drill.opened).toEqual(['CLOSE-WAIT']);
      let frame = app.lastFrame() ?? '';
      expect(frame).toContain('CLOSE-WAIT › owners');
      // 100 columns: user, share, CPU and RSS trend give way to what matters more
      expect(frame).toMatch(/› +4213 python3 +3 +3\.9 GiB +4,333\/1,024 pod 5c2a7e10\/3f2a1b9c8d7e +10\.0\.0\./);
      expect(frame).toContain('$ nsenter --net=/run/netns/blue ss -tanp state close-wait');
      await press(app, key);
      frame = app.lastFrame() ?? '';
      expect(frame).toContain('CLOSE-WAIT › owners › python3 (4213)');
      expect(frame).toMatch(/10\.0\.0\.1:8080 +10\.0\.0\.9:5000/);
      expect(frame).not.toContain('10.0.0.9:6000');
      expect(frame).toContain("| grep 'pid=4213,'");
      expect(frame).toContain('$ ls -l /proc/4213/fd | wc -l');
      expect(frame).toContain('$ nsenter -t 4213 -n ss -tan state close-wait');
    });
  }

  for (const [name, key] of [
    ['Esc', KEYS.esc],
    ['left', KEYS.left],
    ['h', 'h'],
    ['Backspace', KEYS.backspace],
  ] as const) {
    it(`goes back one level with ${name}, and leaves the drill-down from the top`, async () => {
      const app = setup(source({ 'CLOSE-WAIT': cw }, owners));
      await openState(app, CW);
      await press(app, KEYS.enter);
      expect(app.lastFrame()).toContain('› python3 (4213)');
      await press(app, key);
      expect(app.lastFrame()).toContain('CLOSE-WAIT › owners');
      expect(app.lastFrame()).not.toContain('› python3 (4213)');
      await press(app, key);
      expect(app.lastFrame()).toContain('TCP sockets');
    });
  }

  it('cycles the sort and shows the full command line', async () => {
    const app = setup(source({ 'CLOSE-WAIT': cw }, owners));
    await openState(app, CW);
    await press(app, 's'); // by CPU: java's 0.099 < python's 4.2
    await tick();
    expect(app.lastFrame()).toContain('sort: cpu');
    await press(app, 's');
    await press(app, 's');
    await press(app, 's'); // by pid: 99 first
    await tick();
    expect(app.lastFrame()).toContain('sort: pid');
    expect(app.lastFrame()).toMatch(/› +99 java/);
    await press(app, 'c');
    expect(app.lastFrame()).toContain('java --serve --port 8080');
  });

  it('shows the selected owner whole under the list: two python3 told apart by their command lines', async () => {
    const long = '/root/.pyenv/versions/3.11.7/bin/python3 /srv/billing/worker.py --queue invoices --concurrency 8 --log-level debug';
    const twin = (pid: number, cmdline: string, cwd: string): OwnerRow => {
      const o = owner(pid, 'python3', 2, 4);
      return { ...o, details: { ...o.details!, cmdline, cwd, startedMs: new Date().setHours(6, 24, 18, 0) } };
    };
    const twins = { 'CLOSE-WAIT': [twin(4213, long, '/srv/billing'), twin(4214, '/usr/bin/python3 /srv/api/app.py', '/srv/api')] };
    const app = setup(source({ 'CLOSE-WAIT': cw }, twins));
    await openState(app, CW);
    let frame = app.lastFrame() ?? '';
    expect(frame).toContain('pid 4213 · user app · started 06:24:18 · cwd /srv/billing · pod 5c2a7e10/3f2a1b9c8d7e');
    // The whole command line, on as many lines as it takes (up to three), not cut at the column.
    expect(frame.replace(/│|\n/g, '').replace(/ {2,}/g, ' ')).toContain('$ /root/.pyenv/versions/3.11.7/bin/python3 /srv/billing/worker.py --queue invoices --concurrency 8');
    await press(app, 'j');
    frame = app.lastFrame() ?? '';
    expect(frame).toContain('pid 4214 · user app · started 06:24:18 · cwd /srv/api');
    expect(frame).toContain('$ /usr/bin/python3 /srv/api/app.py');
    // Owners sort and show command lines; an owner's sockets do neither, and open nothing.
    expect(frame).toMatch(/s sort/);
    await press(app, KEYS.enter);
    frame = app.lastFrame() ?? '';
    expect(frame).toContain('› python3 (4214)');
    expect(frame).not.toMatch(/s sort|c cmdline|Enter open/);
  });

  it("shows a process's sockets with their TCP health, worst first, and s sorts them", async () => {
    const estab = [
      socket('10.0.0.1:41000', '10.0.0.9:5432', 'ESTAB', { name: 'app', pid: 77 }),
      socket('10.0.0.1:41001', '10.0.0.9:5432', 'ESTAB', { name: 'app', pid: 77 }),
      socket('10.0.0.1:41002', '10.0.0.9:5432', 'ESTAB', { name: 'app', pid: 77 }),
    ];
    const health = {
      pid: 77,
      atMs: new Date().setHours(9, 30, 5, 0),
      skippedLines: 0,
      byKey: new Map([
        ['10.0.0.1:41000>10.0.0.9:5432', { rttMs: 0.3, rttVarMs: 0.1, retransNow: 0, retransTotal: 0, cwnd: 10, deliveryBps: 950e6 }],
        ['10.0.0.1:41001>10.0.0.9:5432', { rttMs: 212.5, rttVarMs: 40, retransNow: 2, retransTotal: 41, lost: 2, cwnd: 1, ssthresh: 2, unacked: 3, deliveryBps: 12_400 }],
        ['10.0.0.1:41002>10.0.0.9:5432', { rttMs: 900, rttVarMs: 10, retransNow: 0, retransTotal: 3, cwnd: 4 }],
      ]),
    };
    const drill = source({ ESTAB: estab }, { ESTAB: [owner(77, 'app', 3, 3)] }, health);
    const app = setup(drill, 40);
    await openState(app, 0);
    expect(app.lastFrame()).not.toContain('RETR');
    await press(app, KEYS.enter);
    await expectFrame(app, /RETR/);
    expect(drill.watched.at(-1)).toBe(77);
    let frame = app.lastFrame() ?? '';
    const order = (f: string) => ['41000', '41001', '41002'].sort((a, b) => f.indexOf(`10.0.0.1:${a}`) - f.indexOf(`10.0.0.1:${b}`));
    // Retransmitting now first, then the most in all.
    expect(order(frame)).toEqual(['41001', '41002', '41000']);
    // At 100 columns the variation, ssthresh, pacing, send rate and queues give way.
    expect(frame).toMatch(/RETR +LOST +RTT ms +CWND +UNACK +DELIVERY +TIMER/);
    expect(frame).toMatch(/10\.0\.0\.1:41001 +10\.0\.0\.9:5432 +2\/41 +2 +213 +1 +3 +12\.4kbit/);
    expect(frame).toContain('TCP health of 3 of 3 sockets from ss -i at 09:30:05');
    expect(frame).toContain('sort: worst');
    expect(frame).toMatch(/s sort/);
    expect(frame).toContain("ss -tinp state established | grep -A1 'pid=77,'");
    await press(app, 's');
    frame = app.lastFrame() ?? '';
    expect(frame).toContain('sort: rtt');
    expect(order(frame)).toEqual(['41002', '41001', '41000']);
    await press(app, KEYS.esc);
    expect(drill.watched.at(-1)).toBeUndefined();
  });

  it('filters with /, keeps the filter on Enter, clears it with Esc', async () => {
    const app = setup(source({ 'CLOSE-WAIT': cw }, owners));
    await openState(app, CW);
    await press(app, '/');
    await press(app, 'jav');
    expect(app.lastFrame()).toContain('filter: jav▏');
    expect(app.lastFrame()).not.toMatch(/4213 python3/);
    expect(app.lastFrame()).toMatch(/99 java/);
    await press(app, KEYS.enter);
    expect(app.lastFrame()).toContain('filter: jav');
    expect(app.lastFrame()).not.toContain('▏');
    await press(app, '/');
    await press(app, 'x');
    expect(app.lastFrame()).toContain('no row matches the filter');
    await press(app, KEYS.esc);
    expect(app.lastFrame()).toMatch(/4213 python3/);
    expect(app.lastFrame()).not.toContain('filter:');
  });

  it('closes the innermost thing with Esc: the help over the list, then a kept filter, then the level', async () => {
    const app = setup(source({ 'CLOSE-WAIT': cw }, owners));
    await openState(app, CW);
    await press(app, '/');
    await press(app, 'jav');
    await press(app, KEYS.enter);
    await press(app, '?');
    expect(app.lastFrame()).toContain('Help — ? or Esc closes');
    await press(app, KEYS.esc);
    expect(app.lastFrame()).not.toContain('Help —');
    expect(app.lastFrame()).toContain('filter: jav');
    await press(app, KEYS.esc);
    expect(app.lastFrame()).not.toContain('filter:');
    expect(app.lastFrame()).toContain('CLOSE-WAIT › owners');
    await press(app, KEYS.esc);
    expect(app.lastFrame()).not.toContain('CLOSE-WAIT › owners');
    expect(quits).toBe(0);
  });

  it('goes back to the dashboard with q from any level, and q there quits', async () => {
    const app = setup(source({ 'CLOSE-WAIT': cw }, owners));
    await openState(app, CW);
    await press(app, KEYS.enter);
    expect(app.lastFrame()).toContain('owners › python3 (4213)');
    await press(app, 'q');
    expect(app.lastFrame()).not.toContain('CLOSE-WAIT › owners');
    expect(app.lastFrame()).toContain('TCP sockets');
    expect(quits).toBe(0);
    await press(app, '?');
    await press(app, 'q');
    expect(app.lastFrame()).not.toContain('Help —');
    expect(quits).toBe(0);
    await press(app, 'q');
    expect(quits).toBe(1);
  });

  it('groups TIME-WAIT by destination against the ephemeral range, then lists that destination', async () => {
    const tw = [
      ...Array.from({ length: 30 }, (_, i) => socket(`10.0.0.1:${40000 + i}`, '10.0.0.5:443', 'TIME-WAIT')),
      ...Array.from({ length: 2 }, (_, i) => socket(`10.0.0.1:${41000 + i}`, '10.0.0.6:80', 'TIME-WAIT')),
    ];
    const app = setup(source({ 'TIME-WAIT': tw }));
    await openState(app, TW);
    expect(app.lastFrame()).toContain('TIME-WAIT › by destination');
    expect(app.lastFrame()).toMatch(/› 10\.0\.0\.1 +10\.0\.0\.5:443 +30 +\? +TIME-WAIT 30/);
    await press(app, KEYS.enter);
    expect(app.lastFrame()).toContain('TIME-WAIT › by destination › 10.0.0.1 → 10.0.0.5:443');
    expect(app.lastFrame()).toContain('1 of 30');
    expect(app.lastFrame()).toContain("dst 10.0.0.5 '( dport = :443 )'");
  });

  it('scrolls 50,000 sockets by rendering only the rows that fit', async () => {
    const many = Array.from({ length: 50_000 }, (_, i) => socket(`10.0.0.1:${1024 + (i % 60000)}`, `10.0.${i >> 8 & 255}.${i & 255}:443`, 'CLOSE-WAIT', { name: 'leaky', pid: 7 }));
    const app = setup(source({ 'CLOSE-WAIT': many }, { 'CLOSE-WAIT': [owner(7, 'leaky', 50_000, 50_000)] }), 30);
    await openState(app, CW);
    await press(app, KEYS.enter);
    let frame = app.lastFrame() ?? '';
    expect(frame).toContain('1 of 50,000');
    expect(frame.split('\n').length).toBeLessThanOrEqual(29);
    await press(app, KEYS.end);
    frame = app.lastFrame() ?? '';
    expect(frame).toContain('50,000 of 50,000');
    expect(frame).toContain('10.0.195.79:443'); // the last socket: i = 49,999
    expect(frame.split('\n').length).toBeLessThanOrEqual(29);
    await press(app, KEYS.pageDown);
    await press(app, KEYS.home);
    expect(app.lastFrame()).toContain('1 of 50,000');
    // A frame carries the visible rows only: its size does not grow with the list.
    expect((app.lastFrame() ?? '').length).toBeLessThan(100 * 30 * 4);
  });

  it('says to run as root when ss -p can only see our own processes', async () => {
    const drill = source({ 'CLOSE-WAIT': cw }, owners);
    const current = drill.current.bind(drill);
    drill.current = () => {
      const d = current();
      return d ? { ...d, notRoot: true } : d;
    };
    const app = setup(drill);
    await openState(app, CW);
    expect(app.lastFrame()).toContain('run as root to see all owners');
  });
});
