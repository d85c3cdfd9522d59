#!/usr/bin/env node
// React's development build records a performance entry on every commit and
// never frees it: a dashboard at 1 Hz grows until it is killed. The mode must
// be set before React is first imported, and static imports are hoisted, so
// everything else is loaded with import() below.
process.env.NODE_ENV = 'production';


const { main } = await import('./main.js');
const code = await main(process.argv.slice(2));
// Let stdout drain (a pipe may still hold output), then leave even if a
// timer or a child is still around.
process.stdout.write('', () => process.exit(code));
