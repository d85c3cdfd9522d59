import { type Destination, groupByDestination } from '../../collectors/destinations.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { DRILL_PACE, type OwnersPace, type OwnersService, type ProcessSockets, groupByOwner, hasOwners, stateQuery } from '../../collectors/socketOwners.js';
import { asProblem } from '../problems.js';
import { ProcessCpu } from '../processCpu.js';
import type { TargetIO } from '../targetIO.js';
import type { TcpState } from '../tcpState.js';
import { type SocketsHealth, queryHealth } from './health.js';
import { type ProcessDetails, inspectProcesses } from './processes.js';

export interface OwnerRow extends ProcessSockets {
  /** count / sockets in the state. */
  share: number;
  details?: ProcessDetails;
  /** RSS change per minute over the last refreshes (a socket leak usually leaks memory too). */
  rssPerMin?: number;
}

export interface DrillData {
  state: TcpState;
  atMs: number;
  /** Every socket in the state (with owners when `withOwners`). */
  sockets: SocketEntry[];
  owners: OwnerRow[];
  /** Sockets ss showed no process for. */
  unowned: SocketEntry[];
  /** Ownerless sockets grouped by (local IP, remote IP, remote port). */
  destinations: Destination[];
  /** TIME-WAIT is asked without -p: the kernel owns those sockets. */
  withOwners: boolean;
  /** ss -p sees only our own processes unless we are root. */
  notRoot: boolean;
  problem?: string;
  skippedLines: number;
  /** TCP health (ss -i) of the sockets of the process whose sockets are on screen. */
  health?: SocketsHealth;
}

/** What the screen needs from the drill-down's data source. */
export interface DrillSource {
  readonly refreshMs: number;
  open(state: TcpState): void;
  close(): void;
  /** The process whose sockets are on screen: their TCP health is asked for too (undefined: none). */
  watchHealth?(pid: number | undefined): void;
  current(): DrillData | undefined;
  subscribe(listener: () => void): () => void;
}

/** Processes inspected per refresh: the top of the list, not a thousand PIDs. */
const MAX_INSPECTED = 200;
const RSS_POINTS = 12;

/**
 * The on-demand side of the data flow: while a drill-down is open it asks
 * the owners service for the sockets of one state (with owners: ss -p walks
 * every /proc/PID/fd, so the service paces it by its cost) and reads the
 * processes behind them every `refreshMs`.
 */
export class DrillController implements DrillSource {
  private state: TcpState | undefined;
  private healthPid: number | undefined;
  /** What the last health query cost: the whole state (no narrower filter) can be a large dump. */
  private healthCostMs = 0;
  private data: DrillData | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly rssHistory = new Map<number, { t: number; rss: number }[]>();
  private readonly cpu = new ProcessCpu();

  constructor(
    private readonly io: TargetIO,
    private readonly owners: OwnersService,
    private readonly options: { refreshMs: number; timeoutMs: number; share?: number },
  ) {}

  /** How often the sockets on screen are asked for again: the owners service may wait longer than `refreshMs` when ss -p is expensive. */
  get refreshMs(): number {
    return this.state ? this.owners.waitMs(stateQuery(this.state), this.pace) : this.options.refreshMs;
  }

  /** Every refresh while the cost allows; `share` of a core at most for ss -p. */
  private get pace(): OwnersPace {
    return { floorMs: this.options.refreshMs, share: this.options.share ?? DRILL_PACE.share };
  }

  current(): DrillData | undefined {
    return this.data;
  }

  /** The destinations of the ownerless sockets on screen (TIME-WAIT), busiest first: whose clients are worth tracing. */
  peersOnScreen(max = 5): string[] {
    return (this.data?.destinations ?? []).slice(0, max).map((d) => d.peer);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  open(state: TcpState): void {
    if (this.state === state && this.timer) return;
    this.close();
    this.state = state;
    const loop = async () => {
      await this.refreshNow();
      if (this.state === state) this.timer = setTimeout(() => void loop(), this.options.refreshMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.state) this.owners.forget(stateQuery(this.state));
    this.timer = undefined;
    this.state = undefined;
    this.healthPid = undefined;
    this.data = undefined;
    this.rssHistory.clear();
    this.cpu.clear();
    this.notify();
  }

  watchHealth(pid: number | undefined): void {
    if (pid === this.healthPid) return;
    this.healthPid = pid;
    if (this.data?.health && this.data.health.pid !== pid) {
      const { health: _gone, ...rest } = this.data;
      this.data = rest;
      this.notify();
    }
    // At once, not at the next refresh: the user just opened the process.
    if (pid !== undefined && this.state) void this.refreshHealth();
  }

  /** One refresh of the open state; concurrent calls share the run in flight. */
  refreshNow(): Promise<void> {
    this.running ??= this.refresh().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async refresh(): Promise<void> {
    const state = this.state;
    if (!state) return;
    const atMs = Date.now();
    const withOwners = hasOwners(state);
    const notRoot = process.getuid?.() !== 0;
    try {
      const answer = await this.owners.query(stateQuery(state), this.pace, this.options.timeoutMs);
      const grouped = groupByOwner(answer.sockets);
      const pids = grouped.owners.slice(0, MAX_INSPECTED).map((o) => o.pid);
      const details = await inspectProcesses(this.io, pids, this.cpu);
      if (this.state !== state) return;
      const owners = grouped.owners
        // A process that exited between the query and the read disappears quietly.
        .filter((o) => !details.get(o.pid)?.gone)
        .map((o): OwnerRow => {
          const d = details.get(o.pid);
          const row: OwnerRow = { ...o, share: o.count / Math.max(1, grouped.total) };
          if (d) row.details = d;
          const trend = this.trackRss(o.pid, atMs, d?.rssBytes);
          if (trend !== undefined) row.rssPerMin = trend;
          return row;
        });
      for (const pid of this.rssHistory.keys()) if (!details.has(pid)) this.rssHistory.delete(pid);
      const unowned = answer.sockets.filter((s) => s.owners.length === 0);
      this.data = {
        state,
        atMs: answer.atMs,
        sockets: answer.sockets,
        owners,
        unowned,
        destinations: groupByDestination(unowned),
        withOwners,
        notRoot,
        skippedLines: answer.skippedLines,
        ...(this.data?.health ? { health: this.data.health } : {}),
      };
      await this.refreshHealth(false);
    } catch (error) {
      if (this.state !== state) return;
      const previous = this.data?.state === state ? this.data : undefined;
      this.data = {
        ...(previous ?? { state, atMs, sockets: [], owners: [], unowned: [], destinations: [], withOwners, notRoot, skippedLines: 0 }),
        problem: asProblem(error).message,
      };
    }
    this.notify();
  }

  /**
   * The health of the watched process's sockets, from the sockets the last
   * owners answer gave it. A failure keeps the last figures with the reason.
   */
  private async refreshHealth(notify = true): Promise<void> {
    const { state, healthPid: pid, data } = this;
    if (!state || pid === undefined || !data || data.state !== state) return;
    const last = data.health?.pid === pid ? data.health : undefined;
    if (last && Date.now() - last.atMs < this.healthCostMs / this.pace.share) return;
    const sockets = data.sockets.filter((s) => s.owners.some((o) => o.pid === pid));
    let health: SocketsHealth;
    const started = performance.now();
    try {
      health = await queryHealth(this.io, state, pid, sockets, this.options.timeoutMs);
    } catch (error) {
      health = { ...(last ?? { pid, atMs: Date.now(), byKey: new Map(), skippedLines: 0 }), problem: asProblem(error).message };
    }
    this.healthCostMs = performance.now() - started;
    if (this.state !== state || this.healthPid !== pid || !this.data) return;
    this.data = { ...this.data, health };
    if (notify) this.notify();
  }

  private trackRss(pid: number, t: number, rss: number | undefined): number | undefined {
    if (rss === undefined) return undefined;
    const points = this.rssHistory.get(pid) ?? [];
    points.push({ t, rss });
    if (points.length > RSS_POINTS) points.shift();
    this.rssHistory.set(pid, points);
    const first = points[0];
    if (!first || t - first.t < 1000) return undefined;
    return ((rss - first.rss) / (t - first.t)) * 60_000;
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
