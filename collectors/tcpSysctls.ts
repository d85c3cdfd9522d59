import { asProblem } from '../src/problems.js';
import { type PortRange, parsePortRange } from './portRange.js';
import type { SampleContext } from './types.js';

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

/**
 * Reads the limits every 30 ticks (they rarely change, and inside a named
 * namespace each read is a process start) and keeps the last good values.
 */
export function createTcpLimitsReader(): (ctx: SampleContext, notes: string[]) => Promise<TcpLimits> {
  let limits: TcpLimits = {};
  let lastTick = -Infinity;
  return async (ctx, notes) => {
    if (ctx.tick - lastTick < EVERY_TICKS) return limits;
    lastTick = ctx.tick;
    const read = (path: string) => ctx.io.readProcSys(`net/ipv4/${path}`, ctx.timeoutMs);
    const [range, reserved, orphans, buckets, reuse] = await Promise.allSettled([
      read('ip_local_port_range'),
      read('ip_local_reserved_ports'),
      read('tcp_max_orphans'),
      read('tcp_max_tw_buckets'),
      read('tcp_tw_reuse'),
    ]);
    const text = (r: PromiseSettledResult<string>) => (r.status === 'fulfilled' ? r.value : undefined);
    const next: TcpLimits = { ...limits };
    const portRange = parsePortRange(text(range) ?? '', text(reserved) ?? '');
    if (portRange) next.portRange = portRange;
    else if (range.status === 'rejected') notes.push(`ephemeral port range unknown: ${asProblem(range.reason).message}`);
    const set = (key: 'maxOrphans' | 'maxTwBuckets' | 'twReuse', r: PromiseSettledResult<string>) => {
      const v = integer(text(r) ?? '');
      if (v !== undefined) next[key] = v;
    };
    set('maxOrphans', orphans);
    set('maxTwBuckets', buckets);
    set('twReuse', reuse);
    limits = next;
    return limits;
  };
}
