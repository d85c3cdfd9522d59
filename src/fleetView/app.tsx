import { useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { FleetView } from '../../components/FleetView.js';
import { footerHints, resolveAction } from '../keymap.js';
import { type FleetAnswers, type FleetModel, NO_SERIES, filterRows, fleetModel } from './model.js';


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
  const [selected, setSelected] = useState(0);
  const [filter, setFilter] = useState('');
  const [filtering, setFiltering] = useState(false);
  const [detail, setDetail] = useState(false);
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

  const rows = filterRows(model?.rows ?? [], filter);
  const at = Math.min(selected, Math.max(0, rows.length - 1));
  const mode = filtering ? 'filter' : 'fleet';

  useInput((input, key) => {
    const action = resolveAction(input, key, mode);
    if (filtering) {
      if (action === 'endFilter') setFiltering(false);
      else if (action === 'clearFilter') {
        setFilter('');
        setFiltering(false);
      } else if (action === 'filterBackspace') setFilter((f) => f.slice(0, -1));
      else if (action === 'quit') quit();
      else if (action === undefined && input && !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(input)) {
        setFilter((f) => f + input);
        setSelected(0);
      }
      return;
    }
    const last = Math.max(0, rows.length - 1);
    switch (action) {
      case 'quit':
        return quit();
      case 'up':
        return setSelected(Math.max(0, at - 1));
      case 'down':
        return setSelected(Math.min(last, at + 1));
      case 'pageUp':
        return setSelected(Math.max(0, at - 10));
      case 'pageDown':
        return setSelected(Math.min(last, at + 10));
      case 'home':
        return setSelected(0);
      case 'end':
        return setSelected(last);
      case 'enter':
        return setDetail(rows.length > 0);
      case 'back':
        return setDetail(false);
      case 'filter':
        setDetail(false);
        return setFiltering(true);
      case 'refresh':
        return refresh();
      default:
        return undefined;
    }
  });

  return (
    <FleetView
      url={url}
      {...(model ? { model } : {})}
      {...(problem ? { problem } : {})}
      {...(updatedAt ? { updatedAt } : {})}
      rows={rows}
      selected={at}
      filter={filter}
      filtering={filtering}
      detail={detail}
      width={width}
      height={height}
      hints={footerHints(mode, { canEnter: rows.length > 0 && !detail, detailOpen: detail })}
    />
  );
}
