import { useEffect, useRef, useState } from 'react';
import type { AlertsState } from './alerts/engine.js';
import { type HostInfo, NO_ALERTS, buildDashboardModel } from './dashboardModel.js';
import type { DrillSource } from './drilldown/controller.js';
import { drillRows } from './drilldown/rows.js';
import { topFrame } from './drilldown/navigation.js';
import { formatAge } from './format.js';
import { type IntervalControl, useDashboardControls } from './hooks/useDashboardControls.js';
import { useDrillData } from './hooks/useDrillData.js';
import { useScreenSize } from './hooks/useScreenSize.js';
import { useStoreModel } from './hooks/useStoreModel.js';
import { panelRowCounts, rowOfLink } from './panelRows.js';
import type { Screen } from './screen/screen.js';
import { composeScreen } from './screenLayout.js';
import type { Store } from './store.js';
import { type Target, shellPrefix } from './target.js';

export { MIN_COLUMNS, MIN_ROWS } from './screenLayout.js';

export interface AppProps {
  store: Store;
  /** The alert engine's latest evaluation. */
  alerts?: () => AlertsState;
  /** On-demand queries behind the drill-down. */
  drill?: DrillSource;
  interval: IntervalControl;
  target: Target;
  host: HostInfo;
  onQuit: () => void;
  /** Where the regions are drawn: the terminal, or a test's. */
  screen: Screen;
}

/**
 * How long no sample has arrived, worded, once that is longer than twice the
 * interval; undefined while samples arrive. A timer looks every second, but
 * the dashboard is drawn again only when the answer changes.
 */
function useStaleFor(sampleAtMs: number | undefined, intervalMs: number, paused: boolean): string | undefined {
  const [staleFor, setStaleFor] = useState<string | undefined>(undefined);
  const latest = useRef({ sampleAtMs, intervalMs, paused });
  latest.current = { sampleAtMs, intervalMs, paused };
  useEffect(() => {
    const check = () => {
      const { sampleAtMs: at, intervalMs: every, paused: frozen } = latest.current;
      const age = at === undefined ? 0 : Date.now() - at;
      setStaleFor(!frozen && age > 2 * every + 1000 ? formatAge(age) : undefined);
    };
    const timer = setInterval(check, 1000);
    return () => clearInterval(timer);
  }, []);
  // A fresh sample ends staleness at once, without waiting for the timer.
  return sampleAtMs !== undefined && Date.now() - sampleAtMs <= 2 * intervalMs + 1000 ? undefined : staleFor;
}

/**
 * The live part of the dashboard: keys, the view state, the store's model.
 * It renders nothing through Ink itself; every frame it hands the screen the
 * regions to show, and the screen draws those that changed.
 */
export function App({ store, alerts = () => NO_ALERTS, drill, interval, target, host, onQuit, screen }: AppProps) {
  const size = useScreenSize(screen);
  let rows: ReturnType<typeof drillRows> = [];
  const { view, intervalMs } = useDashboardControls({
    interval,
    onQuit,
    viewContext: () => ({
      rowCounts: panelRowCounts(model),
      pageSize: 10,
      alertLinks: model.alerts.alerts.map((a) => a.link),
      rowOf: (link) => rowOfLink(model, link),
      drillRows: () => rows,
    }),
  });
  const drillData = useDrillData(drill, view.drill?.state, view.paused);
  if (view.drill) {
    const frame = topFrame(view.drill);
    rows = drillRows(drillData, frame.level, view.drill.sort, frame.filter);
  }
  const model = useStoreModel(
    store,
    view.paused,
    () => buildDashboardModel(store, alerts(), target, host, interval.intervalMs, view.countersMode),
    [view.countersMode],
  );
  const staleFor = useStaleFor(model.header.sampleAtMs, intervalMs, view.paused);
  const regions = composeScreen({
    size,
    view,
    model,
    intervalMs,
    ...(staleFor ? { staleFor } : {}),
    drill: { data: drillData, rows, refreshMs: drill?.refreshMs ?? 5000, nsenter: shellPrefix(target) },
  });
  useEffect(() => screen.present(regions));
  return null;
}
