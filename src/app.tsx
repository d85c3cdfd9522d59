import { Box, Text } from 'ink';
import { AlertsPanel, alertsPanelHeight } from '../components/AlertsPanel.js';
import { ConntrackPanel, conntrackPanelHeight } from '../components/ConntrackPanel.js';
import { CounterPanel } from '../components/CounterPanel.js';
import { DrillDownView } from '../components/DrillDownView.js';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { NicPanel, nicLines } from '../components/NicPanel.js';
import { SocketStatePanel, socketPanelHeight } from '../components/SocketStatePanel.js';
import { TooSmall } from '../components/TooSmall.js';
import { TCP_STATES } from '../collectors/tcpState.js';
import type { AlertsState } from './alerts/engine.js';
import type { AlertLink } from './alerts/types.js';
import { type DashboardModel, type HostInfo, NO_ALERTS, buildDashboardModel } from './dashboardModel.js';
import type { DrillSource } from './drilldown/controller.js';
import { drillRows } from './drilldown/rows.js';
import { topFrame } from './drilldown/view.js';
import { useDrillData } from './hooks/useDrillData.js';
import { type IntervalControl, useDashboardControls } from './hooks/useDashboardControls.js';
import { useStoreModel } from './hooks/useStoreModel.js';
import { type TerminalSize, useTerminalSize } from './hooks/useTerminalSize.js';
import { KEYMAP, footerHints } from './keymap.js';
import { shellPrefix } from './target.js';
import { type PanelLayout, layoutPanels } from './layout.js';
import type { Store } from './store.js';
import type { Target } from './target.js';
import { PANELS, type PanelId, type ViewState, keyMode } from './viewState.js';

export const MIN_COLUMNS = 60;
/** The key that focuses a panel, from the keymap (focus1..focus5 follow PANELS). */
const focusKey = (id: PanelId): string => KEYMAP.find((b) => b.action === `focus${PANELS.indexOf(id) + 1}`)?.keys[0] ?? 'Tab';
// The alerts line and the eleven socket states must fit: 1 header + 3 alerts + 15 sockets + 1 footer + 1 spare.
export const MIN_ROWS = 22;

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
  /** Fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
}

function rowCounts(model: DashboardModel): Record<PanelId, number> {
  return {
    alerts: model.alerts.alerts.length,
    sockets: model.sockets.rows.length,
    counters: model.counters.rows.length,
    conntrack: model.conntrack.stats.length,
    nics: nicLines(model.nics).length,
  };
}

function PanelById({ id, model, view, layout, nowMs }: { id: PanelId; model: DashboardModel; view: ViewState; layout: PanelLayout; nowMs: number }) {
  const box = layout[id];
  if (!box) return null;
  const common = { width: box.width, height: box.height, focused: view.focus === id, selected: view.selected[id], nowMs };
  switch (id) {
    case 'alerts':
      return <AlertsPanel model={model.alerts} {...common} />;
    case 'sockets':
      return <SocketStatePanel model={model.sockets} {...common} />;
    case 'counters':
      return <CounterPanel model={model.counters} {...common} />;
    case 'conntrack':
      return <ConntrackPanel model={model.conntrack} {...common} />;
    case 'nics':
      return <NicPanel model={model.nics} {...common} />;
  }
}

/** The row an alert's link points at, in the panel it leads to. */
function rowOf(model: DashboardModel, link: AlertLink): number | undefined {
  if (link.panel === 'sockets' && link.state) return TCP_STATES.indexOf(link.state);
  if (link.panel === 'nics' && link.nic !== undefined) {
    const i = nicLines(model.nics).findIndex((l) => l.key === `if-${link.nic}`);
    return i < 0 ? undefined : i;
  }
  return undefined;
}

function AlertBadges({ critical, warning }: { critical: number; warning: number }) {
  return (
    <>
      {critical > 0 ? (
        <Text backgroundColor="red" color="white" bold>
          {` ${critical} CRIT `}
        </Text>
      ) : null}
      {warning > 0 ? (
        <Text backgroundColor="yellow" color="black" bold>
          {` ${warning} WARN `}
        </Text>
      ) : null}
    </>
  );
}

export function App({ store, alerts = () => NO_ALERTS, drill, interval, target, host, onQuit, size: fixedSize }: AppProps) {
  const size = useTerminalSize(fixedSize);
  let rows: ReturnType<typeof drillRows> = [];
  const { view, intervalMs } = useDashboardControls({
    interval,
    onQuit,
    viewContext: () => ({
      rowCounts: rowCounts(model),
      pageSize: 10,
      alertLinks: model.alerts.alerts.map((a) => a.link),
      rowOf: (link) => rowOf(model, link),
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

  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
    return <TooSmall columns={size.columns} rows={size.rows} needColumns={MIN_COLUMNS} needRows={MIN_ROWS} />;
  }
  // Ink 6 clears the whole screen on every frame when the output is as tall
  // as the terminal: keep one row free.
  const height = size.rows - 1;
  const bodyHeight = height - 2;
  const nowMs = Date.now();
  const layout = layoutPanels(
    size.columns,
    bodyHeight,
    {
      alerts: alertsPanelHeight(model.alerts, view.focus === 'alerts' ? view.selected.alerts : undefined, nowMs, size.columns),
      sockets: socketPanelHeight(model.sockets, nowMs),
      conntrack: conntrackPanelHeight(model.conntrack, nowMs),
    },
    view.zoomed ? view.focus : undefined,
  );
  const [left, right] = layout.columns;
  const below = left.filter((id) => id !== 'sockets' || view.zoomed);
  const { critical, warning } = model.alerts;
  return (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      <Header
        model={{ ...model.header, intervalMs }}
        paused={view.paused}
        width={size.columns}
        badgesWidth={(critical ? ` ${critical} CRIT `.length : 0) + (warning ? ` ${warning} WARN `.length : 0)}
        badges={<AlertBadges critical={critical} warning={warning} />}
      />
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {view.helpOpen ? (
          <HelpOverlay width={size.columns} height={bodyHeight} mode={keyMode(view)} />
        ) : view.drill ? (
          <DrillDownView
            view={view.drill}
            data={drillData}
            rows={rows}
            width={size.columns}
            height={bodyHeight}
            nowMs={nowMs}
            refreshMs={drill?.refreshMs ?? 5000}
            nsenter={shellPrefix(target)}
            {...(model.sockets.portRange ? { usablePorts: model.sockets.portRange.usable } : {})}
          />
        ) : (
          <>
            {!view.zoomed ? <PanelById id="alerts" model={model} view={view} layout={layout} nowMs={nowMs} /> : null}
            {!view.zoomed ? <PanelById id="sockets" model={model} view={view} layout={layout} nowMs={nowMs} /> : null}
            <Box flexDirection="row">
              <Box flexDirection="column">
                {below.map((id) => (
                  <PanelById key={id} id={id} model={model} view={view} layout={layout} nowMs={nowMs} />
                ))}
              </Box>
              <Box flexDirection="column">
                {right.map((id) => (
                  <PanelById key={id} id={id} model={model} view={view} layout={layout} nowMs={nowMs} />
                ))}
              </Box>
            </Box>
            {layout.hidden && !view.zoomed ? (
              <Text dimColor wrap="truncate-end">
                {` more on a taller terminal, or zoomed: ${layout.hidden.map((id) => `${focusKey(id)} z ${id}`).join(' · ')}`}
              </Text>
            ) : null}
          </>
        )}
      </Box>
      <Footer hints={footerHints(keyMode(view))} width={size.columns} />
    </Box>
  );
}
