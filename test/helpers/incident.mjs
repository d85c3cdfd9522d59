// Creates real TCP incidents for nettriage's tests. Runs inside a network
// namespace the test created (ip netns exec NAME node incident.mjs MODE ...),
// talks only to loopback or to addresses on the test's own veth pairs, and
// bounds every loop in count and time. Prints "ready" on stdout once the
// sockets are in place, then holds them until killed or stdin closes.
import net from 'node:net';
import process from 'node:process';

const [mode, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(
  rest.map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const num = (k, d) => (args[k] === undefined ? d : Number(args[k]));
const host = args.host ?? '127.0.0.1';
const keep = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// --ports=9100-9155 spreads a server over several ports (or a client over several
// destinations, round-robin); without it, --port alone.
const ports = () => {
  const m = /^(\d+)-(\d+)$/.exec(args.ports ?? '');
  if (!m) return [num('port', 9100)];
  return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
};

function listen(options, port, backlog = 511) {
  return new Promise((resolve, reject) => {
    const server = net.createServer(options);
    server.once('error', reject);
    server.listen({ host, port, backlog }, () => resolve(server));
  });
}

function connect(port, toHost = host) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: toHost, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function accepted(server) {
  return new Promise((resolve) => server.once('connection', resolve));
}

async function states() {
  // established pairs: both ends ESTAB
  const estabServer = await listen({}, num('port', 9100));
  estabServer.on('connection', (s) => keep.push(s));
  for (let i = 0; i < num('established', 0); i++) keep.push(await connect(num('port', 9100)));

  // CLOSE-WAIT: the client closes, the server never does (allowHalfOpen keeps
  // node from closing its side automatically).
  const leakServer = await listen({ allowHalfOpen: true }, num('port', 9100) + 1);
  leakServer.on('connection', (s) => keep.push(s));
  // --clientClose=destroy closes the client fully (an orphaned FIN-WAIT-2 that
  // the kernel turns into a timewait minisock); end only half-closes it.
  for (let i = 0; i < num('closeWait', 0); i++) {
    const c = await connect(num('port', 9100) + 1);
    if (args.clientClose === 'destroy') c.destroy();
    else c.end();
  }

  // TIME-WAIT on the client: it closes first, the server follows.
  const twServer = await listen({}, num('port', 9100) + 2);
  for (let i = 0; i < num('timeWait', 0); i++) {
    const c = await connect(num('port', 9100) + 2);
    await new Promise((resolve) => {
      c.once('close', resolve);
      c.end();
    });
  }
  keep.push(estabServer, leakServer, twServer);
}

// A server that accepts and holds every connection. --halfOpen keeps a
// connection open after the peer closed (a CLOSE-WAIT leak, as in an app that
// never calls close()).
async function serve() {
  for (const port of ports()) {
    const server = await listen({ allowHalfOpen: args.halfOpen === 'true' }, port, num('backlog', 4096));
    server.on('connection', (s) => {
      keep.push(s);
      s.on('error', () => {});
    });
    keep.push(server);
  }
}

// Opens N connections to --to:--port and holds them.
async function hold() {
  const to = args.to ?? host;
  const n = num('established', 1);
  const parallel = num('parallel', 200);
  const targets = ports();
  for (let i = 0; i < n; i += parallel) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + parallel); j++) batch.push(connect(targets[j % targets.length], to));
    for (const s of await Promise.all(batch)) {
      s.on('error', () => {});
      keep.push(s);
    }
  }
}

// Opens and closes --count short connections (the client closes first, so
// the client side ends in TIME-WAIT), --parallel at a time, for at most
// --maxMs. With --forever it keeps going, one batch per --everyMs, until killed.
// With --clientWaits the client waits for the server to close first (a slam
// server), so TIME-WAIT lands on the server side instead.
async function churn() {
  const to = args.to ?? host;
  const parallel = num('parallel', 50);
  const deadline = Date.now() + num('maxMs', 60_000);
  const targets = ports();
  let next = 0;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const s = net.connect({ host: to, port: targets[next++ % targets.length] });
      s.once('connect', () => {
        if (args.clientWaits !== 'true') s.end();
        // A server that never closes (a leak) would hold us in FIN-WAIT-2 forever.
        setTimeout(() => s.destroy(), num('lingerMs', 100)).unref();
      });
      s.once('close', () => resolve());
      s.once('error', () => {
        failed++;
        resolve();
      });
    });
  const batch = async () => {
    const n = Math.min(parallel, num('count', 1000) - done);
    await Promise.all(Array.from({ length: n }, one));
    done += n;
  };
  while (done < num('count', 1000) && Date.now() < deadline) await batch();
  if (args.forever === 'true') {
    const every = num('everyMs', 200);
    const loop = async () => {
      done = 0;
      await batch();
      setTimeout(loop, every);
    };
    setTimeout(loop, every);
  }
  if (failed > 0) process.stderr.write(`churn: ${failed} connects failed\n`);
}

// A server that echoes nothing and closes after the client does (TIME-WAIT
// lands on the client), for churn to talk to.
async function closer() {
  const server = await listen({}, num('port', 9100), num('backlog', 4096));
  server.on('connection', (s) => s.on('error', () => {}));
  keep.push(server);
}

// A server that reads and discards everything it receives.
async function sink() {
  const server = await listen({}, num('port', 9100), num('backlog', 512));
  server.on('connection', (s) => {
    s.on('error', () => {});
    s.resume();
  });
  keep.push(server);
}

// Streams --bytesPerSec to --to:--port for --maxMs (bounded), over one connection.
async function send() {
  const s = await connect(num('port', 9100), args.to ?? host);
  s.on('error', () => {});
  keep.push(s);
  const chunk = Buffer.alloc(16 * 1024, 120);
  const perTick = Math.max(1, Math.round(num('bytesPerSec', 1_000_000) / 10 / chunk.length));
  const until = Date.now() + num('maxMs', 30_000);
  const timer = setInterval(() => {
    if (Date.now() > until) return clearInterval(timer);
    for (let i = 0; i < perTick; i++) s.write(chunk);
  }, 100);
}

// Starts connects without waiting for them (their SYNs may never be answered):
// --perBatch every --everyMs until --count, each given up after --lingerMs.
async function dial() {
  const to = args.to ?? host;
  let started = 0;
  const batch = () => {
    for (let i = 0; i < num('perBatch', 5) && started < num('count', 100); i++, started++) {
      const s = net.connect({ host: to, port: num('port', 9100) });
      s.on('error', () => {});
      setTimeout(() => s.destroy(), num('lingerMs', 60_000)).unref();
    }
    if (started < num('count', 100)) setTimeout(batch, num('everyMs', 200));
  };
  batch();
}

// A server that closes every connection as soon as it is accepted: a client
// that does not close its end is left in CLOSE-WAIT.
async function slam() {
  for (const port of ports()) {
    const server = await listen({}, port, num('backlog', 512));
    server.on('connection', (s) => {
      s.on('error', () => {});
      s.end();
    });
    keep.push(server);
  }
}

const modes = { states, serve, hold, churn, closer, sink, send, dial, slam };
const run = modes[mode];
if (!run) {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
// --comm renames the process (\xHH escapes allowed): a hostile name for the
// tests that prove such names never reach the terminal raw.
if (args.comm !== undefined) {
  const comm = args.comm.replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const { writeFileSync } = await import('node:fs');
  writeFileSync('/proc/self/comm', comm.slice(0, 15));
}

const lifetimeMs = num('lifetimeMs', 120_000);
setTimeout(() => process.exit(0), lifetimeMs).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
await run();
// Let the last FIN/ACK exchanges finish before the test counts.
await sleep(num('settleMs', 300));
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
