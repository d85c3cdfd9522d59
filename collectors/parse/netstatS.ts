import type { CounterValues } from '../counters.js';
import type { Parsed } from '../types.js';

/**
 * `netstat -s` phrases -> nstat names, for the counters that matter in a
 * network incident. The wording changed across net-tools versions
 * ("segments send out" / "sent out", "retransmited" / "retransmitted"),
 * hence the alternations. `{s}` stands for the section (Udp, UdpLite).
 */
const PHRASES: [RegExp, string][] = [
  [/^total packets received$/, 'IpInReceives'],
  [/^forwarded$/, 'IpForwDatagrams'],
  [/^incoming packets discarded$/, 'IpInDiscards'],
  [/^incoming packets delivered$/, 'IpInDelivers'],
  [/^requests sent out$/, 'IpOutRequests'],
  [/^outgoing packets dropped$/, 'IpOutDiscards'],
  [/^dropped because of missing route$/, 'IpOutNoRoutes'],
  [/^with invalid addresses$/, 'IpInAddrErrors'],
  [/^with invalid headers$/, 'IpInHdrErrors'],
  [/^ICMP messages received$/, 'IcmpInMsgs'],
  [/^input ICMP message failed\.?$/, 'IcmpInErrors'],
  [/^ICMP messages sent$/, 'IcmpOutMsgs'],
  [/^ICMP messages failed$/, 'IcmpOutErrors'],
  [/^active connections? openings$/, 'TcpActiveOpens'],
  [/^passive connection openings$/, 'TcpPassiveOpens'],
  [/^failed connection attempts$/, 'TcpAttemptFails'],
  [/^connection resets received$/, 'TcpEstabResets'],
  [/^connections established$/, 'TcpCurrEstab'],
  [/^segments received$/, 'TcpInSegs'],
  [/^segments sen[dt] out$/, 'TcpOutSegs'],
  [/^segments retransmitt?ed$/, 'TcpRetransSegs'],
  [/^bad segments received\.?$/, 'TcpInErrs'],
  [/^resets sent$/, 'TcpOutRsts'],
  [/^packets received$/, '{s}InDatagrams'],
  [/^packets to unknown port received\.?$/, '{s}NoPorts'],
  [/^packet receive errors$/, '{s}InErrors'],
  [/^packets sent$/, '{s}OutDatagrams'],
  [/^receive buffer errors$/, '{s}RcvbufErrors'],
  [/^send buffer errors$/, '{s}SndbufErrors'],
  [/^times the listen queue of a socket overflowed$/, 'TcpExtListenOverflows'],
  [/^SYNs to LISTEN sockets (?:dropped|ignored)$/, 'TcpExtListenDrops'],
  [/^connections aborted due to timeout$/, 'TcpExtTCPAbortOnTimeout'],
  [/^connections aborted due to memory pressure$/, 'TcpExtTCPAbortOnMemory'],
  [/^connections reset due to unexpected data$/, 'TcpExtTCPAbortOnData'],
  [/^connections reset due to early user close$/, 'TcpExtTCPAbortOnClose'],
  [/^SYN cookies sent$/, 'TcpExtSyncookiesSent'],
  [/^SYN cookies received$/, 'TcpExtSyncookiesRecv'],
  [/^invalid SYN cookies received$/, 'TcpExtSyncookiesFailed'],
  [/^resets received for embryonic SYN_RECV sockets$/, 'TcpExtEmbryonicRsts'],
  [/^TCP sockets finished time wait in fast timer$/, 'TcpExtTW'],
  [/^delayed acks sent$/, 'TcpExtDelayedACKs'],
  [/^other TCP timeouts$/, 'TcpExtTCPTimeouts'],
  [/^fast retransmits$/, 'TcpExtTCPFastRetrans'],
  [/^retransmits in slow start$/, 'TcpExtTCPSlowStartRetrans'],
  [/^DSACKs sent for old packets$/, 'TcpExtTCPDSACKOldSent'],
  [/^DSACKs received$/, 'TcpExtTCPDSACKRecv'],
];

/**
 * Parses `netstat -s` (net-tools) into nstat names where the meaning is
 * known: a phrase from the table above, or the `Name: value` lines that
 * net-tools prints for counters it has no sentence for (`TCPLossProbes: 12`
 * under TcpExt becomes TcpExtTCPLossProbes). Sentences it does not know are
 * counted in `skippedLines`, never guessed.
 */
export function parseNetstatS(text: string): Parsed<CounterValues> {
  const counters: CounterValues = new Map();
  let section = '';
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^(\w+):\s*$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      continue;
    }
    const t = line.trim();
    const named = /^([A-Za-z][A-Za-z0-9]*):\s+(\d+)$/.exec(t);
    if (named?.[1] && named[2] && section) {
      counters.set(`${section}${named[1]}`, BigInt(named[2]));
      continue;
    }
    const sentence = /^(\d+)\s+(.+)$/.exec(t);
    const mapped = sentence?.[2] ? PHRASES.find(([re]) => re.test(sentence[2] ?? '')) : undefined;
    if (sentence?.[1] && mapped) {
      counters.set(mapped[1].replace('{s}', section), BigInt(sentence[1]));
      continue;
    }
    skipped++;
  }
  return { value: counters, skippedLines: skipped, notes: [] };
}
