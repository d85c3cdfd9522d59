// Preloaded into nettriage by a test (node --require): once nettriage's tracefs
// instance has the tracepoint on, an uncaught error is thrown inside the process,
// as a collector bug would, to prove the tracing is torn down on that way out too.
const { existsSync, readFileSync } = require('node:fs');
const enable = `/sys/kernel/tracing/instances/nettriage-${process.pid}/events/skb/kfree_skb/enable`;
const trigger = `/sys/kernel/tracing/instances/nettriage-${process.pid}/events/skb/kfree_skb/trigger`;
const giveUpAt = Date.now() + 30_000;
const poll = setInterval(() => {
  const on = (existsSync(enable) && readFileSync(enable, 'utf8').trim() === '1') || (existsSync(trigger) && readFileSync(trigger, 'utf8').includes('hist:'));
  if (on) {
    clearInterval(poll);
    throw new Error('fault injected by the test while tracing');
  }
  if (Date.now() > giveUpAt) clearInterval(poll);
}, 20);
poll.unref();
