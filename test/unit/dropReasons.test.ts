import { describe, expect, it } from 'vitest';
import { hasReasonField, parseDropReasonNames, parseKfreeSkbTrace, parseReasonHist, parseRingStats } from '../../collectors/parse/dropReasons.js';
import { reasonLayer } from '../../src/dropPath.js';
import { readCaptured } from '../helpers/realWorld.js';

const FORMAT = readCaptured('kfree_skb-format-kernel6.18.txt');

/** The event's format before 5.17: no reason field. */
const FORMAT_5_10 = `name: kfree_skb
ID: 1342
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:void * skbaddr;	offset:8;	size:8;	signed:0;
	field:void * location;	offset:16;	size:8;	signed:0;
	field:unsigned short protocol;	offset:24;	size:2;	signed:0;

print fmt: "skbaddr=%p protocol=%u location=%p", REC->skbaddr, REC->protocol, REC->location
`;

describe('the kernel drop reasons', () => {
  it('names every reason from the tracepoint’s own format, numbers as this kernel has them', () => {
    const names = parseDropReasonNames(FORMAT);
    expect(hasReasonField(FORMAT)).toBe(true);
    expect(names.get(2)).toBe('NOT_SPECIFIED');
    expect(names.get(12)).toBe('NETFILTER_DROP');
    expect(names.get(40)).toBe('TCP_LISTEN_OVERFLOW');
    expect(names.get(71)).toBe('CPU_BACKLOG');
    expect(names.size).toBeGreaterThan(100);
  });

  it('has no reasons on a kernel whose event has no reason field', () => {
    expect(hasReasonField(FORMAT_5_10)).toBe(false);
    expect(parseDropReasonNames(FORMAT_5_10).size).toBe(0);
  });

  it('counts a sampled trace per reason, header left out', () => {
    const p = parseKfreeSkbTrace(readCaptured('kfree_skb-trace-netfilter-kernel6.18.txt'));
    expect(p.value.events).toBe(15);
    expect(Object.fromEntries(p.value.counts)).toEqual({ NETFILTER_DROP: 14, NO_SOCKET: 1 });
    expect(p.skippedLines).toBe(0);
    expect(parseKfreeSkbTrace('garbage\n  <idle>-0 [000] 1.0: kfree_skb: skbaddr=0 reason: TCP_CLOSE\n').value.events).toBe(1);
    expect(parseKfreeSkbTrace('garbage\n').skippedLines).toBe(1);
  });

  it('reads a hist trigger’s table keyed by number (named from the format) or by name', () => {
    const names = parseDropReasonNames(FORMAT);
    const hist = `# event histogram
#
# trigger info: hist:keys=reason:vals=hitcount:sort=hitcount:size=256 [active]
#

{ reason:          3 } hitcount:          7
{ reason:         12 } hitcount:       1520
{ reason: TCP_LISTEN_OVERFLOW } hitcount:         40
{ reason:        999 } hitcount:          1

Totals:
    Hits: 1568
    Entries: 4
    Dropped: 0
`;
    const p = parseReasonHist(hist, names);
    expect(Object.fromEntries(p.value.counts)).toEqual({ NO_SOCKET: 7, NETFILTER_DROP: 1520, TCP_LISTEN_OVERFLOW: 40, 'reason 999': 1 });
    expect(p.value.events).toBe(1568);
    expect(p.skippedLines).toBe(0);
  });

  it('reads what the ring kept and what it overwrote', () => {
    expect(parseRingStats('entries: 33\noverrun: 12\ncommit overrun: 0\nbytes: 1476\n')).toEqual({ entries: 33, overrun: 12 });
    expect(parseRingStats('')).toEqual({ entries: 0, overrun: 0 });
  });

  it('puts each reason on the layer of the drop path where the packet died', () => {
    expect(reasonLayer('NETFILTER_DROP')).toBe('conntrack');
    expect(reasonLayer('CPU_BACKLOG')).toBe('softnet');
    expect(reasonLayer('TCP_LISTEN_OVERFLOW')).toBe('tcp');
    expect(reasonLayer('SOCKET_BACKLOG')).toBe('tcp');
    expect(reasonLayer('SOCKET_RCVBUFF')).toBe('udp');
    expect(reasonLayer('QDISC_DROP')).toBe('qdisc');
    expect(reasonLayer('FULL_RING')).toBe('nic');
    expect(reasonLayer('IP_INHDR')).toBe('ip');
    expect(reasonLayer('NEIGH_FAILED')).toBe('tx');
    // Routine or of no one layer: listed, counted nowhere.
    expect(reasonLayer('NO_SOCKET')).toBeUndefined();
    expect(reasonLayer('NOT_SPECIFIED')).toBeUndefined();
    // Every reason this kernel names either has a layer or is one of the few left out on purpose.
    const unplaced = [...parseDropReasonNames(FORMAT).values()].filter((r) => reasonLayer(r) === undefined);
    expect(unplaced.length).toBeLessThan(40);
  });
});
