import { existsSync } from 'node:fs';
import type { CliResult } from '../cli.js';
import { defaultRoots, targetLabel } from '../target.js';
import { packageVersion } from '../version.js';

/** `nettriage bundle`: the snapshots of a namespace now, without a dashboard (so without a recording). */
export async function runBundle(cli: Extract<CliResult, { kind: 'bundle' }>): Promise<number> {
  const { writeBundle, bundleFileName } = await import('../bundle/bundle.js');
  const { DEFAULT_BUNDLE_LIMITS } = await import('../bundle/collect.js');
  const { DEFAULT_CAPTURE_LIMITS } = await import('../bundle/capture.js');
  const { target } = cli;
  const there = target.kind === 'netns' ? existsSync(`${defaultRoots.netnsRunDir}/${target.name}`) : target.kind === 'pid' ? existsSync(`/proc/${target.pid}`) : true;
  if (!there) {
    process.stderr.write(`nettriage: bundle: ${targetLabel(target)} does not exist\n`);
    return 2;
  }
  const path = cli.out ?? bundleFileName(target, Date.now());
  try {
    const made = await writeBundle(path, {
      target,
      roots: defaultRoots,
      version: packageVersion(),
      limits: { partMaxBytes: cli.partMaxBytes ?? DEFAULT_BUNDLE_LIMITS.partMaxBytes, timeoutMs: cli.timeoutMs ?? DEFAULT_BUNDLE_LIMITS.timeoutMs },
      ...(cli.capture
        ? {
            capture: {
              filter: cli.capture.filter,
              limits: {
                seconds: cli.capture.seconds ?? DEFAULT_CAPTURE_LIMITS.seconds,
                packets: cli.capture.packets ?? DEFAULT_CAPTURE_LIMITS.packets,
                bytes: cli.capture.bytes ?? DEFAULT_CAPTURE_LIMITS.bytes,
              },
            },
          }
        : {}),
    });
    process.stdout.write(`${made.path} (${made.bytes} bytes)\n`);
    for (const p of made.parts) process.stdout.write(`  ${p.ok ? 'ok     ' : 'MISSING'} ${p.file.padEnd(20)} ${p.ok ? `${p.bytes} bytes${p.truncated ? ', cut at the size cap' : ''}` : (p.error ?? '')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`nettriage: bundle: ${(error as Error).message}\n`);
    return 2;
  }
}
