import { CONNECTS } from '../../../collectors/connects.js';
import { OWNERS } from '../../../collectors/owners.js';
import { formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import type { Store } from '../../store.js';

/** The processes that connect to a destination, and how nettriage knows. */
export interface ClientsSeen {
  /**
   * `traced`: connect() calls the kernel's tracepoint saw in its last
   * sample; `ss`: owners of live sockets toward it `ss -p` last caught
   * (a client whose connections last a millisecond is rarely caught).
   */
  how: 'traced' | 'ss';
  /** How old the answer is. */
  ageMs: number;
  processes: { pid: number; name: string; connectsPerSec?: number }[];
  /** `traced`: how long the tracepoint was on, and how often. */
  sampling?: { windowMs: number; everyMs: number };
}

/**
 * Who connects to `peer`: the tracer's last sample when it saw anyone, else
 * the owners ss -p last found — those of the live sockets from
 * `destinationKey` (port exhaustion), or of SYN-SENT sockets toward `peer`.
 */
export function clientsSeen(store: Store, nowMs: number, peer: string, destinationKey?: string): ClientsSeen | undefined {
  const connects = store.sample(CONNECTS)?.value;
  const traced = connects?.byPeer[peer];
  if (connects && traced && traced.processes.length > 0) {
    return {
      how: 'traced',
      ageMs: Math.max(0, nowMs - traced.atMs),
      sampling: connects.sampling,
      processes: traced.processes.map((p) => ({ pid: p.pid, name: p.name, connectsPerSec: p.perSec })),
    };
  }
  const owners = store.sample(OWNERS)?.value;
  const byDestination = destinationKey === undefined ? undefined : owners?.clientsOf[destinationKey];
  if (byDestination && byDestination.owners.length > 0) {
    return { how: 'ss', ageMs: Math.max(0, nowMs - byDestination.atMs), processes: byDestination.owners.map((o) => ({ pid: o.pid, name: o.name })) };
  }
  const synSent = owners?.byState['SYN-SENT'];
  const toPeer = synSent?.owners.filter((o) => o.peers.some((p) => p.endpoint === peer || p.endpoint === peer.replace(/:\d+$/, ':*')));
  if (synSent && toPeer && toPeer.length > 0) return { how: 'ss', ageMs: Math.max(0, nowMs - synSent.atMs), processes: toPeer.map((o) => ({ pid: o.pid, name: o.name })) };
  return undefined;
}

const seconds = (ms = 0) => `${Math.max(1, Math.round(ms / 1000))}s`;

/** `; connecting: node (pid 4242) 118/s (traced: connect() seen 1 s in every 10 s, 3 s ago)`, or `…(seen by ss -p 12 s ago)`. */
export function clientsText(c: ClientsSeen | undefined): string {
  if (!c || c.processes.length === 0) return '';
  const names = c.processes
    .slice(0, 3)
    .map((p) => `${safeText(p.name)} (pid ${p.pid})${p.connectsPerSec !== undefined ? ` ${formatRate(p.connectsPerSec)}/s` : ''}`)
    .join(', ');
  const age = Math.round(c.ageMs / 1000);
  const how =
    c.how === 'traced'
      ? ` (traced: connect() calls seen ${seconds(c.sampling?.windowMs)} in every ${seconds(c.sampling?.everyMs)}${age >= 2 ? `, ${age} s ago` : ''})`
      : ` (seen by ss -p${age >= 2 ? ` ${age} s ago` : ''})`;
  return `; connecting: ${names}${how}`;
}
