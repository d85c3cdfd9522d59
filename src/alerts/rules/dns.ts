import { CONNTRACK } from '../../../collectors/conntrack.js';
import { DNS, type DnsSample, type NameserverHealth, failuresInARow } from '../../../collectors/dns.js';
import { formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import type { Store } from '../../store.js';
import { type Finding, defineRule } from '../types.js';
import { whyOf } from '../runbooks.js';

const dnsOf = (store: Store): DnsSample | undefined => store.sample(DNS)?.value;

/** `nameserver 10.0.0.10 (/etc/resolv.conf)`: which file said so matters in a container. */
const where = (dns: DnsSample) => safeText(dns.path);

/** The answers of a nameserver's probes, newest last. */
const answered = (s: NameserverHealth) => s.probes.filter((p) => p.rcode !== undefined);

export const dnsUnreachable = defineRule({
  id: 'dns-unreachable',
  needs: [DNS],
  fires: 'a nameserver of the namespace’s resolv.conf does not answer a probe sent from inside the namespace, twice in a row (probes run while the checklist is open)',
  warmupMs: 0,
  params: {
    misses: { kind: 'integer', default: 2, min: 1, max: 5, unit: 'probes', help: 'unanswered this many probes in a row' },
  },
  evaluate(ctx) {
    const dns = dnsOf(ctx.store);
    if (!dns) return [];
    const down = dns.servers.filter((s) => failuresInARow(s) >= ctx.params.misses);
    return down.map((s): Finding => {
      const last = s.probes.at(-1);
      const all = down.length === dns.servers.length;
      return {
        subject: s.address,
        severity: all ? 'critical' : 'warning',
        summary: `nameserver ${safeText(s.address)} (${where(dns)}) does not answer: ${safeText(last?.failure ?? 'no answer')}, ${failuresInARow(s)} probes in a row${all ? ' — no nameserver answers' : `; ${dns.servers.length - down.length === 1 ? '1 other does' : `${dns.servers.length - down.length} others do`}`}`,
        why: `Every lookup that reaches this nameserver waits its timeout (${dns.conf.timeoutSec} s × ${dns.conf.attempts} attempts) before the next is tried: with one of several down, lookups are slow; with all down, they fail and clients report "temporary failure in name resolution". The server is down, filtered (a NetworkPolicy, a firewall), or unreachable from this namespace.`,
        next: [ctx.inTarget(`dig +tries=1 +time=2 @${s.address} . NS`), ctx.inTarget(`ip route get ${s.address.replace(/%.*$/, '')}`), ctx.inTarget(`ss -uanp dst ${s.address.replace(/%.*$/, '')}`)],
      };
    });
  },
});

export const dnsSlow = defineRule({
  id: 'dns-slow',
  needs: [DNS],
  fires: 'a nameserver answers slower than 500 ms (the median of its last 3 probes)',
  warmupMs: 0,
  params: {
    warnMs: { kind: 'integer', default: 500, min: 1, max: 60_000, unit: 'ms', help: 'warning at this median answer time' },
    critMs: { kind: 'integer', default: 1500, min: 1, max: 60_000, unit: 'ms', help: 'critical at this median answer time' },
  },
  evaluate(ctx) {
    const dns = dnsOf(ctx.store);
    const findings: Finding[] = [];
    for (const s of dns?.servers ?? []) {
      const times = answered(s)
        .slice(-3)
        .map((p) => p.latencyMs ?? 0)
        .sort((a, b) => a - b);
      if (times.length === 0) continue;
      const median = times[Math.floor((times.length - 1) / 2)] as number;
      if (median < ctx.params.warnMs) continue;
      findings.push({
        subject: s.address,
        severity: median >= ctx.params.critMs ? 'critical' : 'warning',
        summary: `nameserver ${safeText(s.address)} answers in ${median} ms (median of ${times.length} probe${times.length === 1 ? '' : 's'}: ${times.join(', ')} ms)`,
        why: `Every connection to a name starts with a lookup: ${median} ms before the first SYN, times the ${dns?.cost.queries ?? 2} queries an external name costs here when they are sent one after another. An overloaded nameserver (CoreDNS without enough replicas), an upstream that is slow, or packets lost and retried.`,
        next: [ctx.inTarget(`dig @${s.address} . NS`), ctx.inTarget(`mtr --report -c 10 ${s.address.replace(/%.*$/, '')}`), 'kubectl -n kube-system top pods -l k8s-app=kube-dns   # on Kubernetes'],
      });
    }
    return findings;
  },
});

export const dnsFailing = defineRule({
  id: 'dns-failing',
  needs: [DNS],
  fires: 'a nameserver answers SERVFAIL or REFUSED',
  warmupMs: 0,
  params: {},
  evaluate(ctx) {
    const dns = dnsOf(ctx.store);
    const findings: Finding[] = [];
    for (const s of dns?.servers ?? []) {
      const last = s.probes.at(-1);
      if (last?.rcode !== 'SERVFAIL' && last?.rcode !== 'REFUSED') continue;
      const refused = last.rcode === 'REFUSED';
      findings.push({
        subject: s.address,
        severity: 'critical',
        summary: `nameserver ${safeText(s.address)} (${where(dns as DnsSample)}) answers ${last.rcode}`,
        why: refused
          ? 'REFUSED: the server will not resolve for this client — an ACL, a recursion setting, or a resolver that is not meant for this network. Lookups fail at once.'
          : 'SERVFAIL: the server could not get an answer — its upstream is down or unreachable, DNSSEC validation failed, or it is overloaded. Lookups fail (glibc tries the next nameserver first).',
        next: [ctx.inTarget(`dig @${s.address} . NS`), ctx.inTarget(`dig @${s.address} kubernetes.default.svc.cluster.local`), 'kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50   # on Kubernetes'],
      });
    }
    return findings;
  },
});

export const dnsConntrackRace = defineRule({
  id: 'dns-conntrack-race',
  needs: [DNS, CONNTRACK],
  fires: 'conntrack insert_failed climbs while sockets of the namespace talk to port 53 over UDP: the parallel A/AAAA race that makes lookups take 5 s',
  warmupMs: 0,
  params: {
    perSec: { kind: 'number', default: 0.01, min: 0, max: 1e9, unit: '/s (1-min avg)', help: 'warning at this rate of insert_failed' },
  },
  evaluate(ctx) {
    const dns = dnsOf(ctx.store);
    const rate = ctx.store.counterMinuteRate(CONNTRACK, 'insert_failed') ?? 0;
    if (!dns || rate < ctx.params.perSec || !(dns.udp53Sockets && dns.udp53Sockets > 0)) return [];
    const fixed = dns.conf.options.some((o) => o === 'single-request-reopen' || o === 'single-request' || o === 'use-vc');
    return [
      {
        subject: 'udp/53',
        severity: 'warning',
        summary: `conntrack insert_failed at ${formatRate(rate)}/s while ${dns.udp53Sockets} UDP socket${dns.udp53Sockets === 1 ? '' : 's'} talk to port 53: lookups that lose the race wait 5 s${fixed ? ' (resolv.conf already asks for one request at a time)' : ''}`,
        why: whyOf('dns-conntrack-race'),
        next: [ctx.inTarget('conntrack -S'), ctx.inTarget(`cat ${dns.path}`), ctx.inTarget('ss -uanp dport = :53')],
      },
    ];
  },
});
