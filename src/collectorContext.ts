import type { DropReasonsWish } from '../collectors/dropReasons.js';
import type { OwnersService } from '../collectors/socketOwners.js';
import type { Collector } from '../collectors/types.js';
import type { AlertsState } from './alerts/engine.js';
import type { AlertConfig } from './alerts/types.js';
import type { Store } from './store.js';
import type { TargetIO } from './targetIO.js';

/**
 * What the registry's factories give a collector when they make it: the
 * runtime satisfies it. Collectors never see it whole — a factory hands
 * each the plain functions and services it needs (`src/queryGates.ts`
 * turns the store and the alerts into "is it worth running now").
 */
export interface CollectorContext {
  store: Store;
  io: TargetIO;
  config: AlertConfig;
  /** The latest alert evaluation. */
  alerts(): AlertsState;
  /** Socket owners, shared with the drill-down. */
  owners: OwnersService;
  /** Interfaces named with --ethtool, beside the physical ones. */
  ethtoolInterfaces: string[];
  /** How the kernel's drop reasons are to be read (`--drop-reasons`), or why not. */
  dropReasons: DropReasonsWish;
  /** The destinations an open drill-down shows (who connects there is traced too). */
  drilledPeers(): string[];
  /** Whether someone watches the DNS line: its probes run only then. */
  dnsWatched(): boolean;
  /** /proc is a fixture tree (--proc-root): what only the live kernel can answer (`ip route get`, DNS) is not asked. */
  fixtureTree: boolean;
}

/** How the registry makes a collector. */
export type CollectorFactory = (ctx: CollectorContext) => Collector<unknown>;
