import { asProblem } from '../../src/problems.js';
import type { SampleContext } from '../types.js';
import { type PortRange, parsePortRange } from './portRange.js';

/** The namespace's TCP limits the alerts measure against. */
export interface TcpLimits {
  portRange?: PortRange;
  /** net.ipv4.tcp_max_orphans */
  maxOrphans?: number;
  /** net.ipv4.tcp_max_tw_buckets */
  maxTwBuckets?: number;
  /** net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (the default). */
  twReuse?: number;
}

const EVERY_TICKS = 30;

const integer = (text: string): number | undefined => (/^\s*\d+\s*$/.test(text) ? Number(text) : undefined);

const FILES = {
  range: 'net/ipv4/ip_local_port_range',
  reserved: 'net/ipv4/ip_local_reserved_ports',
  orphans: 'net/ipv4/tcp_max_orphans',
  buckets: 'net/ipv4/tcp_max_tw_buckets',
  reuse: 'net/ipv4/tcp_tw_reuse',
};

/**
 * Reads the limits every 30 ticks (they rarely change, and inside a
 * namespace the read is a process start) and keeps the last good values.
 */
export function createTcpLimitsReader(): (ctx: SampleContext, notes: string[]) => Promise<TcpLimits> {
  let limits: TcpLimits = {};
  let lastTick = -Infinity;
  return async (ctx, notes) => {
    if (ctx.tick - lastTick < EVERY_TICKS) return limits;
    lastTick = ctx.tick;
    let files: Map<string, string>;
    try {
      files = await ctx.io.readProcSysFiles(Object.values(FILES), ctx.timeoutMs);
    } catch (error) {
      notes.push(`TCP limits unknown: ${asProblem(error).message}`);
      return limits;
    }
    const next: TcpLimits = { ...limits };
    const portRange = parsePortRange(files.get(FILES.range) ?? '', files.get(FILES.reserved) ?? '');
    if (portRange) next.portRange = portRange;
    else if (!files.has(FILES.range)) notes.push('ephemeral port range unknown: net.ipv4.ip_local_port_range is not readable');
    const set = (key: 'maxOrphans' | 'maxTwBuckets' | 'twReuse', file: string) => {
      const v = integer(files.get(file) ?? '');
      if (v !== undefined) next[key] = v;
    };
    set('maxOrphans', FILES.orphans);
    set('maxTwBuckets', FILES.buckets);
    set('twReuse', FILES.reuse);
    limits = next;
    return limits;
  };
}
