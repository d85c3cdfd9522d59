import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DNS } from '../../collectors/dns.js';
import type { Alert } from '../../src/alerts/types.js';
import { parseCli } from '../../src/cli.js';
import { buildLayers } from '../../src/layers.js';
import { type Runtime, createRuntime } from '../../src/runtime.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { until } from '../helpers/wait.js';

const available = await canCreateNetns();
const DNS_SERVER = join(import.meta.dirname, '../helpers/dns-server.py');

function watch(args: string[]): Runtime {
  const cli = parseCli([...args, '--json']);
  if (cli.kind !== 'run') throw new Error('bad options');
  const runtime = createRuntime(cli.options);
  runtime.scheduler.start();
  return runtime;
}

const alertOf = (runtime: Runtime, match: (a: Alert) => boolean) => () => runtime.alerts().alerts.find(match);
const dnsLine = (runtime: Runtime) => buildLayers(runtime.store, runtime.alerts().alerts).find((l) => l.layer === 'application');

describe.runIf(available)('DNS as the watched namespace sees it', () => {
  const made: TestNetns[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    for (const undo of cleanups.splice(0).reverse()) await undo();
    for (const ns of made.splice(0)) await ns.destroy();
  });

  /** A client namespace linked to a server namespace whose nameservers answer as each mode says, one address each. */
  async function nameservers(label: string, subnet: number, modes: string[]) {
    const client = await TestNetns.create(label);
    const server = await TestNetns.create(`${label}-s`);
    made.push(client, server);
    await client.linkTo(server, subnet);
    const addresses = modes.map((_, i) => `10.${subnet}.0.${53 + i}`);
    for (const address of addresses) await server.exec(['ip', 'addr', 'add', `${address}/32`, 'dev', `vt${subnet}b`]);
    for (const [i, mode] of modes.entries()) {
      const child = execa('ip', ['netns', 'exec', server.name, 'python3', DNS_SERVER, addresses[i] as string, mode, '80'], { reject: false });
      cleanups.push(() => void child.kill('SIGKILL'));
      await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    }
    return { client, addresses };
  }

  /** /etc/netns/NAME/resolv.conf: what `ip netns exec` shows the namespace's processes as /etc/resolv.conf. */
  function resolvConfFor(ns: TestNetns, text: string): string {
    const dir = `/etc/netns/${ns.name}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'resolv.conf'), text);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'resolv.conf');
  }

  it('shows each nameserver’s answer and time, says which is slow and which fails, and what ndots:5 costs', async () => {
    const { client, addresses } = await nameservers('dns-a', 61, ['ok', 'slow:800', 'servfail']);
    const [ok, slow, failing] = addresses as [string, string, string];
    const path = resolvConfFor(client, `search a.svc.cluster.local svc.cluster.local cluster.local ec2.internal corp.example\nnameserver ${ok}\nnameserver ${slow}\nnameserver ${failing}\noptions ndots:5\n`);
    runtime = watch(['--netns', client.name]);
    // Nobody watches the DNS line yet: the configuration is read, no nameserver is asked.
    const first = await until('the resolver configuration', 10_000, () => runtime?.store.sample(DNS)?.value);
    expect(first.path).toBe(path);
    expect(first.servers.every((s) => s.probes.length === 0)).toBe(true);
    expect(dnsLine(runtime)?.status).toBe('unchecked');
    runtime.watchDns(true);
    const line = await until('the DNS line judged', 20_000, () => {
      const l = dnsLine(runtime as Runtime);
      return l?.status !== 'unchecked' && runtime?.store.sample(DNS)?.value.servers.every((s) => s.probes.length > 0) ? l : undefined;
    });
    const servers = runtime.store.sample(DNS)?.value.servers ?? [];
    expect(servers.map((s) => s.probes.at(-1)?.rcode)).toEqual(['NOERROR', 'NOERROR', 'SERVFAIL']);
    expect(servers[1]?.probes.at(-1)?.latencyMs).toBeGreaterThanOrEqual(700);
    const slowAlert = await until('dns-slow', 10_000, alertOf(runtime, (a) => a.id === 'dns-slow'));
    expect(slowAlert.subject).toBe(slow);
    expect(slowAlert.summary).toMatch(new RegExp(`^nameserver ${slow.replace(/\./g, '\\.')} answers in \\d+ ms \\(median of 1 probe: \\d+ ms\\)$`));
    const failAlert = await until('dns-failing', 10_000, alertOf(runtime, (a) => a.id === 'dns-failing'));
    expect(failAlert.summary).toBe(`nameserver ${failing} (${path}) answers SERVFAIL`);
    expect(line.status).toBe('broken');
    const calm = runtime.store.sample(DNS)?.value;
    expect(calm?.cost).toEqual({ name: 'api.example.com', queries: 12, nxdomain: 10 });
    // The answering one, with its time, on the checklist's L7 line when nothing is wrong there.
    const layers = buildLayers(runtime.store, []);
    expect(layers.find((l) => l.layer === 'application')?.finding).toMatch(
      new RegExp(`^DNS ${ok.replace(/\./g, '\\.')} NOERROR \\d+ ms, ${slow.replace(/\./g, '\\.')} NOERROR \\d+ ms, ${failing.replace(/\./g, '\\.')} SERVFAIL \\d+ ms \\(${path.replace(/\./g, '\\.')}\\); an external name costs 12 queries \\(10 NXDOMAIN\\): ndots:5, 5 search domains$`),
    );
  }, 60_000);

  it('says a nameserver does not answer, and that the other still does', async () => {
    const { client, addresses } = await nameservers('dns-b', 62, ['drop', 'ok']);
    const [silent] = addresses as [string, string];
    const path = resolvConfFor(client, `nameserver ${addresses[0]}\nnameserver ${addresses[1]}\n`);
    runtime = watch(['--netns', client.name, '--dns-probes']);
    const down = await until('dns-unreachable', 40_000, alertOf(runtime as Runtime, (a) => a.id === 'dns-unreachable'));
    expect(down.subject).toBe(silent);
    expect(down.severity).toBe('warning');
    expect(down.summary).toBe(`nameserver ${silent} (${path}) does not answer: timed out, 2 probes in a row; 1 other does`);
  }, 60_000);

  it('reads the resolv.conf of the watched process’s own mount namespace, not the host’s', async () => {
    const ns = await TestNetns.create('dns-m');
    made.push(ns);
    const dir = mkdtempSync(join(tmpdir(), 'nt-dns-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 10.63.0.53\nsearch pod.example\noptions ndots:2\n');
    // A process in the namespace with a mount namespace of its own, where /etc/resolv.conf is another file.
    const child = execa('ip', ['netns', 'exec', ns.name, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${join(dir, 'resolv.conf')} /etc/resolv.conf && echo ready && exec sleep 60`], { reject: false });
    cleanups.push(() => void child.kill('SIGKILL'));
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    // ip netns exec, unshare and sh each exec the next: the child is the sleep.
    const pid = child.pid as number;
    runtime = watch(['--pid', String(pid)]);
    const dns = await until('the process’s resolver configuration', 10_000, () => runtime?.store.sample(DNS)?.value);
    expect(dns.path).toBe(`/proc/${pid}/root/etc/resolv.conf`);
    expect(dns.conf.nameservers).toEqual(['10.63.0.53']);
    expect(dns.conf.search).toEqual(['pod.example']);
    const host = (await execa('cat', ['/etc/resolv.conf'])).stdout;
    expect(host).not.toContain('10.63.0.53');
  }, 30_000);
});
