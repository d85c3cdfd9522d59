import { execa } from 'execa';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NIC_DETAILS_EVERY_TICKS, NICS } from '../../collectors/nics.js';
import { parseCli } from '../../src/cli.js';
import { type Runtime, createRuntime } from '../../src/runtime.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';

const available = await canCreateNetns();
const TOOLS = ['ss', 'ip', 'ethtool', 'conntrack', 'grep', 'nsenter', 'cat', 'tail'];

/**
 * Every tool the dashboard may start, wrapped: the wrapper notes its name in
 * a log, then becomes the real tool. The log is the count of process starts.
 */
async function wrappedTools(dir: string): Promise<{ path: string; log: string }> {
  const log = join(dir, 'starts.log');
  writeFileSync(log, '');
  for (const tool of TOOLS) {
    const real = (await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).stdout.trim();
    if (!real) continue;
    const file = join(dir, tool);
    writeFileSync(file, `#!/bin/sh\necho ${tool} >> ${log}\nexec ${real} "$@"\n`);
    chmodSync(file, 0o755);
  }
  return { path: `${dir}:${process.env.PATH}`, log };
}

const starts = (log: string) => {
  const counts: Record<string, number> = {};
  for (const tool of readFileSync(log, 'utf8').split('\n').filter(Boolean)) counts[tool] = (counts[tool] ?? 0) + 1;
  return counts;
};

describe.runIf(available)('process starts while watching a namespace', () => {
  let ns: TestNetns;
  let runtime: Runtime;
  let scratch: string;
  let log: string;
  const savedPath = process.env.PATH;

  beforeAll(async () => {
    ns = await TestNetns.create('starts');
    // Quiet means quiet: without IPv6, no router solicitation or MLD report of an interface
    // coming up can move a drop counter (and so an ip run) during the quiet ticks.
    await ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    // A veth pair inside the namespace whose far end takes smaller packets than the near end sends:
    // a big datagram is dropped on the way and counted as vA's tx_dropped.
    await ns.exec(['ip', 'link', 'add', 'vA', 'type', 'veth', 'peer', 'name', 'vB']);
    await ns.exec(['ip', 'link', 'set', 'vB', 'mtu', '1000', 'up']);
    await ns.exec(['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'vA']);
    await ns.exec(['ip', 'link', 'set', 'vA', 'up']);
    await ns.exec(['ip', 'neigh', 'replace', '10.99.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'vA', 'nud', 'permanent']);
    scratch = mkdtempSync(join(tmpdir(), 'nettriage-starts-'));
    const tools = await wrappedTools(scratch);
    log = tools.log;
    // The shells the dashboard starts inherit this PATH: every start goes through a wrapper.
    process.env.PATH = tools.path;
    const cli = parseCli(['--netns', ns.name, '--timeout', '5s']);
    if (cli.kind !== 'run') throw new Error('options');
    runtime = createRuntime(cli.options);
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await runtime?.close();
    await ns?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts no ss on a small quiet namespace (its files are read), ip every 10 ticks, and ip at once when an error counter moves', async () => {
    const ticks = 2 * NIC_DETAILS_EVERY_TICKS + 5;
    for (let i = 0; i < ticks; i++) await runtime.scheduler.runTick();
    const quiet = starts(log);
    expect(quiet.ss ?? 0).toBe(0);
    // Ticks 0, 10 and 20, the namespace's link monitor (ip -o monitor link) once for the run, and one
    // `ip -batch` of neighbours, addresses and route cache (calm: again only 30 s later, wall clock).
    expect(quiet.ip).toBe(5);
    // The TCP limits and nf_conntrack_max, once each at the first tick.
    expect(quiet.grep ?? 0).toBeLessThanOrEqual(2);
    // One shell for the whole run, and the link monitor's, each entered into the namespace once.
    expect(quiet.nsenter).toBe(2);
    expect(quiet.ethtool ?? 0).toBe(0);
    expect(quiet.conntrack ?? 0).toBe(0);
    expect(quiet.cat ?? 0).toBe(0);
    expect(quiet.tail ?? 0).toBe(0);

    // A 1,400-byte datagram for a peer whose MTU is 1,000: dropped, and counted.
    await ns.exec([process.execPath, '-e', "require('dgram').createSocket('udp4').send(Buffer.alloc(1400), 9, '10.99.0.2', () => process.exit(0))"]);
    const before = starts(log).ip ?? 0; // `ip netns exec` above went through the wrapper too
    await runtime.scheduler.runTick();
    expect(starts(log).ip).toBe(before + 1);
    const nic = runtime.store.sample(NICS)?.value.interfaces.find((n) => n.name === 'vA');
    expect(nic?.stats.get('tx_dropped')).toBe(1n);
    expect(runtime.store.counters(NICS).get('vA/tx_dropped')?.value).toBe(1n);
  });
});
