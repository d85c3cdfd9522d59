import { describe, expect, it } from 'vitest';
import { parsePortRange } from '../../collectors/parse/portRange.js';
import { formatIpv6, parseProcNetTcp } from '../../collectors/parse/procNetTcp.js';
import { FamilyChoice, countAllStates, deriveStateCounts } from '../../collectors/sockets.js';
import { parseSockstat } from '../../collectors/parse/sockstat.js';
import { type SocketEntry, parseSsSockets } from '../../collectors/parse/ssSockets.js';
import { itOnRealWorld, readCaptured, readRealWorld, realWorldFiles } from '../helpers/realWorld.js';

// The namespace these files were captured in held, per a full `ss -tan`:
// 12 ESTAB, 5 CLOSE-WAIT, 5 FIN-WAIT-2 (3 of them timewait minisocks after
// the client closed for good), 6 TIME-WAIT, 6 LISTEN — IPv4 and IPv6 mixed.
const truth = { ESTAB: 12, 'CLOSE-WAIT': 5, 'FIN-WAIT-2': 5, 'TIME-WAIT': 6, LISTEN: 6 };

describe('counting socket states', () => {
  it('derives exact counts from the unusual-state dump plus sockstat, without reading ESTAB or TIME-WAIT sockets', () => {
    const unusual = parseSsSockets(readCaptured('ss-tano-unusual-netns-v4v6.txt')).value;
    expect(unusual.some((s) => s.state === 'ESTAB' || s.state === 'TIME-WAIT')).toBe(false);
    const counts = deriveStateCounts(
      unusual,
      parseSockstat(readCaptured('proc-net-sockstat-netns-v4v6.txt')).value,
      parseSockstat(readCaptured('proc-net-sockstat6-netns-v4v6.txt')).value,
    );
    expect(counts).toMatchObject({ ...truth, 'SYN-SENT': 0, 'SYN-RECV': 0, CLOSE: 0, 'LAST-ACK': 0, CLOSING: 0 });
  });

  it('agrees with a full ss dump of the same namespace', () => {
    const all = parseSsSockets(readCaptured('ss-tano-all-netns-v4v6.txt')).value;
    expect(countAllStates(all)).toMatchObject(truth);
  });

  it('agrees with /proc/net/tcp and tcp6 of the same namespace', () => {
    const v4 = parseProcNetTcp(readCaptured('proc-net-tcp-netns-v4v6.txt'));
    const v6 = parseProcNetTcp(readCaptured('proc-net-tcp6-netns-v4v6.txt'));
    expect(v4.skippedLines + v6.skippedLines).toBe(0);
    expect(countAllStates([...v4.value, ...v6.value])).toMatchObject(truth);
    const listen6 = v6.value.find((s) => s.state === 'LISTEN' && s.local.port === '9200');
    expect(listen6?.local.address).toBe('::1');
    const tw = v4.value.find((s) => s.state === 'TIME-WAIT');
    expect(tw?.timer?.name).toBe('timewait');
    expect(tw?.local.address).toBe('127.0.0.1');
  });

  it('does not go negative when sockets churn between the counter read and the dump', () => {
    const dump = parseSsSockets('CLOSE-WAIT 0 0 10.0.0.1:80 10.0.0.2:5000\nCLOSE-WAIT 0 0 10.0.0.1:80 10.0.0.2:5001\n').value;
    const counts = deriveStateCounts(dump, { TCP: { inuse: 1, tw: 0 } }, undefined);
    expect(counts.ESTAB).toBe(0);
    expect(counts['CLOSE-WAIT']).toBe(2);
  });

  it('does not count request sockets (SYN-RECV) as hashed full sockets', () => {
    const dump = parseSsSockets('SYN-RECV 0 0 10.0.0.1:80 10.0.0.2:5000\nLISTEN 1 1 10.0.0.1:80 0.0.0.0:*\n').value;
    const counts = deriveStateCounts(dump, { TCP: { inuse: 4, tw: 0 } }, undefined);
    expect(counts).toMatchObject({ ESTAB: 3, 'SYN-RECV': 1, LISTEN: 1 });
  });
});

describe('sockstat', () => {
  itOnRealWorld('parses every real-world sockstat file', () => {
    expect(realWorldFiles('sockstat').length).toBeGreaterThanOrEqual(4);
    const expected: Record<string, [string, string, number]> = {
      'sockstat/netdata-issue14-sockstat.txt': ['TCP', 'inuse', 66],
      'sockstat/node-exporter-sockstat.txt': ['TCP', 'alloc', 17],
      'sockstat/node-exporter-sockstat6.txt': ['UDP6', 'inuse', 9],
      'sockstat/procfs-sockstat.txt': ['UDP', 'mem', 62],
    };
    for (const file of realWorldFiles('sockstat')) {
      const entry = expected[file];
      expect(entry, `no expectation for ${file}`).toBeDefined();
      const [section, field, value] = entry!;
      const { value: parsed, skippedLines } = parseSockstat(readRealWorld(file));
      expect(skippedLines).toBe(0);
      expect(parsed[section]?.[field]).toBe(value);
    }
  });

  it('skips malformed lines', () => {
    const { value, skippedLines } = parseSockstat('TCP: inuse 3 orphan\nUDP: inuse x mem 1\nsockets: used 9\n');
    expect(value).toEqual({ sockets: { used: 9 } });
    expect(skippedLines).toBe(2);
  });
});

describe('ephemeral port range', () => {
  it('subtracts reserved ports inside the range', () => {
    expect(parsePortRange('32768\t60999\n', '\n')).toEqual({ low: 32768, high: 60999, reserved: 0, usable: 28232 });
    expect(parsePortRange('40000 40999', '1000-2000,40010,40100-40199,50000')).toMatchObject({ reserved: 101, usable: 899 });
    expect(parsePortRange('garbage')).toBeUndefined();
    expect(parsePortRange('5000 4000')).toBeUndefined();
  });
});

describe('IPv6 text form', () => {
  it('compresses the longest zero run and prints v4-mapped addresses as ss does', () => {
    const bytes = (hex: string) => (hex.match(/../g) ?? []).map((b) => parseInt(b, 16));
    expect(formatIpv6(bytes('00000000000000000000000000000001'))).toBe('::1');
    expect(formatIpv6(bytes('00000000000000000000ffff0a000001'))).toBe('::ffff:10.0.0.1');
    expect(formatIpv6(bytes('fe800000000000000000000000000001'))).toBe('fe80::1');
    expect(formatIpv6(bytes('20010db8000100000000000000000000'))).toBe('2001:db8:1::');
  });
});

describe('which address families ss is asked about', () => {
  const v4 = [{ local: { address: '10.0.0.1', port: '80' } }] as SocketEntry[];
  const v6 = [{ local: { address: '::1', port: '80' } }] as SocketEntry[];

  it('asks for IPv4 alone only after a dump of both found no IPv6 socket, and both again within a minute', () => {
    const choice = new FamilyChoice();
    expect(choice.args(0, 0)).not.toContain('-4');
    choice.sawBoth(v4, 0, 0);
    expect(choice.args(0, 1_000)).toContain('-4');
    expect(choice.args(0, 59_999)).toContain('-4');
    expect(choice.args(0, 60_000)).not.toContain('-4');
  });

  it('keeps both while IPv6 sockets exist, hashed or in the dump', () => {
    const choice = new FamilyChoice();
    choice.sawBoth(v6, 0, 0);
    expect(choice.args(0, 1_000)).not.toContain('-4');
    choice.sawBoth(v4, 3, 0);
    expect(choice.args(0, 1_000)).not.toContain('-4');
    choice.sawBoth(v4, 0, 0);
    // An IPv6 listener appears: both at once, and the confirmation starts over.
    expect(choice.args(1, 2_000)).not.toContain('-4');
    expect(choice.args(0, 3_000)).not.toContain('-4');
  });
});
