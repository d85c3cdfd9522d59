import type { AlertConfig } from '../alerts/config.js';
import type { AlertsState } from '../alerts/engine.js';
import { NO_ALERTS } from '../dashboardModel.js';
import type { DrillSource } from '../drilldown/controller.js';
import { OWNERS } from '../../collectors/owners.js';
import type { TcpState } from '../tcpState.js';
import type { Recording } from './format.js';
import { Replayer } from './replayer.js';

export interface ReplayStatus {
  /** 1-based: the sample on screen, of `total`. */
  position: number;
  total: number;
  /** The recorded time of the sample on screen. */
  atMs: number;
  speed: number;
  playing: boolean;
}

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
/** A gap in the recording (nettriage was stopped) is not waited out. */
const MAX_WAIT_MS = 5_000;

/**
 * Plays a recording into a store at the pace it was recorded (times a
 * speed): the dashboard reads that store as it reads a live one. A step
 * back judges the recording again from its start up to the sample before
 * (a store only moves forward); with 15 minutes at 1 s that is ~900
 * records, well under a second.
 */
export class ReplayPlayer {
  private replayer: Replayer;
  private next = 0;
  private speedIndex = SPEEDS.indexOf(1);
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  playing = true;

  constructor(
    private readonly recording: Recording,
    private readonly config: AlertConfig,
  ) {
    this.replayer = new Replayer(recording.header.target, config);
    this.advance();
  }

  get store() {
    return this.replayer.store;
  }

  get intervalMs(): number {
    return this.recording.header.intervalMs;
  }

  /** The interval of a recording is what it was: +/- do nothing here. */
  setIntervalMs(): void {}

  alerts = (): AlertsState => this.replayer.alerts ?? NO_ALERTS;

  status(): ReplayStatus {
    const record = this.recording.records[this.next - 1];
    return { position: this.next, total: this.recording.records.length, atMs: record ? Date.parse(record.time) : 0, speed: SPEEDS[this.speedIndex] ?? 1, playing: this.playing };
  }

  /** Called on every change: a new sample, a new store (a step back), pause or speed. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.playing = false;
  }

  togglePause(): void {
    this.playing = !this.playing && this.next < this.recording.records.length;
    this.schedule();
    this.notify();
  }

  faster(): void {
    this.speedIndex = Math.min(SPEEDS.length - 1, this.speedIndex + 1);
    this.schedule();
    this.notify();
  }

  slower(): void {
    this.speedIndex = Math.max(0, this.speedIndex - 1);
    this.schedule();
    this.notify();
  }

  stepForward(): void {
    this.pause();
    this.advance();
    this.notify();
  }

  stepBack(): void {
    this.pause();
    this.rebuild(Math.max(1, this.next - 1));
  }

  toStart(): void {
    this.pause();
    this.rebuild(1);
  }

  toEnd(): void {
    this.pause();
    while (this.next < this.recording.records.length) this.advance();
    this.notify();
  }

  private pause(): void {
    this.playing = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private advance(): void {
    const record = this.recording.records[this.next];
    if (!record) return;
    this.replayer.step(record);
    this.next++;
  }

  private rebuild(count: number): void {
    this.replayer = new Replayer(this.recording.header.target, this.config);
    this.next = 0;
    while (this.next < count && this.next < this.recording.records.length) this.advance();
    this.notify();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const records = this.recording.records;
    if (!this.playing || this.next >= records.length) {
      this.playing = false;
      return;
    }
    const gapMs = Date.parse(records[this.next]?.time ?? '') - Date.parse(records[this.next - 1]?.time ?? '');
    const waitMs = Math.min(MAX_WAIT_MS, Math.max(10, (Number.isFinite(gapMs) ? gapMs : this.intervalMs) / (SPEEDS[this.speedIndex] ?? 1)));
    this.timer = setTimeout(() => {
      this.advance();
      this.schedule();
      this.notify();
    }, waitMs);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * The drill-down of a replay: the owners the recording holds for the state
 * (asked while an alert wanted names), as of when they were asked; the
 * sockets themselves are not recorded, and it says so.
 */
export function createReplayDrill(player: Pick<ReplayPlayer, 'store' | 'subscribe'>): DrillSource {
  let state: TcpState | undefined;
  return {
    refreshMs: 60_000,
    open(s) {
      state = s;
    },
    close() {
      state = undefined;
    },
    current: () => {
      if (!state) return undefined;
      const recorded = player.store.sample(OWNERS)?.value.byState[state];
      const owners = (recorded?.owners ?? []).map((o) => ({ ...o, share: recorded && recorded.total > 0 ? o.count / recorded.total : 0 }));
      return {
        state,
        atMs: recorded?.atMs ?? 0,
        sockets: [],
        owners,
        unowned: [],
        destinations: [],
        withOwners: true,
        notRoot: false,
        problem: recorded
          ? `replay: the owners as recorded at ${new Date(recorded.atMs).toTimeString().slice(0, 8)} (asked while an alert wanted names); sockets are not recorded`
          : 'replay: no owners recorded for this state (they are asked only while an alert wants names); sockets are not recorded',
        skippedLines: 0,
      };
    },
    subscribe: (listener) => player.subscribe(listener),
  };
}
