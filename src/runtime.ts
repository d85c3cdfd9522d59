import { hostname, release } from 'node:os';
import { createConntrackCollector } from '../collectors/conntrack.js';
import { type DestinationsContext, createDestinationsCollector } from '../collectors/destinations.js';
import { createEthtoolCollector } from '../collectors/ethtool.js';
import { createCountersCollector, COUNTERS } from '../collectors/counters.js';
import { NICS } from '../collectors/nics.js';
import { createNicsCollector } from '../collectors/nics.js';
import { createOwnersCollector } from '../collectors/owners.js';
import { createSelfCollector } from '../collectors/self.js';
import { createSocketsCollector, SOCKETS } from '../collectors/sockets.js';
import type { TcpState } from './tcpState.js';
import type { Collector } from '../collectors/types.js';
import { type AlertConfig, defaultAlertConfig } from './alerts/config.js';
import { AlertEngine, type AlertsState } from './alerts/engine.js';
import { DrillController } from './drilldown/controller.js';
import type { Options } from './cli.js';
import type { HostInfo } from './dashboardModel.js';
import { movedRecently } from './panels/common.js';
import { Scheduler } from './scheduler.js';
import { Store } from './store.js';
import { createTargetIO } from './targetIO.js';

/** `ss -p` walks every /proc/PID/fd: the drill-down refreshes at this pace, not every tick. */
const DRILL_REFRESH_MS = 5000;

export interface Runtime {
  store: Store;
  scheduler: Scheduler;
  host: HostInfo;
  /** The latest alert evaluation, refreshed before anyone else hears of a tick. */
  alerts: () => AlertsState;
  drill: DrillController;
  /** The processes the dashboard keeps running for the target (its shells). */
  helperPids: () => number[];
  /** Stops sampling and ends every process started for the target; waits for them (briefly). */
  close(): Promise<void>;
}

/**
 * Wires the collectors, the store, the scheduler and the alert engine. The
 * expensive queries are gated here by what the store already knows: owners
 * (`ss -p`) only for states an alert is looking at, per-destination counts
 * only when there are enough sockets for one destination to near the limit.
 */
export function createRuntime(options: Options, alertConfig: AlertConfig = defaultAlertConfig()): Runtime {
  const io = createTargetIO(options.target, options.roots);
  const store = new Store();
  const sockets = () => store.sample(SOCKETS)?.value;
  let current: AlertsState = { alerts: [], disabled: [], watching: 0 };
  const param = (rule: string, key: string) => alertConfig[rule]?.params[key] ?? Number.POSITIVE_INFINITY;

  const ethtoolTargets = (): string[] => {
    const nics = store.sample(NICS)?.value.interfaces ?? [];
    const known = new Set(nics.map((n) => n.name));
    const physical = nics.filter((n) => n.physical).map((n) => n.name);
    return [...new Set([...physical, ...options.ethtoolInterfaces.filter((n) => known.has(n))])];
  };
  const ownersWanted = (): TcpState[] => {
    const s = sockets();
    const wanted: TcpState[] = [];
    if (s && s.states['CLOSE-WAIT'] >= param('close-wait-climbing', 'floor')) wanted.push('CLOSE-WAIT');
    const overflow = store.counters(COUNTERS).get('TcpExtListenOverflows');
    const recent = movedRecently(overflow, Date.now()) && overflow?.perSec !== undefined;
    if (recent || (s?.unusual.listeners.some((l) => l.acceptQueue >= l.backlog) ?? false)) wanted.push('LISTEN');
    return wanted;
  };
  const destinationsContext = (): DestinationsContext => {
    const s = sockets();
    const clientSockets = s ? Object.entries(s.states).reduce((n, [state, count]) => (state === 'LISTEN' ? n : n + count), 0) : 0;
    const warnShare = param('ephemeral-port-exhaustion', 'warnShare');
    return {
      ...(s?.portRange ? { range: s.portRange } : {}),
      clientSockets,
      watchShare: Math.min(warnShare, param('ephemeral-port-exhaustion', 'clearShare')),
      warnShare,
      alerting: current.alerts.some((a) => a.id === 'ephemeral-port-exhaustion'),
    };
  };

  const collectors = [
    createSocketsCollector(),
    createCountersCollector(),
    createConntrackCollector(),
    createNicsCollector(),
    createEthtoolCollector(ethtoolTargets),
    createOwnersCollector(ownersWanted),
    createDestinationsCollector(destinationsContext),
    createSelfCollector(() => io.helperPids()),
  ] as Collector<unknown>[];
  const scheduler = new Scheduler(collectors, io, store, {
    intervalMs: options.intervalMs,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });

  const engine = new AlertEngine(alertConfig, options.target);
  // Subscribed first: every other listener sees this tick's alerts.
  store.subscribe(() => {
    current = engine.evaluate(store);
  });
  const drill = new DrillController(io, { refreshMs: DRILL_REFRESH_MS, timeoutMs: Math.max(scheduler.timeoutMs, 10_000) });
  return {
    store,
    scheduler,
    host: { host: hostname(), kernel: release() },
    alerts: () => current,
    drill,
    helperPids: () => io.helperPids(),
    async close() {
      scheduler.stop();
      drill.close();
      await io.close();
    },
  };
}
