import { execa } from 'execa';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { itOnRealWorld, readRealWorld, realWorldFiles } from '../helpers/realWorld.js';
import { BIN } from '../helpers/tmux.js';

const scratch = mkdtempSync(join(tmpdir(), 'nettriage-convert-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const convert = (args: string[], input?: string) => execa(process.execPath, [BIN, 'convert', ...args], { input: input ?? '', reject: false, timeout: 60_000 });

/** Writes `count` lines made by `line` to a file, as a stream (a 50 MB string is not needed to make a 50 MB file). */
async function bigFile(name: string, count: number, line: (i: number) => string): Promise<string> {
  const path = join(scratch, name);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) if (!out.write(line(i))) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve) => out.end(resolve));
  return path;
}

/** The peak RSS of a running process, read from /proc until it exits. */
async function peakRssKb(pid: number | undefined, done: Promise<unknown>): Promise<number> {
  let peak = 0;
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      peak = Math.max(peak, Number(hwm ?? 0));
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return peak;
}

const KINDS = ['ss', 'proc-net-tcp', 'ss-s', 'sockstat', 'proc-net', 'nstat', 'netstat-s', 'conntrack-S', 'nf_conntrack', 'ethtool-S', 'ethtool-i', 'ip-link'];

describe('nettriage convert', () => {
  itOnRealWorld('reads every real-world ss -s, old format and new', async () => {
    const files = realWorldFiles('ss-s');
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const text = readRealWorld(file);
      const r = await convert(['ss-s'], text);
      expect(r.exitCode, file).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.total, file).toBe(Number(/^Total:\s+(\d+)/m.exec(text)?.[1]));
      expect(out.tcp.total, file).toBe(Number(/^TCP:\s+(\d+)/m.exec(text)?.[1]));
      expect(out.transports.TCP.total, file).toBeGreaterThanOrEqual(0);
      expect(out.skippedLines, file).toBe(0);
    }
  });

  it('refuses input in which nothing of the kind can be read, and says what it looks like', async () => {
    const summary = 'Total: 163\nTCP:   11 (estab 1, closed 0, orphaned 0, timewait 0)\n';
    const r = await convert(['ss'], summary);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/this is not ss output.*looks like ss-s/);
    for (const kind of KINDS) {
      for (const input of ['', 'hello world\nthis is a ticket, not a command output\n']) {
        const out = await convert([kind], input);
        expect(out.exitCode, `${kind} ${JSON.stringify(input)}`).toBe(1);
        expect(out.stderr, kind).toContain(`this is not ${kind} output`);
        expect(out.stdout, kind).toBe('');
      }
    }
  });

  it('reads Windows line endings like plain ones', async () => {
    const r = await convert(['ethtool-i'], 'driver: virtio_net\r\nversion: 1.0.0\r\nbus-info: 0000:00:03.0\r\n');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ driver: 'virtio_net', version: '1.0.0', busInfo: '0000:00:03.0' });
  });

  it('refuses a FIFO or a directory at once instead of waiting on it', async () => {
    await execa('mkfifo', [join(scratch, 'fifo')]);
    for (const kind of ['nstat', 'ss']) {
      const r = await convert([kind, join(scratch, 'fifo')]);
      expect(r.exitCode, kind).toBe(1);
      expect(r.stderr, kind).toContain('is not a regular file');
    }
    expect((await convert(['nstat', scratch])).stderr).toContain('is not a regular file');
  });

  it('streams a large socket dump in bounded memory, every socket counted', async () => {
    const sockets = 500_000;
    const file = await bigFile('big-ss.txt', sockets, (i) => `ESTAB 0 0 10.0.${(i >> 8) & 255}.${i & 255}:${30000 + (i % 30000)} 10.1.0.1:443 users:(("curl",pid=${1000 + (i % 500)},fd=3))\n`);
    const size = statSync(file).size;
    const child = execa(process.execPath, [BIN, 'convert', 'ss', file], { reject: false, buffer: false, timeout: 120_000 });
    let tail = '';
    let written = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      written += chunk.length;
      tail = (tail + chunk.toString()).slice(-2000);
    });
    const peak = await peakRssKb(child.pid, child);
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(tail).toMatch(/"ESTAB": 500000,/);
    expect(written).toBeGreaterThan(size);
    // Far less than the input and its JSON (which would be ~3x the input held at once).
    expect(peak * 1024).toBeLessThan(Math.max(150 * 1048576, size));
  }, 120_000);

  it('refuses a counter file larger than any real one, with a clear message, in bounded memory', async () => {
    const file = await bigFile('big-ethtool.txt', 1_200_000, (i) => `     rx_queue_${i % 64}_packets_of_a_driver_with_long_names: ${i}\n`);
    expect(statSync(file).size).toBeGreaterThan(64 * 1048576);
    const r = await convert(['ethtool-S', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/more than this kind is ever read \(64 MiB\)/);
  }, 120_000);
});
