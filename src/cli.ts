import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MAX_INTERVAL_MS, MIN_INTERVAL_MS } from './scheduler.js';
import { type Roots, type Target, defaultRoots } from './target.js';
import { parseMetricsAddress } from './metrics/address.js';
import { NETNS_SERIES_MAX } from './metrics/limits.js';
import { HELP } from './cliHelp.js';
import { parseSize } from './recording/writer.js';
import { lightBackground } from './theme.js';

export interface Options {
  intervalMs: number;
  timeoutMs?: number;
  target: Target;
  roots: Roots;
  json: boolean;
  /** Samples to print in --json mode; undefined = until interrupted. */
  count?: number;
  /** Interfaces to read `ethtool -S` from besides those backed by a device. */
  ethtoolInterfaces: string[];
  /** JSON file overriding alert thresholds. */
  configFile?: string;
  /** Colours and text styles on screen: off with --no-color or a non-empty NO_COLOR (no-color.org). */
  color: boolean;
  /** Colours chosen for a light background (--light, or COLORFGBG). */
  light: boolean;
  /** Every network namespace of the host at once (with --json: a `namespaces` array per record). */
  allNetns: boolean;
  /** Append every record to this file (NDJSON after a header line). */
  recordFile?: string;
  /** Rotate the recording once past this size. */
  recordMaxBytes?: number;
  /** Play a recording instead of reading the kernel. */
  replayFile?: string;
  /** Serve Prometheus metrics here (`--metrics`). */
  metrics?: { host: string; port: number };
  /** No screen and no stdout: for --metrics (and --record) on hosts nobody watches. */
  headless: boolean;
  /** `b` in a drill-down also captures the selected socket's packets. */
  bundleCapture: boolean;
  /** Sample the skb:kfree_skb tracepoint for drop reasons where the kernel has no hist triggers. */
  dropReasons: boolean;
  /** Probe the nameservers even while no DNS line is on screen (--json, --headless, --metrics). */
  dnsProbes?: boolean;
  /** `--all-netns --metrics`: the series of this many namespaces, worst first. */
  netnsSeries?: number;
  /** `--metrics`: every kernel counter and interface statistic, not the bounded set. */
  metricsAllCounters?: boolean;
}

export type CliResult =
  | { kind: 'run'; options: Options }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'convert'; what?: string; file?: string }
  | { kind: 'rules'; configFile?: string }
  | { kind: 'mixin'; dir: string; configFile?: string; runbookBase?: string }
  | { kind: 'fleet'; prometheus: URL; json: boolean; intervalMs: number; color: boolean; light: boolean }
  | { kind: 'bundle'; target: Target; out?: string; partMaxBytes?: number; timeoutMs?: number; capture?: { filter: string; seconds?: number; packets?: number; bytes?: number } }
  | { kind: 'error'; message: string };


type OptionValues = Record<string, string | boolean | undefined>;

/** Options only, every one known (`strict`); an unknown one is the error, said with `prefix`. */
function strictOptions(argv: string[], prefix: string, options: ParseArgsConfig['options']): { values: OptionValues } | { failed: CliResult } {
  try {
    return { values: parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values as OptionValues };
  } catch (error) {
    return { failed: { kind: 'error', message: `${prefix}${(error as Error).message}` } };
  }
}

/** `1`, `0.5`, `1.5s`, `500ms` -> milliseconds. Bare numbers are seconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : n * 1000;
}

export function parseCli(argv: string[]): CliResult {
  if (argv[0] === 'rules') {
    const rest = argv.slice(1);
    if (rest.length === 0) return { kind: 'rules' };
    if (rest.length === 2 && rest[0] === '--config' && rest[1]) return { kind: 'rules', configFile: rest[1] };
    return { kind: 'error', message: 'usage: nettriage rules [--config FILE]' };
  }
  if (argv[0] === 'bundle') return parseBundle(argv.slice(1));
  if (argv[0] === 'mixin') return parseMixin(argv.slice(1));
  if (argv[0] === 'fleet') return parseFleet(argv.slice(1));
  if (argv[0] === 'convert') {
    const out: CliResult = { kind: 'convert' };
    if (argv[1] !== undefined) out.what = argv[1];
    if (argv[2] !== undefined) out.file = argv[2];
    return out;
  }
  const parsed = strictOptions(argv, '', {
    interval: { type: 'string', short: 'i' },
    timeout: { type: 'string' },
    netns: { type: 'string' },
    pid: { type: 'string' },
    ethtool: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    light: { type: 'boolean' },
    'all-netns': { type: 'boolean' },
    count: { type: 'string' },
    record: { type: 'string' },
    'record-max': { type: 'string' },
    replay: { type: 'string' },
    metrics: { type: 'string' },
    'netns-series': { type: 'string' },
    'metrics-all-counters': { type: 'boolean' },
    headless: { type: 'boolean' },
    'bundle-capture': { type: 'boolean' },
    'drop-reasons': { type: 'boolean' },
    'dns-probes': { type: 'boolean' },
    'proc-root': { type: 'string' },
    'sys-root': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  });
  if ('failed' in parsed) return parsed.failed;
  const { values } = parsed;
  if (values.help) return { kind: 'help', text: HELP };
  if (values.version) return { kind: 'version' };

  let intervalMs = 1000;
  if (typeof values.interval === 'string') {
    const ms = parseDurationMs(values.interval);
    if (ms === undefined || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
      return {
        kind: 'error',
        message: `--interval: expected a duration between ${MIN_INTERVAL_MS}ms and ${MAX_INTERVAL_MS / 1000}s, got "${values.interval}"`,
      };
    }
    intervalMs = ms;
  }
  const options: Options = {
    intervalMs,
    target: { kind: 'host' },
    roots: { ...defaultRoots },
    json: !!values.json,
    ethtoolInterfaces: [],
    color: !values['no-color'] && !process.env.NO_COLOR,
    light: lightBackground(!!values.light),
    allNetns: !!values['all-netns'],
    headless: !!values.headless,
    bundleCapture: !!values['bundle-capture'],
    dropReasons: !!values['drop-reasons'],
    ...(values['dns-probes'] ? { dnsProbes: true } : {}),
  };
  // The overview on screen (key n) comes with the namespaces view; until then the flag feeds the record.
  if (options.allNetns && !options.json && !options.headless) return { kind: 'error', message: '--all-netns: works with --json or --headless (on screen, n shows every namespace)' };
  if (options.headless && options.json) return { kind: 'error', message: '--headless and --json: --json already has no screen' };
  if (typeof values.metrics === 'string') {
    const address = parseMetricsAddress(values.metrics);
    if (!address) return { kind: 'error', message: `--metrics: expected PORT or HOST:PORT (e.g. 9464, 127.0.0.1:9464, [::1]:9464), got "${values.metrics}"` };
    options.metrics = address;
  }
  if (values['metrics-all-counters']) {
    if (!options.metrics) return { kind: 'error', message: '--metrics-all-counters only makes sense with --metrics' };
    options.metricsAllCounters = true;
  }
  if (typeof values['netns-series'] === 'string') {
    const n = values['netns-series'];
    if (!/^[1-9]\d*$/.test(n) || Number(n) > NETNS_SERIES_MAX) return { kind: 'error', message: `--netns-series: expected a number of namespaces from 1 to ${NETNS_SERIES_MAX}, got "${n}"` };
    if (!options.allNetns || !options.metrics) return { kind: 'error', message: '--netns-series only makes sense with --all-netns and --metrics' };
    options.netnsSeries = Number(n);
  }
  if (typeof values.ethtool === 'string') {
    const names = values.ethtool.split(',').filter(Boolean);
    // The kernel's own rule for interface names: up to 15 bytes, no '/', no whitespace.
    const bad = names.find((n) => !/^[^/\s]{1,15}$/.test(n) || n === '.' || n === '..');
    if (bad !== undefined || names.length === 0) return { kind: 'error', message: `--ethtool: "${values.ethtool}" is not a list of interface names` };
    options.ethtoolInterfaces = names;
  }

  if (typeof values.timeout === 'string') {
    const ms = parseDurationMs(values.timeout);
    if (ms === undefined || ms < 100 || ms > 120_000) {
      return { kind: 'error', message: `--timeout: expected a duration between 100ms and 120s, got "${values.timeout}"` };
    }
    options.timeoutMs = ms;
  }
  const target = targetOf(values, '');
  if (typeof target === 'string') return { kind: 'error', message: target };
  options.target = target;
  if (typeof values.count === 'string') {
    if (!/^[1-9]\d*$/.test(values.count)) return { kind: 'error', message: `--count: expected a positive integer, got "${values.count}"` };
    if (!values.json) return { kind: 'error', message: '--count only makes sense with --json' };
    options.count = Number(values.count);
  }
  if (typeof values.config === 'string') options.configFile = values.config;
  if (typeof values.record === 'string') {
    if (values.record === '') return { kind: 'error', message: '--record: expected a file name' };
    options.recordFile = values.record;
  }
  if (typeof values['record-max'] === 'string') {
    const bytes = parseSize(values['record-max']);
    if (bytes === undefined || bytes < 64 * 1024) return { kind: 'error', message: `--record-max: expected a size of at least 64k (e.g. 100M, 1G), got "${values['record-max']}"` };
    if (options.recordFile === undefined) return { kind: 'error', message: '--record-max only makes sense with --record' };
    options.recordMaxBytes = bytes;
  }
  if (options.headless && options.metrics === undefined && typeof values.record !== 'string') return { kind: 'error', message: '--headless: says nothing on its own; give --metrics ADDR or --record FILE' };
  if (typeof values.replay === 'string') {
    if (options.metrics !== undefined || options.headless) return { kind: 'error', message: '--replay with --metrics or --headless: a replay is for reading, not for a scrape' };
    if (options.recordFile !== undefined) return { kind: 'error', message: '--replay and --record: a replay reads a recording, it does not make one' };
    if (options.allNetns) return { kind: 'error', message: '--replay and --all-netns: a recording holds the namespace it was made in' };
    options.replayFile = values.replay;
  }
  if (typeof values['proc-root'] === 'string') options.roots.procRoot = values['proc-root'].replace(/\/+$/, '') || '/';
  if (typeof values['sys-root'] === 'string') options.roots.sysRoot = values['sys-root'].replace(/\/+$/, '') || '/';
  return { kind: 'run', options };
}

/** `--netns NAME` or `--pid PID` (the host without either), or what is wrong with them. */
function targetOf(values: Record<string, string | boolean | undefined>, prefix: string): Target | string {
  const { netns, pid } = values;
  if (typeof netns === 'string' && typeof pid === 'string') return `${prefix}--netns and --pid both name a target: give one`;
  if (typeof netns === 'string') {
    if (!/^[A-Za-z0-9_.-]+$/.test(netns) || netns.startsWith('.')) return `${prefix}--netns: "${netns}" is not a namespace name`;
    return { kind: 'netns', name: netns };
  }
  if (typeof pid === 'string') {
    if (!/^[1-9]\d{0,9}$/.test(pid)) return `${prefix}--pid: expected a process ID, got "${pid}"`;
    return { kind: 'pid', pid: Number(pid) };
  }
  return { kind: 'host' };
}

/** `nettriage mixin DIR [--config FILE] [--runbook-url BASE]`. */
function parseMixin(argv: string[]): CliResult {
  const usage = 'usage: nettriage mixin DIR [--config FILE] [--runbook-url BASE]';
  const [dir, ...rest] = argv;
  if (dir === undefined || dir === '' || dir.startsWith('-')) return { kind: 'error', message: usage };
  const parsed = strictOptions(rest, 'mixin: ', { config: { type: 'string' }, 'runbook-url': { type: 'string' } });
  if ('failed' in parsed) return parsed.failed;
  const out: Extract<CliResult, { kind: 'mixin' }> = { kind: 'mixin', dir };
  if (typeof parsed.values.config === 'string') out.configFile = parsed.values.config;
  if (typeof parsed.values['runbook-url'] === 'string') out.runbookBase = parsed.values['runbook-url'];
  return out;
}

/** `nettriage fleet --prometheus URL [--json] [--interval DURATION]`. */
function parseFleet(argv: string[]): CliResult {
  const parsed = strictOptions(argv, 'fleet: ', { prometheus: { type: 'string' }, json: { type: 'boolean' }, interval: { type: 'string', short: 'i' }, 'no-color': { type: 'boolean' }, light: { type: 'boolean' } });
  if ('failed' in parsed) return parsed.failed;
  const { values } = parsed;
  if (typeof values.prometheus !== 'string') return { kind: 'error', message: 'usage: nettriage fleet --prometheus URL [--json] [--interval DURATION]' };
  let prometheus: URL;
  try {
    prometheus = new URL(values.prometheus);
  } catch {
    return { kind: 'error', message: `fleet: --prometheus: "${values.prometheus}" is not a URL (e.g. http://prometheus:9090)` };
  }
  if (prometheus.protocol !== 'http:' && prometheus.protocol !== 'https:') return { kind: 'error', message: `fleet: --prometheus: expected an http or https URL, got "${values.prometheus}"` };
  let intervalMs = 10_000;
  if (typeof values.interval === 'string') {
    const ms = parseDurationMs(values.interval);
    if (ms === undefined || ms < 1000 || ms > 300_000) return { kind: 'error', message: `fleet: --interval: expected a duration between 1s and 300s, got "${values.interval}"` };
    intervalMs = ms;
  }
  return { kind: 'fleet', prometheus, json: !!values.json, intervalMs, color: !values['no-color'] && !process.env.NO_COLOR, light: lightBackground(!!values.light) };
}

/** `nettriage bundle [--netns NAME | --pid PID] [--out FILE] [--part-max SIZE] [--timeout DURATION]`. */
function parseBundle(argv: string[]): CliResult {
  const parsed = strictOptions(argv, 'bundle: ', {
    netns: { type: 'string' },
    pid: { type: 'string' },
    out: { type: 'string' },
    'part-max': { type: 'string' },
    timeout: { type: 'string' },
    capture: { type: 'string' },
    'capture-seconds': { type: 'string' },
    'capture-packets': { type: 'string' },
    'capture-max': { type: 'string' },
  });
  if ('failed' in parsed) return parsed.failed;
  const { values } = parsed;
  const target = targetOf(values, 'bundle: ');
  if (typeof target === 'string') return { kind: 'error', message: target };
  const out: Extract<CliResult, { kind: 'bundle' }> = { kind: 'bundle', target };
  if (typeof values.out === 'string') out.out = values.out;
  if (typeof values['part-max'] === 'string') {
    const bytes = parseSize(values['part-max']);
    if (bytes === undefined) return { kind: 'error', message: `bundle: --part-max: expected a size (e.g. 1M), got "${values['part-max']}"` };
    out.partMaxBytes = bytes;
  }
  if (typeof values.timeout === 'string') {
    const ms = parseDurationMs(values.timeout);
    if (ms === undefined || ms < 100 || ms > 120_000) return { kind: 'error', message: `bundle: --timeout: expected a duration between 100ms and 120s, got "${values.timeout}"` };
    out.timeoutMs = ms;
  }
  if (typeof values.capture === 'string') {
    if (values.capture.trim() === '') return { kind: 'error', message: 'bundle: --capture: expected a tcpdump filter (e.g. "tcp port 8080")' };
    const capture: NonNullable<typeof out.capture> = { filter: values.capture };
    const int = (name: string, max: number) => {
      const v = values[name];
      if (typeof v !== 'string') return undefined;
      return /^[1-9]\d*$/.test(v) && Number(v) <= max ? Number(v) : Number.NaN;
    };
    const seconds = int('capture-seconds', 300);
    const packets = int('capture-packets', 10_000_000);
    if (Number.isNaN(seconds) || Number.isNaN(packets)) return { kind: 'error', message: 'bundle: --capture-seconds (1..300) and --capture-packets take positive integers' };
    if (seconds !== undefined) capture.seconds = seconds;
    if (packets !== undefined) capture.packets = packets;
    if (typeof values['capture-max'] === 'string') {
      const bytes = parseSize(values['capture-max']);
      if (bytes === undefined) return { kind: 'error', message: `bundle: --capture-max: expected a size, got "${values['capture-max']}"` };
      capture.bytes = bytes;
    }
    out.capture = capture;
  } else if (['capture-seconds', 'capture-packets', 'capture-max'].some((k) => values[k] !== undefined)) {
    return { kind: 'error', message: 'bundle: --capture-seconds, --capture-packets and --capture-max go with --capture FILTER' };
  }
  return out;
}
