import { CostCadence } from '../src/costCadence.js';
import { endpointText } from '../src/endpoint.js';
import { type SocketHealth, parseSsTcpInfo } from './parse/ssTcpInfo.js';
import { type Collector, sampleKey } from './types.js';

/** An established connection whose sending is stuck on retransmissions. */
export interface StalledSocket {
  local: string;
  peer: string;
  /** The peer's address alone. */
  peerAddress: string;
  backoff: number;
  unacked: number;
  retransNow: number;
  mss?: number;
  pmtu?: number;
  bytesReceived: number;
}

export interface StallsSample {
  /** Connections backing off on retransmissions while data is in flight, worst first (at most STALLS_KEPT). */
  stalled: StalledSocket[];
  /** Established connections read. */
  scanned: number;
  /** When the last look ran; between looks the sample stays. */
  atMs: number;
}

export const STALLS = sampleKey<StallsSample>('stalls');
export const STALLS_KEPT = 50;

/**
 * The connections that back off: an established socket with segments in
 * flight that the retransmission timer has backed off at least once
 * (`backoff:N` in `ss -i`). From one `ss -tinH state established` in the
 * namespace, only while `wanted()` (the namespace retransmits data), paced
 * by its own cost (1% of a core, every 5–60 s) on the bulk lane.
 */
export function createStallsCollector(wanted: () => boolean): Collector<StallsSample> {
  const cadence = new CostCadence({ minMs: 5000, maxMs: 60_000, share: 0.01 });
  let last: StallsSample = { stalled: [], scanned: 0, atMs: 0 };
  return {
    key: STALLS,
    everyTicks: 1,
    async sample(ctx) {
      const nowMs = Date.now();
      if (!wanted()) {
        if (last.stalled.length > 0) last = { stalled: [], scanned: 0, atMs: nowMs };
        return { value: last, skippedLines: 0, notes: [], atMs: nowMs };
      }
      if (!cadence.due(nowMs)) return { value: last, skippedLines: 0, notes: [], atMs: last.atMs || nowMs };
      const startedMs = performance.now();
      const r = await ctx.io.run(['ss', '-tinH', 'state', 'established'], { timeoutMs: ctx.timeoutMs, lane: 'bulk' });
      cadence.ran(nowMs, performance.now() - startedMs);
      const parsed = parseSsTcpInfo(r.stdout, 'ESTAB');
      last = { stalled: stalledOf(parsed.value), scanned: parsed.value.length, atMs: nowMs };
      return { value: last, skippedLines: parsed.skippedLines, notes: [], atMs: nowMs };
    },
  };
}

/** The sockets that back off with data unacknowledged, most backed-off first. */
export function stalledOf(sockets: SocketHealth[]): StalledSocket[] {
  const out: StalledSocket[] = [];
  for (const s of sockets) {
    const h = s.health;
    if ((h.backoff ?? 0) < 1 || (h.unacked ?? 0) < 1) continue;
    const peerAddress = s.peer.address;
    out.push({
      local: endpointText(s.local),
      peer: endpointText(s.peer),
      peerAddress,
      backoff: h.backoff ?? 0,
      unacked: h.unacked ?? 0,
      retransNow: h.retransNow ?? 0,
      ...(h.mss !== undefined ? { mss: h.mss } : {}),
      ...(h.pmtu !== undefined ? { pmtu: h.pmtu } : {}),
      bytesReceived: h.bytesReceived ?? 0,
    });
  }
  return out.sort((a, b) => b.backoff - a.backoff || b.unacked - a.unacked).slice(0, STALLS_KEPT);
}
