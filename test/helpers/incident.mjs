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

const modes = { states };
const run = modes[mode];
if (!run) {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
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
