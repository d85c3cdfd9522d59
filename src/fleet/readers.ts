import type { NetNamespace } from '../../collectors/parse/namespaces.js';
import { safeText } from '../sanitize.js';
import { TargetShell } from '../targetShell.js';

/**
 * A namespace nothing runs in (`ip netns add` and nothing started: an
 * OpenStack qrouter, a CNI's spare) has no /proc/PID/net to read. One small
 * `/bin/sh` of ours, put inside it by `nsenter --net=MOUNT`, gives it one:
 * it idles on its stdin (no CPU), dies with us (its stdin closes, even on a
 * SIGKILL), and its /proc/PID/net is read like any other namespace's.
 * Started once per namespace, not per read: a process start a tick for
 * each such namespace would cost more than all the reads together.
 */
interface Reader {
  shell: TargetShell;
  /** Set once the shell answered from inside the namespace. */
  pid?: number;
  starting: Promise<void> | undefined;
  /** Why it could not enter (no permission, the mount went), said until it is retried. */
  error?: string;
  failedAtMs?: number;
}

/** At most this many readers: each is a process (~1 MB); past it, a namespace says why it is not read. */
export const MAX_READERS = 256;
const START_TIMEOUT_MS = 5_000;
/** A reader that could not enter is tried again after this long, not every tick. */
const RETRY_MS = 30_000;

/** The nsfs mount a reader enters: the `ip netns` name under the run directory, or a mount's own path. */
export function mountOf(ns: NetNamespace, netnsRunDir: string): string | undefined {
  const name = ns.names[0];
  if (name === undefined) return undefined;
  return name.startsWith('/') ? name : `${netnsRunDir}/${name}`;
}

export class NamespaceReaders {
  private readonly readers = new Map<number, Reader>();

  constructor(private readonly netnsRunDir: string) {}

  /**
   * The PID whose /proc/PID/net is `ns`'s: the reader kept there, started
   * (and awaited, a few ms) on first use; or why there is none.
   */
  async enter(ns: NetNamespace): Promise<{ pid: number } | { why: string }> {
    const nowMs = Date.now();
    let reader = this.readers.get(ns.inode);
    if (reader && reader.pid !== undefined && reader.shell.pid !== reader.pid) {
      // It died (killed from outside): a new one.
      void reader.shell.close();
      this.readers.delete(ns.inode);
      reader = undefined;
    }
    if (reader?.error !== undefined && nowMs - (reader.failedAtMs ?? 0) >= RETRY_MS) {
      this.readers.delete(ns.inode);
      reader = undefined;
    }
    if (!reader) {
      const mount = mountOf(ns, this.netnsRunDir);
      if (mount === undefined) return { why: 'no process runs in it, and no mount names it to enter it by' };
      if (this.readers.size >= MAX_READERS) return { why: `no process runs in it, and nettriage already keeps ${MAX_READERS} readers in such namespaces` };
      reader = this.start(mount);
      this.readers.set(ns.inode, reader);
    }
    await reader.starting;
    if (reader.pid !== undefined) return { pid: reader.pid };
    return { why: reader.error ?? 'no process runs in it, and its reader is not there yet' };
  }

  private start(mount: string): Reader {
    const shell = new TargetShell(['nsenter', `--net=${mount}`, '--', '/bin/sh']);
    const reader: Reader = { shell, starting: undefined };
    reader.starting = shell.run(['true'], { timeoutMs: START_TIMEOUT_MS }).then(
      () => {
        if (shell.pid === undefined) throw new Error('the reader exited at once');
        reader.pid = shell.pid;
      },
    ).catch((error: unknown) => {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      reader.error = `no process runs in it, and entering it failed (nsenter --net=${safeText(mount)}: ${safeText(stderr || (error as Error).message)})`;
      reader.failedAtMs = Date.now();
      void shell.close();
    });
    return reader;
  }

  /** Ends the readers of namespaces not in `wanted` (gone, or a process of their own now lives there). */
  retain(wanted: Set<number>): void {
    for (const [inode, reader] of this.readers) {
      if (wanted.has(inode)) continue;
      void reader.shell.close();
      this.readers.delete(inode);
    }
  }

  close(): void {
    this.retain(new Set());
  }
}
