/**
 * npm run bench: what nettriage costs the person who runs it — the process
 * started from the command line and its children, on a real pty of 200x60
 * and in --json mode — on this idle host and on a namespace of ~84,000 and
 * ~100,000 sockets that the bench builds (and removes), and on 50 namespaces
 * watched at once (--all-netns), next to the
 * baselines of the same run: glances on the same pty, and the full
 * `ss -tan` dump counted per state that nettriage exists to avoid. Prints
 * one table and writes it to bench/results.md. Needs root (ip netns).
 */
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARTS, cpuByPart } from './cpuProfile.js';
import { reapedChildrenSec, treeCpu, treeRssBytes } from './processTree.js';
import { runOnPty } from './pty.js';
import { SocketNamespace } from './sockets.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The command users start: the built file, which runs node with its flags. */
const BIN = join(ROOT, 'dist/nettriage.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_MS = 5000;
/** The idle rows are measured twice: after the warm-up, and again from here on (V8 has compiled what runs every tick). */
const LATER_MS = 60_000;
/** Starts whose first full frame is timed. */
const STARTS = 3;
const SAMPLES = 30;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'idle,84k,100k,50ns').split(',');
/** Namespaces of the every-namespace scenario. */
const NAMESPACES = 50;
const PTY = { columns: 200, rows: 60 };
/** Text that appears once the first sample is on screen. */
const FULL_FRAME_MARKER = 'ephemeral ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Cpu {
  self: number;
  children: number;
}

interface Row {
  scenario: string;
  what: string;
  cpu?: Cpu;
  /** The same process a minute after its start. */
  cpuLater?: Cpu;
  bytesPerSec?: number;
  rssMB?: number;
  firstFrameMs?: number;
  /** CPU ms per sample (--json) or per dump (baseline). */
  perSampleMs?: number;
  note?: string;
}

/** CPU of a tree over SECONDS from now, as % of one core; the largest RSS seen, read once a second. */
async function window(root: number, bytes?: () => number) {
  const c0 = treeCpu(root);
  const b0 = bytes?.() ?? 0;
  const t0 = performance.now();
  let rss = 0;
  for (let s = 0; s < SECONDS; s++) {
    await sleep(1000);
    rss = Math.max(rss, treeRssBytes(root));
  }
  const c1 = treeCpu(root);
  const elapsedSec = (performance.now() - t0) / 1000;
  return {
    cpu: { self: ((c1.selfSec - c0.selfSec) / elapsedSec) * 100, children: ((c1.childrenSec - c0.childrenSec) / elapsedSec) * 100 },
    rss,
    ...(bytes ? { bytesPerSec: (bytes() - b0) / elapsedSec } : {}),
  };
}

/** Samples a running tree for SECONDS after the warm-up, and (`later`) again from a minute after its start. */
async function watchTree(pid: () => number | undefined, bytes?: () => number, later = false) {
  const startedMs = performance.now();
  await sleep(WARMUP_MS);
  const root = pid();
  if (root === undefined) throw new Error('the program did not start');
  const first = await window(root, bytes);
  let rss = first.rss;
  let cpuLater: Cpu | undefined;
  if (later) {
    await sleep(Math.max(0, LATER_MS - (performance.now() - startedMs)));
    const second = await window(root);
    cpuLater = second.cpu;
    rss = Math.max(rss, second.rss);
  }
  return { cpu: first.cpu, ...(cpuLater ? { cpuLater } : {}), rssMB: rss / 1e6, ...(first.bytesPerSec !== undefined ? { bytesPerSec: first.bytesPerSec } : {}) };
}

async function onPty(scenario: string, what: string, command: string, marker?: string, later = false): Promise<Row> {
  const run = runOnPty(command, { ...PTY, ...(marker ? { marker } : {}) });
  try {
    const watched = await watchTree(run.pid, run.bytes, later);
    const first = run.markerAfterMs();
    return { scenario, what, ...watched, ...(first !== undefined ? { firstFrameMs: first } : {}) };
  } finally {
    await run.stop();
  }
}

async function jsonRunning(scenario: string, args: string[], later = false): Promise<Row> {
  const child = spawn(BIN, ['--json', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let lines = 0;
  child.stdout.on('data', (d: Buffer) => {
    for (const b of d) if (b === 10) lines++;
  });
  try {
    // Records (lines) counted like bytes: per second over the first window.
    const watched = await watchTree(() => child.pid, () => lines, later);
    const cpuPercent = watched.cpu.self + watched.cpu.children;
    return {
      scenario,
      what: `nettriage --json ${args.join(' ')}, 1 s`.replace(' ,', ','),
      cpu: watched.cpu,
      ...(watched.cpuLater ? { cpuLater: watched.cpuLater } : {}),
      rssMB: watched.rssMB,
      perSampleMs: (cpuPercent * 10) / Math.max(0.01, watched.bytesPerSec ?? 0),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** Runs a command to completion and returns the CPU it and its children used (reaped: nothing escapes). */
async function cpuOfCommand(file: string, args: string[]): Promise<{ cpuSec: number; stdout: string }> {
  const before = reapedChildrenSec();
  const r = await execa(file, args, { reject: false, maxBuffer: 1 << 30 });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return { cpuSec: reapedChildrenSec() - before, stdout: typeof r.stdout === 'string' ? r.stdout : '' };
}

async function busy(scenario: string, ns: SocketNamespace, rows: Row[]): Promise<string> {
  rows.push(await onPty(scenario, `nettriage --netns, ${PTY.columns}x${PTY.rows} pty, 1 s`, `${BIN} --netns ${ns.name}`, FULL_FRAME_MARKER));
  const json = await cpuOfCommand(BIN, ['--json', '--netns', ns.name, '--count', String(SAMPLES)]);
  const jsonPerSample = (json.cpuSec * 1000) / SAMPLES;
  rows.push({ scenario, what: `nettriage --json --netns --count ${SAMPLES} (startup included)`, perSampleMs: jsonPerSample, note: `${json.cpuSec.toFixed(2)} s in all` });
  // The baseline: what a naive collector would do every second.
  const dump = `nsenter --net=/run/netns/${ns.name} ss -tan | awk 'NR > 1 { n[$1]++ } END { for (s in n) printf "%s %d\\n", s, n[s] }'`;
  let cpuSec = 0;
  let states = '';
  for (let i = 0; i < SAMPLES; i++) {
    const r = await cpuOfCommand('sh', ['-c', dump]);
    cpuSec += r.cpuSec;
    states = r.stdout;
  }
  const dumpPerSample = (cpuSec * 1000) / SAMPLES;
  rows.push({ scenario, what: `${SAMPLES} × ss -tan counted per state by awk`, perSampleMs: dumpPerSample, note: `${cpuSec.toFixed(2)} s in all; --json / dumps = ${(jsonPerSample / dumpPerSample).toFixed(2)}` });
  return states
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map(([s, n]) => `${s} ${Number(n).toLocaleString('en-US')}`)
    .join(', ');
}

function table(rows: Row[]): string {
  const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const lines = [
    `| scenario | what runs | CPU, % of a core (self + children) | the same from ${LATER_MS / 1000} s on | to the terminal, bytes/s | RSS, MB (max) | first full frame, ms | CPU per sample, ms | |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const cpu = (c: Cpu | undefined) => (c ? `${fmt(c.self + c.children, 2)} (${fmt(c.self, 2)} + ${fmt(c.children, 2)})` : '–');
  for (const r of rows) {
    lines.push(`| ${r.scenario} | ${r.what} | ${cpu(r.cpu)} | ${cpu(r.cpuLater)} | ${fmt(r.bytesPerSec, 0)} | ${fmt(r.rssMB, 0)} | ${fmt(r.firstFrameMs, 0)} | ${fmt(r.perSampleMs, 1)} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

/** Milliseconds to the first full frame over STARTS starts of a command on the pty, sorted. */
async function firstFrames(command: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const run = runOnPty(command, { ...PTY, marker: FULL_FRAME_MARKER });
    try {
      for (let waitedMs = 0; run.markerAfterMs() === undefined && waitedMs < 10_000; waitedMs += 20) await sleep(20);
      const ms = run.markerAfterMs();
      if (ms === undefined) throw new Error(`${command}: no full frame within 10 s`);
      times.push(ms);
    } finally {
      await run.stop();
    }
  }
  return times.sort((a, b) => a - b);
}

/** The node flags and environment the built file starts node with (its second line). */
function startLine(bin: string): string {
  const line = readFileSync(bin, 'utf8').split('\n')[1] ?? '';
  const m = /exec (env (?:\w+=\S+ )+)node ((?:--\S+ )*)"\$0"/.exec(line);
  if (!m) throw new Error(`${bin}: no start line (exec env … node FLAGS "$0") on its second line`);
  return `${m[1]}node ${m[2]}`;
}

/**
 * Where the idle dashboard's CPU goes, by part: the same start under V8's
 * profiler (which costs a little itself), its samples from the warm-up to a
 * minute later, by the module of the one-file build they ran in.
 */
async function tickBreakdown(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'nettriage-bench-prof-'));
  const profiledMs = LATER_MS;
  try {
    const run = runOnPty(`${startLine(BIN)}--cpu-prof --cpu-prof-dir=${dir} ${BIN}`, PTY);
    await sleep(WARMUP_MS + profiledMs);
    // q: Node writes the profile as it exits.
    await run.stop();
    const parts = cpuByPart(dir, BIN, WARMUP_MS, WARMUP_MS + profiledMs);
    const total = PARTS.reduce((n, p) => n + parts[p], 0);
    if (total === 0) return 'No CPU profile was written: no breakdown.';
    const ticks = profiledMs / 1000;
    const rows = PARTS.map((p) => `| ${p} | ${(parts[p] / ticks).toFixed(2)} | ${((parts[p] / profiledMs) * 100).toFixed(2)} |`);
    return [
      `Where a tick's CPU goes: the idle dashboard (${PTY.columns}x${PTY.rows} pty, 1 s) under V8's profiler, its main thread from ${WARMUP_MS / 1000} s to ${(WARMUP_MS + profiledMs) / 1000} s, by the part of nettriage that ran (libraries count where they serve: Ink and React for the screen; a file read for its caller). The fleet reads the other namespaces every 10 s in the background.`,
      '',
      '| part | ms per tick | % of a core |',
      '|---|---|---|',
      ...rows,
      `| all (main thread) | ${(total / ticks).toFixed(2)} | ${((total / profiledMs) * 100).toFixed(2)} |`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every namespace at once: NAMESPACES namespaces, each with a process in it
 * (a pod's pause container, say) and a few connections on its loopback;
 * `nettriage --json --all-netns` at 1 s beside the baseline of one
 * `ss -tan` per namespace per second.
 */
async function manyNamespaces(rows: Row[]): Promise<string> {
  const scenario = `${NAMESPACES} namespaces`;
  const names = Array.from({ length: NAMESPACES }, (_, i) => `nt-bench-ns${i}-${process.pid}`);
  const holders: ReturnType<typeof spawn>[] = [];
  const chat = `/tmp/nt-bench-chat-${process.pid}`;
  try {
    for (const name of names) {
      await execa('ip', ['netns', 'add', name]);
      await execa('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
      // A listener and ten connections to it, held by one small process.
      // Quiet until the chat file exists, then one byte each way every second (a health check).
      const script = `import socket,time,os\ns=socket.socket();s.bind(("127.0.0.1",9100));s.listen(64)\nc=[socket.create_connection(("127.0.0.1",9100)) for _ in range(10)]\na=[s.accept()[0] for _ in range(10)]\nfor _ in range(900):\n  time.sleep(1)\n  if os.path.exists("${chat}"): c[0].send(b"x"); a[0].recv(1)`;
      holders.push(spawn('ip', ['netns', 'exec', name, 'python3', '-c', script], { stdio: 'ignore' }));
    }
    await sleep(3000);
    rows.push(await jsonRunning(scenario, ['--all-netns']));
    writeFileSync(chat, '');
    const chatting = await jsonRunning(scenario, ['--all-netns']);
    rows.push({ ...chatting, what: `${chatting.what}, a byte each way per second in each` });
    let cpuSec = 0;
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      for (const name of names) cpuSec += (await cpuOfCommand('nsenter', [`--net=/run/netns/${name}`, 'ss', '-tan'])).cpuSec;
    }
    const perSecond = (cpuSec / rounds) * 100;
    rows.push({ scenario, what: `${NAMESPACES} × ss -tan (one per namespace), each second`, cpu: { self: perSecond, children: 0 }, note: `${rounds} rounds measured` });
    return `${scenario}: each with a python3 holding a listener and 10 connections (21 sockets), reached by nettriage through /proc/PID/net; quiet in the first row, one byte sent and received on one connection each second in the second (the socket lists are then read at their full 1% share).`;
  } finally {
    rmSync(chat, { force: true });
    for (const h of holders) h.kill('SIGKILL');
    for (const name of names) await execa('ip', ['netns', 'del', name], { reject: false });
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root to create a network namespace');
    process.exit(2);
  }
  const rows: Row[] = [];
  const notes: string[] = [];
  let breakdown: string | undefined;
  if (SCENARIOS.includes('idle')) {
    const dashboard = await onPty('idle host', `nettriage, ${PTY.columns}x${PTY.rows} pty, 1 s`, BIN, FULL_FRAME_MARKER, true);
    const starts = await firstFrames(BIN);
    const median = starts[Math.floor(starts.length / 2)] as number;
    rows.push({ ...dashboard, firstFrameMs: median, note: `first full frame: median of ${STARTS} starts (${starts.map((ms) => Math.round(ms)).join(', ')} ms)` });
    const glances = await execa('glances', ['--version'], { reject: false });
    if (glances.exitCode === 0) {
      const row = await onPty('idle host', `glances -t 1, ${PTY.columns}x${PTY.rows} pty`, 'glances -t 1', undefined, true);
      rows.push(row);
      const ratio = (a: Cpu | undefined, b: Cpu | undefined) => (a && b ? ((a.self + a.children) / (b.self + b.children)).toFixed(2) : '–');
      notes.push(`nettriage / glances, CPU in the same run: ${ratio(dashboard.cpu, row.cpu)} (${ratio(dashboard.cpuLater, row.cpuLater)} from ${LATER_MS / 1000} s on).`);
    } else notes.push('glances is not installed: no glances row (apt-get install glances).');
    rows.push(await jsonRunning('idle host', [], true));
    breakdown = await tickBreakdown();
    // The drop reasons sampled (1 s in 10): what the tracepoint, the ring reads and the instance cost on a quiet host.
    if (existsSync('/sys/kernel/tracing/events/skb/kfree_skb')) rows.push(await onPty('idle host', `nettriage --drop-reasons, ${PTY.columns}x${PTY.rows} pty, 1 s`, `${BIN} --drop-reasons`, FULL_FRAME_MARKER));
    else notes.push('tracefs is not mounted at /sys/kernel/tracing: no --drop-reasons row (mount -t tracefs nodev /sys/kernel/tracing).');
  }
  const wantsBusy = SCENARIOS.some((s) => s === '84k' || s === '100k');
  if (wantsBusy) {
    const ns = await SocketNamespace.create();
    try {
      await ns.startTimeWait(28_000);
      await ns.addEstablished(28_000);
      const at84 = await ns.settle({ inuse: 56_000, tw: 28_000 });
      if (SCENARIOS.includes('84k')) {
        const label = `${Math.round((at84.inuse + at84.tw) / 1000)}k sockets`;
        notes.push(`${label}: ${await busy(label, ns, rows)}.`);
      }
      if (SCENARIOS.includes('100k')) {
        await ns.addEstablished(8_000, 9400);
        const at100 = await ns.settle({ inuse: 72_000, tw: 28_000 });
        const label = `${Math.round((at100.inuse + at100.tw) / 1000)}k sockets`;
        notes.push(`${label}: ${await busy(label, ns, rows)}.`);
      }
    } finally {
      await ns.destroy();
    }
  }
  if (SCENARIOS.includes('50ns')) notes.push(await manyNamespaces(rows));
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const text = [
    `nettriage ${version} on Linux ${release()}, ${cpus().length} CPUs, Node ${process.version}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `CPU: user + system time of the process and its children (reaped and live), over ${SECONDS} s after a ${WARMUP_MS / 1000} s warm-up, and for the idle rows over ${SECONDS} s again from ${LATER_MS / 1000} s after the start; RSS: the whole process tree, largest of one reading a second.`,
    '',
    table(rows),
    '',
    ...notes.map((n) => `- ${n}`),
    ...(breakdown ? ['', breakdown] : []),
  ].join('\n');
  console.log(text);
  writeFileSync(join(ROOT, 'bench/results.md'), `# npm run bench — latest results\n\n${text}\n\nReproduce: \`sudo npm run bench\` (BENCH_SECONDS=30, BENCH_SCENARIOS=idle,84k,100k,50ns).\n`);
}

await main();
