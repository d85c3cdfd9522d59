import { ALERT_PACE, type OwnersOfState, groupByOwner } from '../src/owners.js';
import { asProblem } from '../src/problems.js';
import type { TcpState } from '../src/tcpState.js';
import { type Collector, type CollectorContext, sampleKey } from './types.js';

export interface OwnersSample {
  byState: Partial<Record<TcpState, OwnersOfState & { atMs: number }>>;
}

export const OWNERS = sampleKey<OwnersSample>('owners');


/**
 * Owners of the states the alerts ask about, from the owners service (which
 * the drill-down shares): each at most every 10 s, less often when the query
 * is expensive.
 */
export function createOwnersCollector(ctx: CollectorContext, wanted: () => TcpState[]): Collector<OwnersSample> {
  const byState: OwnersSample['byState'] = {};
  return {
    key: OWNERS,
    everyTicks: 1,
    async sample({ timeoutMs }) {
      const atMs = Date.now();
      const notes: string[] = [];
      let skippedLines = 0;
      const want = new Set(wanted());
      for (const state of Object.keys(byState) as TcpState[]) {
        if (want.has(state)) continue;
        delete byState[state];
        // A busy state's sockets can be tens of thousands: not kept for nobody.
        ctx.owners.forget(state);
      }
      for (const state of want) {
        try {
          const answer = await ctx.owners.query(state, ALERT_PACE, timeoutMs);
          if (byState[state]?.atMs === answer.atMs) continue;
          skippedLines += answer.skippedLines;
          byState[state] = { ...groupByOwner(answer.sockets), atMs: answer.atMs };
        } catch (error) {
          notes.push(`owners of ${state}: ${asProblem(error).message}`);
        }
      }
      return { value: { byState: { ...byState } }, skippedLines, notes, atMs };
    },
  };
}
