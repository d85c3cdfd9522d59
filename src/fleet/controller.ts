import { type Target, targetLabel } from '../target.js';
import type { FleetState, NamespaceFleet } from './fleet.js';

/** After this long on screen a namespace's own rules have their warm-up behind them. */
const DASHBOARD_WARM_MS = 15_000;

/** What the screen needs of the fleet: a state to show while the overview is open. */
export interface FleetSource {
  /** The overview is open: read every interval. */
  open(): void;
  /** The overview closed: read at the background pace. */
  close(): void;
  current(): FleetState | undefined;
  subscribe(listener: () => void): () => void;
}

/**
 * Runs the fleet: once an interval while the overview is open, every
 * `backgroundMs` (10 s) otherwise — the cheap rules keep judging every namespace,
 * so a leak in another one raises an alert on the dashboard — and not at
 * all once closed. Each namespace's history stays between openings.
 */
export class FleetController implements FleetSource {
  private state: FleetState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private fast = false;
  private inFlight = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly fleet: NamespaceFleet,
    private readonly intervalMs: () => number,
    /** What the dashboard watches, and since when: in the background the fleet leaves it to the dashboard's own rules once they are warm. */
    private readonly onScreen: () => { target: Target; sinceMs: number } = () => ({ target: { kind: 'host' }, sinceMs: Number.POSITIVE_INFINITY }),
    private readonly backgroundMs: () => number = () => Math.max(10_000, 10 * intervalMs()),
  ) {}

  /**
   * Starts the background pace, its first pass `firstAfterMs` from now: on
   * the dashboard, after its first frame (a pass reads every namespace's
   * files, ~20 ms, that the first frame would otherwise wait for).
   */
  start(firstAfterMs = 0): void {
    if (this.running) return;
    this.running = true;
    if (firstAfterMs > 0) this.timer = setTimeout(() => void this.loop(), firstAfterMs);
    else void this.loop();
  }

  /** The overview is open: every interval, from now. */
  open(): void {
    const wasFast = this.fast;
    this.fast = true;
    if (!this.running) return this.start();
    // Waiting out a background pause: look now instead.
    if (!wasFast && !this.inFlight) {
      clearTimeout(this.timer);
      void this.loop();
    }
  }

  /** The overview closed: back to the background pace. */
  close(): void {
    this.fast = false;
  }

  /** No more passes; the readers the fleet keeps in empty namespaces end. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.fleet.close();
  }

  private async loop(): Promise<void> {
    this.inFlight = true;
    try {
      const { target, sinceMs } = this.onScreen();
      const warm = Date.now() - sinceMs > DASHBOARD_WARM_MS;
      const skip = this.fast || !warm ? undefined : (t: Target) => targetLabel(t) === targetLabel(target);
      this.state = await this.fleet.tick(Date.now(), skip);
      for (const listener of this.listeners) listener();
    } catch {
      // /proc unreadable for a moment: the last state stands, the next tick tries again.
    }
    this.inFlight = false;
    if (this.running) this.timer = setTimeout(() => void this.loop(), this.fast ? this.intervalMs() : this.backgroundMs());
  }

  current(): FleetState | undefined {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
