import { type ResultPromise, execa } from 'execa';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSockstat } from '../collectors/parse/sockstat.js';

const INCIDENT = join(dirname(fileURLToPath(import.meta.url)), '../../test/helpers/incident.mjs');
/** Each process holds at most this many sockets: the hard fd limit here is 20,000 per process. */
const PER_PROCESS = 14_000;
const DESTINATIONS = { first: 9100, count: 56 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A network namespace full of sockets, built the way a busy service host
 * looks: `pairs` established connections from clients to 56 destinations
 * (both ends ESTAB, spread over several processes), and a steady pile of
 * server-side TIME-WAIT from short connections that the server closes first,
 * renewed as they expire (TIME-WAIT lasts 60 s). Traffic stays on the
 * namespace's loopback; every process is killed and the namespace removed by
 * `destroy()`.
 */
export class SocketNamespace {
  private readonly children: ResultPromise[] = [];
  private constructor(readonly name: string) {}

  static async create(): Promise<SocketNamespace> {
    const ns = new SocketNamespace(`nt-bench-${process.pid}`);
    await execa('ip', ['netns', 'del', ns.name], { reject: false });
    await execa('ip', ['netns', 'add', ns.name]);
    await ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  exec(argv: string[]) {
    return execa('ip', ['netns', 'exec', this.name, ...argv]);
  }

  async counts(): Promise<{ inuse: number; tw: number }> {
    const [v4, v6] = await Promise.all([this.exec(['cat', '/proc/net/sockstat']), this.exec(['cat', '/proc/net/sockstat6'])]);
    const s4 = parseSockstat(v4.stdout).value;
    const s6 = parseSockstat(v6.stdout).value;
    return { inuse: (s4.TCP?.inuse ?? 0) + (s6.TCP6?.inuse ?? 0), tw: s4.TCP?.tw ?? 0 };
  }

  private async incident(mode: string, args: Record<string, string | number>): Promise<void> {
    const argv = Object.entries({ lifetimeMs: 3_600_000, ...args }).map(([k, v]) => `--${k}=${v}`);
    const child = execa('ip', ['netns', 'exec', this.name, process.execPath, INCIDENT, mode, ...argv], { stdin: 'pipe', reject: false });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`incident ${mode} not ready after 120 s`)), 120_000);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void child.then((r) => {
        clearTimeout(timer);
        reject(new Error(`incident ${mode} exited: ${r.stderr}`));
      });
    });
  }

  /** Starts the server-side TIME-WAIT churn: about `timeWait` sockets once a minute has passed. */
  async startTimeWait(timeWait: number): Promise<void> {
    const ports = `9300-${9300 + DESTINATIONS.count - 1}`;
    await this.incident('slam', { ports, backlog: 4096 });
    // One batch every 100 ms: timeWait / 60 s / 10 per batch.
    const perBatch = Math.ceil(timeWait / 600);
    await this.incident('churn', { ports, count: perBatch, parallel: perBatch, forever: 'true', everyMs: 100, clientWaits: 'true', lingerMs: 1000 });
  }

  /** Adds `pairs` established connections toward the 56 destinations. */
  async addEstablished(pairs: number, firstPort = DESTINATIONS.first): Promise<void> {
    const processes = Math.ceil(pairs / PER_PROCESS);
    const perServer = Math.ceil(DESTINATIONS.count / processes);
    for (let i = 0; i < processes; i++) {
      const from = firstPort + i * perServer;
      const to = Math.min(firstPort + DESTINATIONS.count - 1, from + perServer - 1);
      await this.incident('serve', { ports: `${from}-${to}`, backlog: 4096 });
    }
    for (let i = 0; i < processes; i++) {
      await this.incident('hold', { ports: `${firstPort}-${firstPort + DESTINATIONS.count - 1}`, established: Math.round(pairs / processes), parallel: 500 });
    }
  }

  /** Waits (at most `deadlineMs`) until the namespace holds about the wanted counts. */
  async settle(want: { inuse: number; tw: number }, deadlineMs = 150_000): Promise<{ inuse: number; tw: number }> {
    const until = Date.now() + deadlineMs;
    let now = await this.counts();
    while (Date.now() < until && (now.inuse < want.inuse * 0.97 || now.tw < want.tw * 0.95)) {
      await sleep(1000);
      now = await this.counts();
    }
    return now;
  }

  async destroy(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    await Promise.allSettled(this.children);
    const pids = await execa('ip', ['netns', 'pids', this.name], { reject: false });
    for (const pid of pids.stdout.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    await execa('ip', ['netns', 'del', this.name], { reject: false });
  }
}
