import { type LayerCheck, buildLayers } from './layers.js';
import type { AlertPanelModel } from './panels/alerts.js';
import { CONNECTS } from '../collectors/connects.js';
import { SELF } from '../collectors/self.js';
import { formatAge, formatRate } from './format.js';
import { safeText } from './sanitize.js';
import { SOCKETS } from '../collectors/sockets.js';
import { TARGET } from '../collectors/target.js';
import type { AlertsState } from './alerts/engine.js';
import { type AlertConfig, causes } from './alerts/types.js';
import type { PanelId } from './panelId.js';
import type { PanelDescriptor } from './panels/types.js';
import { PANELS } from './registry.js';
import type { Store } from './store.js';
import { type Target, shellPrefix, targetLabel } from './target.js';
import { type DropLayerState, dropPath } from './dropPath.js';
import { type DropReasonsModel, dropReasonsModel } from './dropReasonsModel.js';
import type { EnterResult } from './viewState.js';

export interface HostInfo {
  host: string;
  kernel: string;
}

export interface HeaderModel {
  host: string;
  kernel: string;
  target: string;
  /** The watched namespace's container or pod and inode, once the fleet has read it. */
  watched?: string;
  /** Playing a recording: where, for the REPLAY banner. */
  replay?: string;
  intervalMs: number;
  sampleAtMs?: number;
  /** What watching costs: CPU % of a core (when known) and RSS of nettriage and its helpers. */
  self?: { cpuPercent?: number; rssBytes: number };
  /** Why the target no longer leads to the namespace on screen (the PID exited, the name was deleted). */
  targetGone?: string;
  /** Alerts per severity, as badges. */
  critical: number;
  warning: number;
}

/** Everything the screen shows at one tick; frozen as a whole while paused. */
export interface DashboardModel {
  header: HeaderModel;
  /** Each panel's model, by id; only its own descriptor reads it. */
  panels: Partial<Record<PanelId, unknown>>;
  /** Usable ephemeral ports, for the drill-down's per-destination share. */
  usablePorts?: number;
  /** Who connects to each traced destination (`addr:port`), for the drill-down; `note`: why nobody is traced. */
  connecting: { byPeer: Record<string, string>; note?: string };
  /** Where packets die, layer by layer (key d): built only while on screen. */
  dropPath: DropLayerState[];
  /** The kernel's drop reasons under the drop path: only while it is on screen. */
  dropReasons?: DropReasonsModel;
  /** The triage checklist (key t): built only while on screen. */
  layers: LayerCheck[];
}

export const NO_ALERTS: AlertsState = { alerts: [], disabled: [], watching: 0, blind: [] };

export interface ModelInputs {
  store: Store;
  alerts: AlertsState;
  config: AlertConfig;
  target: Target;
  /** How the fleet names the watched namespace (`watchedNamespace`). */
  watched?: string;
  replay?: string;
  host: HostInfo;
  intervalMs: number;
  /** Panels whose other view is on. */
  alternate: Partial<Record<PanelId, boolean>>;
  /** The drop path is on screen (key d): only then is it worked out. */
  dropPathOpen?: boolean;
  /** The triage checklist is on screen (key t). */
  layersOpen?: boolean;
}

export function buildDashboardModel({ store, alerts, config, target, watched, replay, host, intervalMs, alternate, dropPathOpen = false, layersOpen = false }: ModelInputs): DashboardModel {
  const nowMs = Date.now();
  const header: HeaderModel = {
    host: host.host,
    kernel: host.kernel,
    target: targetLabel(target),
    intervalMs,
    critical: causes(alerts.alerts).filter((a) => a.severity === 'critical').length,
    warning: causes(alerts.alerts).filter((a) => a.severity === 'warning').length,
  };
  if (watched) header.watched = watched;
  if (replay) header.replay = replay;
  const gone = store.status(TARGET).problem;
  if (gone) header.targetGone = gone.message;
  const sockets = store.sample(SOCKETS);
  if (sockets) header.sampleAtMs = sockets.atMs;
  const self = store.sample(SELF)?.value;
  if (self) header.self = self.cpuPercent === undefined ? { rssBytes: self.rssBytes } : { cpuPercent: self.cpuPercent, rssBytes: self.rssBytes };
  const panels: DashboardModel['panels'] = {};
  for (const panel of PANELS) panels[panel.id] = panel.build({ store, alerts, config, nowMs, alternate: alternate[panel.id] ?? false });
  // The next commands run where the dashboard looks: inside the namespace.
  const prefix = shellPrefix(target);
  const inTarget = (commands: string) => (prefix === '' ? commands : commands.split('; ').map((c) => `${prefix} ${c}`).join('; '));
  // Other namespaces' alerts shown here judge their own layers, not this one's.
  const layers = layersOpen ? buildLayers(store, alerts.alerts.filter((a) => !a.link?.namespace), alerts.blind) : [];
  const model: DashboardModel = { header, panels, connecting: connectingByPeer(store, nowMs), dropPath: dropPathOpen ? dropPath(store).map((l) => ({ ...l, next: inTarget(l.next) })) : [], layers };
  if (dropPathOpen) model.dropReasons = dropReasonsModel(store);
  const usable = sockets?.value.portRange?.usable;
  if (usable !== undefined) model.usablePorts = usable;
  return model;
}

/** `node (pid 4242) 118/s, curl (pid 9) 1.0/s · 3s ago` per destination the connect() tracer follows. */
function connectingByPeer(store: Store, nowMs: number): DashboardModel['connecting'] {
  const byPeer: Record<string, string> = {};
  const traced = store.sample(CONNECTS)?.value.byPeer ?? {};
  for (const [peer, seen] of Object.entries(traced)) {
    const names = seen.processes
      .slice(0, 3)
      .map((p) => `${safeText(p.name)} (pid ${p.pid}) ${formatRate(p.perSec)}/s`)
      .join(', ');
    byPeer[peer] = `${names || 'nobody in this namespace'} · ${formatAge(nowMs - seen.atMs)} ago`;
  }
  const problem = store.status(CONNECTS).problem;
  return problem ? { byPeer, note: `who connects: ${problem.message}` } : { byPeer };
}

export function panelOf(id: PanelId): PanelDescriptor | undefined {
  return PANELS.find((p) => p.id === id);
}

/** How many rows each panel has to select from. */
export function rowCounts(model: DashboardModel): Partial<Record<PanelId, number>> {
  return Object.fromEntries(PANELS.map((p) => [p.id, p.rowCount(model.panels[p.id])]));
}

/**
 * What Enter on `row` of panel `id` opens. An alert's link leads to what
 * Enter on the linked row opens there (a state's drill-down, at the
 * process the alert names), or else to that panel with the row selected.
 */
/** What Enter on a line of the checklist opens: its alert as Enter on that alert would, else the panel that shows the layer. */
export function enterLayer(model: DashboardModel, selected: number): EnterResult | undefined {
  const opens = model.layers[selected]?.opens;
  if (!opens) return undefined;
  const alert = opens.alert;
  const row = alert ? (model.panels.alerts as AlertPanelModel | undefined)?.alerts.findIndex((a) => a.id === alert.id && a.subject === alert.subject) : undefined;
  if (row !== undefined && row >= 0) return enterFrom(model, 'alerts', row) ?? { focus: 'alerts', row };
  return { focus: opens.panel };
}

export function enterFrom(model: DashboardModel, id: PanelId, row: number): EnterResult | undefined {
  const opened = panelOf(id)?.enter?.(model.panels[id], row);
  if (!opened) return undefined;
  if ('drill' in opened) return opened;
  const { link } = opened;
  if (link.namespace) return { watch: link.namespace };
  const target = panelOf(link.panel);
  if (!target) return undefined;
  const linkedRow = target.rowOfLink?.(model.panels[link.panel], link);
  const there = linkedRow === undefined ? undefined : target.enter?.(model.panels[link.panel], linkedRow);
  if (there && 'drill' in there) {
    const { pid, name, destination } = link;
    return { drill: { ...there.drill, ...(pid !== undefined ? { pid } : {}), ...(name !== undefined ? { name } : {}), ...(destination !== undefined ? { destination } : {}) } };
  }
  return linkedRow === undefined ? { focus: link.panel } : { focus: link.panel, row: linkedRow };
}
