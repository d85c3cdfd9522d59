import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/registry.js';
import { PROJECT_ROOT } from '../helpers/realWorld.js';

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the install-and-start command and the test command', () => {
    const head = readme.split('\n').slice(0, 8).join('\n');
    expect(head).toContain('npm ci && npm start');
    expect(head).toContain('npm test');
  });

  it('lists every alert rule with every parameter and its real default', () => {
    const lines = readme.split('\n');
    const start = lines.indexOf('| rule | fires when | parameter | default | unit |');
    expect(start).toBeGreaterThan(0);
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
    const rows = lines.slice(start + 2, end);
    const documented = rows.map((l) => l.split('|').map((c) => c.trim()));
    let rule = '';
    const seen: string[] = [];
    const listed: string[] = [];
    for (const cells of documented) {
      if (cells[1]) {
        rule = cells[1].replace(/`/g, '');
        listed.push(rule);
      }
      // A rule without parameters has one row, its parameter `–`.
      if (cells[3] !== '–') seen.push(`${rule}.${cells[3]?.replace(/`/g, '')}=${cells[4]}`);
    }
    const actual = RULES.flatMap((r) => Object.entries(r.params).map(([k, s]) => `${r.id}.${k}=${s.default}`));
    expect(seen).toEqual(actual);
    expect(listed).toEqual(RULES.map((r) => r.id));
  });
});

describe('README keys', () => {
  it('has a row for every key binding, as the keymap says it', async () => {
    const { KEYMAP, displayKey } = await import('../../src/keymap.js');
    for (const b of KEYMAP) {
      const keys = b.keys.map((k) => `\`${displayKey(k)}\``).join(' ');
      expect(readme, `${b.action}: ${keys}`).toContain(`| ${keys} |`);
      expect(readme, b.action).toContain(` | ${b.help} |`);
    }
  });
});
