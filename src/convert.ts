import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseConntrackS, parseConntrackStatTable } from '../collectors/conntrack.js';
import { parseKernelCounters, parseNstat } from '../collectors/counters.js';
import { aggregateQueues, parseEthtoolInfo, parseEthtoolStats } from '../collectors/ethtool.js';
import { parseIpLinkJson } from '../collectors/nics.js';
import { parseNetstatS } from '../collectors/parse/netstatS.js';
import { parseProcNetTcp } from '../collectors/parse/procNetTcp.js';
import { parseSockstat } from '../collectors/parse/sockstat.js';
import { parseSsSummary } from '../collectors/parse/ssSummary.js';
import { parseSsSockets } from '../collectors/parse/ssSockets.js';
import type { SocketEntry } from '../collectors/parse/ssSockets.js';
import { jsonInteger } from './rates.js';
import { zeroStateCounts } from './tcpState.js';

/**
 * `nettriage convert KIND [FILE]`: the parsers the dashboard uses, applied to
 * an output someone pasted into a ticket, printed as JSON with nstat's
 * counter names — so a `netstat -s` from last week and `--json` from now can
 * be compared by name. Input in which nothing of KIND can be read is an
 * error, never a page of zeros.
 */

/** What a whole-text converter made of its input: the JSON to print, and how many records it read. */
interface Converted {
  value: unknown;
  read: number;
}

interface WholeConverter {
  help: string;
  run(text: string): Converted;
}

/** A converter that reads line by line and writes as it goes: socket dumps can be hundreds of megabytes. */
interface LineConverter {
  help: string;
  parseLine(line: string): SocketEntry | 'skip' | 'blank';
}

/** Whole-text kinds read at most this much: beyond it, a counter file is not a counter file. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

const counters = (p: { value: Map<string, bigint>; skippedLines: number; notes: string[] }): Converted => ({
  value: { counters: Object.fromEntries([...p.value].map(([k, v]) => [k, jsonInteger(v)])), skippedLines: p.skippedLines, notes: p.notes },
  read: p.value.size,
});

const WHOLE: Record<string, WholeConverter> = {
  'ss-s': {
    help: 'ss -s summary (old and new formats)',
    run: (t) => {
      const p = parseSsSummary(t);
      return { value: { ...p.value, skippedLines: p.skippedLines }, read: p.value ? 1 : 0 };
    },
  },
  sockstat: {
    help: '/proc/net/sockstat or sockstat6',
    run: (t) => {
      const p = parseSockstat(t);
      return { value: p, read: Object.keys(p.value).length };
    },
  },
  'proc-net': { help: '/proc/net/snmp, netstat or snmp6 (or all three)', run: (t) => counters(parseKernelCounters(t)) },
  nstat: { help: 'nstat text or --json output', run: (t) => counters(parseNstat(t)) },
  'netstat-s': { help: 'netstat -s (net-tools), mapped to nstat names', run: (t) => counters(parseNetstatS(t)) },
  'conntrack-S': { help: 'conntrack -S, summed over CPUs', run: (t) => counters(parseConntrackS(t)) },
  nf_conntrack: { help: '/proc/net/stat/nf_conntrack, summed over CPUs', run: (t) => counters(parseConntrackStatTable(t)) },
  'ethtool-S': {
    help: 'ethtool -S, per-queue counters summed',
    run: (t) => {
      const p = parseEthtoolStats(t);
      const totals = Object.fromEntries([...aggregateQueues(p.value)].map(([k, c]) => [k, { value: jsonInteger(c.total), queues: c.queues }]));
      return { value: { counters: totals, skippedLines: p.skippedLines, notes: p.notes }, read: p.value.length };
    },
  },
  'ethtool-i': {
    help: 'ethtool -i driver information',
    run: (t) => {
      const info = parseEthtoolInfo(t);
      return { value: info, read: Object.keys(info).length };
    },
  },
  'ip-link': {
    help: 'ip -s -s -j link show',
    run: (t) => {
      const p = parseIpLinkJson(t);
      return {
        value: {
          interfaces: p.value.map((n) => ({ ...n, stats: Object.fromEntries([...n.stats].map(([k, v]) => [k, jsonInteger(v)])) })),
          skippedLines: p.skippedLines,
          notes: p.notes,
        },
        read: p.value.length,
      };
    },
  },
};

const socketLine = (parse: (text: string) => { value: SocketEntry[]; skippedLines: number }) => (line: string): SocketEntry | 'skip' | 'blank' => {
  if (line.trim() === '') return 'blank';
  const p = parse(line);
  return p.value[0] ?? (p.skippedLines > 0 ? 'skip' : 'blank');
};

const LINES: Record<string, LineConverter> = {
  ss: { help: 'ss -tan[p] socket lines: count per state, and the sockets', parseLine: socketLine(parseSsSockets) },
  'proc-net-tcp': { help: '/proc/net/tcp or tcp6: count per state, and the sockets', parseLine: socketLine(parseProcNetTcp) },
};

/** Every kind `convert` knows. */
export const CONVERT_KINDS = [...Object.keys(LINES), ...Object.keys(WHOLE)];

/**
 * One kind applied to a text, as `convert` does it: the JSON and how many
 * records were read (0: the text is not that kind). Socket kinds read line
 * by line, here over a text in memory.
 */
export function convertText(kind: string, text: string): Converted {
  const lines = LINES[kind];
  if (lines) {
    const sockets: SocketEntry[] = [];
    let skippedLines = 0;
    for (const line of text.split('\n')) {
      const s = lines.parseLine(line.replace(/\r$/, ''));
      if (s === 'skip') skippedLines++;
      else if (s !== 'blank') sockets.push(s);
    }
    return { value: { sockets, skippedLines }, read: sockets.length };
  }
  const whole = WHOLE[kind];
  if (!whole) throw new Error(`unknown kind ${kind}`);
  return whole.run(text.replace(/\r\n?/g, '\n'));
}

export const CONVERT_HELP = `Usage: nettriage convert KIND [FILE]   (FILE or standard input)

Reads a captured command output and prints it as JSON, counters under
nstat's names. KIND is one of:
${[...Object.entries(LINES), ...Object.entries(WHOLE)]
  .map(([k, c]) => `  ${k.padEnd(14)} ${c.help}`)
  .join('\n')}`;

class ConvertError extends Error {}

/** `ss` given an `ss -s`, and such: the kind the text looks like, to say so. */
function looksLike(text: string): string | undefined {
  if (/^Total:\s+\d+/m.test(text) && /^TCP:\s+\d+\s+\(/m.test(text)) return 'ss-s';
  if (/^\s*sl\s+local_address\s+rem_address/m.test(text)) return 'proc-net-tcp';
  if (/^(State|Netid)\s+Recv-Q\s+Send-Q/m.test(text)) return 'ss';
  if (/^(Tcp|Ip|Udp):\s+\w+/m.test(text)) return 'proc-net';
  if (/^NIC statistics:/m.test(text)) return 'ethtool-S';
  return undefined;
}

function notKind(kind: string, help: string, sample: string): ConvertError {
  const guess = looksLike(sample);
  const hint = guess && guess !== kind ? ` — it looks like ${guess}: nettriage convert ${guess}` : '';
  return new ConvertError(`this is not ${kind} output (${help}): nothing in it could be read${hint}`);
}

function open(file: string | undefined): Readable {
  return file === undefined || file === '-' ? process.stdin : createReadStream(file);
}

/** Reads the whole input, refusing more than MAX_TEXT_BYTES instead of running out of memory. */
async function readBounded(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== '-') {
    const info = await stat(file);
    if (!info.isFile()) throw new ConvertError(`${file} is not a regular file`);
    if (info.size > MAX_TEXT_BYTES) throw new ConvertError(`${file} is ${Math.round(info.size / 1048576)} MiB: more than this kind is ever read (${MAX_TEXT_BYTES / 1048576} MiB)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of open(file)) {
    size += (chunk as Buffer).length;
    if (size > MAX_TEXT_BYTES) throw new ConvertError(`input larger than ${MAX_TEXT_BYTES / 1048576} MiB: not this kind of output`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes to stdout, waiting when it is full: a 200 MB dump converts in constant memory. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

async function convertLines(kind: string, converter: LineConverter, file: string | undefined): Promise<void> {
  if (file !== undefined && file !== '-' && !(await stat(file)).isFile()) throw new ConvertError(`${file} is not a regular file`);
  const states = zeroStateCounts();
  let read = 0;
  let skippedLines = 0;
  let sample = '';
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: open(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (sample.length < 4096) sample += `${line}\n`;
    const socket = converter.parseLine(line);
    if (socket === 'blank') continue;
    if (socket === 'skip') {
      skippedLines++;
      continue;
    }
    if (socket.state) states[socket.state]++;
    await write(`${read === 0 ? '{\n  "sockets": [\n' : ',\n'}${indent(JSON.stringify(socket, null, 2), 4)}`);
    read++;
  }
  if (read === 0) throw notKind(kind, converter.help, sample);
  await write(`\n  ],\n  "states": ${indent(JSON.stringify(states, null, 2), 2).trimStart()},\n  "skippedLines": ${skippedLines}\n}\n`);
}

const indent = (text: string, spaces: number): string => text.replace(/^/gm, ' '.repeat(spaces));

export async function runConvert(kind: string | undefined, file: string | undefined): Promise<number> {
  const lines = kind === undefined ? undefined : LINES[kind];
  const whole = kind === undefined ? undefined : WHOLE[kind];
  if (kind === undefined || (!lines && !whole)) {
    process.stderr.write(`${kind === undefined ? '' : `nettriage convert: unknown kind "${kind}"\n`}${CONVERT_HELP}\n`);
    return 2;
  }
  try {
    if (lines) {
      await convertLines(kind, lines, file);
      return 0;
    }
    // Outputs pasted into tickets often come with Windows line endings.
    const text = await readBounded(file);
    const converted = convertText(kind, text);
    if (converted.read === 0) throw notKind(kind, (whole as WholeConverter).help, text.slice(0, 4096));
    await write(`${JSON.stringify(converted.value, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConvertError) {
      process.stderr.write(`nettriage convert: ${error.message}\n`);
      return 1;
    }
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
      process.stderr.write(`nettriage convert: cannot read ${file}: ${e.message}\n`);
      return 2;
    }
    throw error;
  }
}
