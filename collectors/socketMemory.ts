import { CollectorProblem } from '../src/problems.js';
import { parseSockstat } from './parse/sockstat.js';
import { type Collector, type Parsed, parsed, sampleKey } from './types.js';

/** A protocol's socket buffer memory against its limits, in pages as the kernel counts them. */
export interface MemoryUse {
  pages: number;
  /** net.ipv4.tcp_mem / udp_mem: below `low` nothing is done about memory. */
  low: number;
  /** From here on the kernel is under pressure: it shrinks buffers and prunes queues. */
  pressure: number;
  /** Beyond this, allocations fail: packets are dropped ("TCP: out of memory -- consider tuning tcp_mem"). */
  max: number;
}

export interface SocketMemorySample {
  tcp?: MemoryUse;
  udp?: MemoryUse;
}

export const SOCKET_MEMORY = sampleKey<SocketMemorySample>('socketMemory');

/** `tcp_mem` / `udp_mem`: three page counts, low pressure max. */
export function parseMemLimits(text: string): { low: number; pressure: number; max: number } | undefined {
  const [low, pressure, max, ...rest] = text.trim().split(/\s+/).map(Number);
  if (rest.length > 0 || low === undefined || pressure === undefined || max === undefined) return undefined;
  if (![low, pressure, max].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return { low, pressure, max };
}

/** Memory in use (sockstat `mem`) against the limits, per protocol; notes what could not be read. */
export function socketMemoryOf(sockstat: string, tcpMem: string | undefined, udpMem: string | undefined): Parsed<SocketMemorySample> {
  const stat = parseSockstat(sockstat);
  const notes: string[] = [];
  const value: SocketMemorySample = {};
  for (const [proto, key, limitsText] of [
    ['tcp', 'TCP', tcpMem],
    ['udp', 'UDP', udpMem],
  ] as const) {
    const pages = stat.value[key]?.mem;
    const limits = limitsText === undefined ? undefined : parseMemLimits(limitsText);
    if (pages === undefined) notes.push(`/proc/net/sockstat has no ${key} mem`);
    else if (!limits) notes.push(`net.ipv4.${proto}_mem ${limitsText === undefined ? 'is missing' : 'is not three page counts'}`);
    else value[proto] = { pages, ...limits };
  }
  return parsed(value, stat.skippedLines, notes);
}

/**
 * Socket buffer memory is host-wide: sockstat's `mem` and the tcp_mem /
 * udp_mem limits are the same in every namespace, so they are read from the
 * host's /proc, three small files, every tick.
 */
export function createSocketMemoryCollector(): Collector<SocketMemorySample> {
  return {
    key: SOCKET_MEMORY,
    everyTicks: 1,
    async sample({ io }) {
      const atMs = Date.now();
      const files = io.readKernelFiles(['net/sockstat', 'sys/net/ipv4/tcp_mem', 'sys/net/ipv4/udp_mem']);
      const sockstat = files.get('net/sockstat');
      if (sockstat === undefined) throw new CollectorProblem('absent', '/proc/net/sockstat cannot be read');
      return { ...socketMemoryOf(sockstat, files.get('sys/net/ipv4/tcp_mem'), files.get('sys/net/ipv4/udp_mem')), atMs };
    },
  };
}
