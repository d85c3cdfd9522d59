import { retransShare, tcpRetransmits } from '../alerts/rules/counters.js';
import { type AlertConfig, paramsOf } from '../alerts/types.js';
import type { Store } from '../store.js';
import { rateSeriesKey } from '../store.js';
import { type Concern, SPARK_HISTORY, type SourceStatusModel, concernAt, movedRecently, readCounter, sourceStatus } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    counters: true;
  }
}
import { COUNTERS } from '../../collectors/counters.js';

/** The counters an engineer checks first, in nstat's names, with what they mean when they move. */
export const CURATED_COUNTERS: { name: string; label: string; alarming: boolean }[] = [
  { name: 'TcpRetransSegs', label: 'TCP retrans segs', alarming: false },
  { name: 'TcpExtListenOverflows', label: 'accept q overflows', alarming: true },
  { name: 'TcpExtListenDrops', label: 'listen drops', alarming: true },
  { name: 'TcpExtTCPTimeWaitOverflow', label: 'TIME-WAIT overflow', alarming: true },
  { name: 'TcpExtTCPAbortOnTimeout', label: 'aborts on timeout', alarming: true },
  { name: 'TcpExtTCPAbortOnMemory', label: 'aborts on memory', alarming: true },
  { name: 'TcpExtTCPSynRetrans', label: 'SYN retransmits', alarming: false },
  { name: 'TcpExtTCPReqQFullDrop', label: 'SYN q full drops', alarming: true },
  { name: 'TcpExtSyncookiesSent', label: 'syncookies sent', alarming: true },
  { name: 'TcpAttemptFails', label: 'connect fails', alarming: false },
  { name: 'TcpEstabResets', label: 'estab resets', alarming: false },
  { name: 'TcpOutRsts', label: 'RSTs sent', alarming: false },
  { name: 'UdpRcvbufErrors', label: 'UDP rcvbuf errors', alarming: true },
  { name: 'UdpSndbufErrors', label: 'UDP sndbuf errors', alarming: true },
  { name: 'UdpInErrors', label: 'UDP in errors', alarming: true },
  { name: 'UdpNoPorts', label: 'UDP no port', alarming: false },
  { name: 'Udp6RcvbufErrors', label: 'UDP6 rcvbuf errors', alarming: true },
  { name: 'Udp6SndbufErrors', label: 'UDP6 sndbuf errors', alarming: true },
  { name: 'Udp6InErrors', label: 'UDP6 in errors', alarming: true },
  { name: 'Udp6NoPorts', label: 'UDP6 no port', alarming: false },
];

export type CountersMode = 'curated' | 'moved';

export interface CounterRowModel {
  name: string;
  label: string;
  value?: bigint;
  perSec?: number;
  perSecMinute?: number;
  moved: boolean;
  concern: Concern;
}

export interface CountersPanelModel {
  mode: CountersMode;
  rows: CounterRowModel[];
  /** Recent rates per row, for the sparklines; apart from the rows, which do not change as often. */
  histories: number[][];
  /** Data segments retransmitted, of all sent, over the last minute, in percent (see `retransShare`). */
  retransPercent?: number;
  retransConcern: Concern;
  /** How many counters the kernel exposes and how many moved in the last minute. */
  total: number;
  movedCount: number;
  status: SourceStatusModel;
}

/** Retransmits coloured at the retransmit rule's warning and critical shares. */
function retransConcernOf(config: AlertConfig): (percent: number | undefined) => Concern {
  const { warnPercent, critPercent } = paramsOf(config, tcpRetransmits);
  return (percent) => concernAt(percent, warnPercent, critPercent);
}

export function buildCountersPanel(store: Store, mode: CountersMode, nowMs = Date.now(), config: AlertConfig = {}): CountersPanelModel {
  const retransConcern = retransConcernOf(config);
  const states = store.counters(COUNTERS);
  const row = (name: string, label: string, alarming: boolean): CounterRowModel => {
    const reading = readCounter(store, COUNTERS, name, nowMs);
    const concern: Concern = !reading.moved ? 'none' : alarming && (reading.perSec ?? 0) > 0 ? 'bad' : 'watch';
    return { name, label, ...reading, concern };
  };
  const retransPercent = retransShare(store)?.percent;
  // ~400 counters, every tick: counted in place, their names listed only for the view of them all.
  let movedCount = 0;
  const moved: string[] = [];
  states.forEach((s, name) => {
    if (!movedRecently(s, nowMs)) return;
    movedCount++;
    if (mode === 'moved') moved.push(name);
  });
  const rows =
    mode === 'curated'
      ? CURATED_COUNTERS.filter((c) => states.has(c.name)).map((c) => {
          const r = row(c.name, c.label, c.alarming);
          if (c.name === 'TcpRetransSegs' && r.moved) r.concern = retransConcern(retransPercent);
          return r;
        })
      : moved.map((name) => row(name, name, false)).sort((a, b) => (b.perSecMinute ?? 0) - (a.perSecMinute ?? 0) || a.name.localeCompare(b.name));
  const histories = rows.map((r) => store.history(states.get(r.name)?.seriesKey ?? rateSeriesKey(COUNTERS, r.name), SPARK_HISTORY));
  const panel: CountersPanelModel = { mode, rows, histories, retransConcern: retransConcern(retransPercent), total: states.size, movedCount, status: sourceStatus(store, COUNTERS, nowMs) };
  if (retransPercent !== undefined) panel.retransPercent = retransPercent;
  return panel;
}

export const countersPanel = definePanel<CountersPanelModel>({
  id: 'counters',
  title: 'kernel counters',
  focusKey: '3',
  area: 'left',
  stackedShare: 0.45,
  alternate: { key: 'a', hint: 'a all counters', help: 'counters: every counter that moved / the curated set' },
  build: (ctx) => buildCountersPanel(ctx.store, ctx.alternate ? 'moved' : 'curated', ctx.nowMs, ctx.config),
  rowCount: (model) => model.rows.length,

});
