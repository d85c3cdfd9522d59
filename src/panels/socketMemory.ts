import { type MemoryUse, SOCKET_MEMORY } from '../../collectors/socketMemory.js';
import { memoryLevels, socketMemoryPressure } from '../alerts/rules/socketMemory.js';
import { type AlertConfig, paramsOf } from '../alerts/types.js';
import type { Store } from '../store.js';
import { type Concern, type SourceStatusModel, concernAt, sourceStatus } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    socketMemory: true;
  }
}

export interface MemoryRowModel extends MemoryUse {
  protocol: 'TCP' | 'UDP';
  /** pages / max */
  share: number;
  concern: Concern;
}

export interface SocketMemoryPanelModel {
  rows: MemoryRowModel[];
  status: SourceStatusModel;
}

export function buildSocketMemoryPanel(store: Store, nowMs = Date.now(), config: AlertConfig = {}): SocketMemoryPanelModel {
  const sample = store.sample(SOCKET_MEMORY)?.value;
  const params = paramsOf(config, socketMemoryPressure);
  const rows: MemoryRowModel[] = [];
  for (const [protocol, use] of [
    ['TCP', sample?.tcp],
    ['UDP', sample?.udp],
  ] as const) {
    if (!use) continue;
    const { warn, crit } = memoryLevels(use, params);
    rows.push({ protocol, ...use, share: use.max > 0 ? use.pages / use.max : 0, concern: concernAt(use.pages, warn, crit) });
  }
  return { rows, status: sourceStatus(store, SOCKET_MEMORY, nowMs) };
}

export const socketMemoryPanel = definePanel<SocketMemoryPanelModel>({
  id: 'socketMemory',
  title: 'socket memory',
  focusKey: '5',
  area: 'right',
  build: (ctx) => buildSocketMemoryPanel(ctx.store, ctx.nowMs, ctx.config),
  rowCount: (model) => model.rows.length,
  naturalHeight: (model) => 2 + Math.max(1, model.rows.length) + Math.min(2, model.status.lines.length),
});
