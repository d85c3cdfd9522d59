/**
 * Memory over a long run: feeds the store what a busy node produces each tick
 * (every TCP state, ~400 kernel counters of which 40 move, and veth
 * interfaces that come and go like pods) for 20,000 ticks — 5.5 hours at
 * 1 s — and prints the heap after a full GC along the way. Flat is the goal.
 * Run with --expose-gc (npm run bench does).
 */
import { stateSeriesKey } from '../collectors/sockets.js';
import { sampleKey } from '../collectors/types.js';
import { Store } from '../src/store.js';
import type { TcpState } from '../src/tcpState.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('memory bench: run node with --expose-gc');
  process.exit(2);
}

// Synthetic samples: the store's memory does not depend on what the values hold.
const socketsKey = sampleKey<object>('sockets');
const countersKey = sampleKey<object>('counters');
const nicsKey = sampleKey<object>('nics');
const store = new Store();
const states = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];
const counters = Array.from({ length: 400 }, (_, i) => `Counter${i}`);
const rows: string[] = [];
for (let tick = 1; tick <= 20_000; tick++) {
  const atMs = tick * 1000;
  const series = Object.fromEntries(states.map((s, i) => [stateSeriesKey(s as TcpState), (tick * (i + 1)) % 1000]));
  store.recordSample(socketsKey, { value: {}, atMs, skippedLines: 0, notes: [] }, series);
  store.recordCounters(countersKey, atMs, new Map(counters.map((c, i) => [c, BigInt(i < 40 ? tick * i : i)])));
  // 200 interfaces alive at a time, one replaced every tick (pods churning)
  const nics = new Map<string, bigint>();
  for (let k = 0; k < 200; k++) nics.set(`veth${tick + k}/rx_dropped`, BigInt(tick % 7));
  store.recordSample(nicsKey, { value: {}, atMs, skippedLines: 0, notes: [] }, {});
  store.recordCounters(nicsKey, atMs, nics);
  store.commitTick(atMs);
  if (tick % 2500 === 0) {
    gc();
    const m = process.memoryUsage();
    const mib = (n: number) => (n / 1048576).toFixed(1).padStart(6);
    rows.push(`  tick ${String(tick).padStart(6)}: heap ${mib(m.heapUsed)} MiB + history buffers ${mib(m.arrayBuffers)} MiB, ${store.seriesKeys().length} series`);
  }
}
console.log('store memory over 20,000 ticks (after a full GC):');
console.log(rows.join('\n'));
