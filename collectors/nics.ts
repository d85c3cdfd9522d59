import { readdir } from 'node:fs/promises';
import { CollectorProblem, asProblem } from '../src/problems.js';
import type { TargetIO } from '../src/targetIO.js';
import { parseJsonKeepingBigIntegers } from './parse/ipJson.js';
import { type Collector, type Parsed, sampleKey } from './types.js';

export interface NicState {
  /** As the kernel names it: untrusted text, sanitise before display. */
  name: string;
  operstate: string;
  carrier?: boolean;
  mtu?: number;
  speedMbps?: number;
  /** `half` for a device that negotiated half duplex (a bad cable or a forced port): collisions, late errors, slow. */
  duplex?: 'full' | 'half';
  /** rtnetlink link kind (veth, bridge, vlan, ...); undefined for a plain device. */
  kind?: string;
  /** The other end of a veth (or the lower device of a vlan) when it is in the same namespace: untrusted text. */
  peer?: string;
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

interface IpLink {
  ifname?: unknown;
  operstate?: unknown;
  mtu?: unknown;
  flags?: unknown;
  link_type?: unknown;
  parentbus?: unknown;
  linkinfo?: { info_kind?: unknown };
  /** The peer or lower device, by name, when it is in the same namespace (`ip -d -j link`). */
  link?: unknown;
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
    if (typeof link.link === 'string') nic.peer = link.link;
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
      const [carrier, mtu, speed, duplex, device, uevent, changes] = await Promise.all([
        readOptional(io, `${base}/carrier`),
        readOptional(io, `${base}/mtu`),
        readOptional(io, `${base}/speed`),
        readOptional(io, `${base}/duplex`),
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
      if (duplex === 'full' || duplex === 'half') nic.duplex = duplex;
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

export const NICS = sampleKey<NicsSample>('nics');

export const nicCounterKey = (nic: string, stat: string): string => `${nic}/${stat}`;

/** `nicCounterKey`s spelled once each, not again every tick for every statistic of every interface. */
class CounterKeys {
  private readonly byNic = new Map<string, Map<string, string>>();

  of(nic: string, stat: string): string {
    let stats = this.byNic.get(nic);
    if (!stats) {
      // Interfaces come and go (a node's veths): the cache is bounded by starting over.
      if (this.byNic.size >= 4096) this.byNic.clear();
      stats = new Map();
      this.byNic.set(nic, stats);
    }
    let key = stats.get(stat);
    if (key === undefined) {
      key = nicCounterKey(nic, stat);
      stats.set(stat, key);
    }
    return key;
  }
}

/**
 * One interface's row of /proc/net/dev. The kernel prints some columns as
 * sums — drop is rx_dropped + rx_missed_errors, frame is the four receive
 * framing errors, carrier the four transmit carrier errors — so only the
 * exact columns are statistics by their own name; the sums say whether any
 * of their parts moved.
 */
export interface DevRow {
  exact: Map<string, bigint>;
  /** Every error-like column, sums included: unchanged means none of the parts changed. */
  errorColumns: string;
}

const DEV_COLUMNS = [
  'rx_bytes', 'rx_packets', 'rx_errors', 'rx drop', 'rx_fifo_errors', 'rx frame', 'rx_compressed', 'multicast',
  'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped', 'tx_fifo_errors', 'collisions', 'tx carrier', 'tx_compressed',
] as const;
const DEV_ERROR_COLUMNS = new Set([2, 3, 4, 5, 10, 11, 12, 13, 14]);

/** /proc/net/dev: two header lines, then `name: 16 numbers` per interface (names never contain ':'). */
export function parseProcNetDev(text: string): Parsed<Map<string, DevRow>> {
  const rows = new Map<string, DevRow>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (line.trim() === '' || line.includes('|')) continue;
    const numbers = colon < 0 ? [] : line.slice(colon + 1).trim().split(/\s+/);
    if (colon < 0 || numbers.length !== DEV_COLUMNS.length || !numbers.every((n) => /^\d+$/.test(n))) {
      skipped++;
      continue;
    }
    const exact = new Map<string, bigint>();
    DEV_COLUMNS.forEach((name, i) => {
      if (!name.includes(' ')) exact.set(name, BigInt(numbers[i] ?? 0));
    });
    rows.set(line.slice(0, colon).trim(), { exact, errorColumns: numbers.filter((_, i) => DEV_ERROR_COLUMNS.has(i)).join(' ') });
  }
  return { value: rows, skippedLines: skipped, notes: [] };
}

/** `ip -d link` details (kind, state, MTU, every error counter) are read again at least this often. */
export const NIC_DETAILS_EVERY_TICKS = 10;

/**
 * Standard statistics of every interface. Every tick: /proc/net/dev of the
 * target — a file read — for packets, bytes and whether any error counter
 * moved. `ip -d -s -s -j link` (one process start) gives the details and
 * each error counter by its name: at the first tick, every 10 ticks, and at
 * once on a tick where an error column moved, an interface came or went or
 * the namespace's link monitor saw an event (a carrier lost or found), so
 * the numbers and state of a NIC in trouble are never older than a tick. sysfs
 * replaces both for a fixture tree or a host without iproute2. Link speed
 * comes from sysfs for the host's physical devices.
 */
export function createNicsCollector(): Collector<NicsSample> {
  let ipMissing = false;
  const counterKeys = new CounterKeys();
  let details: { tick: number; interfaces: NicState[]; errorColumns: Map<string, string>; linkEvents: number | undefined } | undefined;

  const readDev = async (io: TargetIO, timeoutMs: number): Promise<Parsed<Map<string, DevRow>> | undefined> => {
    const text = (await io.readProcNetFiles(['dev'], [], timeoutMs)).get('dev');
    return text === undefined ? undefined : parseProcNetDev(text);
  };

  const detailsAreCurrent = (tick: number, dev: Map<string, DevRow>, linkEvents: number | undefined): boolean => {
    if (!details || tick - details.tick >= NIC_DETAILS_EVERY_TICKS || dev.size !== details.errorColumns.size || linkEvents !== details.linkEvents) return false;
    for (const [name, row] of dev) if (details.errorColumns.get(name) !== row.errorColumns) return false;
    return true;
  };

  return {
    key: NICS,
    everyTicks: 1,
    counters(v) {
      const out = new Map<string, bigint>();
      for (const nic of v.interfaces) nic.stats.forEach((value, stat) => out.set(counterKeys.of(nic.name, stat), value));
      return out;
    },
    async sample(ctx) {
      const atMs = Date.now();
      const notes: string[] = [];
      const host = ctx.io.target.kind === 'host';
      const sysfsOnly = host && (ipMissing || ctx.io.roots.sysRoot !== '/sys');
      if (!sysfsOnly) {
        const dev = await readDev(ctx.io, ctx.timeoutMs);
        const linkEvents = ctx.io.linkEvents();
        if (dev && details && detailsAreCurrent(ctx.tick, dev.value, linkEvents)) {
          // Nothing but traffic moved: the last details, with this tick's exact counters.
          const interfaces = details.interfaces.map((nic) => ({ ...nic, stats: new Map([...nic.stats, ...(dev.value.get(nic.name)?.exact ?? [])]) }));
          return { value: { interfaces, source: 'ip' }, skippedLines: dev.skippedLines, notes: [], atMs };
        }
        try {
          const r = await ctx.io.run(['ip', '-d', '-s', '-s', '-j', 'link', 'show'], { timeoutMs: ctx.timeoutMs });
          const parsed = parseIpLinkJson(r.stdout);
          // Nothing read is not "no interfaces": every namespace has lo.
          if (parsed.value.length === 0) throw new CollectorProblem('unparseable', parsed.notes[0] ?? '`ip -j link` listed no interface', 'run `ip -d -s -s -j link` to see what it prints');
          if (host) await addHostSpeeds(ctx.io, parsed.value);
          const errorColumns = new Map([...(dev?.value ?? [])].map(([name, row]) => [name, row.errorColumns]));
          // Without /proc/net/dev (never seen on Linux) every tick asks ip.
          details = dev ? { tick: ctx.tick, interfaces: parsed.value, errorColumns, linkEvents } : undefined;
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
        const [speed, duplex] = await Promise.all([readOptional(io, `class/net/${n.name}/speed`), readOptional(io, `class/net/${n.name}/duplex`)]);
        if (speed && /^\d+$/.test(speed) && Number(speed) > 0) n.speedMbps = Number(speed);
        if (duplex === 'full' || duplex === 'half') n.duplex = duplex;
      }),
  );
}
