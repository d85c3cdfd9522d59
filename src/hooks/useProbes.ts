import { useEffect, useRef, useState } from 'react';
import { type ActionId, type ActionPlan, type ActionSubject, type Unplannable, planAction } from '../actions/plans.js';
import { type ActionLog, type ActionOutcome, installedOnPath, runAction, typedCommand, unplannableText } from '../actions/run.js';
import { subjectText } from '../actions/subject.js';

/** What the dashboard's probes need from where it runs. */
export interface ProbeSource {
  /** The argv that enters the watched namespace (`nsenter --net=… --`). */
  prefix(): string[];
  /** The namespace's first nameserver: DNS is asked of it by address. */
  nameserver(): string | undefined;
  /** Outcomes kept for the next bundle. */
  log: ActionLog;
  /** Whether a tool is installed (PATH by default). */
  installed?: (tool: string) => boolean;
}

/** The probe pane as drawn. */
export interface ProbePane {
  title: string;
  /** What will run, as typed; absent when nothing can. */
  typed?: string;
  phase: 'confirm' | 'running' | 'done' | 'unplannable';
  /** The question before anything is sent. */
  confirm?: string;
  startedMs?: number;
  outcome?: ActionOutcome;
  /** Why it cannot run: the missing tool's package, or what the row lacks. */
  reason?: string;
}

export interface ProbeControls {
  pane: ProbePane | undefined;
  open(id: ActionId, subject: ActionSubject): void;
  /** y: send what the pane asked about. */
  confirm(): void;
  /** Esc: stop what runs (the pane stays, saying so), or close the pane. True when it closed. */
  stopOrClose(): boolean;
}

/**
 * The probe pane's life: plan (or say why not), ask when it sends more than
 * a few packets, run with Esc to stop, keep the outcome for the bundle.
 * One at a time: a new probe stops the one before.
 */
export function useProbes(source: ProbeSource | undefined): ProbeControls {
  const [pane, setPane] = useState<ProbePane | undefined>(undefined);
  const running = useRef<AbortController | undefined>(undefined);
  const pending = useRef<ActionPlan | undefined>(undefined);
  useEffect(() => () => running.current?.abort(), []);

  const start = (plan: ActionPlan, title: string) => {
    if (!source) return;
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    const prefix = source.prefix();
    setPane({ title, typed: typedCommand(plan, prefix), phase: 'running', startedMs: Date.now() });
    void runAction(plan, prefix, controller.signal).then((outcome) => {
      source.log.add(outcome);
      if (running.current === controller) running.current = undefined;
      // A pane closed (or replaced) meanwhile stays as it is.
      setPane((now) => (now?.startedMs !== undefined && now.typed === outcome.typed && now.phase === 'running' ? { ...now, phase: 'done', outcome } : now));
    });
  };

  return {
    pane,
    open(id, subject) {
      if (!source) return;
      const planned: ActionPlan | Unplannable = planAction(id, subject, source.installed ?? installedOnPath, source.nameserver());
      const title = `${planned.title} ${subjectText(subject)}`;
      if (!('steps' in planned)) {
        running.current?.abort();
        setPane({ title, phase: 'unplannable', reason: unplannableText(planned) });
        return;
      }
      if (planned.confirm) {
        running.current?.abort();
        pending.current = planned;
        setPane({ title, typed: typedCommand(planned, source.prefix()), phase: 'confirm', confirm: planned.confirm });
        return;
      }
      start(planned, title);
    },
    confirm() {
      const plan = pending.current;
      if (!plan || pane?.phase !== 'confirm') return;
      pending.current = undefined;
      start(plan, pane.title);
    },
    stopOrClose() {
      if (pane?.phase === 'running' && running.current) {
        running.current.abort();
        return false;
      }
      pending.current = undefined;
      setPane(undefined);
      return true;
    },
  };
}
