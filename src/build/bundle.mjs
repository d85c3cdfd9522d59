// The one-file build (dist/nettriage.js) from tsc's output in dist/.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const stub = join(root, 'dist/src/devtoolsStub.js');
const textWidth = join(root, 'dist/src/textWidth.js');
const outfile = join(root, 'dist/nettriage.js');

// Every library that measures text (Ink, wrap-ansi, widest-line, cli-truncate)
// gets nettriage's string-width, which answers the dashboard's own characters
// without segmenting them; textWidth.js alone reaches the package itself.
const stringWidthOnce = {
  name: 'string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) => (args.importer === textWidth ? undefined : { path: textWidth }));
  },
};

// Its second line is also a shell command: started by its path, the file runs
// itself under node with the flags src/bin.ts explains.
const shellLine = `':' //; exec env UV_THREADPOOL_SIZE=2 MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --v8-pool-size=1 --interrupt-budget=1048576 "$0" "$@"`;

await build({
  entryPoints: [join(root, 'dist/src/bin.js')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  // Ink imports the React devtools (and their ws) only when DEV=true: never shipped.
  alias: { 'react-devtools-core': stub, ws: stub },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: shellLine },
  plugins: [stringWidthOnce],
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
