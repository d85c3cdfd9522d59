import { COUNTERS } from '../collectors/counters.js';
import { type DestinationsContext } from '../collectors/destinations.js';
import { SOCKETS } from '../collectors/sockets.js';
import type { CollectorContext } from '../collectors/types.js';
import { closeWaitClimbing, ephemeralPortExhaustion } from './alerts/rules/sockets.js';
import { paramsOf } from './alerts/types.js';
import { movedRecently } from './panels/common.js';
import type { TcpState } from './tcpState.js';

/**
 * What makes the expensive queries worth running, from what the store and
 * the alert rules already know. Collectors take these as functions, so they
 * stay free of the rules that judge their output.
 */

/**
 * The states whose owners the alerts name: CLOSE-WAIT once it is above the
 * leak rule's floor, LISTEN while accept queues overflow.
 */
export function ownersWanted(ctx: CollectorContext): TcpState[] {
  const sockets = ctx.store.sample(SOCKETS)?.value;
  const wanted: TcpState[] = [];
  if (sockets && sockets.states['CLOSE-WAIT'] >= paramsOf(ctx.config, closeWaitClimbing).floor) wanted.push('CLOSE-WAIT');
  const overflow = ctx.store.counters(COUNTERS).get('TcpExtListenOverflows');
  const recent = movedRecently(overflow, Date.now()) && overflow?.perSec !== undefined;
  if (recent || (sockets?.unusual.listeners.some((l) => l.acceptQueue >= l.backlog) ?? false)) wanted.push('LISTEN');
  return wanted;
}

/** The socket counts and the port-exhaustion rule's shares, from the store and the alert config. */
export function destinationsContext(ctx: CollectorContext): DestinationsContext {
  const sockets = ctx.store.sample(SOCKETS)?.value;
  const clientSockets = sockets ? Object.entries(sockets.states).reduce((n, [state, count]) => (state === 'LISTEN' ? n : n + count), 0) : 0;
  const { warnShare, clearShare } = paramsOf(ctx.config, ephemeralPortExhaustion);
  return {
    ...(sockets?.portRange ? { range: sockets.portRange } : {}),
    clientSockets,
    watchShare: Math.min(warnShare, clearShare),
    warnShare,
    alerting: ctx.alerts().alerts.some((a) => a.id === ephemeralPortExhaustion.id),
  };
}

