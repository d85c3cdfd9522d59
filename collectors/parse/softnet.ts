import { type Parsed, parsed } from '../types.js';

/** One CPU's row of /proc/net/softnet_stat. */
export interface SoftnetCpu {
  /** The CPU's number: the 13th column where the kernel prints it (5.10+), else the row's index (wrong with offline CPUs, the only way on older kernels). */
  cpu: number;
  /** Packets taken off this CPU's backlog and processed. */
  processed: number;
  /** Packets dropped because the backlog (netdev_max_backlog) was full. */
  dropped: number;
  /** Times net_rx_action ran out of budget (netdev_budget / netdev_budget_usecs) with work left. */
  timeSqueeze: number;
  /** Packets this CPU was handed by RPS (column 10). */
  receivedRps?: number;
  /** Packets the flow limit dropped (column 11, 3.11+). */
  flowLimit?: number;
  /** Packets waiting in the backlog now (column 12, 5.10+). */
  backlogLen?: number;
}

/**
 * /proc/net/softnet_stat: a row per online CPU, hexadecimal columns without a
 * header, their number grown with the kernel — 10 before 3.11 (flow_limit
 * came then), 11 until 5.10 (backlog length and the CPU number were added),
 * 13 until 6.x, 15 since (input and process queue lengths). Columns are read
 * by position; more than 15 are noted and the known ones still read.
 */
export function parseSoftnetStat(text: string): Parsed<SoftnetCpu[]> {
  const cpus: SoftnetCpu[] = [];
  const notes: string[] = [];
  let skipped = 0;
  let widest = 0;
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  rows.forEach((line, index) => {
    const words = line.trim().split(/\s+/);
    const values = words.map((w) => (/^[0-9a-fA-F]{1,16}$/.test(w) ? Number.parseInt(w, 16) : Number.NaN));
    if (values.length < 3 || values.some((v) => Number.isNaN(v))) {
      skipped++;
      return;
    }
    widest = Math.max(widest, values.length);
    const [processed = 0, dropped = 0, timeSqueeze = 0] = values;
    const cpu: SoftnetCpu = { cpu: values.length >= 13 ? (values[12] ?? index) : index, processed, dropped, timeSqueeze };
    if (values.length >= 10) cpu.receivedRps = values[9];
    if (values.length >= 11) cpu.flowLimit = values[10];
    if (values.length >= 12) cpu.backlogLen = values[11];
    cpus.push(cpu);
  });
  if (widest > 15) notes.push(`softnet_stat has ${widest} columns, more than the 15 this nettriage knows: the first ones read by position`);
  return parsed(cpus, skipped, notes);
}
