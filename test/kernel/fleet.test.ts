import { type ResultPromise, execa } from 'execa';
import { readFileSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetNsLink } from '../../collectors/parse/namespaces.js';
import { SOCKETS } from '../../collectors/sockets.js';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { readSeqFile } from '../../collectors/seqFile.js';
import { NamespaceFleet } from '../../src/fleet/fleet.js';
import { alertsClosedElsewhere } from '../../src/fleet/overview.js';
import { fleetRecord } from '../../src/fleet/record.js';
import { TCP_STATES } from '../../src/tcpState.js';
import { INCIDENT_SCRIPT, TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const available = await canCreateNetns();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Socket counts per state as ss prints them inside a namespace: what the fleet must match. */
async function ssCounts(prefix: string[]): Promise<Record<string, number>> {
  const out = await execa(prefix[0]!, [...prefix.slice(1), 'ss', '-tanH']);
  const counts: Record<string, number> = {};
  for (const line of out.stdout.split('\n').filter(Boolean)) {
    const state = line.split(/\s+/)[0]!.replace('ESTAB', 'ESTAB').replace(/^SYN-RECV$/, 'SYN-RECV');
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

/** The fleet's counts in ss's naming, zero states left out. */
function nonZero(states: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(states).filter(([, n]) => n > 0));
}

/**
 * A dozen namespaces: eight named, four held only by a process (as
 * containers' are), one with a known CLOSE-WAIT population, one with a
 * TIME-WAIT burst, the others with a few connections each.
 */
describe.runIf(available)('every namespace at once', () => {
  const named: TestNetns[] = [];
  const unnamed: { child: ResultPromise; pid: number; inode: number }[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 8; i++) named.push(await TestNetns.create(`fleet${i}`));
    await named[0]!.incident('states', { port: 9100, established: 3, closeWait: 12, clientClose: 'destroy' });
    await named[1]!.incident('states', { port: 9100, timeWait: 25 });
    for (let i = 2; i < 8; i++) await named[i]!.incident('states', { port: 9100, established: i });
    const host = parseNetNsLink(await readlink('/proc/self/ns/net'));
    for (let i = 0; i < 4; i++) {
      const child = execa('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${process.execPath} ${INCIDENT_SCRIPT} states --port=9100 --established=${i + 1}`], { stdin: 'pipe', reject: false });
      await new Promise<void>((resolve) => child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()));
      const inode = parseNetNsLink(await readlink(`/proc/${child.pid}/ns/net`));
      if (inode === undefined || inode === host) throw new Error('unshare did not make a namespace');
      unnamed.push({ child, pid: child.pid!, inode });
    }
  }, 120_000);

  afterAll(async () => {
    for (const u of unnamed) u.child.kill('SIGKILL');
    await Promise.allSettled(unnamed.map((u) => u.child));
    for (const ns of named) await ns.destroy();
  });

  it('gives each namespace its exact socket counts, from file reads', async () => {
    const fleet = new NamespaceFleet({ procRoot: '/proc', config: defaultAlertConfig(), intervalMs: 1000 });
    const state = await fleet.tick();
    for (const ns of named) {
      const watch = state.namespaces.find((w) => w.ns.names.includes(ns.name));
      expect(watch?.target).toEqual({ kind: 'netns', name: ns.name });
      expect(nonZero(watch?.store.sample(SOCKETS)?.value.states ?? {}), ns.name).toEqual(await ssCounts(['ip', 'netns', 'exec', ns.name]));
    }
    for (const u of unnamed) {
      const watch = state.namespaces.find((w) => w.ns.inode === u.inode);
      expect(watch?.ns.names).toEqual([]);
      expect(nonZero(watch?.store.sample(SOCKETS)?.value.states ?? {})).toEqual(await ssCounts(['nsenter', '-t', String(u.pid), '-n']));
    }
    const cw = state.namespaces.find((w) => w.ns.names.includes(named[0]!.name))?.store.sample(SOCKETS)?.value.states;
    expect(cw?.['CLOSE-WAIT']).toBe(12);
    const tw = state.namespaces.find((w) => w.ns.names.includes(named[1]!.name))?.store.sample(SOCKETS)?.value.states;
    expect(tw?.['TIME-WAIT']).toBe(25);
    expect(TCP_STATES.length).toBe(11);
  });

  it('raises the CLOSE-WAIT alert in the namespace that holds them, and only there, once they stood a minute', async () => {
    const fleet = new NamespaceFleet({ procRoot: '/proc', config: defaultAlertConfig(), intervalMs: 1000 });
    const until = Date.now() + 80_000;
    let state = await fleet.tick();
    while (Date.now() < until && !state.namespaces.some((w) => w.ns.names.includes(named[0]!.name) && w.alerts.some((a) => a.id === 'close-wait-climbing'))) {
      await sleep(1000);
      state = await fleet.tick();
    }
    // Other test files run beside this one, with namespaces of their own (some leaking): judge ours only.
    const ours = (w: { ns: { names: string[]; inode: number } }) => named.some((n) => w.ns.names.includes(n.name)) || unnamed.some((u) => u.inode === w.ns.inode);
    const alerted = state.namespaces.filter(ours).filter((w) => w.alerts.some((a) => a.id === 'close-wait-climbing'));
    expect(alerted.map((w) => w.ns.names)).toEqual([[named[0]!.name]]);
    // Worst first.
    expect(state.namespaces.filter(ours)[0]?.ns.names).toEqual([named[0]!.name]);
    expect(alerted[0]?.alerts[0]?.next[0]).toContain(`nsenter --net=/run/netns/${named[0]!.name} ss -tanp state close-wait`);

    // The namespace goes: it leaves the list, its alert closed as "namespace gone", not cleared.
    const leaving = named.shift()!;
    await leaving.destroy();
    state = await fleet.tick();
    expect(state.namespaces.some((w) => w.ns.names.includes(leaving.name))).toBe(false);
    const gone = fleetRecord(state).namespacesGone.filter((g) => g.names.includes(leaving.name));
    expect(gone.map((g) => g.alertsClosed.map((a) => [a.id, a.closed]))).toEqual([[['close-wait-climbing', 'namespace gone']]]);
    expect(alertsClosedElsewhere(state).filter((c) => c.subject.includes(leaving.name))).toHaveLength(1);
  }, 100_000);

  it('sees a leak start in a namespace that had been quiet', async () => {
    const late = await TestNetns.create('fleet-late');
    named.push(late);
    await late.incident('states', { port: 9200, established: 2 });
    const fleet = new NamespaceFleet({ procRoot: '/proc', config: defaultAlertConfig(), intervalMs: 1000 });
    const closeWait = (s: Awaited<ReturnType<typeof fleet.tick>>) => s.namespaces.find((w) => w.ns.names.includes(late.name))?.store.sample(SOCKETS)?.value.states['CLOSE-WAIT'];
    // Quiet for a few ticks: its socket list is read once and then stands.
    for (let i = 0; i < 3; i++) expect(closeWait(await fleet.tick())).toBe(0);
    await late.incident('states', { port: 9210, closeWait: 9, clientClose: 'destroy' });
    const until = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < until && seen !== 9) {
      await sleep(1000);
      seen = closeWait(await fleet.tick()) ?? -1;
    }
    expect(seen).toBe(9);
  }, 90_000);

  it('asks ss, filtered in the kernel, in a namespace with too many sockets for its files', async () => {
    const crowded = await TestNetns.create('fleet-crowd');
    named.push(crowded);
    await crowded.incident('states', { port: 9400, established: 6, closeWait: 7, clientClose: 'destroy' });
    const fleet = new NamespaceFleet({ procRoot: '/proc', config: defaultAlertConfig(), intervalMs: 1000, listMaxSockets: 10 });
    const watchOf = (s: Awaited<ReturnType<typeof fleet.tick>>) => s.namespaces.find((w) => w.ns.names.includes(crowded.name));
    // Blind, not calm, until ss answers.
    expect(watchOf(await fleet.tick())?.unread).toMatch(/too many to list from its files/);
    const until = Date.now() + 20_000;
    let sample = watchOf(await fleet.tick())?.store.sample(SOCKETS);
    while (Date.now() < until && sample?.value.states['CLOSE-WAIT'] !== 7) {
      await sleep(200);
      sample = watchOf(await fleet.tick())?.store.sample(SOCKETS);
    }
    expect(nonZero(sample?.value.states ?? {})).toEqual(await ssCounts(['ip', 'netns', 'exec', crowded.name]));
    expect(sample?.notes[0]).toMatch(/^\d+ sockets: states other than ESTAB and TIME-WAIT from ss, [\d.]+s ago$/);
  }, 60_000);

  it('reads a socket list longer than a page as readFileSync does, without the last read', async () => {
    const big = await TestNetns.create('fleet-big');
    named.push(big);
    await big.incident('states', { port: 9300, established: 150 });
    const pid = Number((await execa('ip', ['netns', 'pids', big.name])).stdout.split('\n')[0]);
    const path = `/proc/${pid}/net/tcp`;
    const whole = readFileSync(path, 'utf8');
    expect(whole.split('\n').length).toBeGreaterThan(300);
    expect(whole.length).toBeGreaterThan(3 * 4096);
    expect(readSeqFile(path)).toBe(whole);
  }, 60_000);

  it('prints every namespace in each --json --all-netns record, and sees one go and one come', async () => {
    const run = async () => {
      const out = await execa('node', [BIN, '--json', '--all-netns', '--count', '1'], { reject: false });
      expect(out.exitCode).toBe(0);
      return JSON.parse(out.stdout.split('\n')[0]!) as { namespaces: { inode: number; names: string[]; tcp: { states: Record<string, number> }; target: string }[] };
    };
    let record = await run();
    for (const ns of named) {
      const row = record.namespaces.find((n) => n.names.includes(ns.name));
      expect(row?.target).toBe(`netns:${ns.name}`);
      expect(nonZero(row?.tcp.states ?? {})).toEqual(await ssCounts(['ip', 'netns', 'exec', ns.name]));
    }
    expect(record.namespaces.filter((n) => unnamed.some((u) => u.inode === n.inode))).toHaveLength(4);
    const leaving = named.pop()!;
    await leaving.destroy();
    const arriving = await TestNetns.create('fleet-new');
    named.push(arriving);
    record = await run();
    expect(record.namespaces.some((n) => n.names.includes(leaving.name))).toBe(false);
    expect(record.namespaces.some((n) => n.names.includes(arriving.name))).toBe(true);
  }, 60_000);

  it('reads a namespace nothing runs in through a reader of its own — sockets, counters, conntrack — and leaves nothing in it', async () => {
    // As OpenStack's qrouter namespaces are: `ip netns add`, addresses, firewall and conntrack, no process.
    const empty = await TestNetns.create('fleet-empty');
    const client = await TestNetns.create('fleet-cl');
    named.push(empty, client);
    const link = await client.linkTo(empty, 81);
    await empty.exec(['iptables', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'ACCEPT']);
    // Five UDP flows into it, four datagrams each, to a port nobody listens on: its UdpNoPorts and its conntrack table move.
    const flows = `import socket\nfor _ in range(5):\n  s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n  for _ in range(4): s.sendto(b"x",("${link.addrB}",9999))\n  s.close()`;
    await client.exec(['python3', '-c', flows]);
    const pidsIn = async () => (await execa('ip', ['netns', 'pids', empty.name])).stdout.split('\n').filter(Boolean);
    expect(await pidsIn()).toEqual([]);
    const truth = {
      noPorts: Number(/^Udp: \d+ (\d+)/m.exec((await empty.exec(['cat', '/proc/net/snmp'])).stdout)?.[1]),
      conntrack: Number((await empty.exec(['cat', '/proc/sys/net/netfilter/nf_conntrack_count'])).stdout),
    };
    expect(truth.noPorts).toBe(20);
    expect(truth.conntrack).toBeGreaterThanOrEqual(5);
    const out = await execa('node', [BIN, '--json', '--all-netns', '--count', '1'], { reject: false });
    expect(out.exitCode).toBe(0);
    const record = JSON.parse(out.stdout.split('\n')[0]!) as {
      namespaces: { names: string[]; pids: Record<string, number | null>; tcp: { states?: Record<string, number>; error?: string }; counters: Record<string, { value: number }>; conntrack: { count?: number; max?: number; error?: string } }[];
    };
    const row = record.namespaces.find((n) => n.names.includes(empty.name));
    expect(row?.pids).toEqual({ count: 0, representative: null, reader: expect.any(Number) });
    expect(row?.tcp.error).toBeUndefined();
    expect(nonZero(row?.tcp.states ?? { unread: 1 })).toEqual({});
    expect(row?.counters.UdpNoPorts?.value).toBe(truth.noPorts);
    expect(row?.conntrack.count).toBe(truth.conntrack);
    expect(row?.conntrack.max).toBe(Number(readFileSync('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8')));
    // The reader went with nettriage.
    expect(await pidsIn()).toEqual([]);
  }, 60_000);
});
