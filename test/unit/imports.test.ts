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

/** The project files a file imports, with whether each import is erased at compile time (`import type`). */
function importsOf(file: string, known: Set<string>): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gms)) {
    const spec = m[3] ?? '';
    const base = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), spec)).replace(/\.js$/, '');
    const target = [`${base}.ts`, `${base}.tsx`].find((c) => known.has(c));
    if (target) out.push({ target, typeOnly: m[2] !== undefined });
  }
  return out;
}

const files = sources();
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f, known)]));

describe('the import graph', () => {
  it('holds every source file it should (the parser finds imports)', () => {
    expect(files.length).toBeGreaterThan(60);
    expect(graph.get('src/app.tsx')?.map((i) => i.target)).toContain('src/registry.ts');
  });

  it('has no circle among the imports that run', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const i of graph.get(file) ?? []) if (!i.typeOnly) visit(i.target, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    expect(circles).toEqual([]);
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
