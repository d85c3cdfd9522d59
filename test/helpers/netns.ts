import { type ResultPromise, execa } from 'execa';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict } from './strict.js';

export const INCIDENT_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'incident.mjs');

/** Whether this process can create network namespaces (root with CAP_SYS_ADMIN). */
export async function canCreateNetns(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `nt-probe-${process.pid}`;
  const add = await execa('ip', ['netns', 'add', probe], { reject: false });
  if (add.exitCode !== 0) return false;
  await execa('ip', ['netns', 'del', probe], { reject: false });
  return true;
}

/**
 * A python3 program sending UDP datagrams of `bytes` to `to`:9999, `perBurst`
 * every 10 ms, for at most `seconds`: bounded in count and time.
 */
export const udpBlastScript = (to: string, o: { perBurst: number; bytes: number; seconds: number }): string =>
  `import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nend=time.time()+${o.seconds}\nwhile time.time()<end:\n  for _ in range(${o.perBurst}): s.sendto(b"x"*${o.bytes},("${to}",9999))\n  time.sleep(0.01)`;

/** Strict mode (NETTRIAGE_STRICT=1, set by .ci/run) makes real-kernel tests mandatory: a skip there would hide a broken machine. */
export const kernelTestsRequired = strict;

/**
 * A network namespace owned by one test: created with loopback up, and
 * removed — with every process started in it — by `destroy()`, which tests
 * call from afterAll/afterEach so that a failing assertion cleans up too.
 */
export class TestNetns {
  private readonly children: ResultPromise[] = [];

  private constructor(readonly name: string) {}

  static async create(label: string): Promise<TestNetns> {
    const name = `nt-${label}-${process.pid}`;
    await execa('ip', ['netns', 'del', name], { reject: false });
    await execa('ip', ['netns', 'add', name]);
    const ns = new TestNetns(name);
    await ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  exec(argv: string[]) {
    return execa('ip', ['netns', 'exec', this.name, ...argv]);
  }

  /**
   * Joins two test namespaces with a veth pair, `a` on this side and `b` on
   * the other, each with an address of 10.X.0.0/24 and the link up.
   */
  async linkTo(other: TestNetns, subnet: number): Promise<{ a: string; b: string; addrA: string; addrB: string }> {
    const a = `vt${subnet}a`;
    const b = `vt${subnet}b`;
    await execa('ip', ['link', 'add', a, 'netns', this.name, 'type', 'veth', 'peer', 'name', b, 'netns', other.name]);
    const addrA = `10.${subnet}.0.1`;
    const addrB = `10.${subnet}.0.2`;
    await this.exec(['ip', 'addr', 'add', `${addrA}/24`, 'dev', a]);
    await other.exec(['ip', 'addr', 'add', `${addrB}/24`, 'dev', b]);
    await this.exec(['ip', 'link', 'set', a, 'up']);
    await other.exec(['ip', 'link', 'set', b, 'up']);
    return { a, b, addrA, addrB };
  }

  /** Starts an incident script in the namespace and resolves once it printed "ready". */
  async incident(mode: string, args: Record<string, string | number> = {}): Promise<{ pid: number }> {
    const argv = Object.entries(args).map(([k, v]) => `--${k}=${v}`);
    const child = execa('ip', ['netns', 'exec', this.name, process.execPath, INCIDENT_SCRIPT, mode, ...argv], {
      stdin: 'pipe',
      reject: false,
    });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`incident ${mode} not ready after 20 s`)), 20_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void child.then((r) => {
        clearTimeout(timer);
        reject(new Error(`incident ${mode} exited early (${r.exitCode}): ${r.stderr}`));
      });
    });
    // Not the child itself: a ResultPromise is a thenable, and returning it
    // from an async function would wait for the process to exit.
    return { pid: child.pid ?? 0 };
  }

  /** Every TCP socket of the namespace by state, from a full dump: the ground truth. */
  async fullDumpCounts(): Promise<Record<string, number>> {
    const { stdout } = await this.exec(['ss', '-tanH']);
    const counts: Record<string, number> = {};
    for (const line of stdout.split('\n')) {
      const state = line.trim().split(/\s+/)[0];
      if (state) counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.allSettled(this.children);
    // Anything else still running in the namespace (a dashboard under test).
    const pids = await execa('ip', ['netns', 'pids', this.name], { reject: false });
    for (const pid of pids.stdout.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await execa('ip', ['netns', 'del', this.name], { reject: false });
  }
}
