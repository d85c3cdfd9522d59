import { type Destination, destinationKey, destinationSeriesKey, DESTINATIONS } from '../../../collectors/destinations.js';
import { OWNERS } from '../../../collectors/owners.js';
import { CLOSE_WAIT_HELD_SEC, SOCKETS, type SocketsSample, stateSeriesKey, synSentSeriesKey } from '../../../collectors/sockets.js';
import { parseEndpoint } from '../../endpoint.js';
import { formatAge, formatCount, formatMinutesLeft, formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import type { Store } from '../../store.js';
import { pathCauseFor } from './links.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { leakForecast, leakForecastText } from './leakForecast.js';
import { clientsSeen, clientsText } from './connecting.js';
import { type Finding, type Severity, defineRule } from '../types.js';
import { acceptQueueOverflow, listensFor } from './counters.js';
import { seriesWindow } from './helpers.js';
import { whyOf } from '../runbooks.js';

const sockets = (ctx: { store: Store }) => ctx.store.sample(SOCKETS)?.value;

const LONGEST_HELD_SEC = CLOSE_WAIT_HELD_SEC.at(-1) ?? 600;

/** A raised CLOSE-WAIT alert holds while the count grows at all (the leak goes on, however slowly). */
const STILL_GROWING_PER_MIN = 0.01;

export const closeWaitClimbing = defineRule({
  id: 'close-wait-climbing',
  needs: [SOCKETS],
  fires: 'CLOSE-WAIT above a floor and growing over a window in several steps, or the same CLOSE-WAIT sockets held for a minute (a leak that stands still)',
  warmupMs: 10_000,
  params: {
    floor: { kind: 'integer', default: 10, min: 0, max: 10_000_000, unit: 'sockets', help: 'ignore CLOSE-WAIT below this' },
    windowSec: { kind: 'integer', default: 60, min: 10, max: 3600, unit: 's', help: 'growth is measured over this window' },
    minRisingSteps: { kind: 'integer', default: 3, min: 1, max: 1000, unit: 'samples', help: 'rises needed inside the window' },
    warnPerMin: { kind: 'number', default: 5, min: 0, max: 1e9, unit: 'sockets/min', help: 'warning at this growth' },
    critPerMin: { kind: 'number', default: 60, min: 0, max: 1e9, unit: 'sockets/min', help: 'critical at this growth' },
    standingSec: {
      kind: 'integer',
      default: 60,
      min: CLOSE_WAIT_HELD_SEC[0],
      max: LONGEST_HELD_SEC,
      unit: 's',
      help: `a socket still CLOSE-WAIT after this long is leaked (counted at ${CLOSE_WAIT_HELD_SEC.join(', ')} s)`,
    },
    critStanding: { kind: 'integer', default: 100, min: 1, max: 10_000_000, unit: 'sockets', help: 'critical when this many are held (warning from the floor)' },
    fdCritWithinMin: { kind: 'number', default: 30, min: 0, max: 1440, unit: 'min', help: 'critical when the top holder will run out of file descriptors within this time at the current rate' },
  },
  evaluate(ctx) {
    const s = sockets(ctx);
    if (!s) return [];
    const count = s.states['CLOSE-WAIT'];
    const key = stateSeriesKey('CLOSE-WAIT');
    const window = seriesWindow(ctx.store, key, ctx.params.windowSec * 1000);
    // The screen's Δ/min: growth since the recent low, so a leak that restarts after a drop shows its real speed.
    const growthPerMin = ctx.store.trendPerMinute(key, ctx.params.windowSec * 1000) ?? 0;
    let rises = 0;
    for (let i = 1; i < window.length; i++) if ((window[i]?.v ?? 0) > (window[i - 1]?.v ?? 0)) rises++;
    const subjectOwners = ctx.store.sample(OWNERS)?.value.byState['CLOSE-WAIT'];
    const top = subjectOwners?.owners[0];
    const server = s.unusual.closeWaitByLocal[0]?.endpoint;
    const subject = top ? `${safeText(top.name)} (pid ${top.pid})` : server ? `server on ${server}` : 'CLOSE-WAIT sockets';
    const previous = ctx.previous(subject);
    const climbing = count >= ctx.params.floor && rises >= ctx.params.minRisingSteps;
    // Once raised, it holds while the count stays above the floor and still grows at all.
    const measured = climbing || (previous && count >= ctx.params.floor) ? growthPerMin : 0;
    const growing = hysteresis(measured, previous, thresholds(ctx.params.warnPerMin, ctx.params.critPerMin, STILL_GROWING_PER_MIN));
    const held = heldFor(s.closeWaitHeld, ctx.params.standingSec);
    const standing = hysteresis(held.count, previous, thresholds(Math.max(1, ctx.params.floor), ctx.params.critStanding));
    // What the leak eats in the process that leaks: its fds run out before anything else does.
    const forecast = top ? leakForecast(ctx.store, top.pid) : undefined;
    const runsOut = forecast?.fdsFullInMin !== undefined && forecast.fdsFullInMin <= ctx.params.fdCritWithinMin;
    let severity: Severity | undefined = growing === 'critical' || standing === 'critical' ? 'critical' : (growing ?? standing);
    if (!severity) return [];
    // Critical while there is still time to act, as port exhaustion's forecast is.
    if (runsOut) severity = 'critical';
    // Owners are counted at most every 10 s (ss -p is expensive): say how old the count is.
    const ownersAge = subjectOwners ? Math.round((ctx.nowMs - subjectOwners.atMs) / 1000) : 0;
    const holders = subjectOwners?.owners
      .slice(0, 3)
      .map((o) => `${safeText(o.name)} (pid ${o.pid}) holds ${formatCount(o.count)}`)
      .join(', ')
      .concat(ownersAge >= 2 ? ` (${ownersAge} s ago)` : '')
      .concat(forecast ? `; pid ${forecast.pid} ${leakForecastText(forecast)}` : '');
    const pid = top?.pid;
    const what =
      growing && growthPerMin > 0
        ? `CLOSE-WAIT ${formatCount(count)} and climbing +${formatRate(growthPerMin)}/min`
        : `CLOSE-WAIT ${formatCount(count)}, ${formatCount(held.count)} of them held over ${held.seconds} s and not closing`;
    return [
      {
        subject,
        severity,
        summary: `${what}${holders ? `: ${holders}` : server ? ` on ${server}` : ''}`,
        why: whyOf('close-wait-climbing'),
        next: [
          ctx.inTarget(`ss -tanp state close-wait${server ? ` '( sport = :${parseEndpoint(server)?.port} )'` : ''}`),
          ...(pid !== undefined ? [`ls /proc/${pid}/fd | wc -l; grep 'open files' /proc/${pid}/limits`] : []),
        ],
        link: { panel: 'sockets', state: 'CLOSE-WAIT', ...(top ? { pid: top.pid, name: top.name } : {}) },
        ...(forecast ? { holder: forecast } : {}),
      },
    ];
  },
});

/** The count held at least `seconds`, at the longest age the collector counts that is not longer. */
export function heldFor(held: SocketsSample['closeWaitHeld'], seconds: number): { seconds: number; count: number } {
  let best = { seconds, count: 0 };
  for (const h of held) if (h.seconds <= seconds) best = h;
  return best;
}

/** How a port-exhaustion alert names its destination (its subject). */
export function destinationSubject(d: Pick<Destination, 'peer' | 'localAddress'>): string {
  return `${d.peer} from ${d.localAddress.includes(':') ? `[${d.localAddress}]` : d.localAddress}`;
}

export const ephemeralPortExhaustion = defineRule({
  id: 'ephemeral-port-exhaustion',
  needs: [SOCKETS, DESTINATIONS],
  fires: 'sockets toward one (local IP, remote IP, remote port) reach a share of the usable ephemeral ports, or will fill them within minutes',
  warmupMs: 0,
  params: {
    warnShare: { kind: 'number', default: 0.5, min: 0, max: 1, unit: 'of usable ports', help: 'warning at this share' },
    critShare: { kind: 'number', default: 0.8, min: 0, max: 1, unit: 'of usable ports', help: 'critical at this share' },
    clearShare: { kind: 'number', default: 0.4, min: 0, max: 1, unit: 'of usable ports', help: 'clears below this share' },
    critWithinMin: { kind: 'number', default: 5, min: 0, max: 1440, unit: 'min', help: 'critical from the clear share up when the ports will be used up within this time at the current rate' },
  },
  evaluate(ctx) {
    const s = sockets(ctx);
    const range = s?.portRange;
    const dests = ctx.store.sample(DESTINATIONS)?.value.top ?? [];
    if (!s || !range || range.usable <= 0) return [];
    const findings: Finding[] = [];
    for (const d of dests) {
      const subject = destinationSubject(d);
      const share = d.count / range.usable;
      const growth = ctx.store.trendPerMinute(destinationSeriesKey(d));
      const full = d.count >= range.usable;
      const minutesLeft = growth !== undefined && growth > 0 ? (range.usable - d.count) / growth : undefined;
      let severity = hysteresis(share, ctx.previous(subject), thresholds(ctx.params.warnShare, ctx.params.critShare, ctx.params.clearShare));
      // Critical while there is still time to act, not at the last port.
      if (full || (minutesLeft !== undefined && minutesLeft <= ctx.params.critWithinMin && share >= ctx.params.clearShare)) severity = 'critical';
      if (!severity) continue;
      const forecast = full ? '' : minutesLeft !== undefined ? `, full in ${formatMinutesLeft(minutesLeft)} at +${formatRate(growth ?? 0)}/min` : '';
      const tw = d.byState['TIME-WAIT'] ?? 0;
      const peer = parseEndpoint(d.peer);
      const reuse = s.limits.twReuse;
      const reuseText =
        reuse === undefined ? '' : reuse === 1 ? ' tcp_tw_reuse=1 lets new connections take TIME-WAIT ports.' : reuse === 2 ? ' tcp_tw_reuse=2 reuses TIME-WAIT ports for loopback only.' : ' tcp_tw_reuse=0.';
      // Who connects: the connect() calls traced in the kernel, else the owners ss -p caught alive.
      const clients = clientsSeen(ctx.store, ctx.nowMs, d.peer, destinationKey(d));
      const connecting = clientsText(clients);
      const ports = `${formatCount(d.count)} of ${formatCount(range.usable)} ephemeral ports`;
      findings.push({
        subject,
        severity,
        summary: full
          ? `FULL — connect() to ${d.peer} fails with EADDRNOTAVAIL now: ${ports} in use (${formatCount(tw)} TIME-WAIT)${connecting}`
          : `${ports} (${Math.round(share * 100)}%) in use toward ${d.peer} (${formatCount(tw)} TIME-WAIT)${forecast}${connecting}`,
        why: `Every connect() to this destination needs a free local port; when none is left it fails with EADDRNOTAVAIL, which no kernel counter records. Closed connections keep their port for 60 s in TIME-WAIT.${reuseText} Fix: reuse connections (pooling, keep-alive), widen net.ipv4.ip_local_port_range, or add source addresses.`,
        next: [
          ctx.inTarget(`ss -tan state time-wait dst ${peer?.address} '( dport = :${peer?.port} )' | wc -l`),
          ctx.inTarget(`ss -tanp dst ${d.peer}`),
          ctx.inTarget('sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse'),
        ],
        link: { panel: 'sockets', state: 'TIME-WAIT', destination: destinationKey(d) },
        ...(clients ? { clients } : {}),
      });
    }
    return findings;
  },
});

export const synSentStuck = defineRule({
  id: 'syn-sent-stuck',
  needs: [SOCKETS],
  fires: 'SYN-SENT sockets toward one destination persist over a window',
  warmupMs: 0,
  params: {
    persistSec: { kind: 'integer', default: 5, min: 1, max: 600, unit: 's', help: 'present in every sample for this long' },
    critCount: { kind: 'integer', default: 20, min: 1, max: 1e7, unit: 'sockets', help: 'critical at this many' },
  },
  evaluate(ctx) {
    const s = sockets(ctx);
    if (!s) return [];
    const findings: Finding[] = [];
    for (const { endpoint, count } of s.unusual.synSentByPeer) {
      // Present at every tick of the window: a gap means it was gone for a moment.
      const window = seriesWindow(ctx.store, synSentSeriesKey(endpoint), ctx.params.persistSec * 1000, true);
      const first = window[0];
      const span = first ? (window.at(-1)?.t ?? 0) - first.t : 0;
      const persisted = span >= ctx.params.persistSec * 1000 - 500 && window.every((p) => p.v > 0);
      const held = ctx.previous(endpoint) !== undefined && count > 0;
      if (!persisted && !held) continue;
      const severity = count >= ctx.params.critCount ? 'critical' : 'warning';
      const { address: addr, port } = parseEndpoint(endpoint) ?? { address: endpoint, port: '' };
      // How long there have been some without a break, as far back as the history goes.
      const history = seriesWindow(ctx.store, synSentSeriesKey(endpoint), Number.POSITIVE_INFINITY, true);
      let since = history.at(-1)?.t ?? ctx.nowMs;
      for (let i = history.length - 1; i >= 0 && (history[i]?.v ?? 0) > 0; i--) since = history[i]?.t ?? since;
      const clients = clientsSeen(ctx.store, ctx.nowMs, endpoint);
      findings.push({
        subject: endpoint,
        severity,
        summary: `${count} connection${count === 1 ? '' : 's'} to ${endpoint} stuck in SYN-SENT for ${formatAge((history.at(-1)?.t ?? since) - since)}+${clientsText(clients)}`,
        why: whyOf('syn-sent-stuck'),
        next: [ctx.inTarget(`tcpdump -ni any host ${addr} and tcp port ${port}`), ctx.inTarget(`ip route get ${addr}`), ctx.inTarget('nstat -az TcpExtTCPSynRetrans')],
        link: { panel: 'sockets', state: 'SYN-SENT' },
        ...(clients ? { clients } : {}),
      });
    }
    return findings;
  },
  // A listener of this namespace whose accept queue is full drops the SYNs it cannot queue;
  // below TCP, a path that ends here (no route, a gateway that does not answer, a link down).
  causes: ['accept-queue-overflow', 'destination-unreachable', 'no-default-route', 'gateway-unreachable', 'link-down'],
  explainedBy(alert, others, store) {
    const overflow = others.find((a) => a.id === acceptQueueOverflow.id);
    const peer = parseEndpoint(alert.subject);
    if (!peer) return undefined;
    const listener = overflow ? store.sample(SOCKETS)?.value.unusual.listeners.find((l) => listensFor(l.local, peer)) : undefined;
    if (!overflow || !listener) return pathCauseFor(peer.address, others, store);
    return {
      cause: overflow,
      why: `These SYNs go to ${listener.local}, a listener in this namespace with ${listener.acceptQueue} connections waiting to be accepted (backlog ${listener.backlog ?? '?'}): the kernel drops SYNs a full accept queue cannot take. Not a firewall or a dead peer: the overflowing listener is the cause.`,
      // Not tcpdump and routes: the listener's queue and owner, as its alert says.
      next: overflow.next,
    };
  },
});

export const orphanSockets = defineRule({
  id: 'orphan-sockets',
  needs: [SOCKETS],
  fires: 'orphaned TCP sockets reach a share of net.ipv4.tcp_max_orphans',
  warmupMs: 0,
  params: {
    warnShare: { kind: 'number', default: 0.25, min: 0, max: 1, unit: 'of tcp_max_orphans', help: 'warning at this share' },
    critShare: { kind: 'number', default: 0.5, min: 0, max: 1, unit: 'of tcp_max_orphans', help: 'critical at this share' },
  },
  evaluate(ctx) {
    const s = sockets(ctx);
    const max = s?.limits.maxOrphans;
    if (!s || !max) return [];
    const share = s.orphans / max;
    const subject = 'tcp_max_orphans';
    const severity = hysteresis(share, ctx.previous(subject), thresholds(ctx.params.warnShare, ctx.params.critShare));
    if (!severity) return [];
    return [
      {
        subject,
        severity,
        summary: `${formatCount(s.orphans)} orphaned sockets, ${Math.round(share * 100)}% of tcp_max_orphans (${formatCount(max)})`,
        why: whyOf('orphan-sockets'),
        next: [ctx.inTarget('ss -tan state fin-wait-1 state last-ack state closing | head'), 'dmesg | grep -i orphan'],
        link: { panel: 'sockets', state: 'FIN-WAIT-1' },
      },
    ];
  },
});
