import { endianness } from 'node:os';
import { type Endpoint } from '../../src/endpoint.js';
import { KERNEL_STATE } from '../../src/tcpState.js';
import { type Parsed, parsed } from '../types.js';
import type { SocketEntry, SocketTimer } from './ssSockets.js';

const TIMER_NAMES: Record<number, string> = { 1: 'on', 2: 'keepalive', 3: 'timewait', 4: 'persist' };
/** /proc/net/tcp prints timer expiry in clock ticks (USER_HZ, 100 on every Linux ABI). */
const MS_PER_CLOCK_TICK = 10;

/**
 * Parses /proc/net/tcp or /proc/net/tcp6. This lists every socket of the
 * namespace (its cost grows with all sockets, unlike a state-filtered ss
 * dump), so it is the fallback when ss is missing and the source when /proc
 * is a fixture tree.
 */
export function parseProcNetTcp(text: string, littleEndian = endianness() === 'LE'): Parsed<SocketEntry[]> {
  const entries: SocketEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('sl ')) continue;
    const f = trimmed.split(/\s+/);
    const [local, peer, st, queues, timer] = [f[1], f[2], f[3], f[4], f[5]];
    const state = st !== undefined && /^[0-9A-Fa-f]{2}$/.test(st) ? KERNEL_STATE[parseInt(st, 16)] : undefined;
    const localEp = local ? parseHexEndpoint(local, littleEndian) : undefined;
    const peerEp = peer ? parseHexEndpoint(peer, littleEndian) : undefined;
    const q = queues ? /^([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/.exec(queues) : null;
    const t = timer ? /^([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/.exec(timer) : null;
    if (!state || !localEp || !peerEp || !q || !t) {
      skipped++;
      continue;
    }
    const entry: SocketEntry = {
      state,
      sendQ: parseInt(q[1] ?? '0', 16),
      recvQ: parseInt(q[2] ?? '0', 16),
      local: localEp,
      peer: peerEp,
      owners: [],
    };
    const timerName = TIMER_NAMES[parseInt(t[1] ?? '0', 16)];
    if (timerName) {
      const socketTimer: SocketTimer = {
        name: timerName,
        expiresMs: parseInt(t[2] ?? '0', 16) * MS_PER_CLOCK_TICK,
        retransmits: Number(f[6] ?? 0) || 0,
      };
      entry.timer = socketTimer;
    }
    entries.push(entry);
  }
  return parsed(entries, skipped);
}

function parseHexEndpoint(text: string, littleEndian: boolean): Endpoint | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const words = m[1].match(/.{8}/g) ?? [];
  const bytes: number[] = [];
  for (const word of words) {
    const wordBytes = (word.match(/../g) ?? []).map((b) => parseInt(b, 16));
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes));
  }
  return { address: bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes), port: String(parseInt(m[2], 16)) };
}

/** RFC 5952 text form, with `::ffff:a.b.c.d` for v4-mapped addresses as ss prints them. */
export function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * The remote ports of /proc/net/udp{,6} sockets that have one (a resolver's
 * socket is connect()ed to its nameserver): `sl local_address rem_address`,
 * the port after the colon in hex; 0 (unconnected) left out.
 */
export function parseProcNetUdpPeers(text: string): number[] {
  const ports: number[] = [];
  for (const line of text.split('\n')) {
    const remote = line.trim().split(/\s+/)[2];
    const hex = remote?.split(':')[1];
    if (hex === undefined || !/^[0-9A-Fa-f]{4}$/.test(hex)) continue;
    const port = Number.parseInt(hex, 16);
    if (port !== 0) ports.push(port);
  }
  return ports;
}
