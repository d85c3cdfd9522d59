import { COUNTERS } from '../../../collectors/counters.js';
import { NICS } from '../../../collectors/nics.js';
import { routeFor } from '../../../collectors/parse/routes.js';
import { ROUTES } from '../../../collectors/routes.js';
import { STALLS, type StalledSocket } from '../../../collectors/stalls.js';
import { PATHS, lookupOf } from '../../../collectors/paths.js';
import { type Finding, defineRule } from '../types.js';
import { whyOf } from '../runbooks.js';

/** Segments this large or larger are "full-size" on any Ethernet-like path. */
const FULL_SIZE_MSS = 1000;

/**
 * Connections that back off on full-size segments although the peer
 * answered the handshake and its request reached us: the path works for
 * small packets. What the rule judges, and what the metrics export per peer.
 */
export function fullSizeStalls(stalled: StalledSocket[], minBackoff = 1): StalledSocket[] {
  return stalled.filter((s) => s.bytesReceived > 0 && (s.mss ?? 0) >= FULL_SIZE_MSS && s.backoff >= minBackoff);
}

export const pmtuBlackhole = defineRule({
  id: 'pmtu-blackhole',
  needs: [STALLS],
  fires: 'connections to a peer whose requests arrived stall on full-size segments: retransmitted with growing backoff, no smaller path MTU learned (a PMTU black hole)',
  warmupMs: 0,
  params: {
    minBackoff: { kind: 'integer', default: 2, min: 1, max: 15, unit: 'backoffs', help: 'warning at this many timer backoffs (critical at one more)' },
  },
  evaluate(ctx) {
    const stalls = ctx.store.sample(STALLS)?.value.stalled ?? [];
    const byPeer = new Map<string, StalledSocket[]>();
    for (const s of fullSizeStalls(stalls, ctx.params.minBackoff)) {
      byPeer.set(s.peerAddress, [...(byPeer.get(s.peerAddress) ?? []), s]);
    }
    const findings: Finding[] = [];
    for (const [peer, sockets] of byPeer) {
      const worst = sockets[0] as StalledSocket;
      // The kernel's own lookup when `ip` was asked (IPv6, policy routing), else the main table's.
      const lookup = lookupOf(ctx.store.sample(PATHS)?.value, peer);
      const dev = lookup?.dev ?? routeFor(ctx.store.sample(ROUTES)?.value.routes ?? [], peer)?.dev;
      const devMtu = ctx.store.sample(NICS)?.value.interfaces.find((n) => n.name === dev)?.mtu;
      // A "fragmentation needed" that arrived would have lowered the socket's pmtu below the interface's,
      // and left an exception in the route cache.
      const exception = lookup?.pmtu !== undefined && devMtu !== undefined && lookup.pmtu < devMtu ? lookup.pmtu : undefined;
      const noLowerPmtu = worst.pmtu !== undefined && devMtu !== undefined && worst.pmtu >= devMtu && exception === undefined;
      const icmpUnreachFlat = (ctx.store.counterMinuteRate(COUNTERS, 'IcmpInDestUnreachs') ?? 0) === 0;
      const signs = [
        `${sockets.length} connection${sockets.length === 1 ? '' : 's'} backing off ×${worst.backoff} with ${worst.unacked} segment${worst.unacked === 1 ? '' : 's'} of ${worst.mss} bytes unacknowledged`,
        'their requests arrived',
        ...(noLowerPmtu ? [`pmtu ${worst.pmtu} = ${dev}'s MTU`] : []),
        ...(icmpUnreachFlat ? ['no ICMP unreachable received in the last minute'] : []),
        ...(lookup && exception === undefined && lookup.error === undefined ? ['no PMTU exception in the route cache'] : []),
        ...(exception !== undefined ? [`a PMTU exception of ${exception} is cached toward it: an ICMP did arrive`] : []),
      ];
      const sure = noLowerPmtu && icmpUnreachFlat ? 'likely' : 'possible';
      findings.push({
        subject: peer,
        severity: worst.backoff > ctx.params.minBackoff ? 'critical' : 'warning',
        summary: `${sure} PMTU black hole toward ${peer}: ${signs.join('; ')}`,
        why: whyOf('pmtu-blackhole'),
        next: [
          ctx.inTarget(`ip route get ${peer}`),
          ctx.inTarget(`tracepath -n ${peer}`),
          ctx.inTarget(`ping -M do -s 1472 -c 3 ${peer}`),
          ctx.inTarget(`ss -tin dst ${peer}`),
          'sysctl net.ipv4.tcp_mtu_probing   # 1: probe smaller segments after a black hole',
        ],
        link: { panel: 'sockets', state: 'ESTAB' },
      });
    }
    return findings;
  },
});
