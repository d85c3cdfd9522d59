import { existsSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * nettriage's own tracefs instances (`instances/nettriage-PID`): where
 * tracefs is, and how an instance goes — ours on the way out, a SIGKILLed
 * predecessor's at start. Removing an instance removes all it had enabled.
 */

/** Where tracefs is mounted on current systems, then where older ones had it. */
const TRACEFS_CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
export const EVENT = join('events', 'skb', 'kfree_skb');
/** The hist trigger this tracer adds, and the line that removes it. */
export const HIST_TRIGGER = 'hist:keys=reason:size=256';
const HIST_REMOVE = '!hist:keys=reason';
/** Our instances (`nettriage-PID`, `nettriage-PID-connect`): the PID tells a live owner from one SIGKILL left behind. */
const INSTANCE = /^nettriage-(\d+)(?:-[a-z]+)?$/;

/** Removes one instance of ours: every event off, the trigger gone, the directory. Synchronous: it runs from the 'exit' handler too. */
export function teardownInstance(dir: string): void {
  const ignore = (f: () => void) => {
    try {
      f();
    } catch {
      // Already gone, or not ours to change: the rmdir below says the rest.
    }
  };
  ignore(() => writeFileSync(join(dir, 'events', 'enable'), '0'));
  ignore(() => {
    if (readFileSync(join(dir, EVENT, 'trigger'), 'utf8').includes('hist:keys=reason')) writeFileSync(join(dir, EVENT, 'trigger'), HIST_REMOVE);
  });
  ignore(() => rmdirSync(dir));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Instances a nettriage killed with SIGKILL left behind (its PID is gone): removed before ours is made. */
export function removeStaleInstances(tracefs: string): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(join(tracefs, 'instances'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(INSTANCE.exec(name)?.[1] ?? NaN);
    if (Number.isNaN(pid) || alive(pid)) continue;
    teardownInstance(join(tracefs, 'instances', name));
    removed.push(name);
  }
  return removed;
}

/** Why a tracepoint (`events/skb/kfree_skb`) cannot be read here, or the tracefs to read it from. */
export function locateTracefs(event = EVENT): { tracefs: string } | { why: string } {
  if (process.getuid?.() !== 0) return { why: 'tracing needs root (run nettriage as root)' };
  const tracefs = TRACEFS_CANDIDATES.find((c) => existsSync(join(c, 'events')));
  if (!tracefs) return { why: `tracefs not mounted: mount -t tracefs nodev ${TRACEFS_CANDIDATES[0]}` };
  if (!existsSync(join(tracefs, event, 'format'))) return { why: `no ${event.split('/').slice(1).join(':')} tracepoint in this kernel` };
  if (!existsSync(join(tracefs, 'instances'))) return { why: 'tracefs has no instances (kernel too old)' };
  return { tracefs };
}

