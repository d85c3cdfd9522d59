import { CollectorProblem, missingToolProblem } from '../src/problems.js';
import { isFixtureProc } from '../src/target.js';
import { type QdiscStats, parseTcQdiscJson, qdiscKey } from './parse/qdisc.js';
import { type Collector, sampleKey } from './types.js';

export interface QdiscsSample {
  qdiscs: QdiscStats[];
}

export const QDISCS = sampleKey<QdiscsSample>('qdiscs');

/** Store counter of one qdisc's statistic: `eth0 root 1: htb/drops`. */
export const qdiscCounterKey = (q: Pick<QdiscStats, 'dev' | 'parent' | 'handle' | 'kind'>, stat: 'drops' | 'overlimits' | 'requeues' | 'packets'): string => `${qdiscKey(q)}/${stat}`;

/** One `tc` for every interface of the namespace, every this many ticks: a process start is most of its cost. */
export const QDISC_EVERY_TICKS = 5;

/**
 * The transmit queues of every interface of the target, roots and children,
 * from one `tc -s -j qdisc show` in the namespace at its own cadence.
 */
export function createQdiscsCollector(): Collector<QdiscsSample> {
  let tcMissing = false;
  return {
    key: QDISCS,
    everyTicks: QDISC_EVERY_TICKS,
    phaseTicks: 2,
    counters(v) {
      const out = new Map<string, bigint>();
      for (const q of v.qdiscs) for (const stat of ['drops', 'overlimits', 'requeues', 'packets'] as const) out.set(qdiscCounterKey(q, stat), BigInt(Math.floor(q[stat])));
      return out;
    },
    async sample({ io, timeoutMs }) {
      const atMs = Date.now();
      if (isFixtureProc(io.roots)) throw new CollectorProblem('absent', 'qdiscs are not read from a fixture tree', 'tc -s qdisc would describe this host');
      if (tcMissing) throw missingToolProblem('tc');
      let stdout: string;
      try {
        stdout = (await io.run(['tc', '-s', '-j', 'qdisc', 'show'], { timeoutMs })).stdout;
      } catch (error) {
        if (error instanceof CollectorProblem && error.kind === 'missing-tool') tcMissing = true;
        throw error;
      }
      const p = parseTcQdiscJson(stdout);
      if (p.value.length === 0 && p.skippedLines > 0) throw new CollectorProblem('unparseable', `tc -s -j qdisc: ${p.notes[0] ?? 'nothing readable'}`);
      return { ...p, value: { qdiscs: p.value }, atMs };
    },
  };
}
