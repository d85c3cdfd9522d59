import { execa } from 'execa';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_COMMANDS } from '../../src/bundle/collect.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const available = await canCreateNetns();

interface Manifest {
  target: string;
  parts: { file: string; ok: boolean; bytes: number; truncated?: boolean; error?: string }[];
}

describe.runIf(available)('an incident bundle of a namespace', () => {
  let ns: TestNetns;
  const dir = mkdtempSync(join(tmpdir(), 'nt-bundle-'));
  let etcNetns = '';

  beforeAll(async () => {
    ns = await TestNetns.create('bundle');
    await ns.incident('serve', { port: 9177 });
    await ns.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9199', '-j', 'DROP', '-m', 'comment', '--comment', 'nettriage-bundle-test']);
    // What `ip netns exec` shows the namespace's processes as /etc/resolv.conf.
    etcNetns = `/etc/netns/${ns.name}`;
    mkdirSync(etcNetns, { recursive: true });
    writeFileSync(`${etcNetns}/resolv.conf`, 'nameserver 127.0.0.53\n# nettriage-bundle-test\n');
  }, 30_000);
  afterAll(async () => {
    await ns?.destroy();
    rmSync(etcNetns, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const unpack = async (file: string) => {
    const into = mkdtempSync(join(dir, 'x-'));
    await execa('tar', ['-xzf', file, '-C', into]);
    const root = join(into, 'nettriage-bundle');
    return { root, manifest: JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Manifest, files: readdirSync(root) };
  };

  it('holds every snapshot taken inside the namespace, or says why not, in a 0600 file', async () => {
    const file = join(dir, 'b.tar.gz');
    const out = await execa('node', [BIN, 'bundle', '--netns', ns.name, '--out', file], { reject: false });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { root, manifest, files } = await unpack(file);
    expect(manifest.target).toBe(`netns:${ns.name}`);
    for (const { file: part } of BUNDLE_COMMANDS) {
      const entry = manifest.parts.find((p) => p.file === part);
      expect(entry, part).toBeDefined();
      // Present, or absent with the reason.
      if (entry?.ok) expect(files).toContain(part);
      else expect(entry?.error, part).toMatch(/.+/);
    }
    expect(manifest.parts.find((p) => p.file === 'recording.ndjson')?.error).toMatch(/not running/);
    // The namespace's own sockets, rules and resolver, not the host's.
    expect(readFileSync(join(root, 'ss-tanpoie.txt'), 'utf8')).toMatch(/LISTEN .*:9177\b/);
    expect(readFileSync(join(root, 'iptables-save.txt'), 'utf8')).toContain('nettriage-bundle-test');
    expect(readFileSync(join(root, 'resolv.conf'), 'utf8')).toContain('# nettriage-bundle-test');
    expect(readFileSync(join(root, 'sysctl-net.txt'), 'utf8')).toMatch(/^net\.ipv4\.tcp_fin_timeout = \d+$/m);
  }, 60_000);

  it('cuts each part at its cap, and says so', async () => {
    const file = join(dir, 'small.tar.gz');
    const out = await execa('node', [BIN, 'bundle', '--netns', ns.name, '--out', file, '--part-max', '1k'], { reject: false });
    expect(out.exitCode, out.stderr).toBe(0);
    const { root, manifest } = await unpack(file);
    const nstat = manifest.parts.find((p) => p.file === 'nstat.txt');
    expect(nstat).toMatchObject({ ok: true, truncated: true, bytes: 1024 });
    expect(statSync(join(root, 'nstat.txt')).size).toBe(1024);
    for (const p of manifest.parts) expect(p.bytes, p.file).toBeLessThanOrEqual(1024);
  }, 60_000);

  it('captures packets with --capture, bounded by packets, as a pcap tcpdump reads', async () => {
    const file = join(dir, 'capture.tar.gz');
    // Traffic on the namespace's loopback while the capture runs: clients that connect and close.
    await ns.incident('churn', { port: 9177, count: 2, parallel: 2, forever: 'true', everyMs: 100 });
    const out = await execa('node', [BIN, 'bundle', '--netns', ns.name, '--out', file, '--capture', 'tcp port 9177', '--capture-packets', '20', '--capture-seconds', '5'], { reject: false });
    expect(out.exitCode, out.stderr).toBe(0);
    const { root, manifest } = await unpack(file);
    expect(manifest.parts.find((p) => p.file === 'capture.pcap')).toMatchObject({ ok: true });
    const read = await execa('tcpdump', ['-n', '-r', join(root, 'capture.pcap')], { reject: false });
    const packets = read.stdout.split('\n').filter(Boolean);
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.length).toBeLessThanOrEqual(20);
    for (const p of packets) expect(p).toMatch(/\.9177\b/);
  }, 60_000);

  it('refuses a path where a link was planted, before running anything', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep me\n');
    const planted = join(dir, 'planted.tar.gz');
    symlinkSync(victim, planted);
    const out = await execa('node', [BIN, 'bundle', '--netns', ns.name, '--out', planted], { reject: false });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/already exists: nettriage neither overwrites a file nor follows a link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
  }, 30_000);
});
