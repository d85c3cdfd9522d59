import type { FleetState, NamespaceFleet } from './fleet.js';

/** What the screen needs of the fleet: a state to show while the overview is open. */
export interface FleetSource {
  open(): void;
  close(): void;
  current(): FleetState | undefined;
  subscribe(listener: () => void): () => void;
}

/**
 * Runs the fleet once an interval while the overview is open, and not at
 * all while it is closed: watching every namespace costs only while someone
 * looks. Each namespace's history stays between openings.
 */
export class FleetController implements FleetSource {
  private state: FleetState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly fleet: NamespaceFleet,
    private readonly intervalMs: () => number,
  ) {}

  open(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      try {
        this.state = await this.fleet.tick();
        for (const listener of this.listeners) listener();
      } catch {
        // /proc unreadable for a moment: the last state stands, the next tick tries again.
      }
      if (this.running) this.timer = setTimeout(() => void loop(), this.intervalMs());
    };
    void loop();
  }

  close(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  current(): FleetState | undefined {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
