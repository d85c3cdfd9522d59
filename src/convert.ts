import { readFile } from 'node:fs/promises';
import { parseConntrackS, parseConntrackStatTable } from '../collectors/conntrack.js';
import { parseKernelCounters, parseNstat } from '../collectors/counters.js';
import { aggregateQueues, parseEthtoolInfo, parseEthtoolStats } from '../collectors/ethtool.js';
import { parseIpLinkJson } from '../collectors/nics.js';
import { parseNetstatS } from '../collectors/parse/netstatS.js';
import { parseProcNetTcp } from '../collectors/parse/procNetTcp.js';
import { parseSockstat } from '../collectors/parse/sockstat.js';
import { parseSsSockets } from '../collectors/parse/ssSockets.js';
import { countAllStates } from '../collectors/sockets.js';
import { jsonInteger } from './rates.js';

/**
 * `nettriage convert KIND [FILE]`: the parsers the dashboard uses, applied to
 * an output someone pasted into a ticket, printed as JSON with nstat's
 * counter names — so a `netstat -s` from last week and `--json` from now can
 * be compared by name.
 */
const CONVERTERS: Record<string, { help: string; run: (text: string) => unknown }> = {
  ss: {
    help: 'ss -tan[p] socket lines: count per state, and the sockets',
    run: (t) => {
      const p = parseSsSockets(t);
      return { states: countAllStates(p.value), sockets: p.value, skippedLines: p.skippedLines };
    },
  },
  'proc-net-tcp': {
    help: '/proc/net/tcp or tcp6: count per state',
    run: (t) => {
      const p = parseProcNetTcp(t);
      return { states: countAllStates(p.value), skippedLines: p.skippedLines };
    },
  },
  sockstat: { help: '/proc/net/sockstat or sockstat6', run: (t) => parseSockstat(t) },
  'proc-net': { help: '/proc/net/snmp, netstat or snmp6 (or all three)', run: (t) => counters(parseKernelCounters(t)) },
  nstat: { help: 'nstat text or --json output', run: (t) => counters(parseNstat(t)) },
  'netstat-s': { help: 'netstat -s (net-tools), mapped to nstat names', run: (t) => counters(parseNetstatS(t)) },
  'conntrack-S': { help: 'conntrack -S, summed over CPUs', run: (t) => counters(parseConntrackS(t)) },
  'nf_conntrack': { help: '/proc/net/stat/nf_conntrack, summed over CPUs', run: (t) => counters(parseConntrackStatTable(t)) },
  'ethtool-S': {
    help: 'ethtool -S, per-queue counters summed',
    run: (t) => {
      const p = parseEthtoolStats(t);
      const totals = Object.fromEntries([...aggregateQueues(p.value)].map(([k, c]) => [k, { value: jsonInteger(c.total), queues: c.queues }]));
      return { counters: totals, skippedLines: p.skippedLines };
    },
  },
  'ethtool-i': { help: 'ethtool -i driver information', run: (t) => parseEthtoolInfo(t) },
  'ip-link': {
    help: 'ip -s -s -j link show',
    run: (t) => {
      const p = parseIpLinkJson(t);
      return {
        interfaces: p.value.map((n) => ({ ...n, stats: Object.fromEntries([...n.stats].map(([k, v]) => [k, jsonInteger(v)])) })),
        skippedLines: p.skippedLines,
        notes: p.notes,
      };
    },
  },
};

function counters(p: { value: Map<string, bigint>; skippedLines: number; notes: string[] }) {
  return { counters: Object.fromEntries([...p.value].map(([k, v]) => [k, jsonInteger(v)])), skippedLines: p.skippedLines, notes: p.notes };
}

export const CONVERT_HELP = `Usage: nettriage convert KIND [FILE]   (FILE or standard input)

Reads a captured command output and prints it as JSON, counters under
nstat's names. KIND is one of:
${Object.entries(CONVERTERS)
  .map(([k, c]) => `  ${k.padEnd(14)} ${c.help}`)
  .join('\n')}`;

export async function runConvert(kind: string | undefined, file: string | undefined): Promise<number> {
  const converter = kind === undefined ? undefined : CONVERTERS[kind];
  if (!converter) {
    process.stderr.write(`${kind === undefined ? '' : `nettriage convert: unknown kind "${kind}"\n`}${CONVERT_HELP}\n`);
    return 2;
  }
  let text: string;
  try {
    text = file === undefined || file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(`nettriage convert: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  // Outputs pasted into tickets often come with Windows line endings.
  process.stdout.write(`${JSON.stringify(converter.run(text.replace(/\r\n?/g, '\n')), null, 2)}\n`);
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
