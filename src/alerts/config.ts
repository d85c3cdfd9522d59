import { readFile, stat } from 'node:fs/promises';
import { RULES } from '../registry.js';
import type { AlertConfig, ParamSpec, Rule } from './types.js';

export type { AlertConfig };

export function defaultAlertConfig(rules: Rule[] = RULES): AlertConfig {
  return Object.fromEntries(
    rules.map((r) => [r.id, { enabled: true, params: Object.fromEntries(Object.entries(r.params).map(([k, s]) => [k, s.default])) }]),
  );
}

export class ConfigError extends Error {}

function describe(spec: ParamSpec): string {
  return `${spec.kind === 'integer' ? 'an integer' : 'a number'} between ${spec.min} and ${spec.max}`;
}

/**
 * Checks a parsed config document against the rules' parameter specs: every
 * key must be known, every value of the right type and within range. The
 * message names the key, what was expected and what was found.
 *
 *   { "rules": { "close-wait-climbing": { "floor": 50 }, "nic-errors": { "enabled": false } } }
 */
export function validateAlertConfig(doc: unknown, rules: Rule[] = RULES): AlertConfig {
  const config = defaultAlertConfig(rules);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError('expected a JSON object with a "rules" key');
  for (const key of Object.keys(doc)) if (key !== 'rules') throw new ConfigError(`unknown key "${key}" (known: rules)`);
  const rulesDoc = (doc as { rules?: unknown }).rules;
  if (rulesDoc === undefined) return config;
  if (typeof rulesDoc !== 'object' || rulesDoc === null || Array.isArray(rulesDoc)) throw new ConfigError('"rules": expected an object keyed by rule id');
  for (const [id, ruleDoc] of Object.entries(rulesDoc)) {
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new ConfigError(`unknown rule "rules.${id}" (known: ${rules.map((r) => r.id).join(', ')})`);
    if (typeof ruleDoc !== 'object' || ruleDoc === null || Array.isArray(ruleDoc)) throw new ConfigError(`"rules.${id}": expected an object`);
    const target = config[id]!;
    for (const [key, value] of Object.entries(ruleDoc)) {
      const path = `rules.${id}.${key}`;
      if (key === 'enabled') {
        if (typeof value !== 'boolean') throw new ConfigError(`"${path}": expected true or false, got ${JSON.stringify(value)}`);
        target.enabled = value;
        continue;
      }
      const spec = (rule.params as Record<string, ParamSpec>)[key];
      if (!spec) throw new ConfigError(`unknown key "${path}" (known: enabled, ${Object.keys(rule.params).join(', ')})`);
      const ok = typeof value === 'number' && Number.isFinite(value) && (spec.kind !== 'integer' || Number.isInteger(value));
      if (!ok || (value as number) < spec.min || (value as number) > spec.max) {
        throw new ConfigError(`"${path}": expected ${describe(spec)} (${spec.unit}), got ${JSON.stringify(value)}`);
      }
      target.params[key] = value as number;
    }
    checkOrder(id, target.params);
  }
  return config;
}

/**
 * A warning above its critical level, or a clearing level above the
 * warning, would make an alert that never warns or never clears: refused,
 * with both values named. Levels pair by name: warnPerSec with critPerSec,
 * warnShare with critShare and clearShare.
 */
function checkOrder(id: string, params: Record<string, number>): void {
  for (const [key, warn] of Object.entries(params)) {
    if (!key.startsWith('warn')) continue;
    const unit = key.slice('warn'.length);
    const crit = params[`crit${unit}`];
    if (crit !== undefined && warn > crit) {
      throw new ConfigError(`"rules.${id}": warn${unit} (${warn}) is above crit${unit} (${crit}); the warning must come first`);
    }
    const clear = params[`clear${unit}`];
    if (clear !== undefined && clear > warn) {
      throw new ConfigError(`"rules.${id}": clear${unit} (${clear}) is above warn${unit} (${warn}); an alert must clear below where it warns`);
    }
  }
}

export async function loadAlertConfig(file: string): Promise<AlertConfig> {
  let text: string;
  try {
    if (!(await stat(file)).isFile()) throw new ConfigError(`${file} is not a regular file`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
  try {
    return validateAlertConfig(doc);
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
}
