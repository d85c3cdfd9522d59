import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { type FleetAnswers, type PromSample, commandsFor, filterRows, fleetModel, trendOf } from '../../src/fleetView/model.js';
import { INITIAL_FLEET_VIEW, fleetViewReducer, type FleetViewState } from '../../src/fleetView/viewState.js';
import { keyChunks, resolveAction } from '../../src/keymap.js';

const alert = (labels: Record<string, string>, value = 1): PromSample => ({ metric: { job: 'nettriage', alertstate: 'firing', ...labels }, value });

describe('the fleet model', () => {
  const now = 1_800_000_000;
  const answers: FleetAnswers = {
    endpoints: 3,
    firing: [
      alert({ instance: 'node-b:9464', alertname: 'NettriageTcpRetransmits', nettriage_rule: 'tcp-retransmits', severity: 'warning' }),
      alert({ instance: 'node-a:9464', node: 'node-a', netns: 'cni-7', namespace: 'shop', pod: 'web-0', alertname: 'NettriageCloseWaitClimbing', nettriage_rule: 'close-wait-climbing', severity: 'critical' }),
      alert({ instance: 'node-a:9464', node: 'node-a', netns: 'cni-7', namespace: 'shop', pod: 'web-0', alertname: 'NettriageSynSentStuck', nettriage_rule: 'syn-sent-stuck', severity: 'warning' }),
      alert({ instance: 'node-c:9464', netns: 'net:[4026532412]', alertname: 'NettriageAcceptQueueOverflow', nettriage_rule: 'accept-queue-overflow', severity: 'critical' }),
      // A label from another machine with an escape sequence in it.
      alert({ instance: 'node-d:9464', netns: 'evil\x1b[2Jns', alertname: 'NettriageUdpBufferErrors', nettriage_rule: 'udp-buffer-errors', severity: 'warning' }),
    ],
    activeAt: [alert({ instance: 'node-a:9464', netns: 'cni-7', namespace: 'shop', pod: 'web-0', alertname: 'NettriageCloseWaitClimbing', nettriage_rule: 'close-wait-climbing', severity: 'critical' }, now - 300)],
    before: [{ metric: { job: 'nettriage', instance: 'node-a:9464', netns: 'cni-7' }, value: 1 }, { metric: { job: 'nettriage', instance: 'node-b:9464' }, value: 3 }],
  };
  const model = fleetModel(answers, now);

  it('puts the worst first: most critical alerts, then most alerts, and names the node', () => {
    expect(model.rows.map((r) => `${r.node} ${r.netns ?? '-'}`)).toEqual(['node-a cni-7', 'node-c net:[4026532412]', 'node-b -', 'node-d evil\\x1b[2Jns']);
    expect(model.nodes).toBe(4);
    expect(model.rows[0]).toMatchObject({ critical: 1, warning: 1, namespace: 'shop', pod: 'web-0' });
    expect(model.rows[0]?.alerts[0]).toEqual({ name: 'NettriageCloseWaitClimbing', rule: 'close-wait-climbing', severity: 'critical', activeSec: 300 });
  });

  it('says the trend against 10 minutes ago', () => {
    expect(model.rows.map(trendOf)).toEqual(['↑1', 'new', '↓2', 'new']);
  });

  it('says what to run on the node, quoting what a shell would take apart', () => {
    expect(commandsFor(model.rows[0]!)).toEqual([
      'ssh node-a sudo nettriage --netns cni-7',
      'kubectl debug node/node-a -it --profile=sysadmin --image=IMAGE -- nettriage --netns cni-7   # IMAGE: the DaemonSet\'s nettriage image',
      'kubectl -n shop describe pod web-0',
    ]);
    expect(commandsFor(model.rows[1]!)).toEqual(['ssh node-c sudo nettriage   # then n, and Enter on net:[4026532412]']);
    expect(commandsFor(model.rows[2]!)).toEqual(['ssh node-b sudo nettriage']);
    expect(commandsFor(model.rows[3]!)[0]).toBe("ssh node-d sudo nettriage --netns 'evil\\x1b[2Jns'");
  });

  it('filters by node, namespace, pod or alert, in any case', () => {
    expect(filterRows(model.rows, 'SHOP').map((r) => r.node)).toEqual(['node-a']);
    expect(filterRows(model.rows, 'retrans').map((r) => r.node)).toEqual(['node-b']);
    expect(filterRows(model.rows, '  ')).toHaveLength(4);
  });
});

describe('the fleet keys', () => {
  const press = (state: FleetViewState, input: string, key: Partial<Key> = {}, rows = 4) => {
    const k = key as Key;
    const typed = input && !k.ctrl && !k.meta && /^[\x20-\x7e]+$/.test(input) ? input : undefined;
    return fleetViewReducer(state, { inFilter: resolveAction(input, k, 'filter'), inList: resolveAction(input, k, 'fleet'), ...(typed ? { typed } : {}), rows });
  };
  const type = (state: FleetViewState, ...keys: (string | Partial<Key>)[]) => keys.reduce<FleetViewState>((s, k) => (typeof k === 'string' ? press(s, k) : press(s, '', k)), state);

  it('takes every character of a filter typed at once, q and r among them, and Enter only ends it', () => {
    const s = type(INITIAL_FLEET_VIEW, '/', 'q', 'r', 'j', { return: true });
    expect(s).toMatchObject({ filter: 'qrj', filtering: false, detail: false, quit: false, refreshes: 0 });
    expect(type(s, { return: true })).toMatchObject({ detail: true });
    expect(type(s, '/', { escape: true })).toMatchObject({ filter: '', filtering: false });
  });

  it('reads a chunk of keys (tmux, or typing faster than a frame) key by key', () => {
    const chunk = (state: FleetViewState, input: string) => keyChunks(input, {} as Key).reduce((s, c) => press(s, c), state);
    expect(chunk(INITIAL_FLEET_VIEW, '/qr\r')).toMatchObject({ filter: 'qr', filtering: false, quit: false });
    expect(chunk(INITIAL_FLEET_VIEW, 'jjq')).toMatchObject({ selected: 2, quit: true });
  });

  it('moves within the rows, refreshes on r and quits on q outside a filter', () => {
    expect(type(INITIAL_FLEET_VIEW, 'j', 'j', 'j', 'j', 'j').selected).toBe(3);
    expect(type(INITIAL_FLEET_VIEW, 'r', 'r').refreshes).toBe(2);
    expect(type(INITIAL_FLEET_VIEW, 'q').quit).toBe(true);
    expect(type(INITIAL_FLEET_VIEW, '/', 'x', { ctrl: true } as Partial<Key>).quit).toBe(false);
    expect(press(type(INITIAL_FLEET_VIEW, '/'), 'c', { ctrl: true }).quit).toBe(true);
  });
});
