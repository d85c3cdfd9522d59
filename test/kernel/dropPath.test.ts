import { type ResultPromise, execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qdiscKey } from '../../collectors/parse/qdisc.js';
import { createQdiscsCollector, qdiscCounterKey } from '../../collectors/qdiscs.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns, udpBlastScript } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const available = await canCreateNetns();

/** UDP datagrams of 1,000 bytes, 2,000 a second for `seconds`: 16 Mbit/s into a 1 Mbit/s shaper. Bounded in count and time. */
const BLAST = (to: string, seconds: number) => udpBlastScript(to, { perBurst: 20, bytes: 1000, seconds });

describe.runIf(available)('the transmit queue: a shaper with a 5-packet child queue under a burst', () => {
  let a: TestNetns;
  let b: TestNetns;
  let link: Awaited<ReturnType<TestNetns['linkTo']>>;
  let blast: ResultPromise | undefined;

  beforeAll(async () => {
    a = await TestNetns.create('qd-a');
    b = await TestNetns.create('qd-b');
    link = await a.linkTo(b, 78);
    // tbf shapes to 1 Mbit/s; its inner queue is a pfifo of 5 packets: a burst overflows it.
    await a.exec(['tc', 'qdisc', 'add', 'dev', link.a, 'root', 'handle', '1:', 'tbf', 'rate', '1mbit', 'burst', '5kb', 'latency', '50ms']);
    await a.exec(['tc', 'qdisc', 'add', 'dev', link.a, 'parent', '1:1', 'handle', '10:', 'pfifo', 'limit', '5']);
  }, 30_000);
  afterAll(async () => {
    blast?.kill('SIGKILL');
    await blast?.catch(() => undefined);
    await a?.destroy();
    await b?.destroy();
  });

  it('counts the drops on the child queue that overflows, from one tc for every interface', async () => {
    const io = createTargetIO({ kind: 'netns', name: a.name }, defaultRoots);
    const collector = createQdiscsCollector();
    try {
      await collector.sample({ io, timeoutMs: 5000, tick: 0 });
      await execa('ip', ['netns', 'exec', a.name, 'python3', '-c', BLAST(link.addrB, 2)]);
      const { value } = await collector.sample({ io, timeoutMs: 5000, tick: 1 });
      expect(value.qdiscs.map((q) => qdiscKey(q))).toEqual(expect.arrayContaining([`${link.a} root 1: tbf`, `${link.a} parent 1:1 10: pfifo`]));
      const child = value.qdiscs.find((q) => q.kind === 'pfifo')!;
      expect(child.drops).toBeGreaterThan(100);
      expect(collector.counters?.(value).get(qdiscCounterKey(child, 'drops'))).toBe(BigInt(child.drops));
    } finally {
      await io.close();
    }
  }, 30_000);

  it('raises qdisc-drops naming the interface and the queue', async () => {
    blast = execa('ip', ['netns', 'exec', a.name, 'python3', '-c', BLAST(link.addrB, 40)], { reject: false });
    const out = await execa('node', [BIN, '--json', '--netns', a.name, '--count', '18'], { reject: false });
    expect(out.exitCode).toBe(0);
    const last = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      alerts: { id: string; subject: string; summary: string }[];
      qdiscs: { perSec: Record<string, { drops: number | null }> };
      dropPath: { layer: string; dropsPerSecMinute: number | null; top: { counter: string } | null }[];
    };
    const alert = last.alerts.find((x) => x.id === 'qdisc-drops');
    expect(alert?.subject).toBe(`${link.a} qdisc`);
    expect(alert?.summary).toMatch(new RegExp(`${link.a} (root 1: tbf|parent 1:1 10: pfifo) drops`));
    expect(last.qdiscs.perSec[`${link.a} parent 1:1 10: pfifo`]?.drops).toBeGreaterThan(0);
    // The drop path points at the queue: the layer that loses most over the minute, its root named.
    expect(last.dropPath.map((l) => l.layer)).toEqual(['nic', 'softnet', 'conntrack', 'ip', 'tcp', 'udp', 'qdisc', 'tx']);
    const worst = [...last.dropPath].sort((x, y) => (y.dropsPerSecMinute ?? 0) - (x.dropsPerSecMinute ?? 0))[0];
    expect(worst?.layer).toBe('qdisc');
    expect(worst?.top?.counter).toBe(`${link.a} tbf`);
  }, 60_000);

  it.runIf(hasTmux)('d on the dashboard shows the drop path, the qdisc layer marked as where packets die', async () => {
    blast?.kill('SIGKILL');
    await blast?.catch(() => undefined);
    blast = execa('ip', ['netns', 'exec', a.name, 'python3', '-c', BLAST(link.addrB, 40)], { reject: false });
    const session = await TmuxSession.start(`node ${BIN} --netns ${a.name}`, { label: 'droppath' });
    try {
      await session.waitFor(/TCP sockets/);
      await session.keys('d');
      const screen = await session.waitFor(/▶ qdisc \(transmit\)\s+[\d.,k]+\s+[\d.,k]+/, 30_000);
      expect(screen).toMatch(/packets die at qdisc \(transmit\) most/);
      expect(screen).toContain(`${link.a} tbf`);
      // The next command runs in the namespace watched.
      expect(screen).toMatch(new RegExp(`\\$ nsenter --net=/run/netns/${a.name} tc -s qdisc show`));
      await session.keys('Escape');
      expect(await session.waitFor(/TCP sockets/)).not.toMatch(/Drop path/);
    } finally {
      await session.kill();
    }
  }, 60_000);
});

describe.runIf(available)('the drop path of a listener that never accepts', () => {
  let ns: TestNetns;
  afterAll(async () => {
    await ns?.destroy();
  });

  it('points at the TCP layer, ListenDrops moving most', async () => {
    ns = await TestNetns.create('dp-acc');
    const script = "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',9710))\ns.listen(1)\nprint('ready',flush=True)\ntime.sleep(120)";
    const child = execa('ip', ['netns', 'exec', ns.name, 'python3', '-c', script], { reject: false });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    await ns.incident('dial', { port: 9710, count: 400, perBatch: 4, everyMs: 100, lingerMs: 30_000 });
    const out = await execa('node', [BIN, '--json', '--netns', ns.name, '--count', '8'], { reject: false });
    child.kill('SIGKILL');
    expect(out.exitCode).toBe(0);
    const last = JSON.parse(out.stdout.trim().split('\n').pop()!) as { dropPath: { layer: string; dropsPerSecMinute: number | null; top: { counter: string } | null }[] };
    const worst = [...last.dropPath].sort((x, y) => (y.dropsPerSecMinute ?? 0) - (x.dropsPerSecMinute ?? 0))[0];
    expect(worst?.layer).toBe('tcp');
    expect(worst?.top?.counter).toBe('TcpExtListenDrops');
  }, 60_000);
});
