import { useEffect, useRef, useState } from 'react';
import { type ProbeSource, useProbes } from './hooks/useProbes.js';
import { probePaneLines } from '../components/ProbePane.js';
import { subjectOnScreen } from './actions/subject.js';
import type { AlertsState } from './alerts/engine.js';
import type { Alert, AlertConfig } from './alerts/types.js';
import { type DashboardModel, type HostInfo, NO_ALERTS, buildDashboardModel, enterFrom, enterLayer, rowCounts } from './dashboardModel.js';
import type { DrillSource } from './drilldown/controller.js';
import { topFrame } from './drilldown/navigation.js';
import { type DrillRow, drillRows } from './drilldown/rows.js';
import { formatAge } from './format.js';
import { type IntervalControl, type ReplayControls, useDashboardControls } from './hooks/useDashboardControls.js';
import { useDrillData } from './hooks/useDrillData.js';
import { useFleetData } from './hooks/useFleetData.js';
import type { FleetSource } from './fleet/controller.js';
import type { FleetState } from './fleet/fleet.js';
import type { SocketEntry } from '../collectors/parse/ssSockets.js';
import type { ReplayStatus } from './recording/player.js';
import { type OverviewRow, alertsClosedElsewhere, alertsElsewhere, overviewRows, watchedNamespace } from './fleet/overview.js';
import { useScreenSize } from './hooks/useScreenSize.js';
import { useStoreModel } from './hooks/useStoreModel.js';
import { PANELS } from './registry.js';
import type { Screen } from './screen/screen.js';
import { composeScreen } from './screenLayout.js';
import type { Store } from './store.js';
import { type Target, shellPrefix } from './target.js';
import type { ViewContext } from './viewState.js';

export { MIN_COLUMNS, MIN_ROWS } from './screenLayout.js';

export interface AppProps {
  store: Store;
  /** The alert engine's latest evaluation. */
  alerts?: () => AlertsState;
  /** Alert thresholds; panels colour by them. Defaults of every rule when absent. */
  config?: AlertConfig;
  /** On-demand queries behind the drill-down. */
  drill?: DrillSource;
  /** Every namespace of the host, behind the overview (key n). */
  fleet?: FleetSource;
  /** `w`: the last 15 minutes of samples to a file; returns what to say. */
  onWriteRecent?: () => string;
  /** `b`: an incident bundle of the namespace on screen (the socket selected in a drill-down, if any); resolves to what to say. */
  onBundle?: (socket?: SocketEntry) => Promise<string>;
  /** Playing a recording: its keys, and where it is for the banner. */
  replay?: { controls: ReplayControls; status(): ReplayStatus };
  /** The DNS line is on screen, or not: its nameserver probes run only while it is. */
  onDnsWatched?: (on: boolean) => void;
  /** What the probe keys (P C R H L X) need: how to enter the namespace, its nameserver, the log for bundles. */
  probes?: ProbeSource;
  /** Switches the whole dashboard to another namespace (Enter in the overview; Esc on the dashboard goes back to `home`). */
  onWatch?: (target: Target) => void;
  /** The target nettriage was started on. */
  home?: Target;
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

const PANEL_IDS = PANELS.map((p) => p.id);

/** `recorded 2026-11-27 17:06:43 · 12/900 · ×2 · paused`: where a replay is. */
function replayBanner(s: ReplayStatus): string {
  const at = new Date(s.atMs);
  const when = `${at.toISOString().slice(0, 10)} ${at.toTimeString().slice(0, 8)}`;
  const state = s.playing ? 'playing' : s.position >= s.total ? 'at the end' : 'paused';
  return `recorded ${when} · ${s.position}/${s.total} · ×${s.speed} · ${state}`;
}

/**
 * The dashboard's own alerts (causes with their symptoms), then those of
 * other namespaces, critical first, and those closed because their
 * namespace went.
 */
function withElsewhere(own: AlertsState, fleet: FleetState | undefined, target: Target): AlertsState {
  const elsewhere = alertsElsewhere(fleet, target, own.alerts);
  const closed = alertsClosedElsewhere(fleet);
  if (elsewhere.length === 0 && closed.length === 0) return own;
  const rank = (a: Alert) => (a.severity === 'critical' ? 0 : 1);
  return { ...own, alerts: [...own.alerts, ...[...elsewhere].sort((a, b) => rank(a) - rank(b))], closed };
}

/** What the keys act on: the model and the drill-down data on screen when the key arrives. */
function viewContext(model: DashboardModel, drillData: ViewContext['drillData'], drillRowsOnScreen: DrillRow[], namespaces: OverviewRow[], probeLines: number): ViewContext {
  return {
    panels: PANEL_IDS,
    rowCounts: rowCounts(model),
    pageSize: 10,
    enter: (panel, row) => enterFrom(model, panel, row),
    drillData,
    overviewRows: namespaces.length,
    overviewTarget: (selected) => namespaces[selected]?.target,
    layerCount: model.layers.length,
    enterLayer: (selected) => enterLayer(model, selected),
    actionSubject: (state) => subjectOnScreen(state, model, drillRowsOnScreen),
    probeLines,
  };
}

/**
 * The live part of the dashboard: keys, the view state, the store's model.
 * It renders nothing through Ink itself; every frame it hands the screen the
 * regions to show, and the screen draws those that changed.
 */
export function App({ store, alerts = () => NO_ALERTS, config = {}, drill, fleet, onDnsWatched, probes, onWatch, onWriteRecent, onBundle, replay, home, interval, target, host, onQuit, screen }: AppProps) {
  const size = useScreenSize(screen);
  // The screen as last drawn: keys act on what the user sees.
  const onScreen = useRef<ViewContext | undefined>(undefined);
  // The socket selected in a drill-down, as last drawn: what `b` captures with --bundle-capture.
  const selectedSocket = useRef<SocketEntry | undefined>(undefined);
  const probeControls = useProbes(probes);
  const { view, intervalMs, notice } = useDashboardControls({
    interval,
    onQuit,
    probes: probeControls,
    ...(onWriteRecent ? { onWriteRecent } : {}),
    ...(onBundle ? { onBundle: () => onBundle(selectedSocket.current) } : {}),
    ...(replay ? { replay: replay.controls } : {}),
    viewContext: () => onScreen.current,
    ...(onWatch ? { watch: { onWatch, target, home: home ?? target } } : {}),
  });
  const frame = view.drill ? topFrame(view.drill) : undefined;
  const healthPid = frame?.level.kind === 'sockets' ? frame.level.pid : undefined;
  const drillData = useDrillData(drill, view.drill?.state, healthPid, view.paused);
  const fleetState = useFleetData(fleet, view.overview !== undefined, view.paused);
  const namespaces = view.overview ? overviewRows(fleetState, view.overview.filter) : [];
  const model = useStoreModel(
    store,
    view.paused,
    () => {
      const own = alerts();
      const watched = watchedNamespace(fleetState, target);
      return buildDashboardModel({
        store,
        alerts: withElsewhere(own, fleetState, target),
        config,
        target,
        ...(watched ? { watched } : {}),
        ...(replay ? { replay: replayBanner(replay.status()) } : {}),
        host,
        intervalMs: interval.intervalMs,
        alternate: view.alternate,
        dropPathOpen: view.dropPathOpen === true,
        layersOpen: view.layers !== undefined,
      });
    },
    [view.alternate, view.dropPathOpen, view.layers !== undefined, store, fleetState, replay ? JSON.stringify(replay.status()) : ''],
  );
  const rows = view.drill && frame ? drillRows(drillData, frame.level, view.drill.sort, frame.filter, view.drill.socketSort) : [];
  const pane = view.probe ? probeControls.pane : undefined;
  onScreen.current = viewContext(model, drillData, rows, namespaces, pane ? probePaneLines(pane).length : 0);
  const row = view.drill && frame ? rows[frame.selected] : undefined;
  selectedSocket.current = row?.kind === 'socket' ? row.socket : undefined;
  // A replay's samples are as old as the recording: not stale.
  const staleFor = useStaleFor(model.header.sampleAtMs, intervalMs, view.paused || replay !== undefined);
  const regions = composeScreen({
    size,
    view,
    model,
    intervalMs,
    ...(staleFor ? { staleFor } : {}),
    drill: { data: drillData, rows, refreshMs: drill?.refreshMs ?? 5000, nsenter: shellPrefix(target) },
    namespaces: { rows: namespaces, ...(fleetState ? { state: fleetState } : {}), available: fleet !== undefined },
    ...(notice ? { notice } : {}),
    ...(replay ? { replay: true } : {}),
    ...(pane ? { probe: pane } : {}),
    probesAvailable: probes !== undefined,
  });
  useEffect(() => screen.present(regions));
  // The checklist's L7 line is the DNS line: its probes run while it is open (no probe without a key press).
  const layersOpen = view.layers !== undefined;
  useEffect(() => onDnsWatched?.(layersOpen), [onDnsWatched, layersOpen]);
  return null;
}
