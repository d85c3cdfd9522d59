import { describe, expect, it } from 'vitest';
import { CONNECTS, type ConnectsSample } from '../../collectors/connects.js';
import { OWNERS, type OwnersSample } from '../../collectors/owners.js';
import { connectFilter, parseConnectTrace } from '../../collectors/parse/connectTrace.js';
import { clientsSeen, clientsText } from '../../src/alerts/rules/connecting.js';
import { CollectorProblem } from '../../src/problems.js';
import { Store } from '../../src/store.js';
import { readCaptured } from '../helpers/realWorld.js';

describe('the connect() trace (sock:inet_sock_set_state into SYN-SENT)', () => {
  it('reads the task, its thread id and the destination of each connect(), IPv4 and IPv6, whatever the name holds', () => {
    const r = parseConnectTrace(readCaptured('inet-sock-set-state-syn-sent-trace.txt'));
    expect(r.skippedLines).toBe(0);
    expect(r.value).toEqual([
      { tid: 21288, comm: 'python3', peer: '127.0.0.1:7777' },
      { tid: 21288, comm: 'python3', peer: '127.0.0.1:7778' },
      { tid: 21288, comm: 'python3', peer: '[::1]:7777' },
      { tid: 21329, comm: 'worker - 3', peer: '127.0.0.1:7777' },
    ]);
  });

  it('counts other transitions and other shapes as skipped, and reads the tgid column when the trace has one', () => {
    const other = '  sshd-99 [000] ..s.. 5.0: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=22 dport=5 saddr=1.1.1.1 daddr=2.2.2.2 saddrv6=::1 daddrv6=::1 oldstate=TCP_ESTABLISHED newstate=TCP_CLOSE_WAIT';
    const tgid = '  curl-812 (    810) [001] ..... 7.5: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=443 saddr=0.0.0.0 daddr=10.0.0.9 saddrv6=:: daddrv6=::ffff:10.0.0.9 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT';
    const r = parseConnectTrace(`${other}\ngarbage\n${tgid}\n`);
    expect(r.value).toEqual([{ tid: 812, comm: 'curl', peer: '10.0.0.9:443' }]);
    expect(r.skippedLines).toBe(2);
  });

  it('filters in the kernel on SYN-SENT and the destination ports, each once', () => {
    expect(connectFilter([9500, 443, 9500])).toBe('newstate == 2 && (dport == 443 || dport == 9500)');
  });
});

describe('who connects, as the alerts say it', () => {
  const nowMs = 1_000_000;
  const traced: ConnectsSample = {
    watching: ['10.0.0.9:443'],
    sampling: { windowMs: 1000, everyMs: 10_000 },
    byPeer: { '10.0.0.9:443': { atMs: nowMs - 3000, windowMs: 1000, processes: [{ pid: 4242, name: 'api\u001b[31m', connects: 118, perSec: 118 }], elsewhere: 7, exited: 0, truncated: false } },
  };
  const owners: OwnersSample = {
    byState: {},
    clientsOf: { '10.0.0.5>10.0.0.9:443': { atMs: nowMs - 12_000, total: 1, unowned: 0, owners: [{ pid: 4242, name: 'api', count: 1, peers: [], locals: [] }] } },
  };

  it('names the traced processes with their rate and says it traced them, hostile names escaped', () => {
    const store = new Store();
    store.recordSample(CONNECTS, { value: traced, atMs: nowMs, skippedLines: 0, notes: [] }, {});
    const seen = clientsSeen(store, nowMs, '10.0.0.9:443', '10.0.0.5>10.0.0.9:443');
    expect(seen).toMatchObject({ how: 'traced', ageMs: 3000, processes: [{ pid: 4242, connectsPerSec: 118 }] });
    expect(clientsText(seen)).toBe('; connecting: api\\x1b[31m (pid 4242) 118/s (traced: connect() calls seen 1s in every 10s, 3 s ago)');
  });

  it('falls back on the owners ss -p last caught where connect() cannot be traced, and says so with their age', () => {
    const store = new Store();
    store.recordProblem(CONNECTS, new CollectorProblem('inactive', 'cannot trace connect(): tracing needs root'), nowMs);
    store.recordSample(OWNERS, { value: owners, atMs: nowMs, skippedLines: 0, notes: [] }, {});
    const seen = clientsSeen(store, nowMs, '10.0.0.9:443', '10.0.0.5>10.0.0.9:443');
    expect(seen).toMatchObject({ how: 'ss', ageMs: 12_000 });
    expect(clientsText(seen)).toBe('; connecting: api (pid 4242) (seen by ss -p 12 s ago)');
    expect(clientsSeen(store, nowMs, '10.0.0.9:80', '10.0.0.5>10.0.0.9:80')).toBeUndefined();
  });
});
