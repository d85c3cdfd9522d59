import type { SampleKey } from '../../collectors/types.js';
import type { PanelId } from '../panelId.js';
import type { Store } from '../store.js';
import type { Target } from '../target.js';
import type { TcpState } from '../tcpState.js';
import type { LeakForecast } from './rules/leakForecast.js';
import type { ClientsSeen } from './rules/connecting.js';

export type Severity = 'warning' | 'critical';

/** Where an alert's subject leads on screen. */
export interface AlertLink {
  panel: PanelId;
  state?: TcpState;
  /** The one process the alert names, and its name for the breadcrumb. */
  pid?: number;
  name?: string;
  /** The one destination it names (`destinationKey`: local address > peer). */
  destination?: string;
  /** Another namespace than the one on screen: Enter switches the dashboard there. */
  namespace?: Target;
  nic?: string;
}

/** What a rule concludes about one subject at one tick. */
export interface Finding {
  /** The process, destination, interface or counter it is about. */
  subject: string;
  severity: Severity;
  /** One line, with the numbers. */
  summary: string;
  /** Why this matters, in a sentence or two. */
  why: string;
  /** Commands to run next, ready to paste. */
  next: string[];
  link?: AlertLink;
  /** The process the alert names, with what it has left (fds against its limit, memory) and when it runs out. */
  holder?: LeakForecast;
  /** The processes that connect to the destination it is about, and how nettriage knows. */
  clients?: ClientsSeen;
}

/** An alert that ended without its condition clearing: what it was, why it closed, when. */
export interface ClosedAlert {
  id: string;
  severity: Severity;
  subject: string;
  /** `namespace gone`. */
  why: string;
  atMs: number;
}

export interface Alert extends Finding {
  id: string;
  /** When this alert (id + subject) was first raised. */
  sinceMs: number;
  /**
   * The active alert that explains this one: a symptom, shown under its
   * cause and not counted on its own. Its `why` then says how.
   */
  causedBy?: { id: string; subject: string };
}

/** The alerts that stand on their own: what the header counts (symptoms ride with their cause). */
export function causes(alerts: Alert[]): Alert[] {
  return alerts.filter((a) => !a.causedBy);
}

/** Another active alert that explains a rule's alert, and the sentence that says how. */
export interface Explanation {
  cause: Alert;
  why: string;
  /** Commands that fit the explanation, when the symptom's own would chase another cause. */
  next?: string[];
}

export type ParamSpec =
  | { kind: 'number'; default: number; min: number; max: number; unit: string; help: string }
  | { kind: 'integer'; default: number; min: number; max: number; unit: string; help: string };

export type ParamValues<S extends Record<string, ParamSpec>> = { [K in keyof S]: number };

export interface RuleContext<P> {
  store: Store;
  nowMs: number;
  params: P;
  target: Target;
  /** The severity this rule gave `subject` at the previous tick, for hysteresis. */
  previous(subject: string): Severity | undefined;
  /** Commands prefixed to run in the target's namespace. */
  inTarget(command: string): string;
}

export interface Rule<S extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  id: string;
  /** One line for the README and help. */
  fires: string;
  params: S;
  /** No findings until the store has this much history: first samples don't fire. */
  warmupMs: number;
  /** The sources it judges: while one of them cannot be read, the rule is blind, not calm. */
  needs: SampleKey<unknown>[];
  evaluate(ctx: RuleContext<ParamValues<S>>): Finding[];
  /**
   * One cause, one alert: the active alert (of another rule) that explains
   * this one, if any — a SYN-SENT pile toward a local listener whose accept
   * queue overflows is that overflow, not a firewall.
   */
  explainedBy?(alert: Alert, others: Alert[], store: Store): Explanation | undefined;
  /**
   * The rules whose alerts can explain this one: `explainedBy` is shown
   * only their alerts, so this list is the whole of what the engine knows
   * of cause and symptom — and what `nettriage mixin` writes as
   * Alertmanager inhibit rules.
   */
  causes?: readonly string[];
}

export function defineRule<S extends Record<string, ParamSpec>>(rule: Rule<S>): Rule<S> {
  return rule;
}

/** Per rule: enabled, and its parameters by name (a validated config file over the rules' defaults). */
export type AlertConfig = Record<string, { enabled: boolean; params: Record<string, number> }>;

/**
 * A rule's parameters as configured, typed: panels colour values with the
 * thresholds of the rule that watches them, so the colour and the alert
 * always agree.
 */
export function paramsOf<S extends Record<string, ParamSpec>>(config: AlertConfig, rule: Rule<S>): ParamValues<S> {
  const configured = config[rule.id]?.params ?? {};
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(rule.params)) out[name] = configured[name] ?? spec.default;
  return out as ParamValues<S>;
}
