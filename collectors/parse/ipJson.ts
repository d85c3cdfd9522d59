import { type Parsed, parsed } from '../types.js';

/**
 * JSON.parse loses integers above 2^53: quote long numbers before parsing.
 * `ip -j` writes an interface name's bytes as they are, and a name may hold
 * control characters (ESC, BEL; not whitespace): escaped here, or one such
 * name would make the whole document unreadable.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  const escaped = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.parse(escaped.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** The list `ip -j` prints, or undefined when it printed something else. */
function jsonList(text: string): unknown[] | undefined {
  try {
    const doc = parseJsonKeepingBigIntegers(text);
    return Array.isArray(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** What a parser returns for output that is not a list: nothing, and (unless it was empty) a line skipped and said. */
function notAList<T>(output: string, what: string): Parsed<T[]> {
  return output.trim() === '' ? parsed([]) : parsed([], 1, [`\`${what}\` printed something that is not a JSON list`]);
}
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** The kernel's NUD states, as `ip neigh` names them. */
export const NUD_STATES = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'INCOMPLETE', 'PERMANENT', 'NOARP', 'NONE'] as const;
export type NudState = (typeof NUD_STATES)[number];
const isNud = (v: unknown): v is NudState => typeof v === 'string' && (NUD_STATES as readonly string[]).includes(v);

/** A neighbour entry as `ip -j neigh` gives it. */
export interface Neighbour {
  /** IPv4 or IPv6 address. */
  address: string;
  /** Untrusted text; absent when the listing was asked for one device. */
  dev?: string;
  lladdr?: string;
  state: NudState;
  /** An IPv6 neighbour that said it is a router. */
  router: boolean;
}

/** The entries whose link-layer address is unknown: the kernel asked and nobody answered (yet). */
export const unresolvedNud = (state: NudState): boolean => state === 'FAILED' || state === 'INCOMPLETE';

/**
 * `ip -j neigh show`: `[{"dst","dev","lladdr","router":null,"state":["STALE"]}]`.
 * `state` is a list (a NUD state, sometimes with flags); an entry without a
 * known state or address is left out and counted.
 */
export function parseIpNeighJson(output: string): Parsed<Neighbour[]> {
  const doc = jsonList(output);
  if (!doc) return notAList(output, 'ip -j neigh');
  const out: Neighbour[] = [];
  let skipped = 0;
  for (const e of doc as Record<string, unknown>[]) {
    const address = text(e?.dst);
    const states: unknown[] = Array.isArray(e?.state) ? e.state : [e?.state];
    const state = states.find(isNud);
    if (address === undefined || state === undefined) {
      skipped++;
      continue;
    }
    const n: Neighbour = { address, state, router: e !== null && 'router' in e };
    const dev = text(e.dev);
    const lladdr = text(e.lladdr);
    if (dev !== undefined) n.dev = dev;
    if (lladdr !== undefined) n.lladdr = lladdr.toLowerCase();
    out.push(n);
  }
  return parsed(out, skipped);
}

/** An address of an interface with the flags that make it unusable or not yet usable. */
export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
  scope?: string;
  /** Duplicate address detection has not finished: not used as a source yet. */
  tentative: boolean;
  /** Duplicate address detection failed: another host holds it; never used. */
  dadFailed: boolean;
  deprecated: boolean;
}

export interface InterfaceAddresses {
  /** Untrusted text. */
  dev: string;
  addresses: InterfaceAddress[];
}

/** `ip -j addr show`: one object per interface with `addr_info`; flags are `"dadfailed":true` and the like. */
export function parseIpAddrJson(output: string): Parsed<InterfaceAddresses[]> {
  const doc = jsonList(output);
  if (!doc) return notAList(output, 'ip -j addr');
  const out: InterfaceAddresses[] = [];
  let skipped = 0;
  for (const link of doc as Record<string, unknown>[]) {
    const dev = text(link?.ifname);
    if (dev === undefined) {
      // `ip -j addr` prints `{}` for a link whose addresses a filter left out: nothing to skip.
      if (link !== null && typeof link === 'object' && Object.keys(link).length > 0) skipped++;
      continue;
    }
    const addresses: InterfaceAddress[] = [];
    for (const a of (Array.isArray(link.addr_info) ? link.addr_info : []) as Record<string, unknown>[]) {
      const family = a?.family;
      const address = text(a?.local);
      const prefixLength = int(a?.prefixlen);
      if ((family !== 'inet' && family !== 'inet6') || address === undefined || prefixLength === undefined) {
        skipped++;
        continue;
      }
      const entry: InterfaceAddress = { family, address, prefixLength, tentative: a.tentative === true, dadFailed: a.dadfailed === true, deprecated: a.deprecated === true };
      const scope = text(a.scope);
      if (scope !== undefined) entry.scope = scope;
      addresses.push(entry);
    }
    out.push({ dev, addresses });
  }
  return parsed(out, skipped);
}

/** The route the kernel picks for one destination (`ip -j route get`), or why it has none. */
export interface RouteLookup {
  destination: string;
  /** unicast, local, ... when found. */
  type?: string;
  dev?: string;
  gateway?: string;
  source?: string;
  /** A path MTU learned from an ICMP "fragmentation needed" / "packet too big", cached for this destination. */
  pmtu?: number;
  /** Seconds until that exception expires. */
  expiresSec?: number;
  /** The kernel's refusal, as `ip` says it (`Network is unreachable`, `No route to host`, ...). */
  error?: string;
}

/**
 * One route as `ip -j route get` or `ip -j route show cache` prints it:
 * `{"dst","gateway","dev","prefsrc","cache":[],"expires":599,"metrics":[{"mtu":1280}]}`.
 * Older iproute2 put `mtu` next to `cache` rather than in `metrics`, and may
 * write `expires` as "599sec".
 */
function routeEntry(r: Record<string, unknown> | undefined): RouteLookup | undefined {
  const destination = text(r?.dst);
  if (!r || destination === undefined) return undefined;
  const lookup: RouteLookup = { destination, type: text(r.type) ?? 'unicast' };
  const dev = text(r.dev);
  const gateway = text(r.gateway);
  const source = text(r.prefsrc);
  if (dev !== undefined) lookup.dev = dev;
  if (gateway !== undefined) lookup.gateway = gateway;
  if (source !== undefined) lookup.source = source;
  const metrics: unknown[] = Array.isArray(r.metrics) ? r.metrics : r.metrics && typeof r.metrics === 'object' ? [r.metrics] : [];
  const mtu = int((metrics as Record<string, unknown>[]).find((m) => m && typeof m === 'object' && 'mtu' in m)?.mtu) ?? int(r.mtu);
  if (mtu !== undefined && mtu > 0) lookup.pmtu = mtu;
  const expires = int(typeof r.expires === 'string' ? r.expires.replace(/sec$/, '') : r.expires);
  if (expires !== undefined) lookup.expiresSec = expires;
  return lookup;
}

/** `ip -j route get DEST`: the route the kernel picks, with a cached exception when there is one. */
export function parseIpRouteGetJson(output: string): RouteLookup | undefined {
  return routeEntry(jsonList(output)?.[0] as Record<string, unknown> | undefined);
}

/** `ip -j route show table all cache`: the route exceptions (a PMTU learned from ICMP, a redirect), one per destination. */
export function parseIpRouteCacheJson(output: string): Parsed<RouteLookup[]> {
  const doc = jsonList(output);
  if (!doc) return notAList(output, 'ip -j route show cache');
  const out: RouteLookup[] = [];
  for (const r of doc) {
    const entry = routeEntry(r as Record<string, unknown>);
    if (entry) out.push(entry);
  }
  return parsed(out, doc.length - out.length);
}

/** What each command of an `ip -j -force -batch -` run printed, or the error it failed with. */
export type BatchAnswer = { output: string } | { error: string };

/**
 * `ip -force -batch -` runs every line and goes on after a failure. A
 * command that succeeds prints one line of JSON to stdout; one that fails
 * prints nothing there and, to stderr, the kernel's answer followed by
 * `Command failed -:N` (N counts from 1). The stdout lines belong, in
 * order, to the commands that did not fail.
 */
export function splitIpBatch(commands: number, stdout: string, stderr: string): BatchAnswer[] {
  const failed = new Map<number, string>();
  let message = '';
  for (const line of stderr.split('\n')) {
    const m = /^Command failed (?:-|\S+):(\d+)\s*$/.exec(line);
    if (m) {
      failed.set(Number(m[1]) - 1, message.replace(/^RTNETLINK answers:\s*/, '').trim() || 'failed');
      message = '';
    } else if (line.trim() !== '') message = line;
  }
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const answers: BatchAnswer[] = [];
  let next = 0;
  for (let i = 0; i < commands; i++) {
    const error = failed.get(i);
    if (error !== undefined) answers.push({ error });
    else answers.push({ output: lines[next++] ?? '' });
  }
  return answers;
}
