import { Box } from 'ink';
import React from 'react';
import { ConntrackPanel, conntrackPanelHeight } from '../components/ConntrackPanel.js';
import { CounterPanel } from '../components/CounterPanel.js';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { NicPanel, nicLines } from '../components/NicPanel.js';
import { SocketStatePanel, socketPanelHeight } from '../components/SocketStatePanel.js';
import { TooSmall } from '../components/TooSmall.js';
import { type DashboardModel, type HostInfo, buildDashboardModel } from './dashboardModel.js';
import { type IntervalControl, useDashboardControls } from './hooks/useDashboardControls.js';
import { useStoreModel } from './hooks/useStoreModel.js';
import { type TerminalSize, useTerminalSize } from './hooks/useTerminalSize.js';
import { footerHints } from './keymap.js';
import { type PanelLayout, layoutPanels } from './layout.js';
import type { Store } from './store.js';
import type { Target } from './target.js';
import type { PanelId, ViewState } from './viewState.js';

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 20;

export interface AppProps {
  store: Store;
  interval: IntervalControl;
  target: Target;
  host: HostInfo;
  onQuit: () => void;
  /** Fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
}

function rowCounts(model: DashboardModel): Record<PanelId, number> {
  return {
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

export function App({ store, interval, target, host, onQuit, size: fixedSize }: AppProps) {
  const size = useTerminalSize(fixedSize);
  const { view, intervalMs } = useDashboardControls({
    interval,
    onQuit,
    viewContext: () => ({ rowCounts: rowCounts(model), pageSize: 10 }),
  });
  const model = useStoreModel(store, view.paused, () => buildDashboardModel(store, target, host, interval.intervalMs, view.countersMode), [
    view.countersMode,
  ]);

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
    { sockets: socketPanelHeight(model.sockets, nowMs), conntrack: conntrackPanelHeight(model.conntrack, nowMs) },
    view.zoomed ? view.focus : undefined,
  );
  const [left, right] = layout.columns;
  const below = left.filter((id) => id !== 'sockets' || view.zoomed);
  return (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      <Header model={{ ...model.header, intervalMs }} paused={view.paused} width={size.columns} />
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {view.helpOpen ? (
          <HelpOverlay width={size.columns} height={bodyHeight} />
        ) : (
          <>
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
          </>
        )}
      </Box>
      <Footer hints={footerHints()} width={size.columns} />
    </Box>
  );
}
