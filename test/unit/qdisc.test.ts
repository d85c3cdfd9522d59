import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTcQdiscJson, qdiscKey } from '../../collectors/parse/qdisc.js';
import { createQdiscsCollector, qdiscCounterKey } from '../../collectors/qdiscs.js';

const captured = (name: string) => readFileSync(new URL(`../fixtures/captured/${name}`, import.meta.url), 'utf8');

/**
 * An mq root with fq_codel children as iproute2 prints them for every device
 * (the shape of a multi-queue NIC: every child's handle is 0:, its parent
 * names the queue; `show dev X` would leave `dev` out, so nettriage never
 * asks per device).
 */
const MQ_FQ_CODEL = JSON.stringify([
  { kind: 'mq', handle: '0:', dev: 'eth0', root: true, options: {}, bytes: 9000, packets: 90, drops: 7, overlimits: 0, requeues: 1, backlog: 0, qlen: 0 },
  ...[1, 2].map((q) => ({
    kind: 'fq_codel',
    handle: '0:',
    dev: 'eth0',
    parent: `7fff:${q}`,
    options: { limit: 10240, flows: 1024, quantum: 1514, target: 4999, interval: 99999, memory_limit: 33554432, ecn: true, drop_batch: 64 },
    bytes: 4500,
    packets: 45,
    drops: q === 2 ? 7 : 0,
    overlimits: 0,
    requeues: 0,
    backlog: q === 2 ? 3028 : 0,
    qlen: q === 2 ? 2 : 0,
    maxpacket: 1514,
    drop_overlimit: q === 2 ? 7 : 0,
    new_flow_count: 3,
    ecn_mark: 0,
    new_flows_len: 0,
    old_flows_len: 1,
  })),
]);

describe('tc -s -j qdisc', () => {
  it('reads roots and children of a captured htb tree', () => {
    const { value, skippedLines } = parseTcQdiscJson(captured('tc-s-j-qdisc-htb-kernel6.18.json'));
    expect(skippedLines).toBe(0);
    expect(value.map((q) => qdiscKey(q))).toEqual(['vb root 0: noqueue', 'va root 1: htb']);
    expect(value[1]).toMatchObject({ bytes: 90, packets: 1, drops: 0, backlogBytes: 0, backlogPackets: 0 });
  });

  it('tells mq children apart by parent, with their backlog in bytes and packets', () => {
    const { value } = parseTcQdiscJson(MQ_FQ_CODEL);
    expect(value.map((q) => qdiscKey(q))).toEqual(['eth0 root 0: mq', 'eth0 parent 7fff:1 0: fq_codel', 'eth0 parent 7fff:2 0: fq_codel']);
    expect(value[2]).toMatchObject({ drops: 7, backlogBytes: 3028, backlogPackets: 2 });
    const counters = createQdiscsCollector().counters?.({ qdiscs: value });
    expect(counters?.get(qdiscCounterKey(value[2]!, 'drops'))).toBe(7n);
    expect(counters?.get(qdiscCounterKey(value[1]!, 'drops'))).toBe(0n);
  });

  it('skips entries it cannot read and refuses what is not JSON, without throwing', () => {
    const odd = parseTcQdiscJson(JSON.stringify([{ kind: 'pfifo', dev: 'x', bytes: 'many' }, null, { dev: 'y', kind: 'pfifo', handle: '1:', root: true, bytes: 1, packets: 1, drops: 0, overlimits: 0, requeues: 0 }]));
    expect(odd.value.map((q) => q.dev)).toEqual(['y']);
    expect(odd.skippedLines).toBe(2);
    expect(parseTcQdiscJson('Error: Cannot find device').notes).toEqual(['tc -j qdisc output is not JSON']);
    expect(parseTcQdiscJson('').value).toEqual([]);
  });
});
