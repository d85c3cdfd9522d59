import { describe, expect, it } from 'vitest';
import { defaultRoute, hexToIpv4, hexToIpv6, parseIfInet6, parseNeighbourStat, parseProcNetArp, parseProcNetRoute, routeFor } from '../../collectors/parse/routes.js';
import { readCaptured } from '../helpers/realWorld.js';

describe('routes and neighbours from /proc', () => {
  it('reads a namespace’s main table: both default routes, the rejects (blackhole too), the connected network', () => {
    const { value, skippedLines } = parseProcNetRoute(readCaptured('proc-net-route-netns-rejects-kernel6.18.txt'));
    expect(skippedLines).toBe(0);
    expect(value.map((r) => `${r.destination}/${r.prefixLength} ${r.gateway ?? '-'} ${r.dev} ${r.metric}${r.reject ? ' reject' : ''}`)).toEqual([
      '0.0.0.0/0 10.80.0.2 va 50',
      '0.0.0.0/0 10.80.0.9 va 100',
      '10.66.0.0/16 - * 0 reject',
      '10.67.0.0/16 - * 0 reject',
      '10.68.1.0/24 - * 0 reject',
      '10.80.0.0/24 - va 0',
    ]);
    expect(defaultRoute(value)?.gateway).toBe('10.80.0.2');
  });

  it('picks the route the kernel would: longest prefix, then lowest metric', () => {
    const { value } = parseProcNetRoute(readCaptured('proc-net-route-netns-rejects-kernel6.18.txt'));
    expect(routeFor(value, '10.80.0.77')?.dev).toBe('va');
    expect(routeFor(value, '10.80.0.77')?.gateway).toBeUndefined();
    expect(routeFor(value, '10.67.3.4')?.reject).toBe(true);
    expect(routeFor(value, '192.0.2.1')?.gateway).toBe('10.80.0.2');
    expect(routeFor([], '192.0.2.1')).toBeUndefined();
    expect(routeFor(value, 'not an address')).toBeUndefined();
  });

  it('reads neighbours: complete (REACHABLE, STALE, PERMANENT) or not (INCOMPLETE, FAILED)', () => {
    const { value, skippedLines } = parseProcNetArp(readCaptured('proc-net-arp-netns-states-kernel6.18.txt'));
    expect(skippedLines).toBe(0);
    expect(value.map((n) => `${n.address} ${n.complete ? 'complete' : 'unresolved'}${n.permanent ? ' permanent' : ''}`)).toEqual([
      '10.80.0.2 complete',
      '10.80.0.9 unresolved',
      '10.80.0.10 unresolved',
      '10.80.0.4 complete permanent',
      '10.80.0.3 complete',
    ]);
  });

  it('reads the neighbour table’s size once and sums its overflows over the CPUs', () => {
    const stat = parseNeighbourStat(readCaptured('proc-net-stat-arp_cache-kernel6.18.txt'));
    expect(stat?.entries).toBeGreaterThanOrEqual(0);
    const header = 'entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls';
    const cpu = (fulls: string) => `00000400 00000091 000000ab 00000000   0000014d 0000000c 00000000   00000000         00000000         00000410         00000000       00000000            ${fulls}`;
    expect(parseNeighbourStat([header, cpu('00000003'), cpu('0000000a')].join('\n'))).toEqual({ entries: 1024, tableFulls: 13n });
    expect(parseNeighbourStat('garbage')).toBeUndefined();
  });

  it('reads IPv6 addresses with their duplicate-address flags', () => {
    const { value, skippedLines } = parseIfInet6(readCaptured('proc-net-if_inet6-netns-dadfailed-kernel6.18.txt'));
    expect(skippedLines).toBe(0);
    expect(value.map((a) => `${a.address}/${a.prefixLength} ${a.dev}${a.tentative ? ' tentative' : ''}${a.dadFailed ? ' dadfailed' : ''}`)).toEqual([
      'fe80::9836:92ff:fe44:40df/64 vd2',
      'fd00:99::1/64 vd2 tentative dadfailed',
      '::1/128 lo',
    ]);
    expect(hexToIpv6('00000000000000000000000000000000')).toBe('::');
    expect(hexToIpv6('20010db8000000010000000000000000')).toBe('2001:db8:0:1::');
    expect(hexToIpv6('20010db8000100000001000000000001')).toBe('2001:db8:1:0:1::1');
    expect(hexToIpv6('nope')).toBeUndefined();
  });

  it('turns the kernel’s hex addresses into dotted quads', () => {
    expect(hexToIpv4('0101A8C0')).toBe('192.168.1.1');
    expect(hexToIpv4('00000000')).toBe('0.0.0.0');
    expect(hexToIpv4('xyz')).toBeUndefined();
  });
});
