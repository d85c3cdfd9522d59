import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConntrackS, parseConntrackStatTable, parseSingleInteger } from '../../collectors/conntrack.js';
import { parseKernelCounters, parseNstat } from '../../collectors/counters.js';
import { groupDestinationLines } from '../../collectors/destinations.js';
import { parseEthtoolInfo, parseEthtoolStats } from '../../collectors/ethtool.js';
import { parseIpLinkJson, parseProcNetDev } from '../../collectors/nics.js';
import { parseConnectTrace } from '../../collectors/parse/connectTrace.js';
import { parseNetstatS } from '../../collectors/parse/netstatS.js';
import { parsePortRange } from '../../collectors/parse/portRange.js';
import { parseProcNetTcp } from '../../collectors/parse/procNetTcp.js';
import { parseIfInet6, parseNeighbourStat, parseProcNetArp, parseProcNetRoute } from '../../collectors/parse/routes.js';
import { parseSockstat } from '../../collectors/parse/sockstat.js';
import { parseOwners, parseSsDuration, parseSsSockets, parseTimerField } from '../../collectors/parse/ssSockets.js';
import { parseSsSummary } from '../../collectors/parse/ssSummary.js';
import { parseMemLimits, socketMemoryOf } from '../../collectors/socketMemory.js';
import { CONVERT_KINDS, convertText } from '../../src/convert.js';
import {
  parseCgroup,
  parseOpenFilesLimit,
  parsePasswd,
  parseProcStat,
  parseStatusRssBytes,
  parseStatusUid,
  parseUptimeSec,
} from '../../src/drilldown/processInfo.js';
import { parseEndpoint } from '../../src/endpoint.js';
import { parseIpAddrJson, parseIpNeighJson, parseIpRouteCacheJson, parseIpRouteGetJson, splitIpBatch } from '../../collectors/parse/ipJson.js';
import { parseDig } from '../../collectors/parse/dig.js';
import { lookupCost, parseResolvConf } from '../../collectors/parse/resolvConf.js';
import { parseProcNetUdpPeers } from '../../collectors/parse/procNetTcp.js';
import { readCaptured } from '../helpers/realWorld.js';

/** Real outputs the mutations start from: every parser sees its own kind of text broken in every way. */
const SEEDS = [
  'ss-tanp-all-netns-v4v6.txt',
  'ss-tano-unusual-netns-v4v6.txt',
  'proc-net-tcp-netns-v4v6.txt',
  'proc-net-snmp-kernel6.18.txt',
  'proc-net-netstat-kernel6.18.txt',
  'proc-net-snmp6-kernel6.18.txt',
  'proc-net-sockstat-netns-v4v6.txt',
  'proc-net-dev-kernel6.18.txt',
  'proc-net-stat-nf_conntrack-kernel6.18.txt',
  'ethtool-S-virtio_net-kernel6.18-totals-and-rx0.txt',
  'ethtool-i-virtio_net-kernel6.18.txt',
  'ip-d-s-s-j-link-kernel6.18.json',
  'inet-sock-set-state-syn-sent-trace.txt',
  'proc-net-route-netns-rejects-kernel6.18.txt',
  'proc-net-arp-netns-states-kernel6.18.txt',
  'proc-net-stat-arp_cache-kernel6.18.txt',
  'proc-net-if_inet6-netns-dadfailed-kernel6.18.txt',
  'ip-j-neigh-netns-all-states-kernel6.18.json',
  'ip-j-addr-netns-dadfailed-tentative-kernel6.18.json',
  'ip-j-route-get-pmtu-cache-kernel6.18.json',
  'ip-j-batch-route-get-netns-kernel6.18.stderr',
  'dig-servfail-bind9.18.txt',
  'dig-drop-bind9.18.txt',
].map(readCaptured);

/** A real output, then broken: cut short, its header or other lines dropped, lines doubled, CRLF, tabs, numbers made huge or negative, bytes inserted. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.nat(),
    fc.array(
      fc.oneof(
        fc.constant('crlf'),
        fc.constant('tabs'),
        fc.constant('huge'),
        fc.constant('negative'),
        fc.constant('dropLine'),
        fc.constant('dropHeader'),
        fc.constant('doubleLine'),
        fc.record({ at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 20 }) }),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([seed, cut, edits]) => {
    let text = seed.slice(0, cut % (seed.length + 1) || seed.length);
    for (const edit of edits) {
      if (edit === 'crlf') text = text.replace(/\n/g, '\r\n');
      else if (edit === 'tabs') text = text.replace(/ +/g, '\t');
      else if (edit === 'huge') text = text.replace(/\d+/, '340282366920938463463374607431768211456');
      else if (edit === 'negative') text = text.replace(/(\s)(\d)/, '$1-$2');
      else if (edit === 'dropHeader') text = text.slice(text.indexOf('\n') + 1);
      else if (edit === 'dropLine') text = text.split('\n').filter((_, i) => i % 3 !== 1).join('\n');
      else if (edit === 'doubleLine') text = text.replace(/\n([^\n]*)/, '\n$1\n$1');
      else text = text.slice(0, edit.at % (text.length + 1)) + edit.text + text.slice(edit.at % (text.length + 1));
    }
    return text;
  });

/** Anything at all: random code points, and random bytes decoded as a reader would. */
const anything = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }).map((lines) => lines.join('\n')),
);

const input = fc.oneof(mutated, anything);

/** What a parser that reports (rather than throws) returns: skipped lines a count, notes text. */
function expectReport(r: unknown): void {
  if (r === undefined || r === null || typeof r !== 'object') return;
  const o = r as { skippedLines?: unknown; notes?: unknown };
  if ('skippedLines' in o) expect(Number.isInteger(o.skippedLines) && (o.skippedLines as number) >= 0).toBe(true);
  if ('notes' in o) expect(Array.isArray(o.notes)).toBe(true);
}

const PARSERS: Record<string, (text: string) => unknown> = {
  parseSsSockets,
  parseProcNetTcp,
  parseSockstat,
  parseKernelCounters,
  parseNstat,
  parseNetstatS,
  parseConntrackS,
  parseConntrackStatTable,
  parseSingleInteger,
  parseEthtoolStats,
  parseEthtoolInfo,
  parseIpLinkJson,
  parseProcNetDev,
  parseSsSummary,
  parseMemLimits,
  socketMemory: (t) => socketMemoryOf(t, t, t),
  parsePortRange: (t) => parsePortRange(t, t),
  groupDestinationLines: (t) => groupDestinationLines(t, { low: 32768, high: 60999, reserved: 0, usable: 28232 }),
  parseOwners,
  parseTimerField,
  parseSsDuration,
  parseEndpoint,
  parseCgroup,
  parseStatusUid,
  parseOpenFilesLimit,
  parsePasswd,
  parseProcStat,
  parseStatusRssBytes,
  parseUptimeSec,
  parseConnectTrace,
  parseProcNetRoute,
  parseProcNetArp,
  parseNeighbourStat,
  parseIfInet6,
  parseIpNeighJson,
  parseIpAddrJson,
  parseIpRouteGetJson,
  parseIpRouteCacheJson,
  splitIpBatch: (t) => splitIpBatch(12, t, t),
  parseResolvConf,
  lookupCost: (t) => lookupCost(parseResolvConf(t).value, t),
  parseDig,
  parseProcNetUdpPeers,
};

const RUNS = 1000;
let cases = 0;
afterAll(() => {
  // How many inputs every parser and every convert kind survived, for the record.
  process.stdout.write(`fuzz: ${cases} cases\n`);
});

describe('every parser, fuzzed', () => {
  for (const [name, parse] of Object.entries(PARSERS)) {
    it(`${name} never throws on broken or random input, and reports what it skipped`, () => {
      fc.assert(
        fc.property(input, (text) => {
          cases++;
          expectReport(parse(text));
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('every convert kind, fuzzed', () => {
  for (const kind of CONVERT_KINDS) {
    it(`${kind} never throws, and reads nothing from random text without saying so`, () => {
      fc.assert(
        fc.property(input, (text) => {
          cases++;
          const converted = convertText(kind, text);
          expect(Number.isInteger(converted.read) && converted.read >= 0).toBe(true);
          // What runConvert prints: it must survive JSON.
          expect(() => JSON.stringify(converted.value)).not.toThrow();
        }),
        { numRuns: RUNS },
      );
    });
  }
});
