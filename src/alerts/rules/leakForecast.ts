import { type ProcessVitals, PROCESS_VITALS, fdSeriesKey, rssSeriesKey } from '../../../collectors/processVitals.js';
import { formatBytes, formatCount, formatMinutesLeft, formatRate } from '../../format.js';
import type { Store } from '../../store.js';

/** What a leaking process has left: its fds against its limit and when they run out, its memory and how fast it grows. */
export interface LeakForecast {
  pid: number;
  fds: number;
  fdLimit?: number;
  /** Growth of its open fds now (the store's Δ/min). */
  fdsPerMin?: number;
  /** At that growth, when the limit is reached; undefined while they do not grow or there is no limit. */
  fdsFullInMin?: number;
  rssBytes?: number;
  rssBytesPerMin?: number;
}

/** The forecast for `pid` from the vitals the store keeps of it; undefined until it has been read. */
export function leakForecast(store: Store, pid: number): LeakForecast | undefined {
  const v: ProcessVitals | undefined = store.sample(PROCESS_VITALS)?.value.processes.find((p) => p.pid === pid);
  if (!v) return undefined;
  const out: LeakForecast = { pid, fds: v.fds };
  const fdsPerMin = store.trendPerMinute(fdSeriesKey(v));
  if (fdsPerMin !== undefined) out.fdsPerMin = fdsPerMin;
  if (v.fdLimit !== undefined) {
    out.fdLimit = v.fdLimit;
    if (fdsPerMin !== undefined && fdsPerMin > 0) out.fdsFullInMin = Math.max(0, v.fdLimit - v.fds) / fdsPerMin;
  }
  if (v.rssBytes !== undefined) {
    out.rssBytes = v.rssBytes;
    const rssPerMin = store.trendPerMinute(rssSeriesKey(v));
    if (rssPerMin !== undefined) out.rssBytesPerMin = rssPerMin;
  }
  return out;
}

/** RSS moves by pages all the time: below this a minute it is not "climbing". */
const RSS_CLIMB_BYTES_PER_MIN = 1 << 20;

/**
 * "holds 1,386 of 20,000 fds — full in ~16 min at +1,154/min, then accept()
 * fails with EMFILE; RSS 279 MiB, +228 MiB/min": what the engineer needs
 * next, said where the alert is read.
 */
export function leakForecastText(f: LeakForecast): string {
  const limit = f.fdLimit === undefined ? ' (no limit)' : ` of ${formatCount(f.fdLimit)}`;
  const growing = f.fdsPerMin !== undefined && f.fdsPerMin > 0 ? ` at +${formatRate(f.fdsPerMin)}/min` : '';
  const full =
    f.fdLimit !== undefined && f.fds >= f.fdLimit
      ? ' — at its limit: accept() fails with EMFILE now'
      : f.fdsFullInMin !== undefined
        ? ` — full in ${formatMinutesLeft(f.fdsFullInMin)}${growing}, then accept() fails with EMFILE`
        : growing;
  const rss =
    f.rssBytes === undefined
      ? ''
      : `; RSS ${formatBytes(f.rssBytes)}${f.rssBytesPerMin !== undefined && f.rssBytesPerMin >= RSS_CLIMB_BYTES_PER_MIN ? `, +${formatBytes(f.rssBytesPerMin)}/min` : ''}`;
  return `holds ${formatCount(f.fds)}${limit} fds${full}${rss}`;
}
