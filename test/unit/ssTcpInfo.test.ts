import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSsTcpInfo, parseTcpInfoLine, worstFirst } from '../../collectors/parse/ssTcpInfo.js';

const captured = readFileSync(new URL('../fixtures/captured/ss-tinoH-loopback-bbr-kernel6.18.txt', import.meta.url), 'utf8');

/** The info line of a lossy connection: the fields ss adds once segments are lost (retrans, lost, unacked, ssthresh). */
const LOSSY =
  '\t cubic wscale:7,7 rto:412 rtt:205.5/12.25 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:4 ssthresh:7 bytes_sent:981234 bytes_retrans:52128 bytes_acked:929106 segs_out:700 segs_in:402 data_segs_out:698 send 225Kbps lastsnd:12 lastrcv:4012 lastack:12 pacing_rate 270Kbps delivery_rate 180Kbps delivered:642 busy:30044ms unacked:3 retrans:1/36 lost:2 rcv_space:14480 rcv_ssthresh:64088 minrtt:180.2 snd_wnd:64128';

describe('ss -tino', () => {
  it('pairs each socket with its info line (captured, ss of iproute2 6.1 on 6.18, bbr over loopback)', () => {
    const { value, skippedLines } = parseSsTcpInfo(captured);
    expect(skippedLines).toBe(0);
    expect(value).toHaveLength(2);
    expect(value[0]).toMatchObject({ local: { address: '127.0.0.1', port: '9100' }, health: { rttMs: 0.024, rttVarMs: 0.012, cwnd: 10, sendBps: 109226666667, pacingBps: 312153570224 } });
    expect(value[1]?.health).toMatchObject({ rttMs: 0.006, cwnd: 18, deliveryBps: 130966000000 });
    expect(value[1]?.health.retransTotal).toBeUndefined();
  });

  it('reads what a lossy connection adds', () => {
    expect(parseTcpInfoLine(LOSSY)).toEqual({
      rttMs: 205.5,
      rttVarMs: 12.25,
      cwnd: 4,
      ssthresh: 7,
      sendBps: 225_000,
      pacingBps: 270_000,
      deliveryBps: 180_000,
      unacked: 3,
      retransNow: 1,
      retransTotal: 36,
      lost: 2,
      mss: 1448,
      pmtu: 1500,
    });
    // What a PMTU black hole's stalled socket shows: backing off, its peer's request received.
    expect(parseTcpInfoLine('\t cubic rto:3264 backoff:4 rtt:0.05/0.025 mss:1448 pmtu:1500 bytes_received:3 data_segs_in:1 unacked:10 retrans:1/9')).toMatchObject({ backoff: 4, bytesReceived: 3, dataSegsIn: 1, unacked: 10, mss: 1448, pmtu: 1500 });
  });

  it('puts the worst first: retransmitting now, then in all, then lost, then the longest round trip', () => {
    const lines = captured.trimEnd().split('\n');
    const text = [lines[0], LOSSY, lines[2], lines[3]].join('\n');
    const sorted = worstFirst(parseSsTcpInfo(text).value);
    expect(sorted.map((s) => s.health.retransTotal ?? 0)).toEqual([36, 0]);
  });
});
