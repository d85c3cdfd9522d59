import type { Collector } from '../../collectors/types.js';
import type { CollectorContext } from '../collectorContext.js';
import type { AlertConfig } from '../alerts/config.js';
import { AlertEngine, type AlertsState } from '../alerts/engine.js';
import { COLLECTORS, RULES } from '../registry.js';
import { Store } from '../store.js';
import { type Target, parseTarget } from '../target.js';
import type { SampleRecord } from '../record.js';
import { samplesOfRecord } from './fromRecord.js';

/**
 * The collectors' own `series` and `counters` (what the store keeps of a
 * sample): the same functions the scheduler uses, so a replayed store is
 * the store that was. Made with a context nothing reads: only those two
 * are called, never `sample`.
 */
function storeShapes(): Map<string, Collector<unknown>> {
  const unused = {} as CollectorContext;
  return new Map(COLLECTORS.map((make) => make(unused) as Collector<unknown>).map((c) => [c.key.name, c]));
}

/**
 * Feeds recorded samples into a store of its own, tick by tick as they were
 * taken, and judges them with the alert rules and the thresholds it is given:
 * an incident recorded with old thresholds can be judged again. A sample
 * that a record repeats (the source did not run that tick) is stored once.
 */
export class Replayer {
  readonly store = new Store();
  readonly target: Target;
  private readonly engine: AlertEngine;
  private readonly collectors = storeShapes();
  private readonly lastAtMs = new Map<string, number>();
  alerts: AlertsState | undefined;
  /** Samples left out because they had not the shape their source gives. */
  skipped = 0;

  constructor(targetLabel: string, config: AlertConfig) {
    this.target = parseTarget(targetLabel) ?? { kind: 'host' };
    this.engine = new AlertEngine(config, this.target, RULES);
  }

  /** One record: its new samples stored, the tick closed at its time, the rules run. */
  step(record: SampleRecord): AlertsState {
    const timeMs = Date.parse(record.time);
    for (const { key, sampled } of samplesOfRecord(record)) {
      if (this.lastAtMs.get(key.name) === sampled.atMs) continue;
      this.lastAtMs.set(key.name, sampled.atMs);
      const collector = this.collectors.get(key.name);
      let series: Record<string, number>;
      try {
        series = collector?.series?.(sampled.value) ?? {};
      } catch {
        // A sample of the wrong shape: not stored, as a collector that failed stores nothing.
        this.skipped++;
        continue;
      }
      this.store.recordSample(key, sampled, series);
      const counters = collector?.counters?.(sampled.value);
      if (counters) this.store.recordCounters(key, sampled.atMs, counters);
    }
    this.store.commitTick(timeMs);
    this.alerts = this.engine.evaluate(this.store, timeMs);
    return this.alerts;
  }
}
