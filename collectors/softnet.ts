import { CollectorProblem } from '../src/problems.js';
import { type SoftnetCpu, parseSoftnetStat } from './parse/softnet.js';
import { type Collector, sampleKey } from './types.js';

export interface SoftnetSample {
  cpus: SoftnetCpu[];
}

export const SOFTNET = sampleKey<SoftnetSample>('softnet');

/** Counter names in the store: `cpu3/dropped`, and `all/dropped` for the sum of every CPU. */
export const softnetCounterKey = (cpu: number | 'all', field: 'processed' | 'dropped' | 'timeSqueeze' | 'flowLimit'): string => `${cpu === 'all' ? 'all' : `cpu${cpu}`}/${field}`;

const FIELDS = ['processed', 'dropped', 'timeSqueeze', 'flowLimit'] as const;

/**
 * The per-CPU receive backlog (softnet): host-wide, one small file every
 * tick. Upstream of conntrack and the sockets: a packet dropped here never
 * reaches a counter of the TCP or UDP layers.
 */
export function createSoftnetCollector(): Collector<SoftnetSample> {
  return {
    key: SOFTNET,
    everyTicks: 1,
    counters(v) {
      const out = new Map<string, bigint>();
      for (const field of FIELDS) {
        let sum = 0;
        for (const c of v.cpus) {
          const n = c[field];
          if (n === undefined) continue;
          out.set(softnetCounterKey(c.cpu, field), BigInt(n));
          sum += n;
        }
        if (v.cpus.some((c) => c[field] !== undefined)) out.set(softnetCounterKey('all', field), BigInt(sum));
      }
      return out;
    },
    async sample({ io }) {
      const atMs = Date.now();
      const text = io.readKernelFiles(['net/softnet_stat']).get('net/softnet_stat');
      if (text === undefined) throw new CollectorProblem('absent', '/proc/net/softnet_stat cannot be read');
      const p = parseSoftnetStat(text);
      if (p.value.length === 0) throw new CollectorProblem('unparseable', '/proc/net/softnet_stat has no CPU row nettriage can read');
      return { ...p, value: { cpus: p.value }, atMs };
    },
  };
}
