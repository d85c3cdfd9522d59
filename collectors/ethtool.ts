import { CollectorProblem, asProblem } from '../src/problems.js';
import type { TargetIO } from '../src/targetIO.js';
import { type Collector, type Parsed, sampleKey } from './types.js';

export interface EthtoolStat {
  /** Full key; nested vmxnet3 keys are joined with " / " under their queue (`Tx Queue#0 / pkts tx err`). */
  key: string;
  value: bigint;
}

/**
 * `ethtool -S IF`. Keys are free text: `rx_queue_0_drops`, `[0]: rx_discards`
 * (bnxt, TAB-indented), `ucast pkts tx` with spaces and nested blocks under
 * `Tx Queue#: 0` (vmxnet3), names cut at 31 characters, the same key twice
 * (virtio_net). The value is the integer after the last colon; a line whose
 * indentation is deeper than the one before is a child of that one.
 */
export function parseEthtoolStats(text: string): Parsed<EthtoolStat[]> {
  const stats: EthtoolStat[] = [];
  const seen = new Map<string, number>();
  const parents: { indent: number; label: string }[] = [];
  let skipped = 0;
  let previous: { indent: number; label: string } | undefined;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '' || /^NIC statistics:/.test(raw.trim())) continue;
    const indent = (/^[\t ]*/.exec(raw)?.[0] ?? '').replace(/\t/g, '        ').length;
    const m = /^(.*\S):\s+(\d+)\s*$/.exec(raw.trim());
    if (!m?.[1] || m[2] === undefined) {
      skipped++;
      continue;
    }
    if (previous && indent > previous.indent) parents.push(previous);
    while (parents.length > 0 && (parents.at(-1)?.indent ?? 0) >= indent) parents.pop();
    const name = m[1];
    // vmxnet3's `Tx Queue#: 0` names a queue rather than counting anything.
    const label = /Queue#$/.test(name) ? `${name}${m[2]}` : name;
    const key = [...parents.map((p) => p.label), name].join(' / ');
    previous = { indent, label };
    if (/Queue#$/.test(name)) continue;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    stats.push({ key: n === 1 ? key : `${key} (${n})`, value: BigInt(m[2]) });
  }
  return { value: stats, skippedLines: skipped, notes: [] };
}

/** Per-queue key shapes by driver; the queue number becomes `*`. */
const QUEUE_PATTERNS: [RegExp, string][] = [
  [/^(rx|tx)_queue_hw_\d+_(.+)$/, '$1_queue_hw_*_$2'], // virtio_net >= 6.10 device stats
  [/^(rx|tx)_queue_\d+_(.+)$/, '$1_queue_*_$2'], // igb, ixgbe, ice, virtio_net, hv_netvsc
  [/^(rx|tx|ch|cpu|xdp|xsk|ptp)\d+_(.+)$/, '$1*_$2'], // mlx5 rx0_, virtio_net rx0_, hv_netvsc cpu0_
  [/^queue_\d+_(.+)$/, 'queue_*_$1'], // ena
  [/^(rx|tx)-\d+\.(.+)$/, '$1-*.$2'], // i40e
  [/^\[\d+\]: (.+)$/, '[*]: $1'], // bnxt_en
  [/^(.+)\[\d+\]$/, '$1[*]'], // gve
  [/^(Tx|Rx) Queue#\d+ \/ (.+)$/, '$1 Queue#* / $2'], // vmxnet3
];

export function queueKey(key: string): string | undefined {
  for (const [pattern, replacement] of QUEUE_PATTERNS) if (pattern.test(key)) return key.replace(pattern, replacement);
  return undefined;
}

export interface DriverCounter {
  total: bigint;
  /** Number of queues summed into total; 0 for a device-wide counter. */
  queues: number;
}

/** Sums per-queue counters per counter; device-wide counters stay as they are. */
export function aggregateQueues(stats: EthtoolStat[]): Map<string, DriverCounter> {
  const out = new Map<string, DriverCounter>();
  for (const { key, value } of stats) {
    const q = queueKey(key);
    const name = q ?? key;
    const current = out.get(name) ?? { total: 0n, queues: 0 };
    out.set(name, { total: current.total + value, queues: current.queues + (q ? 1 : 0) });
  }
  return out;
}

const ERROR_COUNTER = /drop|err|overrun|miss|fifo|crc|timeout|discard|exceed/i;

export function isErrorCounter(key: string): boolean {
  return ERROR_COUNTER.test(key);
}

export interface DriverInfo {
  driver?: string;
  version?: string;
  firmware?: string;
  busInfo?: string;
}

/** `ethtool -i IF`: `key: value` lines; values may be empty or contain spaces and commas. */
export function parseEthtoolInfo(text: string): DriverInfo {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([\w-]+):\s?(.*)$/.exec(line);
    if (m?.[1]) fields.set(m[1], (m[2] ?? '').trim());
  }
  const info: DriverInfo = {};
  const set = (k: keyof DriverInfo, field: string) => {
    const v = fields.get(field);
    if (v) info[k] = v;
  };
  set('driver', 'driver');
  set('version', 'version');
  set('firmware', 'firmware-version');
  set('busInfo', 'bus-info');
  return info;
}

export interface InterfaceDriverStats {
  info?: DriverInfo;
  /** Error-like driver counters, per-queue ones summed. */
  counters: Map<string, DriverCounter>;
  /** `ethtool -S` failed for this interface (e.g. "Operation not supported"). */
  problem?: string;
}

export interface EthtoolSample {
  interfaces: Map<string, InterfaceDriverStats>;
}

export const ETHTOOL = sampleKey<EthtoolSample>('ethtool');

export const ETHTOOL_EVERY_TICKS = 10;
/** Half-way between the reads of `ip -d link` (every 10 ticks from 0): never two slow commands in one tick. */
const ETHTOOL_PHASE_TICKS = 5;
const MAX_INTERFACES_PER_RUN = 16;
const PARALLEL = 4;

/**
 * Driver counters from `ethtool -S`, every 10 ticks and only for
 * interfaces backed by a device (or the ones picked with --ethtool): on a
 * node with hundreds of veths, hundreds of processes a second would be the
 * incident. `ethtool -i` runs once per interface for the driver name.
 */
export function createEthtoolCollector(pickInterfaces: () => string[]): Collector<EthtoolSample> {
  const infoCache = new Map<string, DriverInfo>();

  const one = async (io: TargetIO, name: string, timeoutMs: number): Promise<InterfaceDriverStats> => {
    if (!infoCache.has(name)) {
      const i = await io.run(['ethtool', '-i', name], { timeoutMs, okExitCodes: [1, 71, 94] });
      infoCache.set(name, parseEthtoolInfo(i.stdout));
    }
    const info = infoCache.get(name);
    const r = await io.run(['ethtool', '-S', name], { timeoutMs, okExitCodes: [1, 71, 94, 95] });
    if (r.exitCode !== 0) {
      const reason = r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}`;
      return { ...(info ? { info } : {}), counters: new Map(), problem: reason };
    }
    const parsed = parseEthtoolStats(r.stdout);
    const counters = new Map([...aggregateQueues(parsed.value)].filter(([k]) => isErrorCounter(k)));
    return { ...(info ? { info } : {}), counters };
  };

  return {
    key: ETHTOOL,
    everyTicks: ETHTOOL_EVERY_TICKS,
    phaseTicks: ETHTOOL_PHASE_TICKS,
    counters(v) {
      const out = new Map<string, bigint>();
      for (const [nic, s] of v.interfaces) for (const [k, c] of s.counters) out.set(`${nic}/${k}`, c.total);
      return out;
    },
    async sample(ctx) {
      const atMs = Date.now();
      if (ctx.io.roots.sysRoot !== '/sys') {
        throw new CollectorProblem('absent', 'driver counters are not read from a fixture tree', 'ethtool -S would describe this host');
      }
      const names = pickInterfaces().slice(0, MAX_INTERFACES_PER_RUN);
      const interfaces = new Map<string, InterfaceDriverStats>();
      const notes: string[] = [];
      for (let i = 0; i < names.length; i += PARALLEL) {
        const batch = names.slice(i, i + PARALLEL);
        const results = await Promise.allSettled(batch.map((n) => one(ctx.io, n, ctx.timeoutMs)));
        results.forEach((r, k) => {
          const name = batch[k] ?? '';
          if (r.status === 'fulfilled') interfaces.set(name, r.value);
          else {
            const problem = asProblem(r.reason);
            // Without ethtool nothing else will work either: the panel says what to install.
            if (problem.kind === 'missing-tool') throw problem;
            interfaces.set(name, { counters: new Map(), problem: problem.message });
          }
        });
      }
      for (const name of infoCache.keys()) if (!names.includes(name)) infoCache.delete(name);
      if (pickInterfaces().length > MAX_INTERFACES_PER_RUN) {
        notes.push(`ethtool -S reads the first ${MAX_INTERFACES_PER_RUN} interfaces only`);
      }
      return { value: { interfaces }, skippedLines: 0, notes, atMs };
    },
  };
}
