import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const TRACEFS = '/sys/kernel/tracing';
const EVENT = join(TRACEFS, 'events', 'skb', 'kfree_skb');

/**
 * tracefs at its usual place, mounted for the tests when the machine has
 * not (a fresh VM often has not); `mountedHere` says whether to unmount it.
 */
export async function ensureTracefs(): Promise<{ mountedHere: boolean } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  if (existsSync(join(TRACEFS, 'events'))) return { mountedHere: false };
  const r = await execa('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { reject: false });
  return r.exitCode === 0 && existsSync(join(TRACEFS, 'events')) ? { mountedHere: true } : undefined;
}

export const kernelHasHistTriggers = (): boolean => existsSync(join(EVENT, 'hist'));

/** Every tracefs instance nettriage made that is still there. */
export const nettriageInstances = (): string[] => readdirSync(join(TRACEFS, 'instances')).filter((n) => n.startsWith('nettriage-'));

/** Whether nettriage's instance of `pid` has the tracepoint on (sampling) or a hist trigger (counting). */
export function instanceTracing(pid: number): boolean {
  const dir = join(TRACEFS, 'instances', `nettriage-${pid}`, 'events', 'skb', 'kfree_skb');
  try {
    return readFileSync(join(dir, 'enable'), 'utf8').trim() === '1' || readFileSync(join(dir, 'trigger'), 'utf8').includes('hist:keys=reason');
  } catch {
    return false;
  }
}

/** The host's own kfree_skb event, which nettriage never touches: off and without triggers. */
export function hostEventUntouched(): boolean {
  return readFileSync(join(EVENT, 'enable'), 'utf8').trim() === '0' && !readFileSync(join(EVENT, 'trigger'), 'utf8').includes('hist:');
}

const SOCK_EVENT = join(TRACEFS, 'events', 'sock', 'inet_sock_set_state');

/** Whether nettriage's connect() tracer of `pid` has its tracepoint on in its instance. */
export function connectTracing(pid: number): boolean {
  try {
    return readFileSync(join(TRACEFS, 'instances', `nettriage-${pid}-connect`, 'events', 'sock', 'inet_sock_set_state', 'enable'), 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The host's own inet_sock_set_state event, which nettriage never touches: off and unfiltered. */
export function hostSockEventUntouched(): boolean {
  return readFileSync(join(SOCK_EVENT, 'enable'), 'utf8').trim() === '0' && readFileSync(join(SOCK_EVENT, 'filter'), 'utf8').trim() === 'none';
}
