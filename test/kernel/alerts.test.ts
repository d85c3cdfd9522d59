import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { parseCli } from '../../src/cli.js';
import { RULES } from '../../src/registry.js';
import { SOCKETS } from '../../collectors/sockets.js';
import { type Runtime, createRuntime } from '../../src/runtime.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const available = await canCreateNetns();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The dashboard's runtime (every collector, the alert engine) watching a namespace at 1 s. */
function watch(ns: TestNetns): Runtime {
  const cli = parseCli(['--netns', ns.name, '--json']);
  if (cli.kind !== 'run') throw new Error('bad options');
  const runtime = createRuntime(cli.options);
  runtime.scheduler.start();
  return runtime;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await sleep(250);
  }
  return condition();
}

async function waitForAlert(runtime: Runtime, match: (a: Alert) => boolean, timeoutMs = 30_000): Promise<Alert | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = runtime.alerts().alerts.find(match);
    if (found) return found;
    await sleep(250);
  }
  return undefined;
}

describe.runIf(available)('alerts on real incidents, each in its own namespace', () => {
  let ns: TestNetns | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    runtime?.scheduler.stop();
    runtime = undefined;
    await ns?.destroy();
    ns = undefined;
  });

  it('names the pid and command of a server that leaks CLOSE-WAIT', async () => {
    ns = await TestNetns.create('al-cw');
    const server = await ns.incident('serve', { port: 9100, halfOpen: 'true' });
    runtime = watch(ns);
    const started = Date.now();
    await ns.incident('churn', { port: 9100, count: 5, parallel: 5, forever: 'true', everyMs: 1000 });
    const alert = await waitForAlert(runtime, (a) => a.id === 'close-wait-climbing' && a.subject.includes('pid'));
    expect(alert?.subject).toBe(`node (pid ${server.pid})`);
    expect(alert?.summary).toMatch(/CLOSE-WAIT \d+ and climbing/);
    expect(alert?.why).toMatch(/never called close\(\)/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('says what a leaking service has left: its fds against its limit and when they run out, and its memory climbing with them', async () => {
    ns = await TestNetns.create('al-cwm');
    // A Python service that never closes what its clients close, and keeps 200 KB of every request.
    const script = [
      'import resource,socket,time',
      'resource.setrlimit(resource.RLIMIT_NOFILE,(4096,4096))',
      's=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(("127.0.0.1",9140));s.listen(512)',
      'kept=[]',
      'print("ready",flush=True)',
      'end=time.time()+120',
      'while time.time()<end and len(kept)<3000:',
      '  c,_=s.accept()',
      '  kept.append((c,b"x"*200_000))',
    ].join('\n');
    const service = execa('ip', ['netns', 'exec', ns.name, 'python3', '-c', script], { reject: false });
    await new Promise<void>((resolve) => service.stdout?.once('data', () => resolve()));
    runtime = watch(ns);
    // 20 requests a second: 1,200 fds and ~230 MiB a minute.
    await ns.incident('churn', { port: 9140, count: 20, parallel: 20, forever: 'true', everyMs: 1000 });
    const forecast = /; pid \d+ holds [\d,]+ of 4,096 fds — full in ~\d+ (min|s) at \+[\d,.k]+\/min, then accept\(\) fails with EMFILE; RSS [\d.]+ MiB, \+[\d.]+ MiB\/min/;
    const alert = await waitForAlert(runtime, (a) => a.id === 'close-wait-climbing' && forecast.test(a.summary), 40_000);
    service.kill('SIGKILL');
    expect(alert?.subject).toBe(`python3 (pid ${service.pid})`);
    expect(alert?.severity).toBe('critical');
    const holder = alert?.holder;
    expect(holder?.pid).toBe(service.pid);
    expect(holder?.fdLimit).toBe(4096);
    // Growing as the clients come: ~1,200 fds and ~230 MiB a minute (the first seconds of a move count as at least 5 s).
    expect(holder?.fdsPerMin).toBeGreaterThan(500);
    expect(holder?.fdsPerMin).toBeLessThan(2000);
    expect(holder?.rssBytesPerMin).toBeGreaterThan(80 * 2 ** 20);
    expect(holder?.fdsFullInMin).toBeLessThan(10);
    expect(alert?.why).toMatch(/EMFILE/);
  }, 60_000);

  it('calls 500 CLOSE-WAIT sockets that never grow a leak once they have stood for a minute, naming the owner', async () => {
    ns = await TestNetns.create('al-cws');
    const holder = await ns.incident('states', { port: 9120, closeWait: 500 });
    runtime = watch(ns);
    const alert = await waitForAlert(runtime, (a) => a.id === 'close-wait-climbing' && a.subject.includes('pid'), 85_000);
    expect(alert?.subject).toBe(`node (pid ${holder.pid})`);
    expect(alert?.summary).toMatch(/^CLOSE-WAIT 500, 500 of them held over 60 s and not closing: node \(pid \d+\) holds 500/);
    expect(alert?.severity).toBe('critical');
    // Standing still, not climbing: the count did not move the whole time.
    expect(runtime.store.trendPerMinute('tcp.states.CLOSE-WAIT')).toBe(0);
  }, 100_000);

  it('measures a leak that restarts after a drop at its real speed', async () => {
    ns = await TestNetns.create('al-cwr');
    const first = await ns.incident('serve', { port: 9130, halfOpen: 'true' });
    runtime = watch(ns);
    const closeWait = () => runtime?.store.sample(SOCKETS)?.value.states['CLOSE-WAIT'] ?? 0;
    // 20 connections a second, each left in CLOSE-WAIT: 1,200 a minute.
    await ns.incident('churn', { port: 9130, count: 20, parallel: 20, forever: 'true', everyMs: 1000 });
    expect(await waitFor(() => closeWait() >= 300, 40_000)).toBe(true);
    // The server restarts: its sockets go, then the leak starts again.
    process.kill(first.pid, 'SIGKILL');
    expect(await waitFor(() => closeWait() === 0, 15_000)).toBe(true);
    const second = await ns.incident('serve', { port: 9130, halfOpen: 'true' });
    const restarted = Date.now();
    const perMin = (a: Alert) => Number(/climbing \+([\d,]+)\/min/.exec(a.summary)?.[1]?.replace(/,/g, '') ?? 0);
    // The true speed is 1,200/min (the first seconds of a move count as at least 5 s, so it starts lower).
    const alert = await waitForAlert(runtime, (a) => a.id === 'close-wait-climbing' && a.subject === `node (pid ${second.pid})` && a.severity === 'critical' && perMin(a) > 600, 30_000);
    expect(alert).toBeDefined();
    expect(Date.now() - restarted).toBeLessThan(15_000);
    // The column and the alert quote the same figure.
    expect(runtime.store.trendPerMinute('tcp.states.CLOSE-WAIT')).toBeGreaterThan(600);
  }, 100_000);

  it('names the destination a client is running out of ephemeral ports for', async () => {
    ns = await TestNetns.create('al-port');
    await ns.exec(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40199']);
    // On loopback the default tcp_tw_reuse=2 would quietly recycle TIME-WAIT ports.
    await ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=0']);
    await ns.incident('closer', { port: 9500 });
    runtime = watch(ns);
    const started = Date.now();
    // About 10 connections a second, each held ~0.9 s by the client (a slow request and its answer): 200 ports last ~20 s.
    const client = await ns.incident('churn', { port: 9500, count: 10, parallel: 10, forever: 'true', everyMs: 100, lingerMs: 900, clientWaits: 'true' });
    const alert = await waitForAlert(runtime, (a) => a.id === 'ephemeral-port-exhaustion');
    expect(alert?.subject).toBe('127.0.0.1:9500 from 127.0.0.1');
    expect(alert?.summary).toMatch(/of 200 ephemeral ports( \(\d+%\))? in use/);
    expect(alert?.summary).toMatch(/127\.0\.0\.1:9500/);
    // TIME-WAIT sockets have no owner; the live ones of the client do, for a moment.
    const named = await waitForAlert(runtime, (a) => a.id === 'ephemeral-port-exhaustion' && a.summary.includes(`connecting: node (pid ${client.pid})`), 20_000);
    expect(named?.severity).toBe('critical');
    expect(alert?.why).toMatch(/tcp_tw_reuse=0/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('names the destination whose SYNs go unanswered', async () => {
    ns = await TestNetns.create('al-syn');
    await ns.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9600', '--syn', '-j', 'DROP']);
    runtime = watch(ns);
    await ns.incident('dial', { port: 9600, count: 6, perBatch: 2, everyMs: 500 });
    const alert = await waitForAlert(runtime, (a) => a.id === 'syn-sent-stuck');
    expect(alert?.subject).toBe('127.0.0.1:9600');
    expect(alert?.summary).toMatch(/connections? to 127\.0\.0\.1:9600 stuck in SYN-SENT/);
    // Every retransmit here is a SYN's: not a lossy path, and no share above 100%.
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      expect(runtime.alerts().alerts.filter((a) => a.id === 'tcp-retransmits')).toEqual([]);
      await sleep(500);
    }
  });

  it('names the overflowing listener and its owner when nobody accepts', async () => {
    ns = await TestNetns.create('al-acc');
    // A listener with backlog 1 that never calls accept() (node accepts by itself).
    const script = "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',9700))\ns.listen(1)\nprint('ready',flush=True)\ntime.sleep(120)";
    const child = execa('ip', ['netns', 'exec', ns.name, 'python3', '-c', script], { reject: false });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    runtime = watch(ns);
    await ns.incident('dial', { port: 9700, count: 400, perBatch: 4, everyMs: 100, lingerMs: 30_000 });
    const alert = await waitForAlert(runtime, (a) => a.id === 'accept-queue-overflow' && a.subject.includes('pid'));
    expect(alert?.subject).toBe(`listener 127.0.0.1:9700 of python3 (pid ${child.pid})`);
    expect(alert?.summary).toMatch(/accept queue (full, new connections dropped|overflowing: [\d.]+\/s overflows)/);
    // One cause, one alert: for 20 s, whatever else fires rides under the overflow.
    const others = new Map<string, Alert>();
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      for (const a of runtime.alerts().alerts) if (a.id !== 'accept-queue-overflow') others.set(`${a.id} ${a.subject}`, a);
      await sleep(500);
    }
    for (const a of others.values()) expect({ id: a.id, causedBy: a.causedBy?.id }).toEqual({ id: a.id, causedBy: 'accept-queue-overflow' });
    const synSent = [...others.values()].find((a) => a.id === 'syn-sent-stuck');
    // The clients' SYNs pile up in SYN-SENT (the full queue drops them): a symptom, worded as one.
    expect(synSent?.why).toMatch(/127\.0\.0\.1:9700, a listener in this namespace/);
    child.kill('SIGKILL');
  });

  it('calls a SYN-SENT pile toward a full accept queue the listener’s symptom from the first sample of nettriage --json', async () => {
    ns = await TestNetns.create('al-acc1');
    const script = "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',9710))\ns.listen(1)\nprint('ready',flush=True)\ntime.sleep(120)";
    const child = execa('ip', ['netns', 'exec', ns.name, 'python3', '-c', script], { reject: false });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    // Five connects a second, each left to retry its SYN: the first two fill the queue, the rest pile up in SYN-SENT.
    await ns.incident('dial', { port: 9710, count: 200, perBatch: 1, everyMs: 200, lingerMs: 60_000 });
    const out = await execa('node', [BIN, '--json', '--netns', ns.name, '--count', '14'], { reject: false, timeout: 40_000 });
    child.kill('SIGKILL');
    expect(out.exitCode).toBe(0);
    const records = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { alerts: { id: string; severity: string; causedBy?: { id: string } }[] });
    expect(records).toHaveLength(14);
    const topCritical = records.map((r, i) => ({ sample: i + 1, ids: r.alerts.filter((a) => !a.causedBy && a.severity === 'critical').map((a) => a.id) }));
    for (const t of topCritical) expect(t.ids.filter((id) => id !== 'accept-queue-overflow'), `sample ${t.sample}`).toEqual([]);
    // The pile did become an alert of its own rule, and it rode under the listener every time.
    const synSent = records.flatMap((r) => r.alerts.filter((a) => a.id === 'syn-sent-stuck'));
    expect(synSent.length).toBeGreaterThan(0);
    expect(synSent.every((a) => a.causedBy?.id === 'accept-queue-overflow')).toBe(true);
    // The cause is as severe as its worst symptom, and up before the symptom is.
    expect(records.at(-1)?.alerts[0]).toMatchObject({ id: 'accept-queue-overflow', severity: 'critical' });
    const firstCause = records.findIndex((r) => r.alerts.some((a) => a.id === 'accept-queue-overflow'));
    const firstSymptom = records.findIndex((r) => r.alerts.some((a) => a.id === 'syn-sent-stuck'));
    expect(firstCause).toBeGreaterThanOrEqual(0);
    expect(firstCause).toBeLessThanOrEqual(firstSymptom);
  }, 60_000);

  it('raises nothing in an idle namespace for 60 s', async () => {
    ns = await TestNetns.create('al-idle');
    runtime = watch(ns);
    const seen = new Set<string>();
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      for (const a of runtime.alerts().alerts) seen.add(`${a.id} ${a.subject}`);
      await sleep(500);
    }
    expect([...seen]).toEqual([]);
    expect(runtime.store.ticks).toBeGreaterThan(50);
    // Every rule ran for the whole minute: none was disabled by an error.
    expect(runtime.alerts().watching).toBe(RULES.length);
    expect(runtime.alerts().disabled).toEqual([]);
  }, 90_000);
});
