import { endpointText } from '../../src/endpoint.js';
import { type Parsed, parsed } from '../types.js';

/** One connect() as the `sock:inet_sock_set_state` tracepoint saw it enter SYN-SENT. */
export interface ConnectEvent {
  /** The task that called connect(): a thread id (the process's own for a single-threaded one). */
  tid: number;
  /** Its name as the trace printed it: untrusted text. */
  comm: string;
  /** `addr:port` as ss prints a peer, IPv6 in brackets. */
  peer: string;
}

/** TCP_SYN_SENT in the kernel's `enum tcp_states`, stable since Linux 2.x. */
export const TCP_SYN_SENT = 2;

/**
 * The tracepoint filter that keeps only connect()s toward these ports: the
 * kernel drops every other state change before it reaches the ring.
 */
export function connectFilter(ports: number[]): string {
  const uniq = [...new Set(ports)].sort((a, b) => a - b);
  return `newstate == ${TCP_SYN_SENT} && (${uniq.map((p) => `dport == ${p}`).join(' || ')})`;
}

// `<comm>-<tid> [cpu] flags timestamp: inet_sock_set_state: family=… dport=… daddr=… daddrv6=… newstate=TCP_SYN_SENT`.
// The comm may hold spaces and dashes: the tid is the last `-digits` before the CPU column.
const LINE = /^\s*(.*)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[\d+\]\s+\S+\s+[\d.]+: inet_sock_set_state: (.*)$/;

/**
 * Lines of an instance's `trace` file for `sock:inet_sock_set_state`: the
 * transitions into SYN-SENT, each with the task that made it (connect()
 * runs in the caller's context, so the trace header is that process).
 * Comment lines are the header; a line of another shape, or another
 * transition, is counted as skipped.
 */
export function parseConnectTrace(text: string): Parsed<ConnectEvent[]> {
  const events: ConnectEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    const fields = m?.[3] === undefined ? undefined : Object.fromEntries([...m[3].matchAll(/(\w+)=(\S+)/g)].map((f) => [f[1], f[2]]));
    if (!m || !fields || fields.newstate !== 'TCP_SYN_SENT' || fields.dport === undefined) {
      skipped++;
      continue;
    }
    const address = fields.family === 'AF_INET6' ? fields.daddrv6 : fields.daddr;
    if (address === undefined) {
      skipped++;
      continue;
    }
    events.push({ tid: Number(m[2]), comm: m[1]?.trim() ?? '', peer: endpointText({ address, port: fields.dport }) });
  }
  return parsed(events, skipped);
}
