// Ink 6.8 keeps every text it ever measured or wrapped in two module-level
// caches that never shrink. A dashboard that runs for days draws new strings
// every tick (counters, ages), so those caches are a slow leak: this bounds
// each to 5,000 entries, emptied when full. It runs after every install
// (postinstall), and refuses an Ink whose code it does not recognise rather
// than patch the wrong thing.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 5000;
const MARK = '/* nettriage: bounded cache */';
// Ink's entry is build/index.js; its package exports nothing else to resolve.
const build = dirname(fileURLToPath(import.meta.resolve('ink')));

const patches = [
  {
    file: 'measure-text.js',
    edits: [['    cache.set(text, dimensions);', `    ${MARK} if (cache.size >= ${LIMIT}) cache.clear();\n    cache.set(text, dimensions);`]],
  },
  {
    file: 'wrap-text.js',
    edits: [
      ['const cache = {};', `${MARK} let cache = {};\nlet cacheSize = 0;`],
      ['    cache[cacheKey] = wrappedText;', `    if (++cacheSize > ${LIMIT}) {\n        cache = {};\n        cacheSize = 1;\n    }\n    cache[cacheKey] = wrappedText;`],
    ],
  },
];

for (const { file, edits } of patches) {
  const path = join(build, file);
  let text = readFileSync(path, 'utf8');
  if (text.includes(MARK)) continue;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`boundInkCaches: ${path} does not contain ${JSON.stringify(from)}: Ink changed, look again`);
    text = text.replace(from, to);
  }
  writeFileSync(path, text);
}
