import { type Endpoint, parseEndpoint } from '../../src/endpoint.js';
import { type TcpState, isTcpState } from '../../src/tcpState.js';
import { type Parsed, parsed } from '../types.js';

export interface SocketOwner {
  /** The command name as ss printed it: untrusted, may contain anything. */
  name: string;
  pid: number;
  fd: number;
}

export interface SocketTimer {
  name: string; // on, keepalive, timewait, persist, delack
  /** Milliseconds until the timer fires; undefined when ss printed nothing. */
  expiresMs?: number;
  retransmits: number;
}

export interface SocketEntry {
  netid?: string;
  /** Undefined for a non-TCP state (UNCONN) or when a single-state filter removed the column. */
  state?: TcpState;
  rawState?: string;
  recvQ: number;
  sendQ: number;
  local: Endpoint;
  peer: Endpoint;
  timer?: SocketTimer;
  owners: SocketOwner[];
}

const HEADER = /^\s*(Netid|State|Recv-Q)\s/;
const NON_TCP_STATES = new Set(['UNCONN', 'UNKNOWN', 'NEW-SYN-RECV', 'BOUND']);

/**
 * Parses the socket lines of `ss -tan[o][p][H]` and friends: with or without
 * header, Netid or State column, IPv6 bracketed (iproute2 >= 4.13) or not,
 * scoped addresses, users in the old `("x",1,2)` and new `("x",pid=1,fd=2)`
 * forms, continuation lines of -i/-m (TAB first), blank lines between captures.
 */
export function parseSsSockets(text: string, impliedState?: TcpState): Parsed<SocketEntry[]> {
  const entries: SocketEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || HEADER.test(line) || line.startsWith('\t')) continue;
    const entry = parseSocketLine(line, impliedState);
    if (entry) entries.push(entry);
    else skipped++;
  }
  return parsed(entries, skipped);
}

const TOKEN = /\S+/g;

export function parseSocketLine(line: string, impliedState?: TcpState): SocketEntry | undefined {
  const tokens: { text: string; end: number }[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m && tokens.length < 7; m = TOKEN.exec(line)) {
    tokens.push({ text: m[0], end: m.index + m[0].length });
  }
  let i = 0;
  let netid: string | undefined;
  let rawState: string | undefined;
  const first = tokens[0]?.text ?? '';
  if (!isCount(first) && !isStateWord(first)) {
    netid = first;
    i++;
  }
  const maybeState = tokens[i]?.text ?? '';
  if (isStateWord(maybeState)) {
    rawState = maybeState;
    i++;
  }
  const [recvQ, sendQ, local, peer] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
  if (!recvQ || !sendQ || !local || !peer) return undefined;
  if (!isCount(recvQ.text) || !isCount(sendQ.text)) return undefined;
  const localEp = parseEndpoint(local.text);
  const peerEp = parseEndpoint(peer.text);
  if (!localEp || !peerEp) return undefined;
  const rest = line.slice(peer.end);
  let state: TcpState | undefined;
  if (rawState !== undefined) {
    if (isTcpState(rawState)) state = rawState;
  } else {
    state = impliedState;
  }
  const entry: SocketEntry = {
    state,
    recvQ: Number(recvQ.text),
    sendQ: Number(sendQ.text),
    local: localEp,
    peer: peerEp,
    owners: parseOwners(rest),
  };
  if (netid !== undefined) entry.netid = netid;
  if (rawState !== undefined) entry.rawState = rawState;
  const timer = parseTimerField(rest);
  if (timer) entry.timer = timer;
  return entry;
}

function isCount(text: string): boolean {
  return /^\d+$/.test(text);
}

function isStateWord(text: string): boolean {
  return isTcpState(text) || NON_TCP_STATES.has(text);
}


// `ss -T` adds the thread: ("nginx",pid=12,tid=14,fd=3).
const OWNER = /\("((?:.|\n)*?)",(?:pid=)?(\d+),(?:tid=\d+,)?(?:fd=)?(\d+)[^)]*\)/g;

/** The owners in `users:(("nginx",pid=12,fd=3),("nginx",pid=13,fd=3))`. */
export function parseOwners(text: string): SocketOwner[] {
  const start = text.indexOf('users:((');
  if (start < 0) return [];
  const owners: SocketOwner[] = [];
  OWNER.lastIndex = 0;
  const segment = text.slice(start + 'users:('.length);
  for (let m = OWNER.exec(segment); m; m = OWNER.exec(segment)) {
    owners.push({ name: m[1] ?? '', pid: Number(m[2]), fd: Number(m[3]) });
  }
  return owners;
}

const TIMER = /timer:\((\w+),([^,)]*),(\d+)\)/;

export function parseTimerField(text: string): SocketTimer | undefined {
  const m = TIMER.exec(text);
  if (!m) return undefined;
  const expiresMs = parseSsDuration(m[2] ?? '');
  const timer: SocketTimer = { name: m[1] ?? '', retransmits: Number(m[3]) };
  if (expiresMs !== undefined) timer.expiresMs = expiresMs;
  return timer;
}

/**
 * ss prints timer expiry as `1min12sec`, `104min`, `9.501sec`, `476ms`,
 * `088ms`, or nothing. Before iproute2 commit 3e807112 (2024) values between
 * 1 and 10 s came out as `9.373ms`: a fractional millisecond count never
 * exists in that format, so a dotted `ms` value is read as seconds.
 */
export function parseSsDuration(text: string): number | undefined {
  const m = /^(-)?(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text);
  if (!m || text === '' || text === '-') return undefined;
  const [, minus, min, sec, ms] = m;
  let total = 0;
  if (min) total += Number(min) * 60_000;
  if (sec) total += Number(sec) * 1000;
  if (ms) total += ms.includes('.') ? Number(ms) * 1000 : Number(ms);
  return minus ? -total : total;
}
