import { useInput, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { FleetView } from '../../components/FleetView.js';
import { footerHints, keyChunks, resolveAction } from '../keymap.js';
import { type FleetAnswers, type FleetModel, NO_SERIES, filterRows, fleetModel } from './model.js';
import { INITIAL_FLEET_VIEW, fleetViewReducer } from './viewState.js';


export interface FleetAppProps {
  url: string;
  ask: () => Promise<FleetAnswers>;
  intervalMs: number;
  quit: () => void;
}

function useSize() {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ width: stdout.columns || 80, height: stdout.rows || 24 });
  useEffect(() => {
    const onResize = () => setSize({ width: stdout.columns || 80, height: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The fleet's list, asked of Prometheus every interval (and on r), one question at a time. */
export function FleetApp({ url, ask, intervalMs, quit }: FleetAppProps) {
  const { width, height } = useSize();
  const [model, setModel] = useState<FleetModel>();
  const [problem, setProblem] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<Date>();
  const [view, dispatch] = useReducer(fleetViewReducer, INITIAL_FLEET_VIEW);
  const asking = useRef(false);

  const refresh = useCallback(() => {
    if (asking.current) return;
    asking.current = true;
    ask().then(
      (answers) => {
        const next = fleetModel(answers, Date.now() / 1000);
        setModel(next);
        setProblem(next.endpoints === 0 ? NO_SERIES : undefined);
        setUpdatedAt(new Date());
      },
      (error: unknown) => setProblem(`${(error as Error).message} — the rows below are from the last answer; r asks again`),
    ).finally(() => {
      asking.current = false;
    });
  }, [ask]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => clearInterval(timer);
  }, [refresh, intervalMs]);

  const rows = filterRows(model?.rows ?? [], view.filter);
  const at = Math.min(view.selected, Math.max(0, rows.length - 1));
  const mode = view.filtering ? 'filter' : 'fleet';
  // The row count as of the last frame: keys change only the view, never the rows.
  const rowCount = useRef(0);
  rowCount.current = rows.length;

  useInput((input, key) => {
    for (const chunk of keyChunks(input, key)) {
      const typed = chunk.length === 1 && chunk >= ' ' && chunk !== '\x7f' && !key.ctrl && !key.meta ? chunk : undefined;
      dispatch({ inFilter: resolveAction(chunk, key, 'filter'), inList: resolveAction(chunk, key, 'fleet'), ...(typed ? { typed } : {}), rows: rowCount.current });
    }
  });
  useEffect(() => {
    if (view.quit) quit();
  }, [view.quit, quit]);
  useEffect(() => {
    if (view.refreshes > 0) refresh();
  }, [view.refreshes, refresh]);

  return (
    <FleetView
      url={url}
      {...(model ? { model } : {})}
      {...(problem ? { problem } : {})}
      {...(updatedAt ? { updatedAt } : {})}
      rows={rows}
      selected={at}
      filter={view.filter}
      filtering={view.filtering}
      detail={view.detail}
      width={width}
      height={height}
      hints={footerHints(mode, { canEnter: rows.length > 0 && !view.detail, detailOpen: view.detail })}
    />
  );
}
