import { useEffect, useState } from 'react';
import type { AlertsState } from './alerts/engine.js';
import { type HostInfo, NO_ALERTS, buildDashboardModel } from './dashboardModel.js';
import type { DrillSource } from './drilldown/controller.js';
import { drillRows } from './drilldown/rows.js';
import { topFrame } from './drilldown/view.js';
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

/** Re-reads the clock every `periodMs`: only the header's "no sample for …" depends on it. */
function useNowMs(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
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
  const nowMs = useNowMs(1000);
  const sampleAge = model.header.sampleAtMs === undefined ? 0 : nowMs - model.header.sampleAtMs;
  const stale = !view.paused && sampleAge > 2 * intervalMs + 1000;
  const regions = composeScreen({
    size,
    view,
    model,
    intervalMs,
    ...(stale ? { staleFor: formatAge(sampleAge) } : {}),
    drill: { data: drillData, rows, refreshMs: drill?.refreshMs ?? 5000, nsenter: shellPrefix(target) },
  });
  useEffect(() => screen.present(regions));
  return null;
}
