// Preloaded into nettriage by a test (node --require): once one of nettriage's
// tracefs instances has a tracepoint on (or a hist trigger), an uncaught error
// is thrown inside the process, as a collector bug would, to prove the tracing
// is torn down on that way out too.
const { existsSync, readFileSync } = require('node:fs');
const base = `/sys/kernel/tracing/instances/nettriage-${process.pid}`;
const watched = [
  `${base}/events/skb/kfree_skb/enable`,
  `${base}/events/skb/kfree_skb/trigger`,
  `${base}-connect/events/sock/inet_sock_set_state/enable`,
];
const on = (path) => existsSync(path) && (path.endsWith('trigger') ? readFileSync(path, 'utf8').includes('hist:') : readFileSync(path, 'utf8').trim() === '1');
const giveUpAt = Date.now() + 60_000;
const poll = setInterval(() => {
  if (watched.some(on)) {
    clearInterval(poll);
    throw new Error('fault injected by the test while tracing');
  }
  if (Date.now() > giveUpAt) clearInterval(poll);
}, 20);
poll.unref();
