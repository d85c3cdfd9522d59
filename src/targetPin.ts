import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { type Roots, type Target, targetLabel } from './target.js';

/** Why a target cannot be watched at all: said before the screen opens, with exit status 2. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * A target is a namespace, not a name or a number: the one it was when
 * nettriage started, held open for the whole run. A PID that exits and is
 * handed to another process, or a name deleted and created again, then
 * leads elsewhere; nettriage keeps reading the namespace it pinned and says
 * the target is gone, instead of quietly watching another one.
 */
export interface TargetPin {
  /** For `nsenter --net=…`: a descriptor of ours that leads to the pinned namespace; undefined for the host. */
  readonly nsPath?: string;
  /** `net:[4026532412]` */
  readonly namespace?: string;
  /** Why the target no longer leads to the pinned namespace; undefined while it does. */
  drift(): string | undefined;
  close(): void;
}

/** The inode of a pinned namespace (`net:[N]`), or for the host of our own namespace. */
export function namespaceInode(pinned: string | undefined): number | undefined {
  const m = /^net:\[(\d+)\]$/.exec(pinned ?? '');
  if (m) return Number(m[1]);
  try {
    return statSync('/proc/self/ns/net').ino;
  } catch {
    return undefined;
  }
}

const HOST_PIN: TargetPin = { drift: () => undefined, close: () => undefined };

/** Where the target's namespace is reached by name: its bind mount, or its process's handle. */
function handleOf(target: Exclude<Target, { kind: 'host' }>, roots: Roots): string {
  return target.kind === 'netns' ? `${roots.netnsRunDir}/${target.name}` : `/proc/${target.pid}/ns/net`;
}

function whyNot(target: Exclude<Target, { kind: 'host' }>, error: NodeJS.ErrnoException): TargetError {
  if (error.code === 'ENOENT') {
    return target.kind === 'netns'
      ? new TargetError(`network namespace ${target.name} does not exist`, 'see `ip netns list`')
      : new TargetError(`no process ${target.pid}`, 'give the PID of a process inside the container');
  }
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new TargetError(`permission denied opening ${targetLabel(target)}'s network namespace`, 'run as root to watch another network namespace');
  }
  return new TargetError(`cannot open ${targetLabel(target)}'s network namespace: ${error.message}`);
}

export function pinTarget(target: Target, roots: Roots): TargetPin {
  if (target.kind === 'host') return HOST_PIN;
  const handle = handleOf(target, roots);
  let fd: number;
  try {
    fd = openSync(handle, 'r');
  } catch (error) {
    throw whyNot(target, error as NodeJS.ErrnoException);
  }
  const pinned = fstatSync(fd);
  // A namespace handle lives on nsfs, the filesystem of our own /proc/self/ns/net.
  if (pinned.dev !== statSync('/proc/self/ns/net').dev) {
    closeSync(fd);
    throw new TargetError(`${handle} is not a network namespace`);
  }
  const namespace = `net:[${pinned.ino}]`;
  let open = true;
  return {
    nsPath: `/proc/${process.pid}/fd/${fd}`,
    namespace,
    drift() {
      let now: number;
      try {
        now = statSync(handle).ino;
      } catch {
        return target.kind === 'netns' ? `network namespace ${target.name} was deleted` : `process ${target.pid} exited`;
      }
      if (now === pinned.ino) return undefined;
      return target.kind === 'netns'
        ? `network namespace ${target.name} was replaced by another of that name`
        : `PID ${target.pid} now belongs to another process, in another namespace`;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
