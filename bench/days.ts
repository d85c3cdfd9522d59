/**
 * Days of uptime on a fake clock: 200,000 ticks (55 hours at 1 s) through
 * the real store, alert engine, panel models and screen (Ink drawing every
 * region that changed into a terminal-sized sink), fed by synthetic sources
 * that fail and recover, with interfaces and processes churning the way a
 * busy node's do. Heap after a full GC, open descriptors, timers and other
 * handles, and child processes are printed along the way: flat is the goal.
 * Run with --expose-gc (npm run bench:days; DAYS_TICKS=N for fewer ticks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { CONNTRACK } from '../collectors/conntrack.js';
import { COUNTERS } from '../collectors/counters.js';
import { DESTINATIONS } from '../collectors/destinations.js';
import { NICS, type NicState } from '../collectors/nics.js';
import { OWNERS } from '../collectors/owners.js';
import { SOCKET_MEMORY } from '../collectors/socketMemory.js';
import { SOCKETS, socketSeries } from '../collectors/sockets.js';
import type { SampleKey } from '../collectors/types.js';
import { defaultAlertConfig } from '../src/alerts/config.js';
import { AlertEngine, type AlertsState } from '../src/alerts/engine.js';
import { NO_ALERTS } from '../src/dashboardModel.js';
import { loadPanelViews } from '../src/panels/views.js';
import { CollectorProblem } from '../src/problems.js';
import { PANELS, RULES } from '../src/registry.js';
import { Store } from '../src/store.js';
import { zeroStateCounts } from '../src/tcpState.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('days bench: run node with --expose-gc');
  process.exit(2);
}

// React's development build keeps a performance entry per commit: set before React loads, as bin.ts does.
process.env.NODE_ENV = 'production';
const [{ render }, { default: React }, { App }, { Screen }] = await Promise.all([import('ink'), import('react'), import('../src/app.js'), import('../src/screen/screen.js')]);

const TICKS = Number(process.env.DAYS_TICKS ?? 200_000);
const REPORT_EVERY = TICKS / 10;
await loadPanelViews(PANELS);

const store = new Store();
const config = defaultAlertConfig();
const engine = new AlertEngine(config, { kind: 'host' }, RULES);
let alerts: AlertsState = NO_ALERTS;
store.subscribe(() => {
  alerts = engine.evaluate(store, clock);
});

let bytes = 0;
const screen = new Screen((text) => {
  bytes += text.length;
}, { columns: 160, rows: 50 });
const sink = Object.assign(new PassThrough(), { columns: 160, rows: 50, isTTY: true });
sink.resume();
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
// DAYS_NO_SCREEN=1: the store and the engine alone, to tell their memory from the screen's.
const instance = process.env.DAYS_NO_SCREEN ? { unmount: () => {} } : render(
  React.createElement(App, {
    store,
    alerts: () => alerts,
    config,
    interval: { intervalMs: 1000, setIntervalMs() {} },
    target: { kind: 'host' },
    host: { host: 'soak', kernel: 'fake' },
    onQuit: () => {},
    screen,
  }),
  { stdout: sink as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, exitOnCtrlC: false, patchConsole: false },
);

let clock = Date.now();
const counterNames = Array.from({ length: 400 }, (_, i) => `TcpExtCounter${i}`);
const sample = <T>(key: SampleKey<T>, value: T, series: Record<string, number> = {}) =>
  store.recordSample(key, { value, atMs: clock, skippedLines: 0, notes: [] }, series);

function tick(t: number): void {
  // Sockets: a CLOSE-WAIT leak that grows and is fixed every ~2,000 ticks, SYN-SENT to peers that come and go.
  const states = zeroStateCounts();
  states.ESTAB = 500 + (t % 97);
  states['TIME-WAIT'] = 2000 + ((t * 7) % 500);
  states.LISTEN = 20;
  states['CLOSE-WAIT'] = (t % 2000) < 1500 ? Math.floor((t % 2000) / 20) : 0;
  const synSentByPeer = [{ endpoint: `10.9.${(t >> 8) & 255}.${t & 255}:443`, count: 1 + (t % 3) }];
  const sockets = {
    states,
    udp: 10,
    orphans: t % 50,
    method: 'ss' as const,
    dumpedSockets: 80,
    portRange: { low: 32768, high: 60999, reserved: 0, usable: 28232 },
    limits: { maxOrphans: 65536, maxTwBuckets: 262144, twReuse: 2 },
    unusual: { synSentByPeer, closeWaitByLocal: [{ endpoint: '10.0.0.1:8080', count: states['CLOSE-WAIT'] }], listeners: [] },
    closeWaitHeld: [{ seconds: 60, count: t % 7 }],
  };
  // Every 1,000 ticks the socket source fails for 30 ticks (a hung ss), then recovers.
  if (t % 1000 < 30) store.recordProblem(SOCKETS, new CollectorProblem('timeout', 'no answer within 2.0 s'), clock);
  else sample(SOCKETS, sockets, socketSeries(sockets));
  // Counters: 400, 40 of them moving; the table resets once a day's worth of ticks (a module reload).
  const values = new Map(counterNames.map((n, i) => [n, BigInt(i < 40 ? (t % 86_400) * (i + 1) : i)]));
  sample(COUNTERS, { total: values.size, values });
  store.recordCounters(COUNTERS, clock, values);
  // conntrack: filling and emptying.
  const count = 1000 + ((t * 13) % 60_000);
  sample(CONNTRACK, { count, max: 65_536, fill: count / 65_536, source: 'procfs', stats: new Map([['drop', BigInt(Math.floor(t / 5000))]]) });
  // 200 veths alive, one replaced every tick, like pods; their counters come and go with them.
  const interfaces: NicState[] = Array.from({ length: 200 }, (_, k) => ({
    name: `veth${(t + k).toString(16)}`,
    operstate: 'UP',
    kind: 'veth',
    physical: false,
    stats: new Map([['rx_packets', BigInt(t * 10)], ['rx_dropped', BigInt(k === 0 ? t : 0)]]),
  }));
  sample(NICS, { interfaces, source: 'ip' });
  store.recordCounters(NICS, clock, new Map(interfaces.flatMap((n) => [...n.stats].map(([s, v]) => [`${n.name}/${s}`, v] as const))));
  // Owners of CLOSE-WAIT: a new pid (and name) every 50 ticks, like a restarting worker.
  const pid = 10_000 + Math.floor(t / 50);
  sample(OWNERS, { byState: { 'CLOSE-WAIT': { owners: [{ pid, name: `worker-${pid}`, count: states['CLOSE-WAIT'], peers: [], locals: [] }], unowned: 0, total: states['CLOSE-WAIT'], atMs: clock } }, clientsOf: {} });
  sample(DESTINATIONS, { top: [], scanned: 0 });
  sample(SOCKET_MEMORY, { tcp: { pages: 100 + (t % 1000), low: 100_000, pressure: 200_000, max: 300_000 } });
  store.commitTick(clock);
}

function handles(): string {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}
const fds = () => readdirSync('/proc/self/fd').length;
const children = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(process.pid);
      } catch {
        return false;
      }
    }).length;
const mib = (n: number) => (n / 1048576).toFixed(1).padStart(6);

const rows: string[] = [];
const started = performance.now();
for (let t = 1; t <= TICKS; t++) {
  clock += 1000;
  tick(t);
  // Let React draw and the screen flush, as the event loop would between samples.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  if (t % REPORT_EVERY === 0 || t === 1000) {
    gc();
    const m = process.memoryUsage();
    rows.push(
      `  tick ${String(t).padStart(7)}: heap ${mib(m.heapUsed)} MiB, rss ${mib(m.rss)} MiB, fds ${fds()}, children ${children()}, handles: ${handles()}, alerts ${alerts.alerts.length}, ${Math.round((performance.now() - started) / 1000)} s`,
    );
    console.log(rows.at(-1));
  }
}
instance.unmount();
console.log(`${TICKS} ticks on a fake clock, ${(bytes / 1e6).toFixed(0)} MB drawn (after a full GC at each line):`);
console.log(rows.join('\n'));
process.exit(0);
