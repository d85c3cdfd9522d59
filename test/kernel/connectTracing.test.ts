import { type ResultPromise, execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';
import { TRACEFS, connectTracing, ensureTracefs, hostSockEventUntouched, nettriageInstances } from '../helpers/tracefs.js';

const netns = await canCreateNetns();
const tracefs = netns ? await ensureTracefs() : undefined;
if (kernelTestsRequired && netns && !tracefs) throw new Error('strict mode (NETTRIAGE_STRICT=1): tracefs cannot be mounted at /sys/kernel/tracing');
const FAULT = join(import.meta.dirname, '..', 'helpers', 'faultWhenTracing.cjs');

interface PortAlert {
  id: string;
  summary: string;
  clients?: { how: string; ageMs: number; processes: { pid: number; name: string; connectsPerSec?: number }[] };
}

/**
 * A client whose connections last a millisecond: 120 connect()s a second to
 * one destination, each closed at once, against a port range of 1,000 with
 * tcp_tw_reuse=0. TIME-WAIT has no owner, and ss -p almost never catches
 * one of its sockets alive.
 */
describe.runIf(netns && tracefs !== undefined)('who connects, from the connect() calls the kernel traces', () => {
  let ns: TestNetns;
  let client: { pid: number };

  beforeAll(async () => {
    ns = await TestNetns.create('ct');
    await ns.exec(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=42000 42999']);
    await ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=0']);
    await ns.incident('closer', { port: 9500 });
    client = await ns.incident('churn', { port: 9500, count: 12, parallel: 12, forever: 'true', everyMs: 100, lifetimeMs: 170_000 });
  }, 30_000);
  afterAll(async () => {
    await ns?.destroy();
    if (tracefs?.mountedHere) await execa('umount', [TRACEFS], { reject: false });
  });

  /** A --json nettriage on the namespace, its records as they come. In an object: the child is a thenable. */
  function watchJson(extraNodeArgs: string[] = []): { child: ResultPromise; records: { alerts: PortAlert[] }[] } {
    const child = execa('node', [...extraNodeArgs, BIN, '--json', '--netns', ns.name], { reject: false, buffer: false });
    const records: { alerts: PortAlert[] }[] = [];
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) records.push(JSON.parse(line) as { alerts: PortAlert[] });
    });
    return { child, records };
  }

  it('names the client of an exhausted destination, its pid and rate, and says it traced it', async () => {
    const { child, records } = watchJson();
    try {
      const alert = await until('the port alert names a traced client', 30_000, () =>
        records.flatMap((r) => r.alerts).find((a) => a.id === 'ephemeral-port-exhaustion' && a.clients?.how === 'traced'),
      );
      expect(alert.summary).toMatch(/of 1,000 ephemeral ports/);
      expect(alert.summary).toContain(`; connecting: node (pid ${client.pid}) `);
      expect(alert.summary).toMatch(/\(traced: connect\(\) calls seen 1s in every 10s/);
      const seen = alert.clients?.processes.find((p) => p.pid === client.pid);
      expect(seen?.name).toBe('node');
      // ~120 a second are made; a window of one second sees about that many.
      expect(seen?.connectsPerSec).toBeGreaterThan(50);
      expect(seen?.connectsPerSec).toBeLessThan(250);
      // Only processes of the watched namespace: nobody else is named.
      expect(alert.clients?.processes.map((p) => p.pid)).toEqual([client.pid]);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
    expect(nettriageInstances()).toEqual([]);
    expect(hostSockEventUntouched()).toBe(true);
  }, 60_000);

  /** Resolves once the tracepoint is on in the instance of a --json nettriage. */
  async function tracingJson(extraNodeArgs: string[] = []): Promise<{ child: ResultPromise }> {
    const { child } = watchJson(extraNodeArgs);
    await until('the connect() tracepoint is on in its instance', 30_000, () => connectTracing(child.pid!), 20);
    return { child };
  }

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`leaves nothing enabled after ${signal}, caught with the tracepoint on`, async () => {
      const { child } = await tracingJson();
      child.kill(signal);
      await child;
      expect(nettriageInstances()).toEqual([]);
      expect(hostSockEventUntouched()).toBe(true);
    }, 45_000);
  }

  it('leaves nothing enabled after a crash inside the process', async () => {
    const r = await execa('node', ['--require', FAULT, BIN, '--json', '--netns', ns.name], { reject: false, stdout: 'ignore', timeout: 60_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('fault injected by the test while tracing');
    expect(nettriageInstances()).toEqual([]);
    expect(hostSockEventUntouched()).toBe(true);
  }, 70_000);

  it('removes what a SIGKILLed nettriage left behind when the next one starts', async () => {
    const { child } = await tracingJson();
    child.kill('SIGKILL');
    await child;
    expect(nettriageInstances()).toEqual([`nettriage-${child.pid}-connect`]);
    // The next one traces as soon as the alert is up: its start clears the leftover first.
    const { child: next } = await tracingJson();
    expect(nettriageInstances()).toEqual([`nettriage-${next.pid}-connect`]);
    next.kill('SIGTERM');
    await next;
    expect(nettriageInstances()).toEqual([]);
    expect(hostSockEventUntouched()).toBe(true);
  }, 70_000);

  it.runIf(hasTmux)('on screen: the alert names the client, Enter shows who connects to its destination, and q leaves nothing enabled', async () => {
    const session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: 'connect-q', columns: 200, rows: 60 });
    try {
      const pid = await until('the dashboard runs', 10_000, () => session.dashboardPid());
      await until('tracing on', 30_000, () => connectTracing(pid), 20);
      const screen = await session.waitFor(new RegExp(`connecting: node \\(pid ${client.pid}\\)`), 30_000);
      expect(screen).toMatch(new RegExp(`connecting: node \\(pid ${client.pid}\\) \\d+/s \\(traced`));
      // Enter on the alert: the destination's TIME-WAIT sockets, and who connects there.
      await session.keys('1', 'Enter');
      const drill = await session.waitFor(/who connects here/, 15_000);
      expect(drill).toContain('TIME-WAIT › by destination › 127.0.0.1 → 127.0.0.1:9500');
      expect(drill).toMatch(new RegExp(`who connects here \\(traced connect\\(\\) calls\\): node \\(pid ${client.pid}\\) \\d+/s`));
      await session.keys('q', 'q');
      expect(await session.exitCode()).toBe(0);
      expect(nettriageInstances()).toEqual([]);
      expect(hostSockEventUntouched()).toBe(true);
    } finally {
      await session.kill();
    }
  }, 90_000);
});
