import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where a tick's CPU goes, by the part of nettriage that spends it. */
export const PARTS = ['collectors', 'store and rules', 'screen', 'fleet', 'V8: GC and compiler', 'startup and other'] as const;
export type Part = (typeof PARTS)[number];

/**
 * The part a module of the one-file build belongs to, by its path (esbuild
 * heads each module with a `// dist/src/store.js` comment). Libraries count
 * where they serve: Ink, React, Yoga and the text-width packages draw the
 * screen; prom-client serves the metrics.
 */
export function partOf(module: string): Part {
  if (/^dist\/src\/fleet\/|^dist\/collectors\/(namespaces|parse\/namespaces|parse\/runtimeConfig)\.js$/.test(module)) return 'fleet';
  if (/^dist\/collectors\/|^dist\/src\/(targetIO|targetShell|targetPin|linkMonitor|runBounded|shellOutput|scheduler|problems|costCadence|endpoint|tcpState)\.js$|^dist\/src\/drilldown\/processInfo\.js$/.test(module)) return 'collectors';
  if (/^dist\/src\/(store|ring|rates|queryGates|record|dropPath|dropReasonsModel|runtime|layers)\.js$|^dist\/src\/(alerts|recording|metrics|modes)\//.test(module)) return 'store and rules';
  if (/^dist\/components\/|^dist\/src\/(screen|panels|hooks|drilldown)\/|^dist\/src\/(app|screenLayout|layout|viewState|keymap|dashboardModel|format|sanitize|theme|terminal|screenSession|selection|textWidth)\.js$/.test(module)) return 'screen';
  if (/^node_modules\/(ink|react|react-reconciler|scheduler|yoga-layout|string-width|wrap-ansi|slice-ansi|cli-truncate|ansi-|@alcalzone|chalk|strip-ansi|emoji-regex|get-east-asian-width|widest-line|cli-boxes|indent-string)/.test(module)) return 'screen';
  return 'startup and other';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** `// dist/src/store.js` lines of the bundle, by line number: what module a line belongs to. */
function moduleIndex(bundle: string): (line: number) => string | undefined {
  const markers: [number, string][] = [];
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      const m = /^\/\/ ((?:dist|node_modules)\/\S+)$/.exec(l);
      if (m?.[1]) markers.push([i, m[1]]);
    });
  return (line) => {
    let lo = 0;
    let hi = markers.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const marker = markers[mid] as [number, string];
      if (marker[0] <= line) {
        found = marker[1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * CPU milliseconds per part in a V8 CPU profile (`node --cpu-prof`) of the
 * one-file build, only the samples between `fromMs` and `toMs` after the start. A sample in
 * Node's or V8's own code (a file read, a JSON.stringify) counts for the
 * nearest caller in the bundle; GC and compilation are their own part.
 */
export function cpuByPart(profileDir: string, bundle: string, fromMs: number, toMs = Infinity): Record<Part, number> {
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  const out = Object.fromEntries(PARTS.map((p) => [p, 0])) as Record<Part, number>;
  if (!file) return out;
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const moduleAt = moduleIndex(bundle);
  const partOfNode = new Map<number, Part | 'idle'>();
  const classify = (id: number): Part | 'idle' => {
    const known = partOfNode.get(id);
    if (known) return known;
    const frame = nodes.get(id)?.callFrame;
    let part: Part | 'idle';
    if (frame?.functionName === '(idle)') part = 'idle';
    else if (frame?.functionName === '(garbage collector)' || frame?.functionName === '(program)') part = 'V8: GC and compiler';
    else {
      part = 'startup and other';
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = nodes.get(at)?.callFrame;
        const module = f && f.url.endsWith('nettriage.js') ? moduleAt(f.lineNumber) : undefined;
        if (module) {
          part = partOf(module);
          break;
        }
      }
    }
    partOfNode.set(id, part);
    return part;
  };
  let clockUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    clockUs += dt;
    if (clockUs < fromMs * 1000 || clockUs >= toMs * 1000) return;
    const part = classify(id);
    if (part !== 'idle') out[part] += dt / 1000;
  });
  return out;
}
