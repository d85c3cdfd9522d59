import { ETHTOOL } from '../../collectors/ethtool.js';
import { type NicState, nicCounterKey, NICS } from '../../collectors/nics.js';
import type { Store } from '../store.js';
import { type Concern, type SourceStatusModel, movedRecently, sourceStatus, worst } from './common.js';

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

export interface NicRowModel extends Pick<NicState, 'name' | 'operstate' | 'carrier' | 'mtu' | 'speedMbps' | 'kind' | 'physical'> {
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
  return {
    rows: shown,
    hiddenQuiet: Math.max(0, quietVirtual - maxQuietVirtual),
    status: sourceStatus(store, NICS, nowMs),
    ethtoolStatus: sourceStatus(store, ETHTOOL, nowMs),
  };
}
