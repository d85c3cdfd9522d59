import type { SampleKey } from '../../../collectors/types.js';
import type { Store } from '../../store.js';


export function sumMinuteRates(store: Store, owner: SampleKey<unknown>, names: string[]): number | undefined {
  let sum: number | undefined;
  for (const n of names) {
    const r = store.counterMinuteRate(owner, n);
    if (r !== undefined) sum = (sum ?? 0) + r;
  }
  return sum;
}

/** Values of a series within the last `windowMs`, oldest first, with their tick times; gaps are NaN unless dropped. */
export function seriesWindow(store: Store, key: string, windowMs: number, keepGaps = false): { t: number; v: number }[] {
  const n = store.tickTimes.length;
  const values = store.history(key, n);
  const out: { t: number; v: number }[] = [];
  const now = store.tickTimes.last();
  for (let i = 0; i < values.length; i++) {
    const t = store.tickTimes.at(n - values.length + i);
    const v = values[i] ?? Number.NaN;
    if (now - t <= windowMs && (keepGaps || Number.isFinite(v))) out.push({ t, v });
  }
  return out;
}


/** Any event in the last minute averages to at least 1/60 per second: 0.01/s means "any". */
export const ANY_EVENT_PER_SEC = 0.01;

/** The two thresholds of a rate rule, as config parameters. */
export const rateParams = (warn: number, crit: number, what: string) =>
  ({
    warnPerSec: { kind: 'number', default: warn, min: 0, max: 1e12, unit: '/s (1-min avg)', help: `warning at this rate of ${what}` },
    critPerSec: { kind: 'number', default: crit, min: 0, max: 1e12, unit: '/s (1-min avg)', help: `critical at this rate of ${what}` },
  }) as const;
