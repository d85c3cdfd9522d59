import { ETHTOOL } from '../../collectors/ethtool.js';
import { type NicState, nicCounterKey, NICS } from '../../collectors/nics.js';
import { formatBig, formatRate } from '../format.js';
import { safeText } from '../sanitize.js';
import type { Store } from '../store.js';
import { type Concern, type PanelLine, type SourceStatusModel, concernColor, movedRecently, sourceStatus, worst } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    nics: true;
  }
}

/** Standard statistics that are traffic, not trouble. */
const TRAFFIC = new Set(['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'multicast']);

export interface NicErrorModel {
  /** `rx_dropped`, or a driver counter such as `rx_queue_*_drops` (with `queues`). */
  name: string;
  source: 'kernel' | 'driver';
  value: bigint;
  perSec?: number;
  moved: boolean;
  queues?: number;
}

export interface NicRowModel extends Pick<NicState, 'name' | 'operstate' | 'carrier' | 'mtu' | 'speedMbps' | 'duplex' | 'kind' | 'physical'> {
  driver?: string;
  rxPps?: number;
  txPps?: number;
  /** Error-like counters that are non-zero or moved in the last minute. */
  errors: NicErrorModel[];
  driverProblem?: string;
  concern: Concern;
}

export interface NicsPanelModel {
  rows: NicRowModel[];
  /** What the panel lists: one line per interface, then one per error counter worth seeing. */
  lines: PanelLine[];
  /** Virtual interfaces left out because nothing is wrong with them. */
  hiddenQuiet: number;
  status: SourceStatusModel;
  ethtoolStatus: SourceStatusModel;
}


/**
 * Interfaces with moving error counters first, then those backed by a device,
 * then the rest; quiet virtual interfaces (a node's hundreds of veths) are
 * counted, not listed, beyond `maxQuietVirtual`.
 */
export function buildNicsPanel(store: Store, nowMs = Date.now(), maxQuietVirtual = 8): NicsPanelModel {
  const nics = store.sample(NICS)?.value.interfaces ?? [];
  const driver = store.sample(ETHTOOL)?.value.interfaces;
  const kernel = store.counters(NICS);
  const driverCounters = store.counters(ETHTOOL);
  const rows = nics.map((nic): NicRowModel => {
    const errors: NicErrorModel[] = [];
    for (const [stat] of nic.stats) {
      if (TRAFFIC.has(stat)) continue;
      const state = kernel.get(nicCounterKey(nic.name, stat));
      if (!state) continue;
      const m = movedRecently(state, nowMs);
      if (state.value === 0n && !m) continue;
      // A link that flapped once at boot is history, not news.
      if (stat === 'carrier_changes' && !m) continue;
      const e: NicErrorModel = { name: stat, source: 'kernel', value: state.value, moved: m };
      if (state.perSec !== undefined) e.perSec = state.perSec;
      errors.push(e);
    }
    const d = driver?.get(nic.name);
    for (const [key, c] of d?.counters ?? []) {
      const state = driverCounters.get(nicCounterKey(nic.name, key));
      const m = movedRecently(state, nowMs);
      if (c.total === 0n && !m) continue;
      const e: NicErrorModel = { name: key, source: 'driver', value: c.total, moved: m };
      if (c.queues > 0) e.queues = c.queues;
      if (state?.perSec !== undefined) e.perSec = state.perSec;
      errors.push(e);
    }
    errors.sort((a, b) => Number(b.moved) - Number(a.moved) || (b.perSec ?? 0) - (a.perSec ?? 0));
    const concern = worst(...errors.map((e): Concern => (e.moved ? 'bad' : 'watch')), nic.carrier === false && nic.operstate !== 'DOWN' ? 'watch' : 'none');
    const row: NicRowModel = { name: nic.name, operstate: nic.operstate, physical: nic.physical, errors, concern };
    if (nic.carrier !== undefined) row.carrier = nic.carrier;
    if (nic.mtu !== undefined) row.mtu = nic.mtu;
    if (nic.speedMbps !== undefined) row.speedMbps = nic.speedMbps;
    if (nic.duplex !== undefined) row.duplex = nic.duplex;
    if (nic.kind !== undefined) row.kind = nic.kind;
    if (d?.info?.driver) row.driver = d.info.driver;
    if (d?.problem) row.driverProblem = d.problem;
    const rx = kernel.get(nicCounterKey(nic.name, 'rx_packets'))?.perSec;
    const tx = kernel.get(nicCounterKey(nic.name, 'tx_packets'))?.perSec;
    if (rx !== undefined) row.rxPps = rx;
    if (tx !== undefined) row.txPps = tx;
    return row;
  });
  const rank = (r: NicRowModel) => (r.concern === 'bad' ? 0 : r.concern === 'watch' ? 1 : r.physical ? 2 : r.name === 'lo' ? 4 : 3);
  rows.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const shown: NicRowModel[] = [];
  let quietVirtual = 0;
  for (const r of rows) {
    if (rank(r) >= 3 && ++quietVirtual > maxQuietVirtual) continue;
    shown.push(r);
  }
  const model: Omit<NicsPanelModel, 'lines'> = {
    rows: shown,
    hiddenQuiet: Math.max(0, quietVirtual - maxQuietVirtual),
    status: sourceStatus(store, NICS, nowMs),
    ethtoolStatus: sourceStatus(store, ETHTOOL, nowMs, (driver?.size ?? 0) > 0),
  };
  return { ...model, lines: nicLines(model) };
}

function speed(mbps: number | undefined): string {
  if (mbps === undefined) return '';
  return mbps >= 1000 ? `${+(mbps / 1000).toFixed(1)}G` : `${mbps}M`;
}

/** Name, state and traffic first; what the device is comes last, where truncation takes it. */
function nicHeadline(r: NicRowModel, nameWidth: number): string {
  const state = r.operstate === 'UP' && r.carrier === false ? 'NO-CARRIER' : r.operstate;
  const traffic = r.rxPps === undefined ? '' : `rx ${formatRate(r.rxPps)}/s tx ${formatRate(r.txPps ?? 0)}/s pkts`;
  const kind = r.kind ?? (r.physical ? 'device' : '');
  const what = [kind, r.driver !== kind ? (r.driver ?? '') : '', speed(r.speedMbps), r.duplex === 'half' ? 'HALF-DUPLEX' : '', r.mtu !== undefined ? `mtu ${r.mtu}` : '']
    .filter(Boolean)
    .join(' ');
  return `${safeText(r.name).padEnd(nameWidth)} ${state.padEnd(7)} ${traffic.padEnd(24)} ${what}`;
}

/** One line per interface, then one per error counter that is non-zero or moving. */
function nicLines(model: Omit<NicsPanelModel, 'lines'>): PanelLine[] {
  const lines: PanelLine[] = [];
  const nameWidth = Math.min(15, Math.max(6, ...model.rows.map((r) => safeText(r.name).length)));
  for (const r of model.rows) {
    lines.push({ key: `if-${r.name}`, text: nicHeadline(r, nameWidth), color: concernColor[r.concern], bold: r.concern === 'bad' });
    for (const e of r.errors) {
      const queues = e.queues ? ` (${e.queues} queues)` : '';
      const rate = e.perSec === undefined ? '' : `  ${formatRate(e.perSec)}/s`;
      lines.push({
        key: `if-${r.name}-${e.source}-${e.name}`,
        text: `    ${e.source === 'driver' ? 'ethtool ' : ''}${safeText(e.name)}${queues}: ${formatBig(e.value)}${rate}`,
        color: e.moved ? 'red' : 'yellow',
        dim: !e.moved,
      });
    }
    if (r.driverProblem) lines.push({ key: `if-${r.name}-problem`, text: `    ethtool -S: ${safeText(r.driverProblem)}`, dim: true });
  }
  if (model.hiddenQuiet > 0) lines.push({ key: 'hidden', text: `… ${model.hiddenQuiet} more virtual interfaces with nothing to report`, dim: true });
  return lines;
}

export const nicsPanel = definePanel<NicsPanelModel>({
  id: 'nics',
  title: 'NICs',
  focusKey: '6',
  area: 'right',
  build: (ctx) => buildNicsPanel(ctx.store, ctx.nowMs),
  rowCount: (model) => model.lines.length,
  rowOfLink: (model, link) => {
    if (link.nic === undefined) return undefined;
    const i = model.lines.findIndex((l) => l.key === `if-${link.nic}`);
    return i < 0 ? undefined : i;
  },
});
