import { readdir } from 'node:fs/promises';
import { asProblem } from '../src/problems.js';
import type { TargetIO } from '../src/targetIO.js';
import type { Collector, Parsed } from './types.js';

export interface NicState {
  /** As the kernel names it: untrusted text, sanitise before display. */
  name: string;
  operstate: string;
  carrier?: boolean;
  mtu?: number;
  speedMbps?: number;
  /** rtnetlink link kind (veth, bridge, vlan, ...); undefined for a plain device. */
  kind?: string;
  /** Backed by a device (PCI, virtio, ...): worth an `ethtool -S`. */
  physical: boolean;
  /** Standard statistics by their sysfs names (rx_dropped, tx_errors, ...). */
  stats: Map<string, bigint>;
}

/** `ip -s -s -j link` field -> sysfs statistics file name. */
const IP_JSON_STATS: Record<'rx' | 'tx', Record<string, string>> = {
  rx: {
    bytes: 'rx_bytes',
    packets: 'rx_packets',
    errors: 'rx_errors',
    dropped: 'rx_dropped',
    over_errors: 'rx_over_errors',
    multicast: 'multicast',
    length_errors: 'rx_length_errors',
    crc_errors: 'rx_crc_errors',
    frame_errors: 'rx_frame_errors',
    fifo_errors: 'rx_fifo_errors',
    missed_errors: 'rx_missed_errors',
    nohandler: 'rx_nohandler',
  },
  tx: {
    bytes: 'tx_bytes',
    packets: 'tx_packets',
    errors: 'tx_errors',
    dropped: 'tx_dropped',
    carrier_errors: 'tx_carrier_errors',
    collisions: 'collisions',
    aborted_errors: 'tx_aborted_errors',
    fifo_errors: 'tx_fifo_errors',
    window_errors: 'tx_window_errors',
    heartbeat_errors: 'tx_heartbeat_errors',
    carrier_changes: 'carrier_changes',
  },
};

/** JSON.parse loses integers above 2^53: quote long numbers before parsing. */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

interface IpLink {
  ifname?: unknown;
  operstate?: unknown;
  mtu?: unknown;
  flags?: unknown;
  link_type?: unknown;
  parentbus?: unknown;
  linkinfo?: { info_kind?: unknown };
  stats64?: Record<string, Record<string, unknown>>;
}

/**
 * `ip -d -s -s -j link show`: every interface of the namespace with its
 * standard statistics in one netlink dump — the same rtnl_link_stats64 that
 * /sys/class/net/IF/statistics/* shows, without ~25 file reads per interface
 * (a Kubernetes node has hundreds of veths).
 */
export function parseIpLinkJson(text: string): Parsed<NicState[]> {
  let doc: unknown;
  try {
    doc = parseJsonKeepingBigIntegers(text);
  } catch {
    return { value: [], skippedLines: text.split('\n').length, notes: ['`ip -j link` printed something that is not JSON'] };
  }
  if (!Array.isArray(doc)) return { value: [], skippedLines: 1, notes: ['`ip -j link` did not print a list'] };
  const nics: NicState[] = [];
  let skipped = 0;
  for (const link of doc as IpLink[]) {
    if (typeof link?.ifname !== 'string') {
      skipped++;
      continue;
    }
    const stats = new Map<string, bigint>();
    for (const dir of ['rx', 'tx'] as const) {
      const block = link.stats64?.[dir] ?? {};
      for (const [field, name] of Object.entries(IP_JSON_STATS[dir])) {
        const v = block[field];
        if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v))) stats.set(name, BigInt(v));
      }
    }
    const kind = typeof link.linkinfo?.info_kind === 'string' ? link.linkinfo.info_kind : undefined;
    const flags = Array.isArray(link.flags) ? link.flags : [];
    const nic: NicState = {
      name: link.ifname,
      operstate: typeof link.operstate === 'string' ? link.operstate : 'UNKNOWN',
      physical: typeof link.parentbus === 'string' || (kind === undefined && link.link_type === 'ether'),
      stats,
    };
    if (flags.includes('UP')) nic.carrier = flags.includes('LOWER_UP');
    if (typeof link.mtu === 'number') nic.mtu = link.mtu;
    if (kind !== undefined) nic.kind = kind;
    nics.push(nic);
  }
  return { value: nics, skippedLines: skipped, notes: [] };
}

const SYSFS_STATS = [
  ...Object.values(IP_JSON_STATS.rx),
  ...Object.values(IP_JSON_STATS.tx).filter((n) => n !== 'carrier_changes'),
];

async function readOptional(io: TargetIO, path: string): Promise<string | undefined> {
  try {
    return (await io.readSys(path)).trim();
  } catch {
    return undefined;
  }
}

/**
 * The sysfs view, for a fixture --sys-root or a host without `ip`. An
 * interface deleted while we read it simply yields fewer files.
 */
export async function readSysfsNics(io: TargetIO): Promise<NicState[]> {
  const names = (await readdir(`${io.roots.sysRoot}/class/net`)).sort();
  const nics = await Promise.all(
    names.map(async (name): Promise<NicState | undefined> => {
      const base = `class/net/${name}`;
      const operstate = await readOptional(io, `${base}/operstate`);
      if (operstate === undefined) return undefined; // vanished
      const stats = new Map<string, bigint>();
      const values = await Promise.all(SYSFS_STATS.map((stat) => readOptional(io, `${base}/statistics/${stat}`)));
      SYSFS_STATS.forEach((stat, i) => {
        const v = values[i];
        if (v !== undefined && /^\d+$/.test(v)) stats.set(stat, BigInt(v));
      });
      const [carrier, mtu, speed, device, uevent, changes] = await Promise.all([
        readOptional(io, `${base}/carrier`),
        readOptional(io, `${base}/mtu`),
        readOptional(io, `${base}/speed`),
        readdir(`${io.roots.sysRoot}/${base}/device`).then(
          () => true,
          () => false,
        ),
        readOptional(io, `${base}/uevent`),
        readOptional(io, `${base}/carrier_changes`),
      ]);
      if (changes && /^\d+$/.test(changes)) stats.set('carrier_changes', BigInt(changes));
      const nic: NicState = { name, operstate: operstate.toUpperCase(), physical: device, stats };
      if (carrier === '0' || carrier === '1') nic.carrier = carrier === '1';
      if (mtu && /^\d+$/.test(mtu)) nic.mtu = Number(mtu);
      if (speed && /^\d+$/.test(speed) && Number(speed) > 0) nic.speedMbps = Number(speed);
      const kind = /^DEVTYPE=(\S+)/m.exec(uevent ?? '')?.[1];
      if (kind) nic.kind = kind;
      return nic;
    }),
  );
  return nics.filter((n): n is NicState => n !== undefined);
}

export interface NicsSample {
  interfaces: NicState[];
  source: 'ip' | 'sysfs';
}

export const nicCounterKey = (nic: string, stat: string): string => `${nic}/${stat}`;

/**
 * Standard statistics of every interface, every tick: `ip -d -s -s -j link`
 * in the target's namespace, or sysfs for a fixture tree or a host without
 * iproute2. Link speed comes from sysfs for the host's physical devices.
 */
export function createNicCollector(): Collector<NicsSample> {
  let ipMissing = false;
  return {
    name: 'nics',
    everyTicks: 1,
    counters(v) {
      const out = new Map<string, bigint>();
      for (const nic of v.interfaces) for (const [stat, value] of nic.stats) out.set(nicCounterKey(nic.name, stat), value);
      return out;
    },
    async sample(ctx) {
      const atMs = Date.now();
      const notes: string[] = [];
      const host = ctx.io.target.kind === 'host';
      const sysfsOnly = host && (ipMissing || ctx.io.roots.sysRoot !== '/sys');
      if (!sysfsOnly) {
        try {
          const r = await ctx.io.run(['ip', '-d', '-s', '-s', '-j', 'link', 'show'], { timeoutMs: ctx.timeoutMs });
          const parsed = parseIpLinkJson(r.stdout);
          if (host) await addHostSpeeds(ctx.io, parsed.value);
          return { value: { interfaces: parsed.value, source: 'ip' }, skippedLines: parsed.skippedLines, notes: parsed.notes, atMs };
        } catch (error) {
          const problem = asProblem(error);
          if (!(host && problem.kind === 'missing-tool')) throw problem;
          ipMissing = true;
        }
      }
      if (ipMissing) notes.push('ip not found (install iproute2): reading /sys/class/net');
      return { value: { interfaces: await readSysfsNics(ctx.io), source: 'sysfs' }, skippedLines: 0, notes, atMs };
    },
  };
}

async function addHostSpeeds(io: TargetIO, nics: NicState[]): Promise<void> {
  await Promise.all(
    nics
      .filter((n) => n.physical)
      .map(async (n) => {
        const speed = await readOptional(io, `class/net/${n.name}/speed`);
        if (speed && /^\d+$/.test(speed) && Number(speed) > 0) n.speedMbps = Number(speed);
      }),
  );
}
