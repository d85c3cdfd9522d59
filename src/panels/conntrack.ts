import { CONNTRACK, CONNTRACK_FILL_SERIES, type ConntrackSample } from '../../collectors/conntrack.js';
import { conntrackTableFull } from '../alerts/rules/conntrack.js';
import { type AlertConfig, paramsOf } from '../alerts/types.js';
import type { Store } from '../store.js';
import { type Concern, SPARK_HISTORY, type SourceStatusModel, concernAt, readCounter, sourceStatus } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    conntrack: true;
  }
}

/** Events that mean a connection was refused or a packet dropped for want of a table slot. */
const LOSS_EVENTS = new Set(['insert_failed', 'drop', 'early_drop']);
/** Shown first when present, in this order; other columns follow. */
const ORDER = ['insert_failed', 'drop', 'early_drop', 'invalid', 'search_restart', 'clash_resolve', 'chaintoolong', 'error'];
/** Columns that are not events worth a rate on screen. */
const HIDDEN = new Set(['entries', 'chainlength', 'found', 'searched', 'new', 'ignore', 'delete', 'delete_list', 'insert', 'expect_new', 'expect_create', 'expect_delete', 'icmp_error', 'clashres']);

export interface ConntrackStatRow {
  name: string;
  value: bigint;
  perSec?: number;
  perSecMinute?: number;
  moved: boolean;
  concern: Concern;
}

export interface ConntrackPanelModel {
  count?: number;
  max?: number;
  fill?: number;
  fillConcern: Concern;
  fillHistory: number[];
  source?: ConntrackSample['source'];
  stats: ConntrackStatRow[];
  status: SourceStatusModel;
}

/** The fill coloured at the table-full rule's warning and critical shares. */
function fillConcern(fill: number | undefined, config: AlertConfig): Concern {
  const { warnShare, critShare } = paramsOf(config, conntrackTableFull);
  return concernAt(fill, warnShare, critShare);
}

export function buildConntrackPanel(store: Store, nowMs = Date.now(), config: AlertConfig = {}): ConntrackPanelModel {
  const sample = store.sample(CONNTRACK)?.value;
  const counters = store.counters(CONNTRACK);
  const names = [...counters.keys()].filter((n) => !HIDDEN.has(n));
  names.sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  const stats = names.map((name): ConntrackStatRow => {
    const { value = 0n, ...reading } = readCounter(store, CONNTRACK, name, nowMs);
    return { name, value, ...reading, concern: reading.moved ? (LOSS_EVENTS.has(name) ? 'bad' : 'watch') : 'none' };
  });
  const panel: ConntrackPanelModel = {
    fillConcern: fillConcern(sample?.fill, config),
    fillHistory: store.history(CONNTRACK_FILL_SERIES, SPARK_HISTORY),
    stats,
    status: sourceStatus(store, CONNTRACK, nowMs),
  };
  if (sample) {
    panel.count = sample.count;
    panel.max = sample.max;
    panel.fill = sample.fill;
    panel.source = sample.source;
  }
  return panel;
}

/** Rows the panel wants: gauge, source, header, stats, status. */
export function conntrackPanelHeight(model: Omit<ConntrackPanelModel, 'fillHistory'>): number {
  return 2 + (model.count === undefined ? 0 : 2 + model.stats.length) + Math.min(2, model.status.lines.length);
}

export const conntrackPanel = definePanel<ConntrackPanelModel>({
  id: 'conntrack',
  title: 'conntrack',
  focusKey: '4',
  area: 'right',
  build: (ctx) => buildConntrackPanel(ctx.store, ctx.nowMs, ctx.config),
  rowCount: (model) => model.stats.length,
  naturalHeight: (model) => conntrackPanelHeight(model),

});
