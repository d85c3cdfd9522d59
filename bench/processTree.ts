import { readFileSync, readdirSync } from 'node:fs';
import { parseProcStat, parseStatusRssBytes } from '../src/drilldown/processInfo.js';
import { USER_HZ } from '../src/processCpu.js';

/** A process and every live descendant, found by parent pid in /proc. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (!stat) continue;
      const list = children.get(stat.ppid) ?? [];
      list.push(Number(entry));
      children.set(stat.ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

export interface TreeCpu {
  /** CPU seconds of the process itself. */
  selfSec: number;
  /** CPU seconds of its children: those it reaped, and the live ones with theirs. */
  childrenSec: number;
}

/**
 * What a process tree has cost so far. A child that exits between two reads
 * moves from "live" into the parent's cutime/cstime once reaped, so the sum
 * stays monotonic across the children's lives.
 */
export function treeCpu(rootPid: number): TreeCpu {
  let selfTicks = 0;
  let childTicks = 0;
  for (const pid of processTree(rootPid)) {
    let stat;
    try {
      stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      continue;
    }
    if (!stat) continue;
    if (pid === rootPid) {
      selfTicks += stat.cpuTicks;
      childTicks += stat.childCpuTicks;
    } else childTicks += stat.cpuTicks + stat.childCpuTicks;
  }
  return { selfSec: selfTicks / USER_HZ, childrenSec: childTicks / USER_HZ };
}

/** Resident memory of the whole tree. */
export function treeRssBytes(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      total += parseStatusRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8')) ?? 0;
    } catch {
      // exited
    }
  }
  return total;
}

/** CPU seconds of this process's reaped children: what a child that ran to completion cost. */
export function reapedChildrenSec(): number {
  return (parseProcStat(readFileSync('/proc/self/stat', 'utf8'))?.childCpuTicks ?? 0) / USER_HZ;
}
