import { type ChildProcess, spawn } from 'node:child_process';

/**
 * `ip -o monitor link` inside the namespace: one line per link event, no
 * CPU while nothing happens, so a link that goes down or flaps is seen at
 * the next tick instead of at the next periodic `ip link`. A shell holds it
 * and waits on its stdin: when nettriage exits by any way, SIGKILL included,
 * the pipe closes and the shell kills the monitor.
 */
export class LinkMonitor {
  private child: ChildProcess | undefined;
  private count = 0;
  private state: 'idle' | 'running' | 'ended' = 'idle';

  constructor(
    private readonly enter: string[],
    private readonly real: boolean,
  ) {}

  get pid(): number | undefined {
    return this.state === 'running' ? this.child?.pid : undefined;
  }

  events(): number | undefined {
    if (this.state === 'idle') this.start();
    return this.state === 'running' ? this.count : undefined;
  }

  private start(): void {
    if (!this.real) {
      this.state = 'ended';
      return;
    }
    const argv = [...this.enter, '/bin/sh', '-c', 'ip -o monitor link & read _; kill $! 2>/dev/null'];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.state = 'running';
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) this.count++;
    });
    const end = () => {
      this.state = 'ended';
    };
    child.on('error', end);
    child.on('exit', end);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  }

  close(): void {
    const child = this.child;
    this.state = 'ended';
    // Its stdin closed, the shell kills the monitor and ends (a SIGTERM now could end the shell first and leave the monitor).
    if (child && child.exitCode === null) child.stdin?.end();
  }
}
