import { isIP } from 'node:net';
import type { BoundedRun } from '../runBounded.js';

/** What a selected row names: a peer, perhaps its port, perhaps our end of the connection. */
export interface ActionSubject {
  address: string;
  port?: number;
  local?: { address: string; port: number };
  /** A name for the peer (a TLS server name, an HTTP host), when the row knows one. */
  name?: string;
}

export const ACTION_IDS = ['path', 'connect', 'dns', 'http', 'tls', 'capture'] as const;
export type ActionId = (typeof ACTION_IDS)[number];

/** One command of an action, run inside the namespace without a shell. */
export interface ActionStep {
  argv: string[];
  timeoutMs: number;
  maxBytes: number;
  /** Its stdin, made from what the steps before printed; the step is skipped when this gives nothing. */
  input?: (before: BoundedRun[]) => Buffer | undefined;
  /** Its argv, made from what the steps before printed (`argv` is then how it is typed); skipped when this gives nothing. */
  argvFrom?: (before: BoundedRun[]) => string[] | undefined;
}

export interface ActionPlan {
  id: ActionId;
  title: string;
  steps: ActionStep[];
  /** Asked before anything is sent: what it sends, and to whom. */
  confirm?: string;
  /** What the outputs mean, a line each, first in the pane. */
  summarize(runs: BoundedRun[], durationMs: number): string[];
}

/** What a plan cannot be: no tool for it, or nothing in the row to aim at. */
export interface Unplannable {
  id: ActionId;
  title: string;
  /** The tool that is missing (its package is named from it), or why the row does not fit. */
  missing?: string;
  reason: string;
}

/** The limits every action keeps: output in the pane, and no command longer than this. */
export const ACTION_MAX_BYTES = 256 * 1024;
const text = (r: BoundedRun | undefined) => `${r?.stdout.toString('utf8') ?? ''}\n${r?.stderr.toString('utf8') ?? ''}`;

/** `[2001:db8::1]:443` or `10.0.0.1:443`. */
const hostPort = (address: string, port: number) => (isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`);

/** The tools an action may use, in the order it prefers them. */
export const ACTION_TOOLS: Record<ActionId, string[]> = {
  path: ['mtr', 'tracepath', 'ping'],
  connect: ['nc'],
  dns: ['dig'],
  http: ['curl'],
  tls: ['openssl'],
  capture: ['tcpdump'],
};

export const ACTION_TITLES: Record<ActionId, string> = {
  path: 'path',
  connect: 'TCP connect',
  dns: 'DNS',
  http: 'HTTP timing',
  tls: 'TLS',
  capture: 'capture',
};

/** Packets a path probe sends at most: mtr and tracepath ask first. */
const PATH_CYCLES = 3;
const MAX_HOPS = 30;
const CAPTURE_PACKETS = 50;
const CAPTURE_SECONDS = 10;

/** curl expands its own `\\n` in -w: the argument stays one line, as a person would type it. */
const CURL_FORMAT = 'dns %{time_namelookup}\\nconnect %{time_connect}\\ntls %{time_appconnect}\\nfirst byte %{time_starttransfer}\\ntotal %{time_total}\\nhttp %{http_code}\\n';

/**
 * The command an action runs for a subject, with the first of its tools
 * that is installed; `nameserver` is the namespace's first (DNS asks it by
 * address: the tools run with the namespace's network, not its files).
 */
export function planAction(id: ActionId, subject: ActionSubject, installed: (tool: string) => boolean, nameserver?: string): ActionPlan | Unplannable {
  const title = ACTION_TITLES[id];
  const tool = ACTION_TOOLS[id].find((t) => installed(t));
  if (tool === undefined) return { id, title, missing: ACTION_TOOLS[id][0], reason: `${ACTION_TOOLS[id].join(', ')}: none installed` };
  const { address, port } = subject;
  const needsPort = (): Unplannable | undefined => (port === undefined ? { id, title, reason: 'the selected row has no port' } : undefined);
  switch (id) {
    case 'path': {
      const argv = tool === 'mtr' ? ['mtr', '--report', '--report-cycles', String(PATH_CYCLES), '-n', address] : tool === 'tracepath' ? ['tracepath', '-n', '-m', String(MAX_HOPS), address] : ['ping', '-c', '3', '-W', '2', address];
      const packets = tool === 'mtr' ? PATH_CYCLES * MAX_HOPS : tool === 'tracepath' ? MAX_HOPS * 3 : 3;
      return {
        id,
        title,
        steps: [{ argv, timeoutMs: 60_000, maxBytes: ACTION_MAX_BYTES }],
        ...(packets > 3 ? { confirm: `${tool} sends up to ${packets} packets toward ${address}` } : {}),
        summarize: (runs) => [tool === 'ping' ? (/\d+ packets transmitted.*/.exec(text(runs[0]))?.[0] ?? 'no answer') : `${tool}: ${text(runs[0]).split('\n').filter((l) => /^\s*\d+\.?[|:]/.test(l)).length} hops`],
      };
    }
    case 'connect': {
      const missing = needsPort();
      if (missing) return missing;
      return {
        id,
        title,
        steps: [{ argv: ['nc', '-zv', '-w', '3', address, String(port)], timeoutMs: 5000, maxBytes: ACTION_MAX_BYTES }],
        summarize: (runs, durationMs) => {
          const out = text(runs[0]);
          const verdict = /succeeded|open/.test(out) ? 'open' : /refused/i.test(out) ? 'refused (nothing listens, or a RST on the way)' : /timed out|Operation now in progress/i.test(out) || runs[0]?.timedOut ? 'no answer (dropped on the way, or filtered)' : (out.trim().split('\n')[0] ?? 'failed');
          return [`${hostPort(address, port as number)}: ${verdict} in ${durationMs} ms`];
        },
      };
    }
    case 'dns': {
      const server = nameserver === undefined ? [] : [`@${nameserver}`];
      const family = isIP(address) === 6 ? 'AAAA' : 'A';
      const dig = (...args: string[]) => ['dig', '+tries=1', '+time=2', ...server, ...args];
      const answers = (r: BoundedRun | undefined) =>
        text(r)
          .split('\n')
          .filter((l) => /\sIN\s+(PTR|A|AAAA|CNAME)\s/.test(l) && !l.startsWith(';'))
          .map((l) => l.trim().split(/\s+/).at(-1) ?? '');
      const status = (r: BoundedRun | undefined) => /status:\s*([A-Z]+)/.exec(text(r))?.[1] ?? 'no answer';
      // The name the address gives, asked forward: does it point back (forward-confirmed reverse DNS)?
      // A name from the answer goes into an argv: one that starts with a dash would be read as an option.
      const named = (before: BoundedRun[]) => subject.name ?? answers(before[0]).find((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n));
      return {
        id,
        title,
        steps: [
          { argv: dig('-x', address), timeoutMs: 5000, maxBytes: ACTION_MAX_BYTES },
          { argv: dig(subject.name ?? 'NAME', family), argvFrom: (before) => ((name) => (name ? dig(name, family) : undefined))(named(before)), timeoutMs: 5000, maxBytes: ACTION_MAX_BYTES },
        ],
        summarize: (runs) => {
          const ptr = answers(runs[0]);
          const lines = [`reverse ${address}: ${status(runs[0])}${ptr.length > 0 ? ` ${ptr.join(', ')}` : ''}`];
          const name = named(runs);
          if (runs[1] && name) {
            const forward = answers(runs[1]);
            const back = forward.includes(address) ? 'points back' : `does not point back to ${address}`;
            lines.push(`forward ${name}: ${status(runs[1])}${forward.length > 0 ? ` ${forward.join(', ')} — ${back}` : ''}`);
          }
          return lines;
        },
      };
    }
    case 'http': {
      const missing = needsPort();
      if (missing) return missing;
      const scheme = port === 443 || port === 8443 ? 'https' : 'http';
      const url = `${scheme}://${subject.name ?? hostPort(address, port as number).replace(/:(80|443)$/, '')}/`;
      const resolve = subject.name ? ['--resolve', `${subject.name}:${port}:${address}`] : [];
      return {
        id,
        title,
        steps: [{ argv: ['curl', '-sS', '-o', '/dev/null', '--max-time', '10', ...resolve, '-w', CURL_FORMAT, url], timeoutMs: 12_000, maxBytes: ACTION_MAX_BYTES }],
        confirm: `curl sends GET ${url}`,
        summarize: (runs) => {
          const phases = new Map(text(runs[0]).split('\n').map((l) => [l.replace(/ [^ ]+$/, ''), l.split(' ').at(-1) ?? '']));
          const ms = (k: string) => `${Math.round(Number(phases.get(k) ?? 0) * 1000)} ms`;
          return [`GET ${url}: HTTP ${phases.get('http') ?? '?'} — DNS ${ms('dns')}, connect ${ms('connect')}, TLS ${ms('tls')}, first byte ${ms('first byte')}, total ${ms('total')}`];
        },
      };
    }
    case 'tls': {
      const missing = needsPort();
      if (missing) return missing;
      const servername = subject.name ? ['-servername', subject.name] : [];
      return {
        id,
        title,
        steps: [
          { argv: ['openssl', 's_client', '-connect', hostPort(address, port as number), ...servername, '-showcerts'], timeoutMs: 10_000, maxBytes: ACTION_MAX_BYTES },
          {
            argv: ['openssl', 'x509', '-noout', '-subject', '-issuer', '-enddate'],
            timeoutMs: 5000,
            maxBytes: ACTION_MAX_BYTES,
            input: (before) => {
              const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text(before[0]))?.[0];
              return pem === undefined ? undefined : Buffer.from(`${pem}\n`);
            },
          },
        ],
        summarize: (runs) => tlsSummary(text(runs[0]), text(runs[1])),
      };
    }
    case 'capture': {
      const missing = needsPort();
      if (missing) return missing;
      const filter = ['tcp', `host ${address}`, `port ${port}`, ...(subject.local ? [`host ${subject.local.address}`, `port ${subject.local.port}`] : [])].join(' and ');
      return {
        id,
        title,
        steps: [{ argv: ['tcpdump', '-i', 'any', '-n', '-l', '-c', String(CAPTURE_PACKETS), filter], timeoutMs: CAPTURE_SECONDS * 1000, maxBytes: ACTION_MAX_BYTES }],
        summarize: (runs) => [`${text(runs[0]).split('\n').filter((l) => /^\d\d:\d\d:\d\d\./.test(l)).length} packets of ${filter} (at most ${CAPTURE_PACKETS}, ${CAPTURE_SECONDS} s)`],
      };
    }
  }
}

/** `TLSv1.3 TLS_AES_256_GCM_SHA384; subject CN=x; issuer CN=x; expires 2026-12-10 (in 3 days); verify: self-signed certificate (18)` */
export function tlsSummary(client: string, x509: string): string[] {
  const protocol = /^\s*Protocol\s*:\s*(\S+)/m.exec(client)?.[1] ?? /New, (TLSv[\d.]+)/.exec(client)?.[1];
  const cipher = /^\s*Cipher\s*:\s*(\S+)/m.exec(client)?.[1] ?? /Cipher is (\S+)/.exec(client)?.[1];
  const verify = /Verify return code:\s*(\d+)\s*\(([^)]*)\)/.exec(client);
  const subject = /^subject=\s*(.*)$/m.exec(x509)?.[1];
  const issuer = /^issuer=\s*(.*)$/m.exec(x509)?.[1];
  const notAfter = /^notAfter=(.*)$/m.exec(x509)?.[1];
  if (!protocol && !subject) return [`no TLS handshake: ${client.split('\n').find((l) => /error|errno|refused|timed out|connect:/i.test(l))?.trim() ?? 'no answer'}`];
  const lines = [`${protocol ?? '?'} ${cipher ?? '?'}`];
  if (subject) lines.push(`subject ${subject}`);
  if (issuer) lines.push(`issuer ${issuer}`);
  if (notAfter) {
    const at = Date.parse(notAfter);
    // A certificate made for 3 days has a little less than 3 left: said as people say it.
    const days = Math.round((at - Date.now()) / 86_400_000);
    lines.push(`expires ${Number.isNaN(at) ? notAfter : new Date(at).toISOString().slice(0, 10)}${Number.isNaN(at) ? '' : days < 0 ? ` (EXPIRED ${-days} days ago)` : ` (in ${days} day${days === 1 ? '' : 's'})`}`);
  }
  if (verify) lines.push(`verify: ${verify[1] === '0' ? 'ok' : `${verify[2]} (${verify[1]})`}`);
  return lines;
}
