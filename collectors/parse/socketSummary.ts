import { type CountByEndpoint, endpointText, topEndpoints } from '../../src/endpoint.js';
import type { SocketEntry } from './ssSockets.js';

export interface ListenerQueue {
  local: string;
  /** Connections waiting to be accepted (ss Recv-Q of a LISTEN socket). */
  acceptQueue: number;
  /** The listen() backlog (ss Send-Q of a LISTEN socket); undefined where it is not known (/proc/net/tcp has no column for it). */
  backlog?: number;
}

/**
 * The kernel's own test (`sk_acceptq_is_full`: more waiting than the
 * backlog): a listener past it drops every new SYN and every handshake's
 * last ACK. Only where the backlog is known — `ss` prints it as a
 * listener's Send-Q; /proc/net/tcp has no column for it.
 */
export const acceptQueueFull = (l: ListenerQueue): boolean => l.backlog !== undefined && l.acceptQueue > l.backlog;

/** What the alerts need to know about the unusual sockets, beyond their counts. */
export interface UnusualSummary {
  /** SYN-SENT sockets per destination, busiest first (top 10). */
  synSentByPeer: CountByEndpoint[];
  /** CLOSE-WAIT sockets per local address, busiest first (top 10): which server leaks. */
  closeWaitByLocal: CountByEndpoint[];
  /** Listeners with a non-empty accept queue, fullest first (top 20). */
  listeners: ListenerQueue[];
}



/**
 * `backlogOf` gives a listener's backlog: ss prints it as a LISTEN socket's
 * Send-Q (the default); /proc/net/tcp does not print it at all.
 */
export function summarizeUnusual(sockets: SocketEntry[], backlogOf: (s: SocketEntry) => number | undefined = (s) => s.sendQ): UnusualSummary {
  const synSent = new Map<string, number>();
  const closeWait = new Map<string, number>();
  const listeners: ListenerQueue[] = [];
  for (const s of sockets) {
    if (s.state === 'SYN-SENT') {
      const k = endpointText(s.peer);
      synSent.set(k, (synSent.get(k) ?? 0) + 1);
    } else if (s.state === 'CLOSE-WAIT') {
      const k = endpointText(s.local);
      closeWait.set(k, (closeWait.get(k) ?? 0) + 1);
    } else if (s.state === 'LISTEN' && s.recvQ > 0) {
      const backlog = backlogOf(s);
      listeners.push({ local: endpointText(s.local), acceptQueue: s.recvQ, ...(backlog === undefined ? {} : { backlog }) });
    }
  }
  // Fullest first; a listener whose backlog is unknown by the size of its queue.
  const fill = (l: ListenerQueue) => l.acceptQueue / Math.max(1, l.backlog ?? l.acceptQueue);
  listeners.sort((a, b) => fill(b) - fill(a) || b.acceptQueue - a.acceptQueue);
  return { synSentByPeer: topEndpoints(synSent, 10), closeWaitByLocal: topEndpoints(closeWait, 10), listeners: listeners.slice(0, 20) };
}
