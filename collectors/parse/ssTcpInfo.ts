import type { TcpState } from '../../src/tcpState.js';
import { type Parsed, parsed } from '../types.js';
import { type SocketEntry, parseSocketLine } from './ssSockets.js';

/** What `ss -i` tells of one TCP connection's health. */
export interface TcpHealth {
  /** Smoothed round-trip time and its variation, ms. */
  rttMs?: number;
  rttVarMs?: number;
  /** Segments retransmitted and not yet acknowledged, and in all since the connection began. */
  retransNow?: number;
  retransTotal?: number;
  /** Congestion window and slow-start threshold, in segments. */
  cwnd?: number;
  ssthresh?: number;
  /** Segments sent and not acknowledged; of them, those considered lost. */
  unacked?: number;
  lost?: number;
  /** Bits per second: what cwnd/rtt allows, what was delivered, the pacing rate. */
  sendBps?: number;
  deliveryBps?: number;
  pacingBps?: number;
  /** How many times the retransmission timer has backed off (absent: 0). */
  backoff?: number;
  /** Segment size sent, and the path MTU the socket believes. */
  mss?: number;
  pmtu?: number;
  /** Bytes received from the peer, and data segments from it: its requests reached us. */
  bytesReceived?: number;
  dataSegsIn?: number;
}

export interface SocketHealth extends SocketEntry {
  health: TcpHealth;
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** `109226666667bps`, `1.2Mbps`: bits per second. */
function bps(v: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)bps$/.exec(v ?? '');
  if (!m) return undefined;
  return Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1);
}

/** `rtt:0.234/0.117`, `retrans:0/2`: two numbers in one word. */
const PAIRS = new Map<string, [keyof TcpHealth, keyof TcpHealth]>([
  ['rtt', ['rttMs', 'rttVarMs']],
  ['retrans', ['retransNow', 'retransTotal']],
]);
/** `cwnd:10`: one. */
const SINGLES = new Map<string, keyof TcpHealth>([
  ['cwnd', 'cwnd'],
  ['ssthresh', 'ssthresh'],
  ['unacked', 'unacked'],
  ['lost', 'lost'],
  ['backoff', 'backoff'],
  ['mss', 'mss'],
  ['pmtu', 'pmtu'],
  ['bytes_received', 'bytesReceived'],
  ['data_segs_in', 'dataSegsIn'],
]);

/**
 * The info line `ss -i` prints under a socket (tab-indented): `key:value`
 * words (`rtt:0.234/0.117`, `retrans:0/2`, `cwnd:10`), and a few `key value`
 * pairs (`send 495Mbps`, `pacing_rate …`, `delivery_rate …`). Unknown words
 * are left alone: each kernel adds some.
 */
export function parseTcpInfoLine(line: string): TcpHealth {
  const words = line.trim().split(/\s+/);
  const h: TcpHealth = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const next = words[i + 1];
    if (w === 'send') h.sendBps = bps(next);
    else if (w === 'pacing_rate') h.pacingBps = bps(next);
    else if (w === 'delivery_rate') h.deliveryBps = bps(next);
    const colon = w.indexOf(':');
    if (colon < 0) continue;
    const key = w.slice(0, colon);
    const value = w.slice(colon + 1);
    const pair = PAIRS.get(key);
    const single = SINGLES.get(key);
    if (pair) {
      const [first, second] = value.split('/');
      h[pair[0]] = num(first);
      h[pair[1]] = num(second);
    } else if (single) {
      h[single] = num(value);
    }
  }
  for (const k of Object.keys(h) as (keyof TcpHealth)[]) if (h[k] === undefined) delete h[k];
  return h;
}

/**
 * `ss -tinoH …`: each socket's line, then its tab-indented info line. A
 * socket without an info line has empty health; a line that is neither is
 * skipped and counted.
 */
export function parseSsTcpInfo(text: string, impliedState?: TcpState): Parsed<SocketHealth[]> {
  const out: SocketHealth[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      const last = out[out.length - 1];
      if (last && Object.keys(last.health).length === 0) last.health = parseTcpInfoLine(line);
      else skipped++;
      continue;
    }
    if (/^(State|Netid|Recv-Q)\s/.test(line)) continue;
    const entry = parseSocketLine(line, impliedState);
    if (entry) out.push({ ...entry, health: {} });
    else skipped++;
  }
  return parsed(out, skipped);
}

/** The sockets in worst health first: the most retransmissions (now, then in all), then the longest round trip. */
export function worstFirst(sockets: SocketHealth[]): SocketHealth[] {
  return [...sockets].sort(
    (a, b) =>
      (b.health.retransNow ?? 0) - (a.health.retransNow ?? 0) ||
      (b.health.retransTotal ?? 0) - (a.health.retransTotal ?? 0) ||
      (b.health.lost ?? 0) - (a.health.lost ?? 0) ||
      (b.health.rttMs ?? 0) - (a.health.rttMs ?? 0),
  );
}
