const SPARK = '▁▂▃▄▅▆▇█';

/**
 * The one way counts are written: 12,345 exactly up to 99,999; then 123.4k
 * up to 999.9k, 1.6M, 2.3G — never more than 6 columns, never "1633.1k".
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs < 100_000) {
    // Not toLocaleString: each call builds an ICU number formatter (~20 µs; the first ~5 ms).
    const whole = Math.round(n);
    const digits = String(Math.abs(whole));
    const grouped = digits.length > 3 ? `${digits.slice(0, -3)},${digits.slice(-3)}` : digits;
    return whole < 0 ? `-${grouped}` : grouped;
  }
  const [value, unit] = abs < 999_950 ? [n / 1e3, 'k'] : abs < 999_950_000 ? [n / 1e6, 'M'] : abs < 999_950_000_000 ? [n / 1e9, 'G'] : [n / 1e12, 'T'];
  return `${value.toFixed(1)}${unit}`;
}

/** A rate or change: 0.25, 3.4, 12, 1.2k. */
export function formatRate(n: number): string {
  const abs = Math.abs(n);
  if (abs === 0) return '0';
  if (abs < 0.01) return n > 0 ? '<0.01' : '>-0.01';
  if (abs < 10) return n.toFixed(abs < 1 ? 2 : 1);
  return formatCount(n);
}

/** `↑ +12`, `↓ -3.5`, `→ 0`, or `·` while there is not enough history. */
export function formatTrend(perMinute: number | undefined): { text: string; direction: 'up' | 'down' | 'flat' | 'none' } {
  if (perMinute === undefined) return { text: '·', direction: 'none' };
  if (Math.abs(perMinute) < 0.05) return { text: '→ 0', direction: 'flat' };
  if (perMinute > 0) return { text: `↑ +${formatRate(perMinute)}`, direction: 'up' };
  return { text: `↓ ${formatRate(perMinute)}`, direction: 'down' };
}

/**
 * The newest `width` values as block characters, from zero to the window's
 * highest value, or to `fullAt` when that is higher: a single transient 1
 * among zeros stays a low block instead of a full one, and a constant 1
 * (low) is told from a constant 20,000 (full). Climbs on a big number that
 * this flattens are what the Δ/min column is for. NaN (no sample) is a gap.
 */
export function sparkline(values: number[], width: number, fullAt = SPARK_FULL_AT): string {
  // Drawn for every series every tick: two passes over the tail, no array made on the way.
  const start = Math.max(0, values.length - Math.max(0, width));
  let top = fullAt;
  let seen = false;
  for (let i = start; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    seen = true;
    if (v > top) top = v;
  }
  if (!seen) return ' '.repeat(values.length - start);
  let out = '';
  for (let i = start; i < values.length; i++) {
    const v = values[i] as number;
    out += Number.isFinite(v) ? SPARK[Math.round((Math.max(0, v) / top) * (SPARK.length - 1))] : ' ';
  }
  return out;
}

/** What a full sparkline block stands for at least, for counts and rates. */
export const SPARK_FULL_AT = 10;

/** `45s`, `3m`, `1h20m`: the time a sparkline of `columns` samples covers. */
export function formatSpan(columns: number, intervalMs: number): string {
  const s = Math.round((columns * intervalMs) / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A bar on a log scale: ESTAB at 36,000 and CLOSE-WAIT at 5 both stay visible.
 * Returns the filled and the empty part separately so they can be coloured.
 */
export function logBar(value: number, max: number, width: number): { filled: string; empty: string } {
  if (width <= 0) return { filled: '', empty: '' };
  const share = value > 0 && max > 0 ? Math.log10(value + 1) / Math.log10(max + 1) : 0;
  const n = Math.max(value > 0 ? 1 : 0, Math.min(width, Math.round(share * width)));
  return { filled: '█'.repeat(n), empty: '·'.repeat(width - n) };
}

/** 0.4s, 12s, 4m10s, 3h05m. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatInterval(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${+(ms / 1000).toFixed(1)}s`;
}

/** Code points in `text` (a surrogate pair is one): the columns these helpers assume. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Cuts to `width` columns with an ellipsis. Assumes one column per code point. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  // Called for every cell of every table every tick: what fits is returned as it is, nothing made.
  if (text.length <= width || codePoints(text) <= width) return text;
  const chars = [...text];
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function padEnd(text: string, width: number): string {
  const t = truncate(text, width);
  const n = codePoints(t);
  return n >= width ? t : t + ' '.repeat(width - n);
}

export function padStart(text: string, width: number): string {
  const t = truncate(text, width);
  const n = codePoints(t);
  return n >= width ? t : ' '.repeat(width - n) + t;
}

/** Word-wraps to lines of at most `width` columns (a longer word is cut). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => truncate(l, width));
}

/** 40 s, 3 min, 2 h: how long until something runs out. */
export function formatMinutesLeft(minutes: number): string {
  if (minutes < 1) return `~${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 120) return `~${Math.round(minutes)} min`;
  return `~${Math.round(minutes / 60)} h`;
}

/** 1.2 GiB, 340 MiB, 12 KiB. */
export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = abs;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 ? `${Math.round(v)} B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
  return n < 0 ? `-${text}` : text;
}

/** Counter values past 2^53 lose digits in Number(), which the compact form drops anyway. */
export function formatBig(value: bigint | undefined): string {
  return value === undefined ? '–' : formatCount(Number(value));
}

/** A link rate in bits per second, as ss and ethtool say it: 950Mbit, 12.4Mbit, 800kbit. */
export function formatBitRate(bps: number): string {
  const [value, unit] = bps >= 1e9 ? [bps / 1e9, 'Gbit'] : bps >= 1e6 ? [bps / 1e6, 'Mbit'] : bps >= 1e3 ? [bps / 1e3, 'kbit'] : [bps, 'bit'];
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}${unit}`;
}
