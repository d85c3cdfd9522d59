import { closeSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENT, HIST_TRIGGER, locateTracefs, removeStaleInstances, teardownInstance } from './tracefsInstance.js';
import { type ReasonCounts, hasReasonField, parseDropReasonNames, parseKfreeSkbTrace, parseReasonHist, parseRingStats } from './parse/dropReasons.js';

export interface SamplingPlan {
  /** How long the tracepoint is on in each sample. */
  windowMs: number;
  /** One sample this often. */
  everyMs: number;
  /** Bytes of `trace` read at most (~20,000 events in 4 MiB); what is past it is estimated from the ring's counts. */
  maxReadBytes: number;
  /** The instance's ring, per CPU. */
  bufferKb: number;
}

/** One second in ten, 4 MiB read at most, a 256 KiB ring per CPU. */
export const DEFAULT_SAMPLING: SamplingPlan = { windowMs: 1000, everyMs: 10_000, maxReadBytes: 4 << 20, bufferKb: 256 };

export type TracerMode = 'hist' | 'sampled';

/** What the tracer has counted so far: per reason, since it started (sampled: estimated). */
export interface TracerReading {
  mode: TracerMode;
  atMs: number;
  totals: Map<string, number>;
  /** Sampled: the last sample, what it saw and whether the ring overflowed or the cap cut it. */
  lastSample?: { atMs: number; windowMs: number; events: number; estimated: boolean; perSec: Map<string, number> };
}

/**
 * The kernel's own reasons for freeing packets (`skb:kfree_skb`, 5.17+),
 * read through a tracefs instance of our own (`instances/nettriage-PID`),
 * so the host's tracing is never touched and removing the instance removes
 * everything. With hist triggers (CONFIG_HIST_TRIGGERS) the kernel counts
 * per reason itself and nothing crosses to user space per event; without,
 * and only when asked, the event is on for `windowMs` in every `everyMs`
 * and the ring is read then cleared. Host-wide: the tracepoint has no
 * namespace.
 */
export class DropReasonTracer {
  private closed = false;
  private readonly totals = new Map<string, number>();
  private sampleStartMs: number | undefined;
  private nextSampleMs = 0;
  private lastSample: TracerReading['lastSample'];
  private lastReadMs: number | undefined;
  private readonly onExit = () => this.close();
  /**
   * The one file read asynchronously (the ring, up to 4 MiB). A tracefs
   * instance with a file open cannot be removed (EBUSY), and from the 'exit'
   * handler an async read never finishes: close() closes it first. Every
   * other access is a small synchronous one for the same reason.
   */
  private reading: FileHandle | undefined;
  private inFlight: Promise<void> | undefined;

  private constructor(
    readonly mode: TracerMode,
    private readonly dir: string,
    private readonly names: Map<number, string>,
    readonly plan: SamplingPlan,
  ) {
    process.on('exit', this.onExit);
  }

  /**
   * A tracer, or why there is none (not root, no tracefs, a kernel without
   * reasons, no hist triggers and not asked to `sample` — `--drop-reasons`).
   */
  static async open(sample: boolean): Promise<DropReasonTracer | { why: string }> {
    const located = locateTracefs();
    if ('why' in located) return located;
    const format = await readFile(join(located.tracefs, EVENT, 'format'), 'utf8').catch(() => '');
    if (!hasReasonField(format)) return { why: 'this kernel’s skb:kfree_skb has no drop reason (5.17 and later have)' };
    const hist = existsSync(join(located.tracefs, EVENT, 'hist'));
    if (!hist && !sample) {
      return { why: 'this kernel has no hist triggers (CONFIG_HIST_TRIGGERS); --drop-reasons samples the tracepoint instead (1 s in 10)' };
    }
    removeStaleInstances(located.tracefs);
    const dir = join(located.tracefs, 'instances', `nettriage-${process.pid}`);
    const plan = DEFAULT_SAMPLING;
    try {
      await mkdir(dir);
    } catch (error) {
      return { why: `cannot make a tracefs instance: ${(error as Error).message}` };
    }
    const tracer = new DropReasonTracer(hist ? 'hist' : 'sampled', dir, parseDropReasonNames(format), plan);
    try {
      if (hist) writeFileSync(join(dir, EVENT, 'trigger'), HIST_TRIGGER);
      else writeFileSync(join(dir, 'buffer_size_kb'), String(plan.bufferKb));
    } catch (error) {
      tracer.close();
      return { why: `cannot set up the tracepoint: ${(error as Error).message}` };
    }
    return tracer;
  }

  /**
   * Counts so far. Hist: the kernel's totals. Sampled: one step of the
   * sampling (turn the event on when a sample is due; after its window, off,
   * read, clear), and the totals advanced at the last sample's rates.
   */
  read(nowMs = Date.now()): Promise<TracerReading> {
    if (this.closed) return Promise.reject(new Error('drop reasons: the tracer was closed'));
    const run = this.step(nowMs);
    this.inFlight = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async step(nowMs: number): Promise<TracerReading> {
    if (this.mode === 'hist') {
      const text = readFileSync(join(this.dir, EVENT, 'hist'), 'utf8');
      const counts = parseReasonHist(text, this.names).value.counts;
      this.totals.clear();
      for (const [reason, n] of counts) this.totals.set(reason, n);
      return { mode: 'hist', atMs: nowMs, totals: new Map(this.totals) };
    }
    if (this.lastSample && this.lastReadMs !== undefined) {
      const seconds = Math.max(0, nowMs - this.lastReadMs) / 1000;
      for (const [reason, rate] of this.lastSample.perSec) this.totals.set(reason, (this.totals.get(reason) ?? 0) + rate * seconds);
    }
    this.lastReadMs = nowMs;
    try {
      if (this.sampleStartMs === undefined && nowMs >= this.nextSampleMs) {
        this.sampleStartMs = nowMs;
        this.setEnabled(true);
      } else if (this.sampleStartMs !== undefined && nowMs - this.sampleStartMs >= this.plan.windowMs * 0.9) {
        // A tick a few ms early still closes the window: the rate divides by the time it was really open.
        const windowMs = nowMs - this.sampleStartMs;
        this.sampleStartMs = undefined;
        this.nextSampleMs = nowMs + this.plan.everyMs - windowMs;
        this.setEnabled(false);
        this.lastSample = { atMs: nowMs, windowMs, ...(await this.drain(windowMs)) };
      }
    } catch (error) {
      // A failed step never leaves the tracepoint on: off now, a new sample at the next one due.
      this.sampleStartMs = undefined;
      this.nextSampleMs = nowMs + this.plan.everyMs;
      if (!this.closed) {
        try {
          this.setEnabled(false);
        } catch {
          // The instance is gone: nothing is on.
        }
      }
      throw error;
    }
    return { mode: 'sampled', atMs: nowMs, totals: new Map([...this.totals].map(([r, n]) => [r, Math.round(n)])), ...(this.lastSample ? { lastSample: this.lastSample } : {}) };
  }

  private setEnabled(on: boolean): void {
    writeFileSync(join(this.dir, EVENT, 'enable'), on ? '1' : '0');
  }

  /**
   * Reads the ring (bounded), then clears it. What the ring overwrote or the
   * cap left unread is estimated: each reason's share of what was read,
   * times every event the ring counted.
   */
  private async drain(windowMs: number): Promise<{ events: number; estimated: boolean; perSec: Map<string, number> }> {
    const text = await this.readBounded(join(this.dir, 'trace'));
    if (this.closed) throw new Error('drop reasons: the tracer was closed');
    writeFileSync(join(this.dir, 'trace'), '');
    const read: ReasonCounts = parseKfreeSkbTrace(text).value;
    let ringEvents = 0;
    // One ring per CPU the instance has (possible CPUs, offline ones included: their rings are empty).
    for (const cpu of readdirSync(join(this.dir, 'per_cpu'))) {
      const { entries, overrun } = parseRingStats(readFileSync(join(this.dir, 'per_cpu', cpu, 'stats'), 'utf8'));
      ringEvents += entries + overrun;
    }
    const events = Math.max(read.events, ringEvents);
    const scale = read.events > 0 ? events / read.events : 1;
    const perSec = new Map([...read.counts].map(([reason, n]) => [reason, (n * scale) / (windowMs / 1000)]));
    return { events, estimated: scale > 1, perSec };
  }

  private async readBounded(path: string): Promise<string> {
    const handle = await open(path, 'r');
    this.reading = handle;
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buffer = Buffer.alloc(Math.min(256 << 10, this.plan.maxReadBytes - total));
        if (buffer.length === 0) break;
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        chunks.push(buffer.subarray(0, bytesRead));
        total += bytesRead;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      // A cut read ends mid-line: the partial line is left out.
      return total >= this.plan.maxReadBytes ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
    } finally {
      this.reading = undefined;
      await handle.close().catch(() => undefined);
    }
  }

  /** Once the read under way (if any) is done: everything off, the instance removed. */
  async dispose(): Promise<void> {
    await this.inFlight;
    this.close();
  }

  /**
   * Everything off and the instance removed, at once; safe to call twice.
   * The 'exit' handler's way: a read under way has its file closed under it
   * (the process is ending), else the instance could not be removed.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.off('exit', this.onExit);
    if (this.reading) {
      try {
        closeSync(this.reading.fd);
      } catch {
        // Already closed.
      }
    }
    teardownInstance(this.dir);
  }
}
