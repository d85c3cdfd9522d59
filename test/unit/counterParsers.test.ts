import { describe, expect, it } from 'vitest';
import { parseConntrackS, parseConntrackStatTable, parseSingleInteger } from '../../collectors/conntrack.js';
import { aggregateQueues, isErrorCounter, parseEthtoolInfo, parseEthtoolStats, queueKey } from '../../collectors/ethtool.js';
import { type CounterMemo, icmpShiftNote, parseKernelCounters, parseNstat } from '../../collectors/counters.js';
import { parseNetstatS } from '../../collectors/parse/netstatS.js';
import { parseIpLinkJson, parseProcNetDev } from '../../collectors/nics.js';
import { itOnRealWorld, readCaptured, readRealWorld, realWorldFiles } from '../helpers/realWorld.js';

/** Every file of a real-world folder must have an expectation here: new fixtures can't slip by untested. */
function eachRealWorld<T>(folder: string, expectations: Record<string, (text: string) => void>) {
  itOnRealWorld(`reads every file in ${folder}`, () => {
    const files = realWorldFiles(folder);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const check = expectations[file.slice(folder.length + 1)];
      expect(check, `no expectation for ${file}`).toBeDefined();
      check!(readRealWorld(file));
    }
  });
}

describe('/proc/net/snmp, netstat, snmp6', () => {
  it('reads the same counters again from what it kept of the last read, and into the same map, as a fresh read does', () => {
    const snmp = readCaptured('proc-net-snmp-kernel6.18.txt');
    const netstat = readCaptured('proc-net-netstat-kernel6.18.txt');
    const snmp6 = readCaptured('proc-net-snmp6-kernel6.18.txt');
    const memo: CounterMemo = new Map();
    const first = parseKernelCounters([snmp, netstat, snmp6].join('\n'), undefined, memo).value;
    // One section and one snmp6 line move; the rest is as it was.
    const moved = [snmp.replace(/^(Tcp: (?:-?\d+ ){9})(\d+)/m, (_, a: string, n: string) => `${a}${Number(n) + 5}`), netstat, snmp6.replace(/^(Ip6InReceives\s+)(\d+)/m, (_, a: string, n: string) => `${a}${Number(n) + 7}`)].join('\n');
    const again = parseKernelCounters(moved, undefined, memo, first).value;
    expect(again).toBe(first);
    expect(new Map(again)).toEqual(parseKernelCounters(moved).value);
    expect(again.get('TcpInSegs')).toBe((parseKernelCounters(snmp).value.get('TcpInSegs') ?? 0n) + 5n);
    // A counter gone since: a new map, without it.
    const fewer = parseKernelCounters(moved.replace(/^Ip6InReceives.*\n/m, ''), undefined, memo, again).value;
    expect(fewer).not.toBe(again);
    expect(fewer.has('Ip6InReceives')).toBe(false);
    expect(fewer.size).toBe(again.size - 1);
  });

  const get = (text: string, name: string) => parseKernelCounters(text).value.get(name);
  eachRealWorld('proc-net', {
    'datadog-proc-net-snmp-memerrors.txt': (t) => {
      expect(get(t, 'TcpOutSegs')).toBe(163729357n);
      expect(get(t, 'UdpMemErrors')).toBe(0n);
      expect(get(t, 'TcpMaxConn')).toBe(-1n);
    },
    'node-exporter-proc-net-netstat.txt': (t) => {
      expect(get(t, 'IpExtInOctets')).toBe(6286396970n);
      expect(get(t, 'TcpExtTCPTimeWaitOverflow')).toBe(0n);
    },
    'node-exporter-proc-net-snmp.txt': (t) => {
      expect(get(t, 'TcpRetransSegs')).toBe(227n);
      expect(get(t, 'UdpRcvbufErrors')).toBe(9n);
    },
    'proc-net-snmp-pre-3.10-no-InCsumErrors.txt': (t) => {
      expect(get(t, 'UdpRcvbufErrors')).toBe(7732n);
      expect(get(t, 'IcmpInCsumErrors')).toBeUndefined();
    },
    'procfs-proc-net-netstat-kernel5.txt': (t) => {
      expect(get(t, 'TcpExtTCPTimeWaitOverflow')).toBe(3n);
      expect(parseKernelCounters(t).value.size).toBe(131);
    },
    'procfs-proc-net-snmp-ignoredmulti.txt': (t) => {
      expect(get(t, 'UdpIgnoredMulti')).toBe(58n);
      expect(get(t, 'TcpRetransSegs')).toBe(348n);
    },
  });

  it('reads all three files of this machine concatenated, as one cat in a namespace prints them', () => {
    const text = ['proc-net-snmp-kernel6.18.txt', 'proc-net-netstat-kernel6.18.txt', 'proc-net-snmp6-kernel6.18.txt'].map(readCaptured).join('\n');
    const { value, skippedLines, notes } = parseKernelCounters(text);
    expect(skippedLines).toBe(0);
    expect(notes).toEqual([]);
    expect(value.get('TcpOutSegs')).toBe(10253n);
    expect(value.get('TcpOutRsts')).toBe(200n);
    expect(value.has('TcpExtListenOverflows')).toBe(true);
    expect(value.has('Udp6RcvbufErrors')).toBe(true);
    expect(value.size).toBeGreaterThan(350);
  });

  it('keeps values above 2^53 exact and survives a truncated file', () => {
    const { value } = parseKernelCounters('Ip: InReceives OutRequests\nIp: 18446744073709551615 5\nTcp: RetransSegs OutSegs\n');
    expect(value.get('IpInReceives')).toBe(18446744073709551615n);
    expect(value.has('TcpRetransSegs')).toBe(false);
  });

  it('notes a section whose header and values disagree', () => {
    const r = parseKernelCounters('Udp: InDatagrams NoPorts InErrors\nUdp: 1 2\n');
    expect(r.value.size).toBe(0);
    expect(r.notes[0]).toMatch(/3 names but 2 values/);
  });
});

describe('nstat', () => {
  eachRealWorld('nstat', {
    'nstat-az-icmp-column-shift-bug-truncated.txt': (t) => {
      const { value } = parseNstat(t);
      expect(value.get('TcpRetransSegs')).toBe(67576n);
      expect(value.get('IpInReceives')).toBe(469406576n);
      expect(icmpShiftNote(value)).toMatch(/shifted/);
    },
    'nstat-default-author-elided.txt': (t) => {
      const r = parseNstat(t);
      expect(r.value.get('IpInDelivers')).toBe(9210383n);
      expect(r.skippedLines).toBe(1); // the publisher's "..."
    },
    'nstat-json-compact.txt': (t) => {
      const { value } = parseNstat(t);
      expect(value.get('TcpActiveOpens')).toBe(40n);
      expect(value.get('IpInReceives')).toBe(329n);
    },
    'nstat-single-counter-filter.txt': (t) => {
      expect([...parseNstat(t).value]).toEqual([['IpInReceives', 875n]]);
    },
  });

  it('keeps JSON integers above 2^53 exact', () => {
    expect(parseNstat('{"kernel":{"IpExtInOctets":123456789012345678901}}').value.get('IpExtInOctets')).toBe(123456789012345678901n);
  });
});

describe('netstat -s', () => {
  const get = (t: string, n: string) => parseNetstatS(t).value.get(n);
  eachRealWorld('netstat-s', {
    'insights-core-rhel7-netstat-s.txt': (t) => {
      expect(get(t, 'TcpRetransSegs')).toBe(428n); // "retransmited", old wording
      expect(get(t, 'TcpOutSegs')).toBe(2890303n); // "send out"
      expect(get(t, 'TcpExtTCPDeferAcceptDrop')).toBe(537n);
      expect(get(t, 'IcmpMsgInType3')).toBe(107n);
    },
    'linode-docs-netstat-sw-raw-only.txt': (t) => {
      expect(get(t, 'IcmpInCsumErrors')).toBe(3n);
      expect(get(t, 'IpForwarding')).toBe(2n);
      expect(get(t, 'IpInReceives')).toBe(6775954n);
    },
    'linode-docs-sctp-section-incsumerrors.txt': (t) => {
      expect(get(t, 'TcpRetransSegs')).toBe(654603n);
      expect(get(t, 'TcpInCsumErrors')).toBe(747n);
      expect(get(t, 'TcpOutRsts')).toBe(408640n);
    },
    'ubuntu18.04-4.15-ignoredmulti.txt': (t) => {
      expect(get(t, 'TcpRetransSegs')).toBe(52n);
      expect(get(t, 'UdpIgnoredMulti')).toBe(9264n);
    },
    'zperf-tcpmon-huge-counters-old-net-tools-wording.txt': (t) => {
      expect(get(t, 'TcpRetransSegs')).toBe(48107538n);
      expect(get(t, 'UdpRcvbufErrors')).toBe(68957158n);
      expect(get(t, 'TcpExtListenOverflows')).toBe(981n);
    },
  });
});

describe('conntrack', () => {
  eachRealWorld('conntrack', {
    'conntrack-C-small.txt': (t) => expect(parseSingleInteger(t)).toBe(9),
    'sysctl-n-nf_conntrack_max-262144.txt': (t) => expect(parseSingleInteger(t)).toBe(262144),
    'node-exporter-proc-sys-nf_conntrack_count.txt': (t) => expect(parseSingleInteger(t)).toBe(123),
    'node-exporter-proc-sys-nf_conntrack_max.txt': (t) => expect(parseSingleInteger(t)).toBe(65536),
    'conntrack-S-head1-invalid-and-drop-nonzero.txt': (t) => {
      const { value } = parseConntrackS(t);
      expect(value.get('invalid')).toBe(126n);
      expect(value.get('drop')).toBe(27n);
    },
    'conntrack-S-head2-clash_resolve-chaintoolong.txt': (t) => {
      const { value, skippedLines } = parseConntrackS(t);
      expect(skippedLines).toBe(0);
      expect(value.has('clash_resolve')).toBe(true);
      expect(value.has('chaintoolong')).toBe(true);
      expect(value.has('cpu')).toBe(false);
    },
    'conntrack-S-ubuntu-with-ignore-field-11cpus-author-truncated.txt': (t) => {
      const { value, skippedLines } = parseConntrackS(t);
      expect(skippedLines).toBe(0);
      expect(value.has('ignore')).toBe(true);
      expect(value.get('insert_failed')).toBe(0n);
    },
    'node-exporter-proc-net-stat-nf_conntrack.txt': (t) => {
      const { value, skippedLines } = parseConntrackStatTable(t);
      expect(skippedLines).toBe(0);
      expect(value.get('entries')).toBe(0x21n); // a gauge repeated per CPU: not summed
      expect(value.get('ignore')).toBe(0x588an + 0x56a4n + 0x58d4n + 0x5688n);
      expect(value.get('search_restart')).toBeGreaterThan(0n);
    },
  });

  it('reads the newer /proc header of this machine, entries as a gauge', () => {
    expect([...parseConntrackStatTable(readCaptured('proc-net-stat-nf_conntrack-kernel6.18.txt')).value.keys()]).toContain('clashres');
    const table = parseConntrackStatTable(readCaptured('proc-net-stat-nf_conntrack-netns-10-entries.txt'));
    expect(table.skippedLines).toBe(0);
    expect(table.value.get('entries')).toBe(10n); // two CPU rows, not summed
    expect(table.value.get('insert_failed')).toBe(0n);
  });

  it('refuses a table it does not recognise instead of inventing columns', () => {
    expect(parseConntrackStatTable('garbage here\n0001 0002\n').notes[0]).toMatch(/unrecognised/);
  });
});

describe('ethtool -S', () => {
  const agg = (t: string) => aggregateQueues(parseEthtoolStats(t).value);
  eachRealWorld('ethtool-S', {
    'bnx2-insights-core-partial.txt': (t) => expect(agg(t).get('rx_octets')?.total).toBeGreaterThan(0n),
    'bnxt_en-rhel8-4.18.0-448.txt': (t) => {
      expect(agg(t).get('[*]: rx_ucast_packets')).toEqual({ total: 276347403n, queues: 1 });
      expect(agg(t).get('rx_total_discard_pkts')?.total).toBe(13n);
    },
    'ena-aws-5.4.0-1084-aws-2queues.txt': (t) => {
      expect(agg(t).get('queue_*_tx_cnt')).toEqual({ total: 33539n + 32452n, queues: 2 });
      expect([...agg(t).keys()].some((k) => k.endsWith('allowance_exceeded'))).toBe(true);
    },
    'hv_netvsc-wsl2-5.10-author-elided.txt': (t) => {
      expect(agg(t).get('rx_queue_*_packets')).toEqual({ total: 207n + 188304n, queues: 2 });
      expect(parseEthtoolStats(t).skippedLines).toBe(2); // the publisher's "..."
    },
    'i40e-rhel8-4.18.0-348-old-queue-naming.txt': (t) => {
      expect(agg(t).get('tx-*.tx_packets')).toEqual({ total: 108004507162n + 104409629240n + 102429062151n + 101454785332n, queues: 4 });
      expect(agg(t).get('rx_crc_errors')?.total).toBe(201n);
    },
    'ice-rhel8-4.18.0-536.txt': (t) => {
      expect(agg(t).get('tx_queue_*_packets')?.queues).toBe(4);
      expect(agg(t).get('tx_errors.nic')?.total).toBe(5n);
    },
    'igb-insights-core.txt': (t) => expect(agg(t).get('tx_queue_*_packets')).toEqual({ total: 965449n, queues: 4 }),
    'igb-rhel8-4.18.0-269.txt': (t) => {
      expect(agg(t).get('tx_queue_*_packets')?.queues).toBe(8);
      expect(agg(t).get('rx_crc_errors')?.total).toBe(5n);
    },
    'ixgbe-82599-rx-errors-author-truncated.txt': (t) => {
      expect(agg(t).get('rx_crc_errors')?.total).toBe(67302n);
      expect(agg(t).get('fdir_miss')?.total).toBe(669277016191n);
    },
    'ixgbe-usrp-list-64queues-trimmed.txt': (t) => {
      expect(agg(t).get('tx_queue_*_packets')?.queues).toBe(4);
      expect(agg(t).get('fdir_miss')?.total).toBe(146646n);
    },
    'mlx5_core-kernel-5.15-xdp-nonzero-only.txt': (t) => {
      expect(agg(t).get('rx_xdp_drop')?.total).toBe(3753342954n);
      expect(agg(t).get('rx_discards_phy')?.total).toBe(58591428329n);
    },
    'virtio_net-2queues.txt': (t) => expect(agg(t).get('rx_queue_*_packets')).toEqual({ total: 901268n + 1237084n, queues: 2 }),
    'virtio_net-kernel-6.10-device-hw-stats-truncated-names.txt': (t) => {
      const stats = parseEthtoolStats(t).value;
      // a truncated name printed twice is kept twice, not merged or lost
      expect(stats.filter((s) => s.key.startsWith('tx_hw_packets_allowance_exceede'))).toHaveLength(2);
      expect(agg(t).get('rx_queue_hw_*_drops')?.total).toBe(1451n);
    },
    'vmxnet3-1queue.txt': (t) => {
      const a = agg(t);
      expect(a.get('Tx Queue#* / ucast pkts tx')?.total).toBe(7114n);
      expect(a.get('Rx Queue#* / ucast pkts rx')?.total).toBe(440n);
      expect(a.has('Tx Queue#* / drv dropped tx total / giant hdr')).toBe(true);
      expect(a.has('Tx Queue#* / giant hdr')).toBe(true);
    },
  });

  it('reads this machine: virtio_net totals beside rx0_ per-queue counters, and a veth', () => {
    const virtio = agg(readCaptured('ethtool-S-virtio_net-kernel6.18-totals-and-rx0.txt'));
    expect(virtio.get('rx*_kicks')?.queues).toBe(1);
    expect(virtio.has('rx_drops')).toBe(true);
    const veth = agg(readCaptured('ethtool-S-veth-kernel6.18.txt'));
    expect(veth.get('rx_queue_*_drops')).toEqual({ total: 0n, queues: 1 });
  });

  it('selects error-like counters by name', () => {
    expect(['rx_queue_*_drops', 'rx_crc_errors', 'fdir_miss', 'bw_in_allowance_exceeded', 'rx_fifo_errors', 'tx_timeout_count', 'rx_discards_phy'].every(isErrorCounter)).toBe(true);
    expect(['rx_packets', 'tx_bytes', 'rx_queue_*_xdp_packets'].some(isErrorCounter)).toBe(false);
    expect(queueKey('rx_posted_desc[3]')).toBe('rx_posted_desc[*]');
    expect(queueKey('tx_pb_0_pxon')).toBeUndefined();
  });
});

describe('ethtool -i', () => {
  const d = (t: string) => parseEthtoolInfo(t);
  eachRealWorld('ethtool-i', {
    'bnxt_en-rhel8.txt': (t) => expect(d(t)).toMatchObject({ driver: 'bnxt_en', firmware: '220.0.57.0/pkg 22.00.07.60' }),
    'bonding-insights-core.txt': (t) => expect(d(t)).toEqual({ driver: 'bonding', version: '3.6.0', firmware: '2' }),
    'e1000e-node-exporter.txt': (t) => expect(d(t)).toMatchObject({ driver: 'e1000e', busInfo: '0000:00:1f.6' }),
    'ena-2.13.2g-priv-flags-yes.txt': (t) => expect(d(t)).toMatchObject({ driver: 'ena', version: '2.13.2g' }),
    'ena-inbox-kernel-5.19.0-1025-aws.txt': (t) => expect(d(t)).toMatchObject({ driver: 'ena', version: '5.19.0-1025-aws' }),
    'hv_netvsc-wsl2-5.10.102.1.txt': (t) => expect(d(t)).toMatchObject({ driver: 'hv_netvsc', firmware: 'N/A' }),
    'i40e-rhel8-fw3.25.txt': (t) => expect(d(t).firmware).toMatch(/^3\.25 0x800009e7/),
    'i40e-rhel8-fw8.60.txt': (t) => expect(d(t).firmware).toBe('8.60 0x8000bd5d 1.3140.0'),
    'ice-rhel8.txt': (t) => expect(d(t)).toMatchObject({ driver: 'ice', busInfo: '0000:22:00.3' }),
    'igb-rhel8.txt': (t) => expect(d(t).firmware).toBe('1.67, 0x800010dd, 20.5.16'),
    'mlx5_core-cx6dx-ofed-version-5.0-0-fw22.29.txt': (t) => expect(d(t)).toMatchObject({ version: '5.0-0', firmware: '22.29.1016 (MT_0000000430)' }),
    'mlx5_core-fedora42-kernel-version-string.txt': (t) => expect(d(t).version).toBe('6.14.0-63.fc42.x86_64'),
    'mlx5_core-mlnx-ofed-24.10-hpe-fw.txt': (t) => expect(d(t)).toMatchObject({ version: '24.10-3.2.5', firmware: '14.32.1010 (HP_2420110034)' }),
    'veth-docker.txt': (t) => expect(d(t)).toEqual({ driver: 'veth', version: '1.0' }),
    'vif-xen-aws-no-expansion-rom-line.txt': (t) => expect(d(t)).toEqual({ driver: 'vif', busInfo: 'vif-0' }),
    'virtio_net-insights-core.txt': (t) => expect(d(t)).toMatchObject({ driver: 'virtio_net', busInfo: '0000:00:03.0' }),
    'vmxnet3-1.4.16.0-k-NAPI.txt': (t) => expect(d(t)).toMatchObject({ driver: 'vmxnet3', version: '1.4.16.0-k-NAPI' }),
  });

  it('reads this machine', () => {
    expect(parseEthtoolInfo(readCaptured('ethtool-i-virtio_net-kernel6.18.txt'))).toEqual({ driver: 'virtio_net', version: '1.0.0', busInfo: '0000:00:03.0' });
  });
});

describe('ip -d -s -s -j link', () => {
  it('reads every interface of this machine with its standard statistics', () => {
    const { value, skippedLines } = parseIpLinkJson(readCaptured('ip-d-s-s-j-link-kernel6.18.json'));
    expect(skippedLines).toBe(0);
    const eth0 = value.find((n) => n.name === 'eth0');
    expect(eth0).toMatchObject({ operstate: 'UP', physical: true, carrier: true, mtu: 1400 });
    expect(eth0?.stats.get('rx_missed_errors')).toBe(0n);
    expect(value.find((n) => n.name === 'ifb0')).toMatchObject({ kind: 'ifb', physical: false });
    expect(value.find((n) => n.name === 'lo')?.physical).toBe(false);
  });

  it('keeps 64-bit counters exact and says when the output is not JSON', () => {
    const big = parseIpLinkJson('[{"ifname":"x","operstate":"UP","stats64":{"rx":{"bytes":18446744073709551615}}}]');
    expect(big.value[0]?.stats.get('rx_bytes')).toBe(18446744073709551615n);
    expect(parseIpLinkJson('Object "link" is unknown').notes[0]).toMatch(/not JSON/);
  });
});

describe('/proc/net/dev', () => {
  it('reads every interface of this machine, exact columns by their statistics name', () => {
    const { value, skippedLines } = parseProcNetDev(readCaptured('proc-net-dev-kernel6.18.txt'));
    expect(skippedLines).toBe(0);
    expect([...value.keys()].sort()).toEqual(['eth0', 'ifb0', 'ifb1', 'lo']);
    const lo = value.get('lo')!;
    expect(lo.exact.get('rx_bytes')).toBe(lo.exact.get('tx_bytes'));
    expect([...lo.exact.keys()]).toEqual(['rx_bytes', 'rx_packets', 'rx_errors', 'rx_fifo_errors', 'rx_compressed', 'multicast', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped', 'tx_fifo_errors', 'collisions', 'tx_compressed']);
  });

  it('keeps the summed columns (drop, frame, carrier) out of the statistics but in the error signature', () => {
    const header = 'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n';
    const row = (drop: number) => `  eth0: 100 2 0 ${drop} 0 0 0 0 300 4 0 0 0 0 0 0\n`;
    const a = parseProcNetDev(header + row(0)).value.get('eth0')!;
    const b = parseProcNetDev(header + row(7)).value.get('eth0')!;
    expect(a.exact.has('rx_dropped')).toBe(false);
    expect(a.errorColumns).not.toBe(b.errorColumns);
    expect(parseProcNetDev(`${header}  eth1: 1 2 3\nnot a row\n`).skippedLines).toBe(2);
  });
});

describe('ip -j link with hostile names', () => {
  it('reads a document whose interface names hold raw control characters, and every other interface with it', () => {
    const doc = `[{"ifname":"lo","operstate":"UNKNOWN","mtu":65536,"flags":["LOOPBACK","UP","LOWER_UP"]},{"ifname":"\x1b]0;x\x07eth","operstate":"DOWN","flags":[]}]`;
    const parsed = parseIpLinkJson(doc);
    expect(parsed.notes).toEqual([]);
    expect(parsed.value.map((n) => n.name)).toEqual(['lo', '\x1b]0;x\x07eth']);
  });

  it('says so when the output is not JSON at all, instead of listing nothing', () => {
    const parsed = parseIpLinkJson('Error: something else entirely');
    expect(parsed.value).toEqual([]);
    expect(parsed.notes[0]).toMatch(/not JSON/);
  });
});

describe('ethtool -i with Windows line endings', () => {
  it('reads the same fields as with plain newlines', () => {
    const text = readCaptured('ethtool-i-virtio_net-kernel6.18.txt');
    expect(parseEthtoolInfo(text.replace(/\n/g, '\r\n'))).toEqual(parseEthtoolInfo(text));
    expect(parseEthtoolInfo(text.replace(/\n/g, '\r\n')).driver).toBe('virtio_net');
  });
});
