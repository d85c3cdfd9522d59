import { COUNTERS } from '../../../collectors/counters.js';
import { OWNERS } from '../../../collectors/owners.js';
import { acceptQueueFull } from '../../../collectors/parse/socketSummary.js';
import { SOCKETS, type SocketsSample } from '../../../collectors/sockets.js';
import { type Endpoint, parseEndpoint } from '../../endpoint.js';
import { formatCount, formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import type { Store } from '../../store.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { defineRule } from '../types.js';
import { conntrackDrops, conntrackTableFull } from './conntrack.js';
import { ANY_EVENT_PER_SEC, rateParams, sumMinuteRates } from './helpers.js';
import { nicErrors } from './nics.js';
import { whyOf } from '../runbooks.js';

const ANY = ANY_EVENT_PER_SEC;

export const timeWaitOverflow = defineRule({
  id: 'time-wait-overflow',
  needs: [COUNTERS],
  fires: 'TcpExtTCPTimeWaitOverflow rate above zero',
  warmupMs: 5_000,
  params: rateParams(ANY, 10, 'TIME-WAIT overflows'),
  evaluate(ctx) {
    const rate = ctx.store.counterMinuteRate(COUNTERS, 'TcpExtTCPTimeWaitOverflow');
    const subject = 'tcp_max_tw_buckets';
    const severity = hysteresis(rate, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
    if (!severity || rate === undefined) return [];
    const max = ctx.store.sample(SOCKETS)?.value.limits.maxTwBuckets;
    return [
      {
        subject,
        severity,
        summary: `TIME-WAIT table full: ${formatRate(rate)}/s closing sockets skip TIME-WAIT (tcp_max_tw_buckets ${max === undefined ? '?' : formatCount(max)})`,
        why: whyOf('time-wait-overflow'),
        next: [ctx.inTarget('sysctl net.ipv4.tcp_max_tw_buckets'), ctx.inTarget('ss -s')],
        link: { panel: 'sockets', state: 'TIME-WAIT' },
      },
    ];
  },
});

/** Rates over less history than this are not judged: the first samples of a counter say little. */
const RATE_WARMUP_MS = 5_000;

export const acceptQueueOverflow = defineRule({
  id: 'accept-queue-overflow',
  needs: [COUNTERS],
  fires: 'TcpExtListenOverflows or ListenDrops rate above zero (netdata: 1-min avg > 1/s warning, > 5/s critical); from the first sample, a listener whose accept queue is full while SYNs to it wait or the overflow counter moves',
  // The full queue is seen at once; the rates wait RATE_WARMUP_MS themselves.
  warmupMs: 0,
  params: rateParams(ANY, 5, 'accept-queue overflows'),
  evaluate(ctx) {
    const counters = ctx.store.counters(COUNTERS);
    const warm = ctx.nowMs - (ctx.store.tickTimes.at(0) ?? ctx.nowMs) >= RATE_WARMUP_MS;
    const overflows = ctx.store.counterMinuteRate(COUNTERS, 'TcpExtListenOverflows') ?? 0;
    const drops = ctx.store.counterMinuteRate(COUNTERS, 'TcpExtListenDrops') ?? 0;
    const rate = warm ? Math.max(overflows, drops) : undefined;
    const sockets = ctx.store.sample(SOCKETS)?.value;
    // Only where the backlog is known can a queue be called full.
    const listeners = sockets?.unusual.listeners ?? [];
    const full = listeners.filter(acceptQueueFull);
    const listener = full[0] ?? listeners[0];
    // Seen now, before any rate: the queue is full and connections to it are being refused.
    const waiting = listener && full.includes(listener) ? synSentToward(sockets, listener.local) : 0;
    const overflowedNow = (counters.get('TcpExtListenOverflows')?.perSec ?? 0) > 0 || (counters.get('TcpExtListenDrops')?.perSec ?? 0) > 0;
    const refusing = listener !== undefined && full.includes(listener) && (waiting > 0 || overflowedNow);
    const owners = ctx.store.sample(OWNERS)?.value.byState.LISTEN?.owners ?? [];
    const owner = listener ? owners.find((o) => o.locals.some((l) => l.endpoint === listener.local)) : undefined;
    const subject = listener ? `listener ${listener.local}${owner ? ` of ${safeText(owner.name)} (pid ${owner.pid})` : ''}` : 'listeners';
    const previous = ctx.previous(subject);
    let severity = hysteresis(rate, warm ? previous : undefined, thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
    if (!severity && refusing) severity = previous ?? 'warning';
    if (!severity) return [];
    const queue = listener ? ` — ${listener.local} has ${listener.acceptQueue} waiting${listener.backlog === undefined ? '' : ` of a backlog of ${listener.backlog}`}` : '';
    const inSynSent = waiting > 0 ? `; ${formatCount(waiting)} connection${waiting === 1 ? '' : 's'} of this namespace wait for it in SYN-SENT` : '';
    const port = listener ? parseEndpoint(listener.local)?.port : undefined;
    const what = rate === undefined || rate === 0 ? 'accept queue full, new connections dropped' : `accept queue overflowing: ${formatRate(overflows)}/s overflows, ${formatRate(drops)}/s SYNs dropped`;
    return [
      {
        subject,
        severity,
        summary: `${what}${queue}${inSynSent}${owner ? ` (${safeText(owner.name)}, pid ${owner.pid})` : ''}`,
        why: whyOf('accept-queue-overflow'),
        next: [ctx.inTarget('ss -lnt'), ctx.inTarget(`ss -ltnp${port ? ` '( sport = :${port} )'` : ''}`), ctx.inTarget('sysctl net.core.somaxconn net.ipv4.tcp_max_syn_backlog')],
        link: { panel: 'sockets', state: 'LISTEN', ...(owner ? { pid: owner.pid, name: owner.name } : {}) },
      },
    ];
  },
});

/** SYN-SENT sockets of this namespace toward a listener on `local` (an address, or any). */
export function synSentToward(sockets: SocketsSample | undefined, local: string): number {
  let n = 0;
  for (const { endpoint, count } of sockets?.unusual.synSentByPeer ?? []) {
    const peer = parseEndpoint(endpoint);
    if (peer && listensFor(local, peer)) n += count;
  }
  return n;
}

/** A listener on `local` (an address, or any) takes connections to `peer`. */
export function listensFor(local: string, peer: Endpoint): boolean {
  const l = parseEndpoint(local);
  if (!l || l.port !== peer.port) return false;
  return l.address === peer.address || l.address === '*' || l.address === '0.0.0.0' || l.address === '::';
}

/**
 * Data segments retransmitted as a share of data segments sent over the
 * last minute, in percent. SYN retransmits are left out (a connect() to a
 * black hole is not a lossy path: that is syn-sent-stuck's), and OutSegs
 * excludes retransmissions, so the share is of what went out in all: never
 * above 100%. The panel and the rule read this one figure.
 */
export function retransShare(store: Store): { percent: number; dataRetransPerSec: number; sentPerSec: number } | undefined {
  const retrans = store.counterMinuteRate(COUNTERS, 'TcpRetransSegs');
  const out = store.counterMinuteRate(COUNTERS, 'TcpOutSegs');
  if (retrans === undefined || out === undefined) return undefined;
  const syn = store.counterMinuteRate(COUNTERS, 'TcpExtTCPSynRetrans') ?? 0;
  const dataRetransPerSec = Math.max(0, retrans - syn);
  const sentPerSec = out + dataRetransPerSec;
  return { percent: sentPerSec > 0 ? (dataRetransPerSec / sentPerSec) * 100 : 0, dataRetransPerSec, sentPerSec };
}

export const tcpRetransmits = defineRule({
  id: 'tcp-retransmits',
  needs: [COUNTERS],
  fires: 'data segments retransmitted (RetransSegs minus SYN retransmits) over a minute above 1% (warning) / 5% (critical) of all sent, with a minimum volume',
  warmupMs: 10_000,
  params: {
    warnPercent: { kind: 'number', default: 1, min: 0, max: 100, unit: '%', help: 'warning at this share of segments sent' },
    critPercent: { kind: 'number', default: 5, min: 0, max: 100, unit: '%', help: 'critical at this share' },
    minOutSegsPerSec: { kind: 'number', default: 10, min: 0, max: 1e12, unit: 'segments/s', help: 'ignore when less is sent' },
  },
  evaluate(ctx) {
    const share = retransShare(ctx.store);
    if (!share) return [];
    const subject = 'TcpRetransSegs';
    const percent = share.sentPerSec >= ctx.params.minOutSegsPerSec ? share.percent : 0;
    const severity = hysteresis(percent, ctx.previous(subject), thresholds(ctx.params.warnPercent, ctx.params.critPercent));
    if (!severity) return [];
    return [
      {
        subject,
        severity,
        summary: `${percent.toFixed(1)}% of TCP data segments retransmitted (${formatRate(share.dataRetransPerSec)}/s of ${formatRate(share.sentPerSec)}/s over a minute, SYN retransmits apart)`,
        why: whyOf('tcp-retransmits'),
        next: [ctx.inTarget('ss -tin state established | grep -E "retrans:[0-9]+/[1-9]"'), ctx.inTarget('nstat -az TcpRetransSegs TcpExtTCPLostRetransmit TcpExtTCPTimeouts')],
        link: { panel: 'counters' },
      },
    ];
  },
  causes: ['nic-errors', 'conntrack-table-full', 'conntrack-drops', 'accept-queue-overflow', 'pmtu-blackhole'],
  explainedBy(_alert, others) {
    const nic = others.find((a) => a.id === nicErrors.id);
    if (nic) return { cause: nic, why: `The NIC ${nic.subject} is losing or corrupting packets: the segments it loses come back as retransmits. Fix the NIC (cable, ring, driver) first.` };
    const conntrack = others.find((a) => a.id === conntrackTableFull.id || a.id === conntrackDrops.id);
    if (conntrack) return { cause: conntrack, why: 'conntrack is dropping packets it cannot track: the segments it drops come back as retransmits.' };
    const overflow = others.find((a) => a.id === acceptQueueOverflow.id);
    if (overflow) {
      return {
        cause: overflow,
        why: 'A listener whose accept queue overflows drops the last ACK of handshakes it has no room for; the clients believe they are connected and send data, which the kernel drops and they resend.',
      };
    }
    // Full-size segments a PMTU black hole swallows are retransmitted again and again.
    const hole = others.find((a) => a.id === 'pmtu-blackhole');
    if (hole) return { cause: hole, why: `These are the full-size segments toward ${hole.subject} that never arrive: retransmitted with backoff while the path drops them. Not congestion or a lossy link.`, next: hole.next };
    return undefined;
  },
});

const UDP_ERRORS = ['UdpRcvbufErrors', 'UdpSndbufErrors', 'Udp6RcvbufErrors', 'Udp6SndbufErrors'];

export const udpBufferErrors = defineRule({
  id: 'udp-buffer-errors',
  needs: [COUNTERS],
  fires: 'Udp(6) RcvbufErrors or SndbufErrors rate above zero',
  warmupMs: 5_000,
  params: rateParams(ANY, 10, 'UDP buffer errors'),
  evaluate(ctx) {
    const rates = UDP_ERRORS.map((n) => [n, ctx.store.counterMinuteRate(COUNTERS, n) ?? 0] as const).filter(([, r]) => r > 0);
    const total = sumMinuteRates(ctx.store, COUNTERS, UDP_ERRORS);
    const subject = rates.map(([n]) => n).join(', ') || 'UDP buffers';
    const severity = hysteresis(total, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
    if (!severity || total === undefined) return [];
    return [
      {
        subject,
        severity,
        summary: `UDP datagrams dropped for lack of socket buffer: ${rates.map(([n, r]) => `${n} ${formatRate(r)}/s`).join(', ') || `${formatRate(total)}/s`}`,
        why: whyOf('udp-buffer-errors'),
        next: [ctx.inTarget('ss -uamp'), ctx.inTarget('sysctl net.core.rmem_max net.core.rmem_default net.core.wmem_max')],
        link: { panel: 'counters' },
      },
    ];
  },
});
