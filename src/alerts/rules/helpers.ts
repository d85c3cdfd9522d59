import type { Store } from '../../store.js';

export const minuteRate = (store: Store, owner: string, name: string): number | undefined => store.counterMinuteRate(owner, name);

export function sumMinuteRates(store: Store, owner: string, names: string[]): number | undefined {
  let sum: number | undefined;
  for (const n of names) {
    const r = minuteRate(store, owner, n);
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

export function per(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(0);
  return n.toFixed(n >= 1 ? 1 : 2);
}
