import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { missingToolProblem } from '../problems.js';
import { type BoundedRun, runBounded } from '../runBounded.js';
import { safeText } from '../sanitize.js';
import type { ActionPlan, Unplannable } from './plans.js';

/** What an action did, as the pane shows it and the next bundle keeps it. */
export interface ActionOutcome {
  title: string;
  /** The commands exactly as a person would type them, `nsenter` included. */
  typed: string;
  atMs: number;
  durationMs: number;
  /** What the outputs mean, a line each. */
  summary: string[];
  /** Every line the commands printed, escaped for the terminal. */
  output: string[];
  cancelled: boolean;
  timedOut: boolean;
}

/** Whether `tool` is an executable on PATH: the actions run the host's tools inside the namespace's network. */
export function installedOnPath(tool: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** An argument as a person would type it: bare when the shell leaves it alone, else in single quotes. */
export function typedArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `nsenter --net=/run/netns/x -- openssl s_client -connect 10.0.0.2:443 -showcerts </dev/null | openssl x509 -noout -enddate` */
export function typedCommand(plan: ActionPlan, prefix: string[]): string {
  const quoted = (argv: string[]) => argv.map(typedArg).join(' ');
  return plan.steps
    .map((step, i) => {
      const piped = plan.steps[i + 1]?.input !== undefined;
      if (step.input) return `| ${quoted(step.argv)}`;
      return `${i > 0 ? '; ' : ''}${quoted([...prefix, ...step.argv])}${piped ? ' </dev/null' : ''}`;
    })
    .join(' ');
}

/** What to say when an action cannot be planned: the package of the missing tool, or why the row does not fit. */
export function unplannableText(u: Unplannable): string {
  if (u.missing === undefined) return `${u.title}: ${u.reason}`;
  return `${u.title}: ${u.reason} — ${missingToolProblem(u.missing).hint ?? ''}`;
}

/**
 * Runs a plan's commands one after another inside the namespace (`prefix`
 * enters it), never through a shell, each bounded in time and output;
 * `signal` (Esc) stops the one running and skips the rest.
 */
export async function runAction(plan: ActionPlan, prefix: string[], signal: AbortSignal): Promise<ActionOutcome> {
  const atMs = Date.now();
  const started = performance.now();
  const runs: BoundedRun[] = [];
  // As they ran: a step whose argv came from the one before is typed with what it asked.
  const ran: ActionPlan['steps'] = [];
  for (const step of plan.steps) {
    if (signal.aborted) break;
    const input = step.input?.(runs);
    if (step.input && input === undefined) break;
    const argv = step.argvFrom ? step.argvFrom(runs) : step.argv;
    if (argv === undefined) break;
    const r = await runBounded([...prefix, ...argv], { timeoutMs: step.timeoutMs, maxBytes: step.maxBytes, signal, ...(input ? { input } : {}) });
    runs.push(r);
    ran.push({ ...step, argv });
    if (r.notStarted) break;
  }
  const durationMs = Math.round(performance.now() - started);
  const output = runs.flatMap((r) => `${r.stdout.toString('utf8')}${r.stderr.toString('utf8')}`.split('\n')).filter((l, i, all) => l !== '' || i < all.length - 1).map((l) => safeText(l));
  const notStarted = runs.find((r) => r.notStarted);
  const summary = notStarted ? [`${safeText(plan.steps[runs.indexOf(notStarted)]?.argv[0] ?? '')} could not start: ${notStarted.notStarted}`] : plan.summarize(runs, durationMs).map((l) => safeText(l));
  const cancelled = runs.some((r) => r.cancelled) || signal.aborted;
  const timedOut = runs.some((r) => r.timedOut);
  if (timedOut && !cancelled) summary.push(`stopped at its time bound (${Math.round((plan.steps[runs.findIndex((r) => r.timedOut)]?.timeoutMs ?? 0) / 1000)} s)`);
  if (cancelled) summary.push('cancelled (Esc)');
  return { title: plan.title, typed: typedCommand(ran.length > 0 ? { ...plan, steps: ran } : plan, prefix), atMs, durationMs, summary, output, cancelled, timedOut };
}

/** The last actions of this run, for the next bundle (`actions.txt`). */
export class ActionLog {
  private readonly outcomes: ActionOutcome[] = [];

  constructor(private readonly kept = 20) {}

  add(outcome: ActionOutcome): void {
    this.outcomes.push(outcome);
    if (this.outcomes.length > this.kept) this.outcomes.shift();
  }

  /** Plain text: each action's time, command, summary and output. */
  text(): string {
    return this.outcomes
      .map((o) => [`# ${new Date(o.atMs).toISOString()} ${o.title} (${o.durationMs} ms)`, `$ ${o.typed}`, ...o.summary.map((l) => `= ${l}`), ...o.output, ''].join('\n'))
      .join('\n');
  }

  get size(): number {
    return this.outcomes.length;
  }
}
