import { isIP } from 'node:net';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import type { Alert } from '../alerts/types.js';
import type { DrillRow } from '../drilldown/rows.js';
import { topFrame } from '../drilldown/navigation.js';
import type { AlertPanelModel } from '../panels/alerts.js';
import type { DashboardModel } from '../dashboardModel.js';
import type { ViewState } from '../viewState.js';
import { type Endpoint, endpointText, parseEndpoint } from '../endpoint.js';
import type { ActionSubject } from './plans.js';

/** An address a probe may be aimed at: an IP, nothing else (no `*`, no name, nothing a tool could read as an option). */
const unmapped = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
const addressOf = (text: string): string | undefined => (isIP(unmapped(text)) !== 0 ? unmapped(text) : undefined);
const portOf = (text: string): number | undefined => (/^\d{1,5}$/.test(text) && Number(text) > 0 && Number(text) < 65536 ? Number(text) : undefined);

function fromEndpoint(peer: Endpoint, local?: Endpoint): ActionSubject | undefined {
  const address = addressOf(peer.address);
  if (address === undefined) return undefined;
  const port = portOf(peer.port);
  const localAddress = local ? addressOf(local.address) : undefined;
  const localPort = local ? portOf(local.port) : undefined;
  return {
    address,
    ...(port !== undefined ? { port } : {}),
    ...(localAddress !== undefined && localPort !== undefined ? { local: { address: localAddress, port: localPort } } : {}),
  };
}

/** `10.0.0.1:443`, `[fd00::1]:443` or a bare address. */
export function subjectOfText(text: string): ActionSubject | undefined {
  const bare = addressOf(text.replace(/^\[|\]$/g, ''));
  if (bare !== undefined) return { address: bare };
  const endpoint = parseEndpoint(text);
  return endpoint ? fromEndpoint(endpoint) : undefined;
}

/** A drill-down row: a socket (its peer, and our end for a capture), or a destination. */
export function subjectOfDrillRow(row: DrillRow | undefined): ActionSubject | undefined {
  if (row?.kind === 'socket') return socketSubject(row.socket);
  if (row?.kind === 'destination') return subjectOfText(row.destination.peer);
  return undefined;
}

export function socketSubject(socket: SocketEntry): ActionSubject | undefined {
  // A listener's peer is `*`: its own address is what a probe of it would aim at.
  return fromEndpoint(socket.peer, socket.local) ?? fromEndpoint(socket.local);
}

/** An alert that names a peer: its subject (`10.0.0.5:443`, `10.81.0.1`), or the destination its link names. */
export function subjectOfAlert(alert: Alert | undefined): ActionSubject | undefined {
  if (!alert) return undefined;
  const peer = alert.link?.destination?.split('>')[1];
  return subjectOfText(alert.subject) ?? (peer ? subjectOfText(peer) : undefined);
}

/** `10.0.0.1:443` as the pane's title says it. */
export function subjectText(s: ActionSubject): string {
  return s.port === undefined ? s.address : endpointText({ address: s.address, port: String(s.port) });
}

/**
 * The peer of the row selected on screen: a drill-down's socket or
 * destination (from the rows as drawn: a drill-down of 50,000 sockets is
 * not listed again for this), or the alerts panel's alert.
 */
export function subjectOnScreen(state: ViewState, model: DashboardModel, drillRowsOnScreen: readonly DrillRow[]): ActionSubject | undefined {
  if (state.drill) return subjectOfDrillRow(drillRowsOnScreen[topFrame(state.drill).selected]);
  if (state.overview || state.layers || state.dropPathOpen || state.focus !== 'alerts') return undefined;
  return subjectOfAlert((model.panels.alerts as AlertPanelModel | undefined)?.alerts[state.selected.alerts ?? 0]);
}
