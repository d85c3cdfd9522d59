import { type Parsed, parsed } from '../types.js';

/** `ss -s`, old format (iproute2 < 4.17: `(kernel M)`, `synrecv`, `timewait A/B`, `ports N`) or new. */
export interface SsSummary {
  total: number;
  /** Old format only: what the kernel's slab counted. */
  kernel?: number;
  /** The TCP line's count and its parts: estab, closed, orphaned, synrecv, timewait (and `timewait/…` as timewaitSecond), ports. */
  tcp: Record<string, number>;
  /** The transport table: per protocol its total and, where given, IPv4 and IPv6. */
  transports: Record<string, { total: number; ip?: number; ipv6?: number }>;
}

const count = (text: string | undefined): number | undefined => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);

/**
 * Parses `ss -s`. Its totals are host-wide (so wrong inside a container) and
 * its "estab" includes CLOSE-WAIT: the dashboard never reads it, but tickets
 * are full of it. Input without a `Total:` line is not `ss -s`.
 */
export function parseSsSummary(text: string): Parsed<SsSummary | undefined> {
  let summary: SsSummary | undefined;
  let skipped = 0;
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const total = /^Total:\s+(\d+)(?:\s+\(kernel\s+(\d+)\))?$/.exec(line);
    if (total) {
      summary = { total: Number(total[1]), tcp: {}, transports: {} };
      const kernel = count(total[2]);
      if (kernel !== undefined) summary.kernel = kernel;
      continue;
    }
    if (!summary) {
      skipped++;
      continue;
    }
    const tcp = /^TCP:\s+(\d+)\s+\(([^)]*)\)(?:,\s*ports\s+(\d+))?$/.exec(line);
    if (tcp) {
      summary.tcp.total = Number(tcp[1]);
      for (const part of (tcp[2] ?? '').split(',')) {
        const m = /^\s*(\w+)\s+(\d+)(?:\/(\d+))?\s*$/.exec(part);
        if (!m?.[1]) continue;
        summary.tcp[m[1]] = Number(m[2]);
        if (m[3] !== undefined) summary.tcp[`${m[1]}Second`] = Number(m[3]);
      }
      const ports = count(tcp[3]);
      if (ports !== undefined) summary.tcp.ports = ports;
      continue;
    }
    if (/^Transport\s+Total\s+IP\s+IPv6$/.test(line)) {
      inTable = true;
      continue;
    }
    const row = inTable ? /^(\S+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)$/.exec(line) : undefined;
    if (row?.[1]) {
      const entry: { total: number; ip?: number; ipv6?: number } = { total: Number(row[2]) };
      const ip = count(row[3]);
      const ipv6 = count(row[4]);
      if (ip !== undefined) entry.ip = ip;
      if (ipv6 !== undefined) entry.ipv6 = ipv6;
      summary.transports[row[1]] = entry;
      continue;
    }
    skipped++;
  }
  return parsed(summary, skipped);
}
