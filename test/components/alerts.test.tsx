import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertsPanel } from '../../components/AlertsPanel.js';
import type { AlertsState } from '../../src/alerts/engine.js';
import type { Alert } from '../../src/alerts/types.js';
import { renderApp } from '../helpers/app.js';
import { buildAlertPanel } from '../../src/panels/alerts.js';
import { Store } from '../../src/store.js';
import { press } from '../helpers/ink.js';

const tick = () => new Promise((r) => setTimeout(r, 30));
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const now = Date.now();
const leak: Alert = {
  id: 'close-wait-climbing',
  severity: 'critical',
  subject: 'py\x1b]0;pwned\x07 (pid 4213)',
  summary: 'CLOSE-WAIT 240 and climbing +58/min: py (pid 4213) holds 236',
  why: 'The peer closed these connections and the application never called close().',
  next: ['ss -tanp state close-wait', 'ls /proc/4213/fd | wc -l'],
  sinceMs: now - 250_000,
  link: { panel: 'sockets', state: 'CLOSE-WAIT', pid: 4213, name: 'py\x1b]0;pwned\x07' },
};
const nic: Alert = {
  id: 'nic-errors',
  severity: 'warning',
  subject: 'eth0',
  summary: 'eth0: rx_missed_errors 12/s',
  why: 'The interface is losing packets.',
  next: ['ethtool -S eth0'],
  sinceMs: now - 60_000,
  link: { panel: 'nics', nic: 'eth0' },
};
const state: AlertsState = { alerts: [leak, nic], disabled: [{ id: 'orphan-sockets', reason: 'boom' }], watching: 10, blind: [] };

describe('alerts panel', () => {
  it('lists alerts most severe first with their age, escaping what processes call themselves', async () => {
    const app = render(<AlertsPanel model={buildAlertPanel(state, now)} width={100} height={12} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('Alerts · 1 critical · 1 warning');
    expect(frame).toMatch(/● CRITICAL close-wait-climbing {2}py\\x1b\]0;pwned\\x07 \(pid 4213\) {2}· since \d\d:\d\d:\d\d, 4m10s/);
    expect(frame).toContain('CLOSE-WAIT 240 and climbing +58/min');
    expect(frame).toMatch(/▲ WARNING {2}nic-errors {2}eth0/);
    expect(frame).toContain('rule orphan-sockets disabled after an error: boom');
    expect(frame).not.toContain('\x1b]0;');
  });

  it('shows why and what to run for the selected alert when it has the keyboard', async () => {
    const app = render(<AlertsPanel model={buildAlertPanel(state, now)} width={100} height={14} focused selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('why: The peer closed these connections');
    expect(app.lastFrame()).toContain('$ ss -tanp state close-wait');
    expect(app.lastFrame()).not.toContain('$ ethtool -S eth0');
  });

  it('says all is quiet, and how many rules watch', async () => {
    const app = render(<AlertsPanel model={buildAlertPanel({ alerts: [], disabled: [], watching: 11, blind: [] }, now)} width={80} height={3} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('✓ no alerts — 11 rules watching');
  });
});

describe('alerts in the dashboard', () => {
  it('counts alerts in the header, and Enter on an alert leads to its subject', async () => {
    const store = new Store();
    const interval = { intervalMs: 1000, setIntervalMs() {} };
    const app = renderApp({ store, alerts: () => state, interval, target: { kind: 'host' }, host: { host: 'h', kernel: 'k' }, onQuit: () => {} }, { columns: 100, rows: 50 });
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()?.split('\n')[0]).toMatch(/1 CRIT\s+1 WARN/);
    await press(app, '1');
    await press(app, '\r');
    // the leak alert opens the drill-down of CLOSE-WAIT at the leaking process, named (and escaped)
    expect(app.lastFrame()).toContain('CLOSE-WAIT › owners › py\\x1b]0;pwned\\x07 (4213)');
    await press(app, '\u001B');
    await press(app, '\u001B');
    expect(app.lastFrame()).toContain('TCP sockets');
    await press(app, '1');
    await press(app, 'j');
    await press(app, '\r');
    // the keyboard is on the NIC panel now: zooming shows it alone
    await press(app, 'z');
    expect(app.lastFrame()).toMatch(/╭─ NICs/);
    expect(app.lastFrame()).not.toContain('TCP sockets');
  });

  it('leads from a port-exhaustion alert to the sockets of the destination it names', async () => {
    const ports: Alert = {
      id: 'ephemeral-port-exhaustion',
      severity: 'critical',
      subject: '10.0.0.2:443 from 10.0.0.1',
      summary: '900 of 1,000 ephemeral ports (90%) in use toward 10.0.0.2:443',
      why: 'Every connect() needs a free local port.',
      next: [],
      sinceMs: now - 5_000,
      link: { panel: 'sockets', state: 'TIME-WAIT', destination: '10.0.0.1>10.0.0.2:443' },
    };
    const store = new Store();
    const interval = { intervalMs: 1000, setIntervalMs() {} };
    const only: AlertsState = { alerts: [ports], disabled: [], watching: 10, blind: [] };
    const app = renderApp({ store, alerts: () => only, interval, target: { kind: 'host' }, host: { host: 'h', kernel: 'k' }, onQuit: () => {} }, { columns: 100, rows: 50 });
    cleanup = app.unmount;
    await tick();
    await press(app, '1');
    await press(app, '\r');
    expect(app.lastFrame()).toContain('TIME-WAIT › by destination › 10.0.0.1 → 10.0.0.2:443');
    // One Esc up: the list of destinations it was picked from.
    await press(app, '\u001B');
    expect(app.lastFrame()).toContain('TIME-WAIT › by destination');
    expect(app.lastFrame()).not.toContain('10.0.0.1 → 10.0.0.2:443 ');
  });
});
