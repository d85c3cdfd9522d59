/**
 * Where the collectors look: the host, a named network namespace
 * (`ip netns add NAME`, reached through /run/netns/NAME), or the network
 * namespace of a process (a container or pod is reached through any PID in it).
 */
export type Target =
  | { kind: 'host' }
  | { kind: 'netns'; name: string }
  | { kind: 'pid'; pid: number };

export interface Roots {
  /** Where /proc is mounted; a fixture tree in tests (node_exporter's --path.procfs). */
  procRoot: string;
  /** Where /sys is mounted; a fixture tree in tests. */
  sysRoot: string;
  /** Where `ip netns` keeps its namespace handles. */
  netnsRunDir: string;
}

export const defaultRoots: Roots = { procRoot: '/proc', sysRoot: '/sys', netnsRunDir: '/run/netns' };

export function targetLabel(target: Target): string {
  switch (target.kind) {
    case 'host':
      return 'host';
    case 'netns':
      return `netns:${target.name}`;
    case 'pid':
      return `pid:${target.pid}`;
  }
}

/** Parses `host`, `netns:NAME`, `pid:PID` (the form `targetLabel` prints). */
export function parseTarget(text: string): Target | undefined {
  if (text === 'host') return { kind: 'host' };
  const netns = /^netns:([A-Za-z0-9_.-]+)$/.exec(text);
  if (netns?.[1]) return { kind: 'netns', name: netns[1] };
  const pid = /^pid:([1-9][0-9]*)$/.exec(text);
  if (pid?.[1]) return { kind: 'pid', pid: Number(pid[1]) };
  return undefined;
}

/**
 * The argv prefix that runs a command inside the target's network namespace.
 * `nsenter --net` only switches the network namespace: unlike `ip netns exec`
 * it does not remount /sys, so it costs one process start and nothing more.
 */
export function netnsCommandPrefix(target: Target, roots: Roots): string[] {
  switch (target.kind) {
    case 'host':
      return [];
    case 'netns':
      return ['nsenter', `--net=${roots.netnsRunDir}/${target.name}`, '--'];
    case 'pid':
      return ['nsenter', '-t', String(target.pid), '-n', '--'];
  }
}

/** True when the socket dump must come from files because /proc is a fixture tree. */
export function isFixtureProc(roots: Roots): boolean {
  return roots.procRoot !== '/proc';
}

/** The same prefix as a shell command for a person to paste ('' for the host). */
export function shellPrefix(target: Target, roots: Pick<Roots, 'netnsRunDir'> = defaultRoots): string {
  return netnsCommandPrefix(target, { ...defaultRoots, ...roots })
    .filter((a) => a !== '--')
    .join(' ');
}
