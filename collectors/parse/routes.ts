import { type Parsed, parsed } from '../types.js';

/** A route of the namespace's main IPv4 table, from /proc/net/route. */
export interface Route4 {
  /** As the kernel names it: untrusted text, sanitise before display. `*` for a route without a device. */
  dev: string;
  /** Dotted quad. */
  destination: string;
  prefixLength: number;
  /** Dotted quad; undefined for a directly connected route. */
  gateway?: string;
  metric: number;
  /** unreachable, blackhole or prohibit: the kernel answers with an error instead of sending. */
  reject: boolean;
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;

/** `0101A8C0` (the kernel's __be32 printed as a host-order %08X on little-endian) -> `192.168.1.1`. */
export function hexToIpv4(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
}

function prefixOf(maskHex: string): number | undefined {
  const mask = hexToIpv4(maskHex);
  if (mask === undefined) return undefined;
  let bits = 0;
  for (const octet of mask.split('.').map(Number)) {
    for (let b = 7; b >= 0; b--) {
      if (octet & (1 << b)) bits++;
      else return bits;
    }
  }
  return bits;
}

/**
 * /proc/net/route: the main table of the reader's network namespace, IPv4,
 * one route per line after a header (`Iface Destination Gateway Flags RefCnt
 * Use Metric Mask MTU Window IRTT`), addresses in hex. A route that is not
 * up is left out; unreachable, blackhole and prohibit routes have the
 * device `*` (and all but a blackhole RTF_REJECT).
 */
export function parseProcNetRoute(text: string): Parsed<Route4[]> {
  const routes: Route4[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^Iface\s/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    const [dev, destHex, gwHex, flagsHex, , , metric, maskHex] = f;
    const destination = hexToIpv4(destHex ?? '');
    const gateway = hexToIpv4(gwHex ?? '');
    const flags = Number.parseInt(flagsHex ?? '', 16);
    const prefixLength = prefixOf(maskHex ?? '');
    if (f.length < 8 || !dev || destination === undefined || gateway === undefined || !Number.isFinite(flags) || prefixLength === undefined || !/^\d+$/.test(metric ?? '')) {
      skipped++;
      continue;
    }
    if (!(flags & RTF_UP)) continue;
    // unreachable and prohibit carry RTF_REJECT; a blackhole only the device `*` (and no gateway).
    const route: Route4 = { dev, destination, prefixLength, metric: Number(metric), reject: (flags & RTF_REJECT) !== 0 || (dev === '*' && !(flags & RTF_GATEWAY)) };
    if (flags & RTF_GATEWAY) route.gateway = gateway;
    routes.push(route);
  }
  return parsed(routes, skipped);
}

/** The default route the kernel uses: the lowest metric among 0.0.0.0/0 routes that are not rejects. */
export function defaultRoute(routes: Route4[]): Route4 | undefined {
  let best: Route4 | undefined;
  for (const r of routes) {
    if (r.prefixLength !== 0 || r.reject) continue;
    if (!best || r.metric < best.metric) best = r;
  }
  return best;
}

/** An IPv4 neighbour, from /proc/net/arp. */
export interface Neighbour4 {
  address: string;
  dev: string;
  /**
   * The kernel has a usable link-layer address (REACHABLE, STALE, DELAY,
   * PROBE, PERMANENT: ATF_COM). Not complete is INCOMPLETE or FAILED: the
   * address asked for and not (or no longer) answering.
   */
  complete: boolean;
  permanent: boolean;
}

const ATF_COM = 0x2;
const ATF_PERM = 0x4;

/**
 * /proc/net/arp: `IP address, HW type, Flags, HW address, Mask, Device`, one
 * neighbour of the reader's namespace per line. The file does not tell
 * INCOMPLETE from FAILED (both print flags 0x0); `ip neigh` does.
 */
export function parseProcNetArp(text: string): Parsed<Neighbour4[]> {
  const out: Neighbour4[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^IP address\s/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    const [address, , flagsHex, , , dev] = f;
    const flags = Number.parseInt(flagsHex ?? '', 16);
    if (f.length < 6 || !/^\d+\.\d+\.\d+\.\d+$/.test(address ?? '') || !/^0x[0-9a-fA-F]+$/.test(flagsHex ?? '') || !dev) {
      skipped++;
      continue;
    }
    out.push({ address: address as string, dev, complete: (flags & ATF_COM) !== 0, permanent: (flags & ATF_PERM) !== 0 });
  }
  return parsed(out, skipped);
}

/** One neighbour table's size and how often it was full, from /proc/net/stat/{arp,ndisc}_cache. */
export interface NeighbourTableStat {
  /** Entries in the table now: the table is the host's, shared by every namespace. */
  entries: number;
  /** Times an entry could not be made because the table was at gc_thresh3 ("neighbour table overflow"), summed over CPUs. */
  tableFulls: bigint;
}

/**
 * /proc/net/stat/arp_cache or ndisc_cache: a header of column names, then
 * one line of hex per CPU. `entries` is the table's (the same on every
 * line); the event columns are per CPU and summed. `table_fulls` appeared in
 * Linux 4.x; without it the count is 0.
 */
export function parseNeighbourStat(text: string): NeighbourTableStat | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const entriesAt = header.indexOf('entries');
  const fullsAt = header.indexOf('table_fulls');
  if (entriesAt < 0) return undefined;
  let entries: number | undefined;
  let tableFulls = 0n;
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length !== header.length || !f.every((x) => /^[0-9a-fA-F]+$/.test(x))) continue;
    entries ??= Number.parseInt(f[entriesAt] as string, 16);
    if (fullsAt >= 0) tableFulls += BigInt(`0x${f[fullsAt]}`);
  }
  return entries === undefined ? undefined : { entries, tableFulls };
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The route the kernel's main table gives an IPv4 address: the longest prefix that holds it, then the lowest metric. */
export function routeFor(routes: Route4[], address: string): Route4 | undefined {
  const ip = ipv4ToInt(address);
  if (ip === undefined) return undefined;
  let best: Route4 | undefined;
  for (const r of routes) {
    const net = ipv4ToInt(r.destination);
    if (net === undefined) continue;
    const size = 2 ** (32 - r.prefixLength);
    if (Math.floor(ip / size) !== Math.floor(net / size)) continue;
    if (!best || r.prefixLength > best.prefixLength || (r.prefixLength === best.prefixLength && r.metric < best.metric)) best = r;
  }
  return best;
}

/** An IPv6 address of the namespace, from /proc/net/if_inet6. */
export interface Address6 {
  address: string;
  prefixLength: number;
  /** Untrusted text, sanitise before display. */
  dev: string;
  /** Duplicate address detection still running. */
  tentative: boolean;
  /** Duplicate address detection found another holder: the address is unusable. */
  dadFailed: boolean;
}

const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

/** 32 hex digits -> the shortest form (`fd00:99::1`). */
export function hexToIpv6(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16).toString(16));
  // The longest run of two or more zero groups becomes `::`.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** /proc/net/if_inet6: `address ifindex prefixlen scope flags device`, all hex but the name. */
export function parseIfInet6(text: string): Parsed<Address6[]> {
  const out: Address6[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [hex, , plen, , flagsHex, dev] = line.trim().split(/\s+/);
    const address = hexToIpv6(hex ?? '');
    const flags = Number.parseInt(flagsHex ?? '', 16);
    const prefixLength = Number.parseInt(plen ?? '', 16);
    if (address === undefined || !dev || !/^[0-9a-fA-F]+$/.test(flagsHex ?? '') || !/^[0-9a-fA-F]+$/.test(plen ?? '')) {
      skipped++;
      continue;
    }
    out.push({ address, prefixLength, dev, tentative: (flags & IFA_F_TENTATIVE) !== 0, dadFailed: (flags & IFA_F_DADFAILED) !== 0 });
  }
  return parsed(out, skipped);
}
