/**
 * npm run bench: what one socket-state sample costs, with ~0 and with ~55,000
 * sockets in a network namespace this benchmark creates (and removes), next
 * to the full `ss -tan` dump a naive collector would run — all in one run, so
 * the baselines share the machine's state. Needs root (ip netns).
 */
import { type ResultPromise, execa } from 'execa';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSsSockets } from '../collectors/ssSockets.js';
import { createSocketStateCollector } from '../collectors/socketStates.js';
import { defaultRoots } from '../src/target.js';
import { createTargetIO } from '../src/targetIO.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const INCIDENT = join(ROOT, 'test/helpers/incident.mjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

/** CPU ms of this process and of its reaped children (ss, nsenter, cat). */
function cpuMs(): { self: number; children: number } {
  const self = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime + cstime, in USER_HZ (100/s)
  return { self: (self.user + self.system) / 1000, children: ticks * 10 };
}

async function measure(label: string, fn: () => Promise<unknown>): Promise<{ label: string; cpuMs: number; wallMs: number }> {
  await fn(); // warm-up
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) await fn();
  const wallMs = (performance.now() - t0) / RUNS;
  const c1 = cpuMs();
  const cpu = (c1.self - c0.self + c1.children - c0.children) / RUNS;
  return { label, cpuMs: cpu, wallMs };
}

function started(child: ResultPromise): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    void child.then((r) => reject(new Error(`incident exited: ${r.stderr}`)));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root to create a network namespace');
    process.exit(2);
  }
  const ns = `nt-bench-${process.pid}`;
  const children: ResultPromise[] = [];
  const inNs = (argv: string[]) => execa('ip', ['netns', 'exec', ns, ...argv]);
  const incident = async (mode: string, args: string[]): Promise<number> => {
    const child = execa('ip', ['netns', 'exec', ns, process.execPath, INCIDENT, mode, ...args], { stdin: 'pipe', reject: false });
    children.push(child);
    await started(child);
    return child.pid ?? 0;
  };
  await execa('ip', ['netns', 'add', ns]);
  try {
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    await inNs(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65535']);
    const io = createTargetIO({ kind: 'netns', name: ns }, defaultRoots);
    const collector = createSocketStateCollector();
    let tick = 1;
    const sample = () => collector.sample({ io, timeoutMs: 30_000, tick: tick++ });
    const fullDump = () => io.run(['ss', '-tan'], { timeoutMs: 30_000 });
    const fullDumpParsed = async () => parseSsSockets((await fullDump()).stdout);

    const rows: string[] = [];
    const report = async (scenario: string, pid?: number) => {
      const s = await sample();
      const total = Object.values(s.value.states).reduce((a, b) => a + b, 0);
      const results = [
        await measure('nettriage sample, --netns (2 process starts)', sample),
        await measure('ss -tan (full dump, command only)', fullDump),
        await measure('ss -tan + parse (what a naive collector costs)', fullDumpParsed),
      ];
      if (pid !== undefined) {
        // Through /proc/PID/net the counters cost no process start: only ss runs.
        const byPid = createSocketStateCollector();
        const pidIo = createTargetIO({ kind: 'pid', pid }, defaultRoots);
        results.splice(1, 0, await measure('nettriage sample, --pid (1 process start)', () => byPid.sample({ io: pidIo, timeoutMs: 30_000, tick: 0 })));
      }
      rows.push(`\n${scenario}: ${total.toLocaleString('en-US')} TCP sockets (${JSON.stringify(s.value.states)})`);
      for (const r of results) rows.push(`  ${r.label.padEnd(50)} cpu ${r.cpuMs.toFixed(1).padStart(7)} ms/tick   wall ${r.wallMs.toFixed(1).padStart(7)} ms`);
      const full = results.find((r) => r.label.startsWith('ss -tan ('))?.cpuMs ?? 0;
      rows.push(`  full dump / nettriage --netns: ${(full / Math.max(0.01, results[0]?.cpuMs ?? 0)).toFixed(1)}x`);
    };

    await report('idle namespace');

    // ~36,000 ESTAB (18,000 pairs held by three processes, within the 20k fd
    // limit each) and ~20,000 TIME-WAIT from short connections.
    // Listeners first: with the widened port range a client could otherwise take their port.
    const serverPid = await incident('serve', ['--port=9100', '--lifetimeMs=600000']);
    await incident('closer', ['--port=9102', '--lifetimeMs=600000']);
    await incident('hold', ['--port=9100', '--established=9000', '--lifetimeMs=600000']);
    await incident('hold', ['--port=9100', '--established=9000', '--lifetimeMs=600000']);
    await incident('churn', ['--port=9102', '--count=20000', '--parallel=200', '--maxMs=40000', '--lifetimeMs=600000']);
    await report('busy namespace', serverPid);
    console.log(`nettriage bench — ${RUNS} runs per measurement, CPU = user+sys of this process and its children`);
    console.log(rows.join('\n'));
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await Promise.allSettled(children);
    await execa('ip', ['netns', 'del', ns], { reject: false });
  }
}

await main();
