import { describe, expect, it } from 'vitest';
import { parseProcStat, parseStatusRssBytes, parseUptimeSec } from '../../src/drilldown/processInfo.js';
import { ProcessCpu } from '../../src/processCpu.js';

// A stat line whose command name holds spaces and a ')' — the name a process can give itself.
const stat = (cpu: number, start: number) =>
  `4213 (evil) (x y) S 1 4213 4213 0 -1 4194560 2047 0 0 0 ${cpu - 40} 40 7 3 20 0 1 0 ${start} 12345678 2300 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

describe('process CPU from /proc/PID/stat', () => {
  it('reads the fields after the last parenthesis', () => {
    expect(parseProcStat(stat(250, 9000))).toEqual({ cpuTicks: 250, childCpuTicks: 10, startTicks: 9000, ppid: 1 });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x) S')).toBeUndefined();
  });

  it('gives the share of a core between two looks, the lifetime average on the first', () => {
    const cpu = new ProcessCpu();
    // Started at 90 s after boot, now 190 s: 250 ticks = 2.5 s in 100 s.
    expect(cpu.percent(4213, parseProcStat(stat(250, 9000))!, 1_000, 190)).toBeCloseTo(2.5);
    // 50 more ticks (0.5 s) in 2 s: 25% of a core.
    expect(cpu.percent(4213, parseProcStat(stat(300, 9000))!, 3_000)).toBeCloseTo(25);
  });

  it('starts over when the PID names another process', () => {
    const cpu = new ProcessCpu();
    cpu.percent(4213, parseProcStat(stat(5000, 9000))!, 1_000);
    // Same PID, later start time: no rate against the old process's ticks.
    expect(cpu.percent(4213, parseProcStat(stat(10, 50_000))!, 2_000)).toBeUndefined();
    expect(cpu.percent(4213, parseProcStat(stat(30, 50_000))!, 3_000)).toBeCloseTo(20);
  });

  it('forgets processes that are no longer looked at', () => {
    const cpu = new ProcessCpu();
    cpu.percent(1, parseProcStat(stat(100, 1))!, 1_000);
    cpu.percent(2, parseProcStat(stat(100, 1))!, 1_000);
    cpu.retain(new Set([2]));
    expect(cpu.percent(1, parseProcStat(stat(200, 1))!, 2_000)).toBeUndefined();
    expect(cpu.percent(2, parseProcStat(stat(200, 1))!, 2_000)).toBeCloseTo(100);
  });

  it('reads RSS from status and the uptime', () => {
    expect(parseStatusRssBytes('Name:\tnode\nVmRSS:\t   51200 kB\nThreads:\t7\n')).toBe(51200 * 1024);
    expect(parseStatusRssBytes('Name:\tkthreadd\n')).toBeUndefined();
    expect(parseUptimeSec('12345.67 24000.00\n')).toBeCloseTo(12345.67);
  });
});
