import type { SampleKey } from '../../collectors/types.js';
import type { Store } from '../store.js';
import { type Target, shellPrefix } from '../target.js';
import type { Alert, AlertConfig, ClosedAlert, Rule, Severity } from './types.js';

export interface AlertsState {
  alerts: Alert[];
  /** Rules switched off because they threw, with the reason. */
  disabled: { id: string; reason: string }[];
  /** Rules that judged this tick's data (enabled, not disabled, not blind). */
  watching: number;
  /**
   * Rules that cannot see: a source they judge has no fresh data. Their
   * verdict is unknown, not "no alert"; an alert they had stays up.
   */
  blind: BlindRule[];
  /** Alerts that closed without clearing (their namespace went), said for a while. */
  closed?: ClosedAlert[];
}

export interface BlindRule {
  id: string;
  sources: { source: string; why: string }[];
}

/** Why a source gives a rule nothing to judge: its last read failed, or it never gave data. */
function blindness(store: Store, key: SampleKey<unknown>): string | undefined {
  const problem = store.status(key).problem;
  // "Not in use here" (nf_conntrack not loaded) is something seen, not blindness.
  if (problem) return problem.kind === 'inactive' ? undefined : problem.message;
  return store.sample(key) === undefined ? 'no data yet' : undefined;
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
  /** Each rule's alerts at its last evaluation: what a blind rule keeps showing. */
  private readonly lastAlerts = new Map<string, Alert[]>();
  private readonly disabled = new Map<string, string>();
  private firstTickMs: number | undefined;
  private readonly byId: Map<string, Rule>;

  constructor(
    private readonly config: AlertConfig,
    private readonly target: Target,
    private readonly rules: Rule[],
  ) {
    this.byId = new Map(rules.map((r) => [r.id, r]));
  }

  evaluate(store: Store, nowMs = Date.now()): AlertsState {
    this.firstTickMs ??= store.tickTimes.at(0);
    const historyMs = nowMs - (this.firstTickMs ?? nowMs);
    const prefix = shellPrefix(this.target);
    const inTarget = (command: string) => (prefix ? `${prefix} ${command}` : command);
    const alerts: Alert[] = [];
    const blind: BlindRule[] = [];
    let watching = 0;
    for (const rule of this.rules) {
      const settings = this.config[rule.id];
      if (!settings?.enabled || this.disabled.has(rule.id)) continue;
      const unseen = rule.needs.flatMap((key) => {
        const why = blindness(store, key);
        return why === undefined ? [] : [{ source: key.name, why }];
      });
      if (unseen.length > 0) {
        blind.push({ id: rule.id, sources: unseen });
        alerts.push(...(this.lastAlerts.get(rule.id) ?? []));
        continue;
      }
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
        this.lastAlerts.delete(rule.id);
        watching--;
        continue;
      }
      const next = new Map<string, { severity: Severity; sinceMs: number }>();
      const raised: Alert[] = [];
      for (const f of findings) {
        const sinceMs = previous.get(f.subject)?.sinceMs ?? nowMs;
        next.set(f.subject, { severity: f.severity, sinceMs });
        raised.push({ ...f, id: rule.id, sinceMs });
      }
      this.active.set(rule.id, next);
      this.lastAlerts.set(rule.id, raised);
      alerts.push(...raised);
    }
    alerts.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.sinceMs - b.sinceMs || a.id.localeCompare(b.id));
    return { alerts: this.explain(alerts, store), disabled: [...this.disabled].map(([id, reason]) => ({ id, reason })), watching, blind };
  }

  /**
   * Attaches each symptom to the alert that explains it, and orders every
   * cause followed by its symptoms. A symptom's cause is a root: an alert
   * explained by one that is itself explained goes to the first. A cause is
   * as severe as its worst symptom.
   */
  private explain(alerts: Alert[], store: Store): Alert[] {
    // Per alert: the index of its direct cause, and how it explains it.
    const direct = alerts.map((alert) => {
      const rule = this.byId.get(alert.id);
      const causes = rule?.causes ?? [];
      const found = rule?.explainedBy?.(alert, alerts.filter((a) => a !== alert && causes.includes(a.id)), store);
      return found ? { cause: alerts.indexOf(found.cause), why: found.why, next: found.next } : undefined;
    });
    const rootOf = (i: number): number => {
      let at = i;
      for (let hops = 0; hops <= alerts.length; hops++) {
        const next = direct[at]?.cause;
        if (next === undefined || next < 0) return at;
        at = next;
      }
      // Causes in a circle: none explains the others, each stands alone.
      return i;
    };
    const groups: Alert[][] = [];
    alerts.forEach((root, r) => {
      if (rootOf(r) !== r) return;
      const group = [root];
      alerts.forEach((symptom, i) => {
        const how = direct[i];
        if (i !== r && how && rootOf(i) === r) group.push({ ...symptom, why: how.why, ...(how.next ? { next: how.next } : {}), causedBy: { id: root.id, subject: root.subject } });
      });
      // The cause carries the incident's severity: a critical symptom under a warning would leave the header calmer than the screen.
      if (root.severity !== 'critical' && group.some((a) => a.severity === 'critical')) group[0] = { ...root, severity: 'critical' };
      groups.push(group);
    });
    // Stable: within a severity, causes keep the order they came in (oldest first).
    groups.sort((a, b) => severityRank[(a[0] as Alert).severity] - severityRank[(b[0] as Alert).severity]);
    return groups.flat();
  }
}
