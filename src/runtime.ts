import { hostname, release } from 'node:os';
import type { CollectorContext } from './collectorContext.js';
import { type AlertConfig, defaultAlertConfig } from './alerts/config.js';
import { AlertEngine, type AlertsState } from './alerts/engine.js';
import type { Options } from './cli.js';
import { type HostInfo, NO_ALERTS } from './dashboardModel.js';
import { DrillController } from './drilldown/controller.js';
import { DRILL_PACE, OwnersService } from '../collectors/socketOwners.js';
import { COLLECTORS, RULES } from './registry.js';
import { Scheduler } from './scheduler.js';
import { Store } from './store.js';
import { createTargetIO } from './targetIO.js';
import { isFixtureProc } from './target.js';


export interface Runtime {
  store: Store;
  scheduler: Scheduler;
  host: HostInfo;
  /** The latest alert evaluation, refreshed before anyone else hears of a tick. */
  alerts: () => AlertsState;
  /** The alert thresholds in force (panels colour by them too). */
  config: AlertConfig;
  drill: DrillController;
  /** The processes the dashboard keeps running for the target (its shells). */
  helperPids: () => number[];
  /** The namespace pinned at start (`net:[4026532412]`); undefined for the host. */
  namespace?: string;
  /** The DNS line is on screen (or not): its nameserver probes run only while it is, or with --dns-probes. */
  watchDns(on: boolean): void;
  /** Enters the target once, before anything is shown: throws a CollectorProblem saying why it cannot be watched. */
  verifyTarget(): Promise<void>;
  /** Stops sampling and ends every process started for the target; waits for them (briefly). */
  close(): Promise<void>;
}

/**
 * Wires the registry's collectors, the store, the scheduler and the alert
 * engine. Collectors see the store, the alert config and the latest alerts
 * through their context, so the expensive ones run only when that makes
 * them worth it: owners (`ss -p`) only for states an alert is looking at,
 * per-destination counts only when one destination could near the limit.
 */
export function createRuntime(options: Options, alertConfig: AlertConfig = defaultAlertConfig(), store = new Store()): Runtime {
  const io = createTargetIO(options.target, options.roots);
  const owners = new OwnersService(io);
  let current: AlertsState = NO_ALERTS;
  let drill: DrillController | undefined;
  let dnsOnScreen = false;
  const context: CollectorContext = {
    store,
    io,
    config: alertConfig,
    alerts: () => current,
    owners,
    ethtoolInterfaces: options.ethtoolInterfaces,
    dropReasons: {
      sample: options.dropReasons,
      ...(isFixtureProc(options.roots) ? { off: 'not with --proc-root: the kernel’s drop reasons come from its tracefs, not from a tree' } : {}),
    },
    drilledPeers: () => drill?.peersOnScreen() ?? [],
    dnsWatched: () => dnsOnScreen || options.dnsProbes === true,
    fixtureTree: isFixtureProc(options.roots),
  };
  const scheduler = new Scheduler(
    COLLECTORS.map((make) => make(context)),
    io,
    store,
    { intervalMs: options.intervalMs, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
  );

  const engine = new AlertEngine(alertConfig, options.target, RULES);
  // Subscribed first: every other listener sees this tick's alerts.
  const unsubscribe = store.subscribe(() => {
    // At the tick's own time: the record of this tick says the same time, and a replay judges at it.
    const tickMs = store.tickTimes.last();
    current = engine.evaluate(store, Number.isNaN(tickMs) ? Date.now() : tickMs);
  });
  drill = new DrillController(io, owners, { refreshMs: DRILL_PACE.floorMs, timeoutMs: Math.max(scheduler.timeoutMs, 10_000) });
  return {
    store,
    scheduler,
    host: { host: hostname(), kernel: release() },
    alerts: () => current,
    config: alertConfig,
    drill,
    helperPids: () => io.helperPids(),
    ...(io.namespace !== undefined ? { namespace: io.namespace } : {}),
    watchDns(on) {
      dnsOnScreen = on;
    },
    verifyTarget: () => io.verify(scheduler.timeoutMs),
    async close() {
      // The store may outlive this runtime (the dashboard switched to another namespace and may come back).
      unsubscribe();
      scheduler.stop();
      drill.close();
      await io.close();
    },
  };
}
