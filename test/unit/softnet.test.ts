import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSoftnetStat } from '../../collectors/parse/softnet.js';
import { createSoftnetCollector, softnetCounterKey } from '../../collectors/softnet.js';

/** Rows as each kernel generation prints them (net/core/net-procfs.c, softnet_seq_show). */
const GENERATIONS = {
  // 3.10: processed, dropped, time_squeeze, five zeros (was fastroute), cpu_collision, received_rps.
  '3.10 (10 columns)': ['0000a1b2 00000003 0000000c 00000000 00000000 00000000 00000000 00000000 00000000 00000010', '00000100 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000'],
  // 3.11 to 5.9: flow_limit_count added.
  '4.19 (11 columns)': ['0000a1b2 00000003 0000000c 00000000 00000000 00000000 00000000 00000000 00000000 00000010 00000002'],
  // 5.10 to 6.x: backlog length and the CPU's number; CPU 1 offline, so the second row is CPU 2.
  '5.15 (13 columns, CPU 1 offline)': [
    '0000a1b2 00000003 0000000c 00000000 00000000 00000000 00000000 00000000 00000000 00000010 00000002 00000005 00000000',
    '00000100 00000007 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002',
  ],
  // 6.x: input_qlen and process_qlen at the end.
  '6.18 (15 columns)': ['00a05839 0000037f 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000'],
};

describe('softnet_stat', () => {
  it('reads every kernel generation by position', () => {
    const old = parseSoftnetStat(GENERATIONS['3.10 (10 columns)'].join('\n'));
    expect(old.value).toEqual([
      { cpu: 0, processed: 0xa1b2, dropped: 3, timeSqueeze: 12, receivedRps: 16 },
      { cpu: 1, processed: 0x100, dropped: 0, timeSqueeze: 1, receivedRps: 0 },
    ]);
    expect(parseSoftnetStat(GENERATIONS['4.19 (11 columns)'].join('\n')).value).toEqual([{ cpu: 0, processed: 0xa1b2, dropped: 3, timeSqueeze: 12, receivedRps: 16, flowLimit: 2 }]);
    const offline = parseSoftnetStat(GENERATIONS['5.15 (13 columns, CPU 1 offline)'].join('\n')).value;
    expect(offline.map((c) => c.cpu)).toEqual([0, 2]);
    expect(offline[0]).toMatchObject({ backlogLen: 5, flowLimit: 2 });
    expect(parseSoftnetStat(GENERATIONS['6.18 (15 columns)'].join('\n')).value).toEqual([{ cpu: 0, processed: 0xa05839, dropped: 0x37f, timeSqueeze: 1, receivedRps: 0, flowLimit: 0, backlogLen: 0 }]);
  });

  it('notes a wider future layout, and skips lines it cannot read', () => {
    const wide = parseSoftnetStat(`${GENERATIONS['6.18 (15 columns)'][0]} 00000001 00000002\nnot hex at all\n00000001\n`);
    expect(wide.value).toHaveLength(1);
    expect(wide.value[0]?.dropped).toBe(0x37f);
    expect(wide.skippedLines).toBe(2);
    expect(wide.notes[0]).toMatch(/17 columns, more than the 15/);
  });

  it('gives the store a counter per CPU and one for all of them', () => {
    const sample = { cpus: parseSoftnetStat(GENERATIONS['5.15 (13 columns, CPU 1 offline)'].join('\n')).value };
    const counters = createSoftnetCollector().counters?.(sample);
    expect(counters?.get(softnetCounterKey(2, 'dropped'))).toBe(7n);
    expect(counters?.get(softnetCounterKey('all', 'dropped'))).toBe(10n);
    expect(counters?.get(softnetCounterKey('all', 'timeSqueeze'))).toBe(13n);
  });

  it.runIf(process.platform === 'linux')("reads this machine's file: a row per online CPU", () => {
    const rows = parseSoftnetStat(readFileSync('/proc/net/softnet_stat', 'utf8'));
    expect(rows.skippedLines).toBe(0);
    expect(rows.value.length).toBe(cpus().length);
    expect(rows.value.every((c) => c.processed >= 0 && c.dropped >= 0)).toBe(true);
  });
});
