import { DROP_REASONS } from '../collectors/dropReasons.js';
import { type DropLayer, reasonLayer } from './dropPath.js';
import { formatCount, formatInterval } from './format.js';
import type { Store } from './store.js';

export interface ReasonRate {
  reason: string;
  /** Drops per second at the last sample (sampled: the last sample's rate, held) and over the last minute. */
  now: number | null;
  minute: number | null;
  /** The drop-path layer it counts in; null for reasons of no one layer (NO_SOCKET, NOT_SPECIFIED). */
  layer: DropLayer | null;
}

export interface DropReasonsModel {
  mode?: 'hist' | 'sampled';
  /** Why there are none: not root, no tracefs, an old kernel, no hist triggers without --drop-reasons. */
  unavailable?: string;
  /** Most first over the minute. */
  rates: ReasonRate[];
  /** How they were counted, for the screen. */
  how: string;
}

/** The kernel's drop reasons as rates, from the store; or why there are none. */
export function dropReasonsModel(store: Store): DropReasonsModel {
  const sample = store.sample(DROP_REASONS);
  if (!sample) {
    const problem = store.status(DROP_REASONS).problem;
    return { rates: [], how: '', unavailable: problem?.message ?? 'not read yet' };
  }
  const v = sample.value;
  const rates = Object.keys(v.totals)
    .map((reason) => ({
      reason,
      now: store.counters(DROP_REASONS).get(reason)?.perSec ?? null,
      minute: store.counterMinuteRate(DROP_REASONS, reason) ?? null,
      layer: reasonLayer(reason) ?? null,
    }))
    .sort((a, b) => (b.minute ?? 0) - (a.minute ?? 0) || (b.now ?? 0) - (a.now ?? 0) || a.reason.localeCompare(b.reason));
  const s = v.sampling;
  const how =
    v.mode === 'hist'
      ? 'counted in the kernel (hist trigger on skb:kfree_skb), host-wide'
      : `sampled: skb:kfree_skb on ${formatInterval(s?.windowMs ?? 0)} in every ${formatInterval(s?.everyMs ?? 0)} (--drop-reasons), host-wide` +
        (s?.lastAtMs !== undefined
          ? ` · last sample ${new Date(s.lastAtMs).toTimeString().slice(0, 8)}: ${formatCount(s.lastEvents ?? 0)} packets${s.estimated ? ', estimated (the ring overflowed)' : ''}`
          : ' · first sample under way');
  return { mode: v.mode, rates, how };
}
