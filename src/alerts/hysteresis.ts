import type { Severity } from './types.js';

export interface Thresholds {
  /** Raise a warning at or above. */
  warn: number;
  /** Raise (or escalate to) critical at or above. */
  crit: number;
  /** A warning clears only below this (<= warn). */
  warnClear: number;
  /** A critical steps down only below this (<= crit). */
  critClear: number;
}

/**
 * Raise at X, clear below Y (as netdata does): a value that hovers around a
 * threshold keeps its alert instead of flapping it on and off every tick.
 */
export function hysteresis(value: number | undefined, previous: Severity | undefined, t: Thresholds): Severity | undefined {
  if (value === undefined || Number.isNaN(value)) return previous;
  if (value >= t.crit) return 'critical';
  if (previous === 'critical' && value >= t.critClear) return 'critical';
  if (value >= t.warn) return 'warning';
  if (previous !== undefined && value >= t.warnClear) return 'warning';
  return undefined;
}

/**
 * The one clearing policy of every rule. A warning clears below `clear`
 * (half the warning level unless the rule has its own parameter); a
 * critical steps down to warning halfway between that and the critical
 * level. Far enough below each level that a value hovering on it does not
 * flap, near enough that an alert ends soon after its cause. For a rate
 * where any event counts, the warning clears once the last minute was quiet.
 */
export function thresholds(warn: number, crit: number, clear = warn / 2): Thresholds {
  const warnClear = Math.min(clear, warn);
  return { warn, crit, warnClear, critClear: (warnClear + crit) / 2 };
}
