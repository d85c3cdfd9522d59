/**
 * What can go wrong when a collector reads the system, phrased for the person
 * at the terminal: what happened and what to do about it. A panel shows
 * `message` and `hint`; nothing here is ever shown as a stack trace.
 */
export type ProblemKind =
  | 'missing-tool'
  | 'timeout'
  | 'permission'
  | 'absent'
  /** What is watched is not in use here (nf_conntrack not loaded): nothing to see, and nothing to fear. */
  | 'inactive'
  | 'failed'
  | 'unparseable';

export class CollectorProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CollectorProblem';
  }
}

/** Debian/Ubuntu package (and the RHEL one where it differs) for each tool we run. */
const packageOf: Record<string, string> = {
  ss: 'iproute2 (RHEL: iproute)',
  ip: 'iproute2 (RHEL: iproute)',
  nstat: 'iproute2 (RHEL: iproute)',
  tc: 'iproute2 (RHEL: iproute-tc)',
  nsenter: 'util-linux',
  conntrack: 'conntrack (RHEL: conntrack-tools)',
  ethtool: 'ethtool',
  cat: 'coreutils',
  grep: 'grep',
  dig: 'bind9-dnsutils (RHEL: bind-utils)',
  mtr: 'mtr-tiny (RHEL: mtr)',
  tracepath: 'iputils-tracepath (RHEL: iputils)',
  ping: 'iputils-ping (RHEL: iputils)',
  nc: 'netcat-openbsd (RHEL: nmap-ncat)',
  curl: 'curl',
  openssl: 'openssl',
  tcpdump: 'tcpdump',
};

export function missingToolProblem(tool: string): CollectorProblem {
  const pkg = packageOf[tool];
  return new CollectorProblem(
    'missing-tool',
    `${tool} not found`,
    pkg ? `install the ${pkg} package` : `install ${tool} or put it on PATH`,
  );
}

export function asProblem(error: unknown): CollectorProblem {
  if (error instanceof CollectorProblem) return error;
  const err = error as NodeJS.ErrnoException | undefined;
  const code = err?.code;
  const path = (err as { path?: string } | undefined)?.path;
  if (code === 'ENOENT') return new CollectorProblem('absent', `${path ?? 'file'} does not exist`);
  if (code === 'EACCES' || code === 'EPERM')
    return new CollectorProblem('permission', `permission denied reading ${path ?? 'a file'}`, 'run as root');
  const message = err instanceof Error ? err.message : String(error);
  return new CollectorProblem('failed', firstLine(message));
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line.trim();
}
