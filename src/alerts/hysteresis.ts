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

/** Thresholds for a rate where any event counts: clear once the last minute was quiet. */
export function rateThresholds(warnPerSec: number, critPerSec: number): Thresholds {
  return { warn: warnPerSec, crit: critPerSec, warnClear: warnPerSec / 2, critClear: critPerSec / 2 };
}
