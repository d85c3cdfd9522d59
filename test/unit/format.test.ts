import { describe, expect, it } from 'vitest';
import { listWindow } from '../../src/panels/common.js';
import { formatAge, formatCount, formatSpan, formatTrend, logBar, sparkline, truncate } from '../../src/format.js';
import { safeCmdline, safeText } from '../../src/sanitize.js';

describe('formatting', () => {
  it('keeps counts short', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(123_456)).toBe('123.5k');
    expect(formatCount(12_345_678)).toBe('12.3M');
    expect(formatCount(1_633_100)).toBe('1.6M');
    expect(formatCount(999_960)).toBe('1.0M');
    expect(formatCount(999_900)).toBe('999.9k');
    expect(formatCount(-2_500_000_000)).toBe('-2.5G');
  });

  it('groups thousands below 100,000 as en-US does, fractions rounded, signs kept', () => {
    for (const n of [0, 7, 999, 1000, 1001, 12_345, 99_999, 99_999.4, 1234.5, -1, -999, -1000, -54_321, -0.4, 0.4]) {
      const expected = Math.round(n) === 0 ? '0' : Math.round(n).toLocaleString('en-US');
      expect(formatCount(n), String(n)).toBe(expected);
    }
  });

  it('draws sparklines from zero to the highest value, at least 10, with gaps for missing samples', () => {
    expect(sparkline([0, 10, 20, 30, 40, 50, 60, 70], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
    expect(sparkline([40, Number.NaN, 40], 3)).toBe('█ █');
    expect(sparkline([10, 20, 30, 40], 2)).toBe('▆█');
    // A single transient 1 among zeros is not a full block.
    expect(sparkline([0, 0, 1, 0, 0], 5)).toBe('▁▁▂▁▁');
    // A constant 1 and a constant 20,000 do not look alike.
    expect(sparkline([1, 1, 1], 3)).toBe('▂▂▂');
    expect(sparkline([20_000, 20_000, 20_000], 3)).toBe('███');
    // Jitter on a big number does not show (Δ/min says how it moves).
    expect(sparkline([275, 280, 275, 280], 4)).toBe('████');
    // A share (conntrack fill) scales to 1: 50% is half.
    expect(sparkline([0.5, 0.5], 2, 1)).toBe('▅▅');
    expect(formatSpan(45, 1000)).toBe('45s');
    expect(formatSpan(60, 5000)).toBe('5m');
  });

  it('draws log bars that keep small counts visible', () => {
    const small = logBar(5, 36_000, 20);
    expect(small.filled.length).toBeGreaterThanOrEqual(3);
    expect(small.filled.length + small.empty.length).toBe(20);
    expect(logBar(0, 100, 10).filled).toBe('');
    expect(logBar(36_000, 36_000, 20).filled.length).toBe(20);
  });

  it('describes trends', () => {
    expect(formatTrend(undefined).direction).toBe('none');
    expect(formatTrend(12).text).toBe('↑ +12');
    expect(formatTrend(-3.5).text).toBe('↓ -3.5');
    expect(formatTrend(0).text).toBe('→ 0');
  });

  it('formats ages and truncates', () => {
    expect(formatAge(400)).toBe('0.4s');
    expect(formatAge(250_000)).toBe('4m10s');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('hostile strings', () => {
  it('shows escape sequences instead of emitting them', () => {
    expect(safeText('\x1b]0;pwned\x07')).toBe('\\x1b]0;pwned\\x07');
    expect(safeText('\x1b[2Jevil')).toBe('\\x1b[2Jevil');
    expect(safeText('a\u009bb')).toBe('a\\x9bb');
    expect(safeText('\u202eabc')).toBe('\\u{202e}abc');
    expect(safeText('nginx: worker')).toBe('nginx: worker');
    expect(safeCmdline('python3\0-m\0http.server\0')).toBe('python3 -m http.server');
  });
});

describe('listWindow', () => {
  it('shows everything that fits, and marks what it cuts on each side', () => {
    expect(listWindow(5, 5, 0)).toEqual({ start: 0, end: 5, above: 0, below: 0 });
    // 20 lines in 6 rows, selection at the top: 5 lines and a "↓ 15 more" row.
    expect(listWindow(20, 6, 0)).toEqual({ start: 0, end: 5, above: 0, below: 15 });
    // In the middle: a marker row on both sides, 4 lines between.
    const middle = listWindow(20, 6, 10);
    expect(middle.end - middle.start + (middle.above > 0 ? 1 : 0) + (middle.below > 0 ? 1 : 0)).toBe(6);
    expect(middle.start).toBeLessThanOrEqual(10);
    expect(middle.end).toBeGreaterThan(10);
    expect(middle.above + (middle.end - middle.start) + middle.below).toBe(20);
    // At the end: "↑ 15 more" and the last 5.
    expect(listWindow(20, 6, 19)).toEqual({ start: 15, end: 20, above: 15, below: 0 });
  });

  it('keeps a whole selection in view when it fits, and its first line when it does not', () => {
    const w = listWindow(30, 8, 10, 15);
    expect(w.start).toBeLessThanOrEqual(10);
    expect(w.end).toBeGreaterThanOrEqual(16);
    const long = listWindow(30, 5, 10, 25);
    expect(long.start).toBe(10);
  });
});
