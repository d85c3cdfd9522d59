import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Real outputs collected from many machines; read in place, never copied into the project. */
export const REAL_WORLD_DIR = resolve(PROJECT_ROOT, '../shared/fixtures/real-world');
export const hasRealWorld = existsSync(REAL_WORLD_DIR);
export const realWorldRequired = process.env.CI === 'true';

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
