import { type Parsed, parsed } from '../types.js';

/** `TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1` -> { TCP: { inuse: 4, ... } }. */
export type Sockstat = Record<string, Record<string, number>>;

/**
 * Parses /proc/net/sockstat and sockstat6. Which of these numbers belong to
 * the reader's network namespace matters: TCP inuse, TCP tw, UDP inuse and
 * all of sockstat6 are per namespace; `sockets: used`, TCP orphan, alloc and
 * mem are host-wide (this is why `ss -s` is wrong inside a container).
 */
export function parseSockstat(text: string): Parsed<Sockstat> {
  const out: Sockstat = {};
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\w+):\s+(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) {
      skipped++;
      continue;
    }
    const words = m[2].trim().split(/\s+/);
    if (words.length % 2 !== 0) {
      skipped++;
      continue;
    }
    const fields: Record<string, number> = {};
    let ok = true;
    for (let i = 0; i < words.length; i += 2) {
      const value = Number(words[i + 1]);
      if (!Number.isFinite(value) || !/^-?\d+$/.test(words[i + 1] ?? '')) ok = false;
      else fields[words[i] ?? ''] = value;
    }
    if (!ok) {
      skipped++;
      continue;
    }
    out[m[1]] = fields;
  }
  return parsed(out, skipped);
}
