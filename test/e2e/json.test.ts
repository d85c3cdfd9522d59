import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { PROJECT_ROOT } from '../helpers/realWorld.js';
import { BIN } from '../helpers/tmux.js';

const TREE = join(PROJECT_ROOT, 'test/fixtures/tree');
const netnsAvailable = await canCreateNetns();
const scratch = mkdtempSync(join(tmpdir(), 'nettriage-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function records(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [BIN, '--json', ...args], { env, reject: false, timeout: 30_000 });
  const lines = r.stdout.split('\n').filter(Boolean);
  return { ...r, records: lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

/** A PATH holding only the named tools (and node), to play a host where the rest is missing. */
function pathWith(name: string, tools: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [tool, script] of Object.entries(tools)) {
    const file = join(dir, tool);
    if (script.startsWith('/')) symlinkSync(script, file);
    else {
      writeFileSync(file, script);
      chmodSync(file, 0o755);
    }
  }
  return dir;
}

describe('nettriage --json', () => {
  it('matches the golden output for a fixture /proc and /sys tree', async () => {
    const { records: out, exitCode } = await records(['--count', '1', '--proc-root', join(TREE, 'proc'), '--sys-root', join(TREE, 'sys')]);
    expect(exitCode).toBe(0);
    expect(out).toHaveLength(1);
    const record = out[0]!;
    expect(record.v).toBe(1);
    expect(Date.parse(record.time)).toBeGreaterThan(0);
    expect(record.tcp.ageMs).toBeGreaterThanOrEqual(0);
    // Time, ages and nettriage's own cost are the only things that differ from run to run.
    expect(record.self.rssBytes).toBeGreaterThan(10_000_000);
    expect(record.self.cpuPercent).toBeNull(); // not before 2 s of history
    const normalised = JSON.parse(JSON.stringify({ ...record, time: 'T', self: undefined }, (k, v) => (k === 'ageMs' ? 0 : v)));
    const golden = JSON.parse(readFileSync(join(TREE, 'expected.json'), 'utf8'));
    expect(normalised).toEqual(golden);
    expect(record.counters.TcpOutSegs).toEqual({ value: 10253, rate: null });
    expect(record.conntrack).toMatchObject({ count: 4711, max: 131072, source: 'procfs' });
    expect(record.nics.eth0).toMatchObject({ state: 'UP', physical: true, speedMbps: 25000, stats: { rx_missed_errors: { value: 7 } } });
    expect(record.sources.ethtool.error).toMatch(/not read from a fixture tree/);
  });

  it('prints one record per interval and stops after --count', async () => {
    const started = Date.now();
    const { records: out } = await records(['--count', '3', '--interval', '200ms']);
    expect(out).toHaveLength(3);
    expect(out.map((r) => r.tcp.states.LISTEN).every((n) => typeof n === 'number')).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('says which file is missing when /proc is not what it should be', async () => {
    const { records: out, exitCode } = await records(['--count', '1', '--proc-root', join(scratch, 'empty')]);
    expect(exitCode).toBe(0);
    expect(out[0]!.tcp.error).toMatch(/sockstat does not exist/);
  });

  it('exits 2 with a message on bad arguments, and answers --help and --version', async () => {
    const bad = await execa(process.execPath, [BIN, '--interval', 'soon'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--interval: expected a duration/);
    const help = await execa(process.execPath, [BIN, '--help']);
    expect(help.stdout).toMatch(/^Usage: nettriage/);
    const version = await execa(process.execPath, [BIN, '--version']);
    expect(version.stdout).toMatch(/^nettriage \d+\.\d+\.\d+$/);
  });
});

describe('nettriage --config', () => {
  const scratchConfig = (name: string, text: string) => {
    const file = join(scratch, name);
    writeFileSync(file, text);
    return file;
  };

  for (const [name, text, message] of [
    ['not-json.json', '{ rules: ', /is not JSON/],
    ['unknown-key.json', '{"rules":{"close-wait-climbing":{"flor":5}}}', /unknown key "rules\.close-wait-climbing\.flor"/],
    ['wrong-type.json', '{"rules":{"tcp-retransmits":{"warnPercent":"1%"}}}', /"rules\.tcp-retransmits\.warnPercent": expected a number between 0 and 100 \(%\), got "1%"/],
    ['out-of-range.json', '{"rules":{"conntrack-table-full":{"critShare":2}}}', /expected a number between 0 and 1/],
  ] as const) {
    it(`refuses ${name} with a message and exit 2 before anything starts`, async () => {
      const r = await execa(process.execPath, [BIN, '--json', '--count', '1', '--config', scratchConfig(name, text)], { reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('applies a valid file and reports alerts in the record', async () => {
    const file = scratchConfig('ok.json', '{"rules":{"orphan-sockets":{"enabled":false}}}');
    const { records: out, exitCode } = await records(['--count', '1', '--config', file]);
    expect(exitCode).toBe(0);
    expect(out[0]!.alerts).toEqual([]);
  });
});

describe('what --json says when it cannot do its job', () => {
  for (const count of [1, 3]) {
    it(`exits 1 and says why, once, when its records cannot be written (a full disk), with --count ${count}`, async () => {
      const r = await execa('sh', ['-c', `'${process.execPath}' '${BIN}' --json --count ${count} --interval 200ms > /dev/full`], { reject: false, timeout: 30_000 });
      expect(r.exitCode).toBe(1);
      expect(r.stderr.match(/cannot write the records: ENOSPC/g)).toHaveLength(1);
    });
  }

  it('exits 0 when a reader takes what it wants and closes the pipe', async () => {
    const r = await execa('bash', ['-c', `'${process.execPath}' '${BIN}' --json --count 5 --interval 200ms | head -c 1 >/dev/null; exit \${PIPESTATUS[0]}`], { reject: false, timeout: 30_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('refuses a FIFO as --config at once instead of waiting on it', async () => {
    const fifo = join(scratch, 'config-fifo');
    await execa('mkfifo', [fifo]);
    const r = await execa(process.execPath, [BIN, '--json', '--count', '1', '--config', fifo], { reject: false, timeout: 10_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });

});

/**
 * A namespace with more sockets than nettriage lists from its files: its
 * states come from ss, filtered in the kernel. A smaller one is read from
 * /proc/net/tcp and never starts ss, so these are what a busy host meets.
 */
describe.runIf(netnsAvailable)('when ss is what counts the sockets', () => {
  let ns: TestNetns;
  beforeAll(async () => {
    ns = await TestNetns.create('json-ss');
    // 600 connections: 1,200 sockets, past the 1,000 listed from files.
    await ns.incident('states', { port: 9100, established: 600 });
  }, 60_000);
  afterAll(async () => ns?.destroy());
  const inNs = (args: string[]) => ['--netns', ns.name, ...args];

  it('counts a small namespace from its files, with no ss at all', async () => {
    const small = await TestNetns.create('json-small');
    try {
      await small.incident('states', { port: 9100, established: 3 });
      const { records: out } = await records(['--count', '1', '--netns', small.name], { PATH: pathWith('no-ss-small', { node: process.execPath, nsenter: '/usr/bin/nsenter' }) });
      expect(out[0]!.tcp.method).toBe('files');
      // No ss on the PATH, and nothing said about it: it was never needed.
      expect((out[0]!.tcp.notes ?? []).join(' ')).not.toMatch(/\bss\b/);
      expect(out[0]!.tcp.states).toMatchObject({ ESTAB: 6, LISTEN: 3 });
    } finally {
      await small.destroy();
    }
  });

  it('falls back to /proc/net/tcp and says which package to install when ss is missing', async () => {
    const dir = pathWith('no-ss', { node: process.execPath, nsenter: '/usr/bin/nsenter' });
    const { records: out } = await records(inNs(['--count', '1']), { PATH: dir });
    expect(out[0]!.tcp.method).toBe('proc');
    expect(out[0]!.tcp.notes.join(' ')).toMatch(/ss not found \(install iproute2\)/);
    expect(out[0]!.tcp.states).toMatchObject({ ESTAB: 1200, LISTEN: 3 });
  });

  it('reports a hung ss as a timeout and keeps sampling', async () => {
    const dir = pathWith('hung-ss', { ss: '#!/bin/sh\nexec sleep 30\n' });
    const started = Date.now();
    const { records: out, exitCode } = await records(inNs(['--count', '3', '--interval', '500ms', '--timeout', '300ms']), {
      PATH: `${dir}:${process.env.PATH}`,
    });
    expect(exitCode).toBe(0);
    expect(out).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
    const last = out[2]!.tcp;
    expect(last.error ?? last.problem?.error).toMatch(/did not answer within 0\.3 s|no answer within/);
  });

  it('counts lines it cannot parse instead of failing', async () => {
    const dir = pathWith('garbage-ss', {
      ss: '#!/bin/sh\nprintf "State Recv-Q Send-Q Local Peer\\nLISTEN 0 5 127.0.0.1:80 0.0.0.0:*\\n\\033[2J totally not ss\\nCLOSE-WAIT x y z\\n"\n',
    });
    const { records: out } = await records(inNs(['--count', '1']), { PATH: `${dir}:${process.env.PATH}` });
    expect(out[0]!.tcp.skippedLines).toBe(2);
    expect(out[0]!.tcp.states.LISTEN).toBe(1);
  });

  it('says ss is missing in every sample, not only the first', async () => {
    const { records: out } = await records(inNs(['--count', '3', '--interval', '200ms']), { PATH: pathWith('no-ss-every', { nsenter: '/usr/bin/nsenter' }) });
    expect(out).toHaveLength(3);
    for (const r of out) expect(r.tcp.notes).toContain('ss not found (install iproute2): counting from /proc/net/tcp, which reads every socket');
  });
});

describe('a tool that floods its output', () => {
  it('is stopped at the limit and called "output too large", in bounded memory, while the rest goes on', async () => {
    // An `ip` gone mad: 60 MB of one line every time it is asked.
    const dir = pathWith('flood-ip', { ip: '#!/bin/sh\nexec head -c 60000000 /dev/zero | tr "\\\\0" x\n' });
    const child = execa(process.execPath, [BIN, '--json', '--count', '3', '--interval', '500ms'], { env: { PATH: `${dir}:${process.env.PATH}` }, reject: false, timeout: 60_000 });
    let peakKb = 0;
    const watch = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
      } catch {
        // exited
      }
    }, 20);
    const r = await child;
    clearInterval(watch);
    expect(r.exitCode).toBe(0);
    const out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
    const trouble = out.map((rec) => rec.sources.nics?.problem?.error ?? rec.sources.nics?.error ?? '');
    expect(trouble.some((t) => /output too large/.test(t))).toBe(true);
    expect(out.at(-1)?.tcp.states).toBeDefined();
    // Well under the 60 MB each call prints, let alone the gigabyte buffering it whole once cost.
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb * 1024).toBeLessThan(200 * 1048576);
  });
});
