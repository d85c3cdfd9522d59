import { describe, expect, it } from 'vitest';
import { parseOwners, parseSsDuration, parseSsSockets, parseTimerField } from '../../collectors/parse/ssSockets.js';
import { hasRealWorld, itOnRealWorld, readCaptured, readRealWorld, realWorldFiles, realWorldRequired } from '../helpers/realWorld.js';
import { parseEndpoint } from '../../src/endpoint.js';

describe('ss socket lines captured on this machine (iproute2 6.1, kernel 6.x)', () => {
  it('parses every line of a full -tano dump of a namespace with IPv4 and IPv6 sockets', () => {
    const { value, skippedLines } = parseSsSockets(readCaptured('ss-tano-all-netns-v4v6.txt'));
    expect(skippedLines).toBe(0);
    expect(value).toHaveLength(34);
    const byState = (s: string) => value.filter((e) => e.state === s).length;
    expect(byState('ESTAB')).toBe(12);
    expect(byState('CLOSE-WAIT')).toBe(5);
    expect(byState('TIME-WAIT')).toBe(6);
    const v6Listen = value.find((e) => e.state === 'LISTEN' && e.local.port === '9200');
    expect(v6Listen?.local.address).toBe('::1');
    expect(v6Listen?.peer).toEqual({ address: '::', port: '*' });
    const tw = value.find((e) => e.state === 'TIME-WAIT');
    expect(tw?.timer).toEqual({ name: 'timewait', expiresMs: 58_000, retransmits: 0 });
  });

  it('reads owners from -p output', () => {
    const { value } = parseSsSockets(readCaptured('ss-tanp-all-netns-v4v6.txt'));
    const listen = value.find((e) => e.state === 'LISTEN' && e.local.port === '9101');
    expect(listen?.owners).toEqual([{ name: 'node', pid: expect.any(Number), fd: expect.any(Number) }]);
    expect(value.filter((e) => e.state === 'CLOSE-WAIT').every((e) => e.owners[0]?.name === 'node')).toBe(true);
  });
});

describe('ss socket lines from real machines', () => {
  it.runIf(realWorldRequired)('has the shared real-world fixtures (strict mode)', () => {
    expect(hasRealWorld).toBe(true);
  });

  const cases: Record<string, (r: ReturnType<typeof parseSsSockets>) => void> = {
    'ss-sockets/datadog-ss-ipv6-tcp-unbracketed.txt': ({ value }) => {
      expect(value.map((e) => e.state)).toEqual(['LISTEN', 'TIME-WAIT', 'ESTAB', 'CLOSING']);
      expect(value[0]?.local).toEqual({ address: '::', port: '9200' });
      expect(value[2]?.local).toEqual({ address: '::ffff:127.0.0.1', port: '2181' });
    },
    'ss-sockets/insights-core-ss-tupna-bracketed-ipv6.txt': ({ value }) => {
      const scoped = value.find((e) => e.local.scope === 'virbr0');
      expect(scoped?.local).toEqual({ address: '0.0.0.0', port: '67', scope: 'virbr0' });
      const udpQueued = value.find((e) => e.recvQ === 51712);
      expect(udpQueued?.netid).toBe('udp');
      expect(udpQueued?.state).toBeUndefined();
      expect(udpQueued?.rawState).toBe('UNCONN');
      expect(value.some((e) => e.local.address === '::1' && e.local.port === '323')).toBe(true);
    },
    'ss-sockets/iproute2-commit-e2267e68-ss-ltp-before-threads.txt': ({ value }) => {
      expect(value[0]?.owners).toEqual([{ name: 'test', pid: 2932547, fd: 3 }]);
    },
    'ss-sockets/ss-ant-syn-sent-sendq1.txt': ({ value }) => {
      expect(value).toHaveLength(4);
      expect(value.every((e) => e.state === 'SYN-SENT' && e.sendQ === 1 && e.peer.address === '10.1.1.1')).toBe(true);
    },
    'ss-sockets/ss-ipv4-mapped-timewait-java-ansible-grep.txt': ({ value }) => {
      expect(value[0]?.owners[0]).toEqual({ name: 'java', pid: 25058, fd: 11 });
      expect(value[1]?.local).toEqual({ address: '::ffff:10.100.67.48', port: '8081' });
      expect(value[5]?.timer?.expiresMs).toBe(26_000);
    },
    'ss-sockets/ss-listen-backlog-full-closewait-finwait2-no-header.txt': ({ value }) => {
      expect(value[0]).toMatchObject({ state: 'LISTEN', recvQ: 1, sendQ: 1, owners: [{ name: 'nc', pid: 11637, fd: 3 }] });
      expect(value[2]).toMatchObject({ state: 'FIN-WAIT-2', timer: { name: 'timewait', expiresMs: 59_000 } });
    },
    'ss-sockets/ss-ltnp-scoped-address-127.0.0.53-lo.txt': ({ value }) => {
      expect(value[0]?.local).toEqual({ address: '127.0.0.53', port: '53', scope: 'lo' });
      expect(value[0]?.owners[0]?.name).toBe('systemd-resolve');
    },
    'ss-sockets/ss-tiepm-extended-skmem-tcpinfo-no-header.txt': ({ value, skippedLines }) => {
      expect(skippedLines).toBe(0);
      expect(value[0]?.owners[0]).toEqual({ name: 'tuna-rest-serve', pid: 7152, fd: 48 });
      // keepalive,3.708ms is the pre-2024 ss bug: 3.708 seconds
      expect(value[1]?.timer).toEqual({ name: 'keepalive', expiresMs: 3708, retransmits: 0 });
    },
    'ss-sockets/ss-tlnp-header-PortProcess-glued.txt': ({ value }) => {
      expect(value).toHaveLength(1);
      expect(value[0]?.owners[0]).toEqual({ name: 'nc', pid: 402, fd: 3 });
    },
    'ss-sockets/ss-tno-ubuntu18.04-ipv4mapped-closewait-finwait2-timers.txt': ({ value }) => {
      expect(value.map((e) => e.state)).toEqual(['ESTAB', 'CLOSE-WAIT', 'ESTAB', 'FIN-WAIT-2', 'ESTAB']);
      expect(value[0]?.timer?.expiresMs).toBe(104 * 60_000);
      expect(value[3]?.timer?.expiresMs).toBe(5636);
      expect(value[1]?.recvQ).toBe(1);
    },
    'ss-sockets/ss-tauepnn-extended-ino-sk-v6only.txt': ({ value }) => {
      expect(value).toHaveLength(3);
      expect(value[2]?.local).toEqual({ address: '::', port: '30666' });
      expect(value[0]?.owners[0]).toEqual({ name: 'dhclient', pid: 642, fd: 6 });
    },
    'ss-sockets/ss-ua-scoped-addr-service-names.txt': ({ value }) => {
      expect(value.find((e) => e.local.scope === 'ens33')?.local).toEqual({ address: '192.168.23.129', port: 'bootpc', scope: 'ens33' });
      expect(value.find((e) => e.local.scope === 'lo')?.local.port).toBe('domain');
    },
    'ss-sockets/ss-p-unix-process-names-with-spaces-multi-owner.txt': ({ value, skippedLines }) => {
      // Unix sockets have no addr:port; they are counted as skipped, not misread.
      expect(value.filter((e) => e.netid?.startsWith('u_'))).toHaveLength(0);
      expect(skippedLines).toBeGreaterThan(5);
    },
    'ss-sockets/iproute2-commit-3e807112-timewait-timer-before-fix-author-elided.txt': ({ value, skippedLines }) => {
      // The author elided the addresses: nothing to count, nothing invented.
      expect(value).toHaveLength(0);
      expect(skippedLines).toBe(8);
    },
  };

  cases['ss-sockets/ss-tnp-state-established-no-state-column.txt'] = () => {
    const { value } = parseSsSockets(readRealWorld('ss-sockets/ss-tnp-state-established-no-state-column.txt'), 'ESTAB');
    expect(value).toEqual([
      {
        state: 'ESTAB',
        recvQ: 0,
        sendQ: 0,
        local: { address: '172.17.0.4', port: '33814' },
        peer: { address: '74.125.68.100', port: '80' },
        owners: [{ name: 'nc', pid: 430, fd: 3 }],
      },
    ]);
  };
  const timerOnly = new Set([
    'ss-sockets/iproute2-commit-3e807112-timewait-timer-after-fix-author-elided.txt',
    'ss-sockets/ztunnel-issue-ss-top-awk-state-and-timer-fields.txt',
  ]);

  for (const file of realWorldFiles('ss-sockets')) {
    const check = cases[file];
    if (check) it(`parses ${file}`, () => check(parseSsSockets(readRealWorld(file))));
    else it(`covers ${file}`, () => expect(timerOnly.has(file), `no test reads ${file}`).toBe(true));
  }

  itOnRealWorld('reads owners whose names contain spaces, and several owners of one socket', () => {
    const text = readRealWorld('ss-sockets/ss-p-unix-process-names-with-spaces-multi-owner.txt');
    const lines = text.split('\n');
    const web = lines.find((l) => l.includes('Web Content')) ?? '';
    expect(parseOwners(web)).toEqual([{ name: 'Web Content', pid: 15683, fd: 3 }]);
    const shared = lines.find((l) => l.includes('systemd-journal')) ?? '';
    expect(parseOwners(shared)).toEqual([
      { name: 'systemd-journal', pid: 8285, fd: 78 },
      { name: 'systemd', pid: 1, fd: 269 },
    ]);
  });

  itOnRealWorld('reads timer strings of every ss era', () => {
    const timers = [
      ...readRealWorld('ss-sockets/iproute2-commit-3e807112-timewait-timer-before-fix-author-elided.txt').split('\n'),
      ...readRealWorld('ss-sockets/iproute2-commit-3e807112-timewait-timer-after-fix-author-elided.txt').split('\n'),
      ...readRealWorld('ss-sockets/ztunnel-issue-ss-top-awk-state-and-timer-fields.txt').split('\n'),
    ]
      .map((l) => parseTimerField(l))
      .filter((t) => t !== undefined);
    expect(timers.length).toBeGreaterThan(40);
    const ms = timers.map((t) => t.expiresMs);
    expect(ms).toContain(9373); // 9.373ms before the fix = 9.373 s
    expect(ms).toContain(9501); // 9.501sec after the fix
    expect(ms).toContain(476);
    expect(ms).toContain(72_000); // 1min12sec
    expect(ms).toContain(88); // 088ms
    expect(ms).toContain(undefined); // timer:(on,,10)
  });
});

describe('pieces', () => {
  it('parses durations', () => {
    expect(parseSsDuration('1min')).toBe(60_000);
    expect(parseSsDuration('2.068ms')).toBe(2068);
    expect(parseSsDuration('303ms')).toBe(303);
    expect(parseSsDuration('')).toBeUndefined();
    expect(parseSsDuration('soon')).toBeUndefined();
  });

  it('parses endpoints and rejects what is not one', () => {
    expect(parseEndpoint('[fe80::1]%eth0:22')).toEqual({ address: 'fe80::1', port: '22', scope: 'eth0' });
    expect(parseEndpoint('*:8081')).toEqual({ address: '*', port: '8081' });
    expect(parseEndpoint('/run/dbus/system_bus_socket')).toBeUndefined();
    expect(parseEndpoint('...')).toBeUndefined();
  });

  it('handles the state column being absent under a single-state filter', () => {
    const { value } = parseSsSockets('0      0         172.17.0.4:33814 74.125.68.100:80   users:(("nc",pid=430,fd=3))\n', 'ESTAB');
    expect(value[0]).toMatchObject({ state: 'ESTAB', peer: { address: '74.125.68.100', port: '80' } });
  });

  it('counts garbage as skipped lines instead of throwing', () => {
    const { value, skippedLines } = parseSsSockets('ESTAB zero 0 a b\n\x1b[2J\nLISTEN 0 5 127.0.0.1:80 0.0.0.0:*\n');
    expect(value).toHaveLength(1);
    expect(skippedLines).toBe(2);
  });
});

describe('ss owners with threads (ss -T)', () => {
  it('reads the process behind each thread, and keeps every owner', () => {
    expect(parseOwners('users:(("nginx",pid=12,tid=14,fd=3),("nginx",pid=13,tid=13,fd=3))')).toEqual([
      { name: 'nginx', pid: 12, fd: 3 },
      { name: 'nginx', pid: 13, fd: 3 },
    ]);
  });
});
