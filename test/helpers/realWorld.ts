import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { strict } from './strict.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Real outputs collected from many machines; read in place, never copied into the project. */
export const REAL_WORLD_DIR = resolve(PROJECT_ROOT, '../shared/fixtures/real-world');
export const hasRealWorld = existsSync(REAL_WORLD_DIR);
export const realWorldRequired = strict;

/**
 * A test over the real-world fixtures: where they are absent it skips and
 * says so (a clone without `../shared`), and fails in strict mode.
 */
export function itOnRealWorld(name: string, body: () => void | Promise<void>): void {
  it(name, async (ctx) => {
    if (!hasRealWorld) {
      if (strict) throw new Error(`strict mode (NETTRIAGE_STRICT=1): no real-world fixtures at ${REAL_WORLD_DIR}`);
      ctx.skip(`no real-world fixtures at ${REAL_WORLD_DIR} (they live beside the project, in ../shared)`);
    }
    await body();
  });
}

export function realWorldFiles(folder: string): string[] {
  const dir = join(REAL_WORLD_DIR, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(folder, f));
}

export function readRealWorld(file: string): string {
  return readFileSync(join(REAL_WORLD_DIR, file), 'utf8');
}

export function readCaptured(file: string): string {
  return readFileSync(join(PROJECT_ROOT, 'test/fixtures/captured', file), 'utf8');
}
