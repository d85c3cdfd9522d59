import { ALERT_PACE, NAMING_PACE, type OwnersOfState, type OwnersService, type SocketQuery, clientsQuery, groupByOwner, stateQuery } from './socketOwners.js';
import { type Destination, destinationKey } from './destinations.js';
import { asProblem } from '../src/problems.js';
import type { TcpState } from '../src/tcpState.js';
import { type Collector, sampleKey } from './types.js';

export interface OwnersSample {
  byState: Partial<Record<TcpState, OwnersOfState & { atMs: number }>>;
  /**
   * Per destination (`destinationKey`) running out of ports: the owners of
   * its live sockets (all but TIME-WAIT), the processes that connect. The last
   * answer that found any: they live for a moment, TIME-WAIT has no owner.
   */
  clientsOf: Record<string, OwnersOfState & { atMs: number }>;
}

export interface OwnersWanted {
  states: TcpState[];
  destinations: Pick<Destination, 'localAddress' | 'peer'>[];
}

export const OWNERS = sampleKey<OwnersSample>('owners');


/**
 * Owners of the states the alerts ask about, from the owners service (which
 * the drill-down shares): each at most every 10 s, less often when the query
 * is expensive.
 */
export function createOwnersCollector(service: Pick<OwnersService, 'query' | 'forget'>, wanted: () => OwnersWanted): Collector<OwnersSample> {
  const byState: OwnersSample['byState'] = {};
  const clientsOf = new Map<string, { query: SocketQuery; owners: OwnersOfState & { atMs: number } }>();
  return {
    key: OWNERS,
    everyTicks: 1,
    async sample({ timeoutMs }) {
      const atMs = Date.now();
      const notes: string[] = [];
      let skippedLines = 0;
      const want = wanted();
      const states = new Set(want.states);
      for (const state of Object.keys(byState) as TcpState[]) {
        if (states.has(state)) continue;
        delete byState[state];
        // A busy state's sockets can be tens of thousands: not kept for nobody.
        service.forget(stateQuery(state));
      }
      for (const state of states) {
        try {
          const answer = await service.query(stateQuery(state), ALERT_PACE, timeoutMs);
          if (byState[state]?.atMs === answer.atMs) continue;
          skippedLines += answer.skippedLines;
          byState[state] = { ...groupByOwner(answer.sockets), atMs: answer.atMs };
        } catch (error) {
          notes.push(`owners of ${state}: ${asProblem(error).message}`);
        }
      }
      const destinations = new Map(want.destinations.map((d) => [destinationKey(d), d]));
      for (const [key, { query }] of clientsOf) {
        if (destinations.has(key)) continue;
        clientsOf.delete(key);
        service.forget(query);
      }
      for (const [key, destination] of destinations) {
        const query = clientsQuery(destination);
        try {
          const known = clientsOf.get(key);
          const answer = await service.query(query, known?.owners.owners.length ? ALERT_PACE : NAMING_PACE, timeoutMs);
          if (known?.owners.atMs === answer.atMs) continue;
          skippedLines += answer.skippedLines;
          const owners = groupByOwner(answer.sockets);
          // Between connections there may be none: the last ones seen still name the clients.
          if (owners.owners.length > 0 || !known) clientsOf.set(key, { query, owners: { ...owners, atMs: answer.atMs } });
        } catch (error) {
          notes.push(`clients of ${destination.peer}: ${asProblem(error).message}`);
        }
      }
      const clients = Object.fromEntries([...clientsOf].map(([key, { owners }]) => [key, owners]));
      return { value: { byState: { ...byState }, clientsOf: clients }, skippedLines, notes, atMs };
    },
  };
}
