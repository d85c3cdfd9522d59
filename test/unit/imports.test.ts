import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/realWorld.js';

/** Every source file of the product, by path relative to the project. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) out.push(path);
    }
  };
  for (const dir of ['src', 'components', 'collectors']) walk(dir);
  return out;
}

/**
 * The project files a file imports: static imports and re-exports (`import
 * type` included: a type is a dependency too, whatever the compiler erases)
 * and `import()`s (a descriptor that loads its component is a dependency on it).
 */
function importsOf(file: string, known: Set<string>): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  const out: { target: string; typeOnly: boolean }[] = [];
  const resolveSpec = (spec: string) => {
    const base = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), spec)).replace(/\.js$/, '');
    return [`${base}.ts`, `${base}.tsx`].find((c) => known.has(c));
  };
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gms)) {
    const target = resolveSpec(m[3] ?? '');
    if (target) out.push({ target, typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
    const target = resolveSpec(m[1] ?? '');
    if (target) out.push({ target, typeOnly: false });
  }
  return out;
}

/** Every circle a depth-first walk finds, as `a → b → a`. */
function circlesOf(graph: Map<string, { target: string }[]>): string[] {
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const i of graph.get(file) ?? []) visit(i.target, [...path, file]);
    state.set(file, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  return circles;
}

const files = sources();
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f, known)]));

describe('the import graph', () => {
  it('holds every source file it should (the parser finds imports)', () => {
    expect(files.length).toBeGreaterThan(60);
    expect(graph.get('src/app.tsx')?.map((i) => i.target)).toContain('src/registry.ts');
  });

  it('flows one way: no circle, type imports and import()s counted', () => {
    expect(circlesOf(graph)).toEqual([]);
  });

  it('finds a circle that only a type import closes', () => {
    const typeLoop = new Map([
      ['collectors/x.ts', [{ target: 'src/store.ts', typeOnly: true }]],
      ['src/store.ts', [{ target: 'collectors/x.ts', typeOnly: false }]],
    ]);
    expect(circlesOf(typeLoop)).toEqual(['collectors/x.ts → src/store.ts → collectors/x.ts']);
    // And the parser reads `import type` and `import()` as imports.
    expect(graph.get('src/store.ts')?.some((i) => i.typeOnly)).toBe(true);
    expect(graph.get('src/panels/views.ts')?.map((i) => i.target)).toContain('components/AlertsPanel.tsx');
  });

  it('keeps components to rendering: none imports a collector or the view reducer', () => {
    const offending = files
      .filter((f) => f.startsWith('components/'))
      .flatMap((f) => (graph.get(f) ?? []).filter((i) => i.target.startsWith('collectors/') || i.target === 'src/viewState.ts').map((i) => `${f} → ${i.target}`));
    expect(offending).toEqual([]);
  });

  it('reads the store only through typed keys: no sample<T>(...) casts', () => {
    const casts = files.filter((f) => /\.sample<[^>]+>\(/.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')) && f !== 'src/store.ts');
    expect(casts).toEqual([]);
  });

  it('names a panel in one file that imports nothing', () => {
    expect(graph.get('src/panelId.ts')).toEqual([]);
  });
});
