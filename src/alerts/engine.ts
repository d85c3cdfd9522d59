import { RULES } from '../registry.js';
import type { Store } from '../store.js';
import { type Target, shellPrefix } from '../target.js';
import type { AlertConfig } from './config.js';
import type { Alert, Rule, Severity } from './types.js';

export interface AlertsState {
  alerts: Alert[];
  /** Rules switched off because they threw, with the reason. */
  disabled: { id: string; reason: string }[];
  /** Rules running (enabled and not disabled). */
  watching: number;
}

const severityRank: Record<Severity, number> = { critical: 0, warning: 1 };

/**
 * Evaluates every enabled rule once per tick against the store. Keeps, per
 * rule and subject, the severity it had and since when, so that rules can
 * apply hysteresis and alerts keep their start time. A rule that throws is
 * disabled with a note; the others keep running.
 */
export class AlertEngine {
  private readonly active = new Map<string, Map<string, { severity: Severity; sinceMs: number }>>();
  private readonly disabled = new Map<string, string>();
  private firstTickMs: number | undefined;

  constructor(
    private readonly config: AlertConfig,
    private readonly target: Target,
    private readonly rules: Rule[] = RULES,
  ) {}

  evaluate(store: Store, nowMs = Date.now()): AlertsState {
    this.firstTickMs ??= store.tickTimes.at(0);
    const historyMs = nowMs - (this.firstTickMs ?? nowMs);
    const prefix = shellPrefix(this.target);
    const inTarget = (command: string) => (prefix ? `${prefix} ${command}` : command);
    const alerts: Alert[] = [];
    let watching = 0;
    for (const rule of this.rules) {
      const settings = this.config[rule.id];
      if (!settings?.enabled || this.disabled.has(rule.id)) continue;
      watching++;
      const previous = this.active.get(rule.id) ?? new Map();
      if (historyMs < rule.warmupMs) continue;
      let findings;
      try {
        findings = rule.evaluate({
          store,
          nowMs,
          params: settings.params,
          target: this.target,
          previous: (subject) => previous.get(subject)?.severity,
          inTarget,
        });
      } catch (error) {
        this.disabled.set(rule.id, error instanceof Error ? error.message : String(error));
        this.active.delete(rule.id);
        watching--;
        continue;
      }
      const next = new Map<string, { severity: Severity; sinceMs: number }>();
      for (const f of findings) {
        const sinceMs = previous.get(f.subject)?.sinceMs ?? nowMs;
        next.set(f.subject, { severity: f.severity, sinceMs });
        alerts.push({ ...f, id: rule.id, sinceMs });
      }
      this.active.set(rule.id, next);
    }
    alerts.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.sinceMs - b.sinceMs || a.id.localeCompare(b.id));
    return { alerts, disabled: [...this.disabled].map(([id, reason]) => ({ id, reason })), watching };
  }
}
