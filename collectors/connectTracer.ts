import { closeSync, writeFileSync } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConnectEvent, connectFilter, parseConnectTrace } from './parse/connectTrace.js';
import { locateTracefs, removeStaleInstances, teardownInstance } from './tracefsInstance.js';

export const CONNECT_EVENT = join('events', 'sock', 'inet_sock_set_state');

export interface ConnectSampling {
  /** How long the tracepoint is on in each sample. */
  windowMs: number;
  /** One sample this often (the first at once when the ports change). */
  everyMs: number;
  /** Bytes of `trace` read at most (~2,000 events); what the cap leaves out is said. */
  maxReadBytes: number;
  /** The instance's ring, per CPU. */
  bufferKb: number;
}

/** One second in ten, 512 KiB read at most, a 128 KiB ring per CPU. */
export const CONNECT_SAMPLING: ConnectSampling = { windowMs: 1000, everyMs: 10_000, maxReadBytes: 512 << 10, bufferKb: 128 };

/** What one sample saw: the connect()s toward the watched ports while the tracepoint was on. */
export interface ConnectWindow {
  atMs: number;
  windowMs: number;
  events: ConnectEvent[];
  /** The read was cut at its cap, or the ring overwrote events: the counts are a floor. */
  truncated: boolean;
}

/**
 * Who calls connect() toward a destination, without BPF: the
 * `sock:inet_sock_set_state` tracepoint fires for CLOSE → SYN-SENT inside
 * connect(), in the caller's context, so each trace line names the process
 * — even one whose connections last a millisecond, which `ss -p` never
 * catches alive. Through a tracefs instance of nettriage's own
 * (`instances/nettriage-PID-connect`), with a kernel-side filter on the
 * ports (`newstate == 2 && dport == …`), on for `windowMs` in every
 * `everyMs`, and only while someone asks (the ports are set). Host-wide:
 * the caller keeps the processes of the namespace it watches.
 */
export class ConnectTracer {
  private closed = false;
  private ports: number[] = [];
  private sampleStartMs: number | undefined;
  private nextSampleMs = 0;
  private reading: FileHandle | undefined;
  private readonly onExit = () => this.close();

  private constructor(
    private readonly dir: string,
    readonly plan: ConnectSampling,
  ) {
    process.on('exit', this.onExit);
  }

  /** A tracer, or why there is none (not root, no tracefs, no such tracepoint). */
  static async open(plan = CONNECT_SAMPLING): Promise<ConnectTracer | { why: string }> {
    const located = locateTracefs(CONNECT_EVENT);
    if ('why' in located) return located;
    removeStaleInstances(located.tracefs);
    const dir = join(located.tracefs, 'instances', `nettriage-${process.pid}-connect`);
    try {
      await mkdir(dir);
    } catch (error) {
      return { why: `cannot make a tracefs instance: ${(error as Error).message}` };
    }
    const tracer = new ConnectTracer(dir, plan);
    try {
      writeFileSync(join(dir, 'buffer_size_kb'), String(plan.bufferKb));
    } catch (error) {
      tracer.close();
      return { why: `cannot set up the tracepoint: ${(error as Error).message}` };
    }
    return tracer;
  }

  /** The destination ports to watch; a new set starts a sample at the next step. */
  watch(ports: number[]): void {
    const next = [...new Set(ports)].sort((a, b) => a - b);
    if (next.join() === this.ports.join()) return;
    this.ports = next;
    if (this.sampleStartMs !== undefined) this.stopWindow();
    this.nextSampleMs = 0;
    if (next.length > 0) writeFileSync(join(this.dir, CONNECT_EVENT, 'filter'), connectFilter(next));
  }

  /**
   * One step of the sampling: the tracepoint on when a sample is due, and
   * after its window off, read (bounded) and cleared. Resolves with the
   * window that just closed, if one did.
   */
  async step(nowMs = Date.now()): Promise<ConnectWindow | undefined> {
    if (this.closed) throw new Error('connect tracing: the tracer was closed');
    if (this.ports.length === 0) return undefined;
    try {
      if (this.sampleStartMs === undefined) {
        if (nowMs < this.nextSampleMs) return undefined;
        this.sampleStartMs = nowMs;
        this.setEnabled(true);
        return undefined;
      }
      // A tick a few ms early still closes the window: rates divide by the time it was really open.
      if (nowMs - this.sampleStartMs < this.plan.windowMs * 0.9) return undefined;
      const windowMs = nowMs - this.sampleStartMs;
      this.stopWindow();
      this.nextSampleMs = nowMs + this.plan.everyMs - windowMs;
      const { text, cut } = await this.readBounded(join(this.dir, 'trace'));
      if (this.closed) throw new Error('connect tracing: the tracer was closed');
      writeFileSync(join(this.dir, 'trace'), '');
      return { atMs: nowMs, windowMs, events: parseConnectTrace(text).value, truncated: cut || text.includes('LOST') };
    } catch (error) {
      // A failed step never leaves the tracepoint on.
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
  }

  private stopWindow(): void {
    this.sampleStartMs = undefined;
    this.setEnabled(false);
  }

  private setEnabled(on: boolean): void {
    writeFileSync(join(this.dir, CONNECT_EVENT, 'enable'), on ? '1' : '0');
  }

  private async readBounded(path: string): Promise<{ text: string; cut: boolean }> {
    const handle = await open(path, 'r');
    this.reading = handle;
    try {
      const buffer = Buffer.alloc(this.plan.maxReadBytes);
      let total = 0;
      while (total < buffer.length) {
        const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      const text = buffer.subarray(0, total).toString('utf8');
      const cut = total >= buffer.length;
      // A cut read ends mid-line: the partial line is left out.
      return { text: cut ? text.slice(0, text.lastIndexOf('\n') + 1) : text, cut };
    } finally {
      this.reading = undefined;
      await handle.close().catch(() => undefined);
    }
  }

  /** Everything off and the instance removed, at once; safe to call twice (the 'exit' handler's way). */
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
