import { CollectorProblem } from '../src/problems.js';
import { DropReasonTracer, type TracerMode } from './dropReasonTracer.js';
import { type Collector, sampleKey } from './types.js';

export interface DropReasonsSample {
  mode: TracerMode;
  /** Packets freed per reason since the tracer started (sampled: estimated from the samples' rates). */
  totals: Record<string, number>;
  /** Sampled: the plan and the last sample. */
  sampling?: { windowMs: number; everyMs: number; lastAtMs?: number; lastEvents?: number; estimated?: boolean };
}

export const DROP_REASONS = sampleKey<DropReasonsSample>('dropReasons');

/** How the tracer is asked for: `--drop-reasons` samples where hist triggers are missing; a fixture tree has no tracefs. */
export interface DropReasonsWish {
  sample: boolean;
  /** Why not at all (a fixture tree), when so. */
  off?: string;
}

/**
 * One tracer for the process: the tracepoint is host-wide, and a dashboard
 * that switches namespaces keeps counting. Closed by `closeDropReasons`
 * and, whatever the way out, by the tracer's own 'exit' handler.
 */
let shared: Promise<DropReasonTracer | { why: string }> | undefined;

function tracer(wish: DropReasonsWish): Promise<DropReasonTracer | { why: string }> {
  if (wish.off) return Promise.resolve({ why: wish.off });
  shared ??= DropReasonTracer.open(wish.sample);
  return shared;
}

/** Turns the tracepoint off and removes the instance; the next collector opens a new one. */
export async function closeDropReasons(): Promise<void> {
  const opened = shared;
  shared = undefined;
  const t = await opened;
  if (t instanceof DropReasonTracer) await t.dispose();
}

/**
 * The kernel's drop reasons (skb:kfree_skb), counted per reason: by a hist
 * trigger where the kernel has them, else sampled when asked. Where neither
 * can be, the source's problem says why — not calm.
 */
export function createDropReasonsCollector(wish: DropReasonsWish): Collector<DropReasonsSample> {
  return {
    key: DROP_REASONS,
    everyTicks: 1,
    counters(v) {
      return new Map(Object.entries(v.totals).map(([reason, n]) => [reason, BigInt(Math.round(n))]));
    },
    async sample() {
      const t = await tracer(wish);
      if (!(t instanceof DropReasonTracer)) throw new CollectorProblem('inactive', t.why);
      const reading = await t.read();
      const value: DropReasonsSample = { mode: reading.mode, totals: Object.fromEntries(reading.totals) };
      if (reading.mode === 'sampled') {
        const last = reading.lastSample;
        value.sampling = {
          windowMs: t.plan.windowMs,
          everyMs: t.plan.everyMs,
          ...(last ? { lastAtMs: last.atMs, lastEvents: last.events, estimated: last.estimated } : {}),
        };
      }
      return { value, skippedLines: 0, notes: [], atMs: reading.atMs };
    },
  };
}
