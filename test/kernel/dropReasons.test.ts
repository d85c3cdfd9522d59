import { type ResultPromise, execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired, udpBlastScript } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';
import { TRACEFS, ensureTracefs, hostEventUntouched, instanceTracing, kernelHasHistTriggers, nettriageInstances } from '../helpers/tracefs.js';
import { alive } from '../helpers/process.js';

const netns = await canCreateNetns();
const tracefs = netns ? await ensureTracefs() : undefined;
if (kernelTestsRequired && netns && !tracefs) throw new Error('strict mode (NETTRIAGE_STRICT=1): tracefs cannot be mounted at /sys/kernel/tracing');
const FAULT = join(import.meta.dirname, '..', 'helpers', 'faultWhenTracing.cjs');

/** UDP datagrams, 2 every 10 ms (~200/s) for at most `seconds`, to a port an iptables rule drops. */
const BLAST = (to: string, seconds: number) => udpBlastScript(to, { perBurst: 2, bytes: 100, seconds });

describe.runIf(netns && tracefs !== undefined)('the kernel’s drop reasons (skb:kfree_skb through a tracefs instance)', () => {
  let a: TestNetns;
  let b: TestNetns;
  let link: Awaited<ReturnType<TestNetns['linkTo']>>;
  let blast: ResultPromise | undefined;
  const hist = kernelHasHistTriggers();
  const droppedPackets = async () => Number((await b.exec(['iptables', '-L', 'INPUT', '-v', '-x', '-n'])).stdout.split('\n').find((l) => l.includes('dpt:9999'))?.trim().split(/\s+/)[0]);

  beforeAll(async () => {
    a = await TestNetns.create('dr-a');
    b = await TestNetns.create('dr-b');
    link = await a.linkTo(b, 77);
    await b.exec(['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '9999', '-j', 'DROP']);
    blast = execa('ip', ['netns', 'exec', a.name, 'python3', '-c', BLAST(link.addrB, 90)], { reject: false });
  }, 30_000);
  afterAll(async () => {
    blast?.kill('SIGKILL');
    await blast?.catch(() => undefined);
    await a?.destroy();
    await b?.destroy();
    if (tracefs?.mountedHere) await execa('umount', [TRACEFS], { reject: false });
  });

  it('an iptables DROP shows as NETFILTER_DROP at the rate the rule drops, and the drop path points at netfilter', async () => {
    const before = { packets: await droppedPackets(), atMs: Date.now() };
    const out = await execa('node', [BIN, '--json', '--drop-reasons', '--netns', b.name, '--count', '14'], { reject: false });
    const truth = (((await droppedPackets()) - before.packets) / (Date.now() - before.atMs)) * 1000;
    expect(out.exitCode).toBe(0);
    const last = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      dropReasons: { mode: string; scope: string; sampling?: { windowMs: number; everyMs: number }; perSec: Record<string, { now: number | null; minute: number | null; layer: string | null }> };
      dropPath: { layer: string; dropsPerSecMinute: number | null; top: { counter: string } | null }[];
    };
    expect(last.dropReasons.mode).toBe(hist ? 'hist' : 'sampled');
    expect(last.dropReasons.scope).toBe('host');
    if (!hist) expect(last.dropReasons.sampling).toMatchObject({ windowMs: 1000, everyMs: 10_000 });
    const netfilter = last.dropReasons.perSec.NETFILTER_DROP;
    expect(netfilter?.layer).toBe('conntrack');
    // The rule's own counter is the truth: a sample of one second in ten says the same rate.
    expect(truth).toBeGreaterThan(50);
    expect(netfilter?.now).toBeGreaterThan(truth * 0.6);
    expect(netfilter?.now).toBeLessThan(truth * 1.5);
    const worst = [...last.dropPath].sort((x, y) => (y.dropsPerSecMinute ?? 0) - (x.dropsPerSecMinute ?? 0))[0];
    expect(worst?.layer).toBe('conntrack');
    expect(worst?.top?.counter).toBe('NETFILTER_DROP (drop reason)');
    expect(nettriageInstances()).toEqual([]);
    expect(hostEventUntouched()).toBe(true);
  }, 60_000);

  it('serves them to Prometheus, said how they were counted, in a form promtool accepts', async () => {
    const port = 19_000 + (process.pid % 1000);
    const child = execa('node', [BIN, '--headless', '--drop-reasons', '--netns', b.name, '--metrics', String(port)], { reject: false });
    try {
      const series = new RegExp(`^nettriage_drop_reason_packets_total\\{reason="NETFILTER_DROP",counted="${hist ? 'kernel' : 'sampled'}"\\} (\\d+)$`, 'm');
      let text = '';
      await until('NETFILTER_DROP is scraped', 25_000, async () => {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
        return Number(series.exec(text)?.[1] ?? 0) > 0;
      });
      const check = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
      expect(check.stdout + check.stderr).toBe('');
    } finally {
      child.kill('SIGTERM');
      await child;
    }
    expect(nettriageInstances()).toEqual([]);
  }, 40_000);

  it.runIf(!hist)('says why there are none without --drop-reasons on a kernel without hist triggers', async () => {
    const out = await execa('node', [BIN, '--json', '--netns', b.name, '--count', '2'], { reject: false });
    const last = JSON.parse(out.stdout.trim().split('\n').pop()!) as { dropReasons: { error: string } };
    expect(last.dropReasons.error).toMatch(/no hist triggers .*--drop-reasons samples/);
    expect(nettriageInstances()).toEqual([]);
  }, 30_000);

  /**
   * A --json nettriage whose tracing is on: resolves once the tracepoint (or
   * the trigger) is live in its instance. In an object: the child is a
   * thenable, and an async function returning it would wait for its exit.
   */
  async function tracingJson(extraNodeArgs: string[] = []): Promise<{ child: ResultPromise }> {
    const child = execa('node', [...extraNodeArgs, BIN, '--json', '--drop-reasons', '--netns', b.name], { reject: false, stdout: 'ignore' });
    await until('the tracepoint is on in its instance', 25_000, () => instanceTracing(child.pid!), 20);
    return { child };
  }

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`leaves nothing enabled after ${signal}, caught with the tracepoint on`, async () => {
      const { child } = await tracingJson();
      child.kill(signal);
      await child;
      expect(nettriageInstances()).toEqual([]);
      expect(hostEventUntouched()).toBe(true);
    }, 40_000);
  }

  it('leaves nothing enabled after a crash inside the process', async () => {
    // The fault is thrown the moment the tracepoint is on: its message says tracing was live at the crash.
    const r = await execa('node', ['--require', FAULT, BIN, '--json', '--drop-reasons', '--netns', b.name], { reject: false, stdout: 'ignore', timeout: 30_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('fault injected by the test while tracing');
    expect(nettriageInstances()).toEqual([]);
    expect(hostEventUntouched()).toBe(true);
  }, 40_000);

  it('removes what a SIGKILLed nettriage left behind when the next one starts', async () => {
    const { child } = await tracingJson();
    child.kill('SIGKILL');
    await child;
    // Nothing runs in a SIGKILLed process: its instance stays, with the event on.
    expect(nettriageInstances()).toEqual([`nettriage-${child.pid}`]);
    const next = await execa('node', [BIN, '--json', '--drop-reasons', '--netns', b.name, '--count', '2'], { reject: false });
    expect(next.exitCode).toBe(0);
    expect(nettriageInstances()).toEqual([]);
    expect(hostEventUntouched()).toBe(true);
  }, 40_000);

  it.runIf(hasTmux)('on screen: d shows the reasons, and q and a dropped ssh session (SIGHUP) leave nothing enabled', async () => {
    for (const exit of ['q', 'hangup'] as const) {
      const session = await TmuxSession.start(`node ${BIN} --drop-reasons --netns ${b.name}`, { label: `reasons-${exit}` });
      try {
        await session.waitFor(/TCP sockets/);
        const pid = await session.dashboardPid();
        await until('tracing on', 25_000, () => instanceTracing(pid!), 20);
        await session.keys('d');
        const screen = await session.waitFor(/NETFILTER_DROP +\d+ +\d+ +→ conntrack, netfilter/, 25_000);
        expect(screen).toMatch(/▶ conntrack, netfilter/);
        expect(screen).toContain('KERNEL DROP REASONS');
        expect(screen).toContain(hist ? 'counted in the kernel' : 'sampled: skb:kfree_skb on 1s in every 10s (--drop-reasons), host-wide');
        await until('tracing on again', 25_000, () => instanceTracing(pid!), 20);
        if (exit === 'q') {
          await session.keys('d', 'q');
          expect(await session.exitCode()).toBe(0);
        } else {
          // What the terminal sends when the ssh session drops.
          await session.kill();
          await until('the dashboard is gone', 10_000, () => !alive(pid!));
        }
        expect(nettriageInstances()).toEqual([]);
        expect(hostEventUntouched()).toBe(true);
      } finally {
        await session.kill();
      }
    }
  }, 120_000);
});

