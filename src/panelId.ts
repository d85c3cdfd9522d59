/**
 * The ids of the dashboard's panels. Each panel's file adds its own id to
 * this interface (`declare module '../panelId.js'`), so the union is exactly
 * the panels that exist and this file imports nothing: alert rules and the
 * view state can name a panel without importing any of them.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each panel's module augmentation
export interface PanelIds {}

export type PanelId = keyof PanelIds & string;
