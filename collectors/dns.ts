import { CollectorProblem, asProblem } from '../src/problems.js';
import { type DigAnswer, parseDig } from './parse/dig.js';
import { parseProcNetUdpPeers } from './parse/procNetTcp.js';
import { type LookupCost, MAX_NAMESERVERS, type ResolvConf, lookupCost, parseResolvConf } from './parse/resolvConf.js';
import { type Collector, sampleKey } from './types.js';

/** One probe of a nameserver: its answer's rcode and time, or why none came. */
export interface DnsProbe extends DigAnswer {
  atMs: number;
}

export interface NameserverHealth {
  address: string;
  /** The last probes, newest last (at most PROBES_KEPT). */
  probes: DnsProbe[];
}

export interface DnsSample {
  /** The resolv.conf the namespace's processes read. */
  path: string;
  conf: ResolvConf;
  /** What one lookup of an external name costs with this configuration. */
  cost: LookupCost;
  /** The nameservers glibc uses (the first 3), with their probes while the DNS line is watched. */
  servers: NameserverHealth[];
  /** Whether probes run now (only while someone watches the DNS line). */
  probing: boolean;
  /** UDP sockets of the namespace talking to port 53, counted only while conntrack insert_failed climbs. */
  udp53Sockets?: number;
  /** Why the nameservers could not be asked (dig not installed): said, and judged as nothing. */
  probeProblem?: string;
}

export const DNS = sampleKey<DnsSample>('dns');
export const PROBES_KEPT = 5;
/** At most one query per nameserver this often. */
export const PROBE_EVERY_MS = 10_000;
/** Each probe waits this long for its answer (`dig +time`), and asks once (`+tries=1`). */
export const PROBE_WAIT_SEC = 2;
/** The name whose cost the configuration is judged by: two labels, as most external names have at least. */
export const EXTERNAL_NAME = 'api.example.com';
const CONF_EVERY_MS = 30_000;

export interface DnsWanted {
  /** Someone watches the DNS line (the checklist is open, or --dns-probes). */
  probes(): boolean;
  /** conntrack insert_failed moved in the last minute: count the sockets that talk to port 53. */
  raceSuspect(): boolean;
  /** Why DNS cannot be read here, if it cannot (a fixture tree). */
  off(): string | undefined;
}

/**
 * DNS as the watched namespace sees it: the resolv.conf its processes read
 * (every 30 s) and, only while someone watches the DNS line, one `dig
 * +tries=1 +time=2 @NS . NS` per nameserver every 10 s from inside the
 * namespace, on the bulk lane (a nameserver that does not answer holds it
 * 2 s, never the tick).
 */
export function createDnsCollector(wanted: DnsWanted): Collector<DnsSample> {
  let conf: { atMs: number; path: string; text: string; value: ResolvConf; skipped: number; notes: string[] } | undefined;
  const health = new Map<string, DnsProbe[]>();
  let last: DnsSample | undefined;
  let probeProblem: string | undefined;
  let lastProbeMs = Number.NEGATIVE_INFINITY;
  return {
    key: DNS,
    everyTicks: 1,
    async sample(ctx) {
      const nowMs = Date.now();
      const off = wanted.off();
      if (off) throw new CollectorProblem('inactive', off);
      if (!conf || nowMs - conf.atMs >= CONF_EVERY_MS) {
        const file = await ctx.io.resolvConf();
        if (conf?.text === file.text && conf.path === file.path) conf.atMs = nowMs;
        else {
          const p = parseResolvConf(file.text);
          conf = { atMs: nowMs, path: file.path, text: file.text, value: p.value, skipped: p.skippedLines, notes: p.notes };
        }
      }
      const used = conf.value.nameservers.slice(0, MAX_NAMESERVERS);
      for (const address of health.keys()) if (!used.includes(address)) health.delete(address);
      const probing = wanted.probes();
      let changed = last === undefined || last.conf !== conf.value || last.probing !== probing;
      if (probing && nowMs - lastProbeMs >= PROBE_EVERY_MS) {
        lastProbeMs = nowMs;
        changed = true;
        probeProblem = undefined;
        for (const address of used) {
          try {
            const r = await ctx.io.run(['dig', '+tries=1', `+time=${PROBE_WAIT_SEC}`, `@${address}`, '.', 'NS'], { timeoutMs: (PROBE_WAIT_SEC + 3) * 1000, lane: 'bulk', okExitCodes: [9, 10] });
            const probes = [...(health.get(address) ?? []), { ...parseDig(`${r.stdout}\n${r.stderr}`), atMs: Date.now() }].slice(-PROBES_KEPT);
            health.set(address, probes);
          } catch (error) {
            // No dig, or it could not run: the nameserver is not judged (not "unreachable"), and the line says why.
            const problem = asProblem(error);
            probeProblem = `${problem.message}${problem.hint ? `: ${problem.hint}` : ''}`;
            break;
          }
        }
      }
      let udp53Sockets: number | undefined;
      if (wanted.raceSuspect()) {
        const files = await ctx.io.readProcNetFiles(['udp', 'udp6'], [], ctx.timeoutMs);
        udp53Sockets = [files.get('udp'), files.get('udp6')].reduce((n, text) => n + parseProcNetUdpPeers(text ?? '').filter((p) => p === 53).length, 0);
      }
      if (udp53Sockets !== last?.udp53Sockets) changed = true;
      // Unchanged between probes and reads (most ticks): the same object, nothing for the store to redo.
      if (changed || !last) {
        last = {
          path: conf.path,
          conf: conf.value,
          cost: lookupCost(conf.value, EXTERNAL_NAME),
          servers: used.map((address) => ({ address, probes: health.get(address) ?? [] })),
          probing,
          ...(udp53Sockets !== undefined ? { udp53Sockets } : {}),
          ...(probeProblem !== undefined ? { probeProblem } : {}),
        };
      }
      const value = last;
      return { value, skippedLines: conf.skipped, notes: conf.notes, atMs: nowMs };
    },
  };
}

/** The probes of a nameserver that did not get an answer, counted from the newest back. */
export function failuresInARow(server: NameserverHealth): number {
  let n = 0;
  for (let i = server.probes.length - 1; i >= 0 && server.probes[i]?.failure !== undefined; i--) n++;
  return n;
}
