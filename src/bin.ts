#!/bin/sh
// Built into one file (dist/nettriage.js): its second line, added by the
// build, is also a shell command, so started by its path (the `nettriage`
// link, npm start) the file runs itself under node with what a dashboard
// left open needs, measured on an idle host (RSS mean 100 -> 89 MB, max
// 108 -> 97 MB, CPU unchanged): 2 MB semi-spaces instead of V8's 16 (it
// allocates a little every second and would keep ~30 MB resident for
// nothing), one V8 helper thread and two libuv threads, two malloc arenas,
// and a 16x interrupt budget (V8 optimises a function after ~1 MB of its
// bytecode has run instead of 66 KB): at 1 Hz most code runs a few times a
// second, and the compiler thread re-optimising it cost 0.25-0.3% of a core
// at idle (then 0.05%); a parse of 80,000 sockets is hot within one sample.
// Started with `node FILE` it is plain JavaScript.
import { createRequire } from 'node:module';

// The single file runs CommonJS dependencies (react-reconciler, signal-exit)
// from an ES module: their require() of Node's own modules needs a real one.
globalThis.require ??= createRequire(import.meta.url);

// React's development build records a performance entry on every commit and
// never frees it: a dashboard at 1 Hz grows until it is killed. The mode must
// be set before React is first imported, and static imports are hoisted, so
// everything else is loaded with import() below. (The one-file build has the
// production builds alone: it is built with NODE_ENV defined, which also
// leaves React's development code, 750 KB, out of every start.)
Object.assign(process.env, { NODE_ENV: 'production' });

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2));
// Let stdout drain (a pipe may still hold output), then leave even if a
// timer or a child is still around.
process.stdout.write('', () => process.exit(code));
