import { describe, expect, it } from 'vitest';
import { parseIpAddrJson, parseIpNeighJson, parseIpRouteCacheJson, parseIpRouteGetJson, splitIpBatch } from '../../collectors/parse/ipJson.js';
import { parseIpLinkJson } from '../../collectors/nics.js';
import { readCaptured } from '../helpers/realWorld.js';

describe('ip -j, as iproute2 prints it', () => {
  it('reads neighbours in every NUD state, IPv4 and IPv6, with the router flag', () => {
    const { value, skippedLines } = parseIpNeighJson(readCaptured('ip-j-neigh-netns-all-states-kernel6.18.json'));
    expect(skippedLines).toBe(0);
    const unicast = value.filter((n) => !n.address.startsWith('ff02:'));
    expect(unicast.map((n) => `${n.address} ${n.state}${n.lladdr ? '' : ' (no lladdr)'}${n.router ? ' router' : ''}`)).toEqual([
      '10.90.0.5 NOARP',
      '10.90.0.2 DELAY',
      '0.0.0.0 NOARP',
      '10.90.0.6 PROBE',
      '10.90.0.3 STALE',
      '10.90.0.8 FAILED (no lladdr)',
      '10.90.0.7 PROBE',
      '10.90.0.12 REACHABLE',
      '10.90.0.10 INCOMPLETE (no lladdr)',
      '10.90.0.4 PERMANENT',
      'fd00:90::2 REACHABLE',
      'fd00:90::9 STALE router',
      'fd00:90::8 INCOMPLETE (no lladdr)',
      'fe80::3085:f5ff:fe06:6c5e DELAY',
    ]);
    expect(value.every((n) => n.dev === (n.address === '0.0.0.0' ? 'lo' : 'cva'))).toBe(true);
  });

  it('reads a listing asked for one device (no dev), a state with flags, and skips entries it cannot use', () => {
    const { value, skippedLines } = parseIpNeighJson(
      '[{"dst":"10.0.0.1","lladdr":"B4:75:0E:00:00:01","state":["REACHABLE"]},{"dst":"10.0.0.2","state":["STALE","EXTERN_LEARN"]},{"dst":"","state":["FAILED"]},{"dst":"10.0.0.3","state":["SOMETHING"]},{"dst":"10.0.0.4","state":"PROBE"}]',
    );
    expect(value).toEqual([
      { address: '10.0.0.1', lladdr: 'b4:75:0e:00:00:01', state: 'REACHABLE', router: false },
      { address: '10.0.0.2', state: 'STALE', router: false },
      { address: '10.0.0.4', state: 'PROBE', router: false },
    ]);
    expect(skippedLines).toBe(2);
    expect(parseIpNeighJson('').value).toEqual([]);
    expect(parseIpNeighJson('Object "neigh" is unknown').notes[0]).toMatch(/not a JSON list/);
  });

  it('reads addresses with their DAD flags: tentative, dadfailed', () => {
    const { value, skippedLines } = parseIpAddrJson(readCaptured('ip-j-addr-netns-dadfailed-tentative-kernel6.18.json'));
    expect(skippedLines).toBe(0);
    const cva = value.find((l) => l.dev === 'cva');
    expect(cva?.addresses.map((a) => `${a.address}/${a.prefixLength} ${a.scope}${a.tentative ? ' tentative' : ''}${a.dadFailed ? ' dadfailed' : ''}`)).toEqual([
      '10.90.0.1/24 global',
      'fd00:92::1/64 global tentative',
      'fd00:91::1/64 global tentative dadfailed',
      'fd00:90::1/64 global',
      'fe80::e072:57ff:fecf:9b85/64 link',
    ]);
    expect(value.map((l) => l.dev)).toEqual(['lo', 'cva']);
    // A filtered listing prints `{}` for the links it left out.
    expect(parseIpAddrJson('[{},{"ifname":"x","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":"x"}]}]')).toEqual({ value: [{ dev: 'x', addresses: [] }], skippedLines: 1, notes: [] });
  });

  it('reads a veth namespace’s `ip -j -s -s link`', () => {
    const { value, skippedLines } = parseIpLinkJson(readCaptured('ip-j-s-s-link-netns-veth-kernel6.18.json'));
    expect(skippedLines).toBe(0);
    expect(value.map((n) => `${n.name} ${n.operstate} ${n.carrier} ${n.mtu} changes=${n.stats.get('carrier_changes')}`)).toEqual(['lo UNKNOWN true 65536 changes=0', 'cva UP true 1500 changes=2']);
  });

  it('reads the route the kernel picks, with and without a cached PMTU exception', () => {
    expect(parseIpRouteGetJson(readCaptured('ip-j-route-get-pmtu-cache-kernel6.18.json'))).toEqual({
      destination: '10.94.0.2',
      type: 'unicast',
      dev: 'cra',
      gateway: '10.93.0.2',
      source: '10.93.0.1',
      pmtu: 1280,
      expiresSec: 599,
    });
    expect(parseIpRouteGetJson(readCaptured('ip-j-route-get-no-cache-kernel6.18.json'))).toEqual({ destination: '10.93.0.2', type: 'unicast', dev: 'cra', source: '10.93.0.1' });
    // Older iproute2: mtu beside cache, expires as text.
    expect(parseIpRouteGetJson('[{"dst":"10.0.0.9","dev":"eth0","cache":["expires"],"expires":"311sec","mtu":1400}]')).toMatchObject({ pmtu: 1400, expiresSec: 311 });
    expect(parseIpRouteGetJson('[]')).toBeUndefined();
    expect(parseIpRouteGetJson('RTNETLINK answers: Network is unreachable')).toBeUndefined();
  });

  it('lists the route cache’s PMTU exceptions', () => {
    expect(parseIpRouteCacheJson(readCaptured('ip-j-route-show-table-all-cache-pmtu-kernel6.18.json'))).toEqual({
      value: [{ destination: '10.94.0.2', type: 'unicast', dev: 'cra', gateway: '10.93.0.2', pmtu: 1280, expiresSec: 599 }],
      skippedLines: 0,
      notes: [],
    });
    expect(parseIpRouteCacheJson('[]').value).toEqual([]);
    expect(parseIpRouteCacheJson('[{"dev":"x"},{"dst":"10.0.0.1"}]')).toMatchObject({ skippedLines: 1, value: [{ destination: '10.0.0.1' }] });
  });

  it('splits a batch: answers in order, each failure with the kernel’s reason', () => {
    const commands = readCaptured('ip-j-batch-route-get-netns-kernel6.18.input').trim().split('\n');
    const answers = splitIpBatch(commands.length, readCaptured('ip-j-batch-route-get-netns-kernel6.18.stdout'), readCaptured('ip-j-batch-route-get-netns-kernel6.18.stderr'));
    const said = answers.map((a, i) => {
      if ('error' in a) return `${commands[i]}: ${a.error}`;
      const r = commands[i]?.startsWith('route get') ? parseIpRouteGetJson(a.output) : undefined;
      return r ? `${commands[i]}: ${r.type} ${r.dev}${r.gateway ? ` via ${r.gateway}` : ''}` : `${commands[i]}: ${parseIpNeighJson(a.output).value.length} neighbours`;
    });
    expect(said).toEqual([
      'route get 198.18.0.9: unicast cva via 10.90.0.2',
      'route get 10.90.0.2: unicast cva',
      'route get 10.66.1.1: No route to host',
      'route get 10.67.1.1: Invalid argument',
      'route get 10.68.1.1: Permission denied',
      'route get 127.0.0.1: local lo',
      'route get fd00:90::2: unicast cva',
      'route get fd00:66::1: No route to host',
      'route get 2001:db8::1: Network is unreachable',
      'neigh show: 12 neighbours',
    ]);
  });
});
