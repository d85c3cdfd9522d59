import { Box } from 'ink';
import React from 'react';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { SocketStatePanel } from '../components/SocketStatePanel.js';
import { TooSmall } from '../components/TooSmall.js';
import { type HostInfo, buildDashboardModel } from './dashboardModel.js';
import { type IntervalControl, useDashboardControls } from './hooks/useDashboardControls.js';
import { useStoreModel } from './hooks/useStoreModel.js';
import { type TerminalSize, useTerminalSize } from './hooks/useTerminalSize.js';
import { footerHints } from './keymap.js';
import type { Store } from './store.js';
import type { Target } from './target.js';

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

export function App({ store, interval, target, host, onQuit, size: fixedSize }: AppProps) {
  const size = useTerminalSize(fixedSize);
  const { view, intervalMs } = useDashboardControls({
    interval,
    onQuit,
    viewContext: () => ({ rowCount: model.sockets.rows.length, pageSize: 5 }),
  });
  const model = useStoreModel(store, view.paused, () => buildDashboardModel(store, target, host, interval.intervalMs));

  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
    return <TooSmall columns={size.columns} rows={size.rows} needColumns={MIN_COLUMNS} needRows={MIN_ROWS} />;
  }
  // Ink 6 clears the whole screen on every frame when the output is as tall
  // as the terminal: keep one row free.
  const height = size.rows - 1;
  const bodyHeight = height - 2;
  const nowMs = Date.now();
  return (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      <Header model={{ ...model.header, intervalMs }} paused={view.paused} width={size.columns} />
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {view.helpOpen ? (
          <HelpOverlay width={size.columns} height={bodyHeight} />
        ) : (
          <SocketStatePanel model={model.sockets} selected={view.selected} width={size.columns} nowMs={nowMs} />
        )}
      </Box>
      <Footer hints={footerHints()} width={size.columns} />
    </Box>
  );
}
