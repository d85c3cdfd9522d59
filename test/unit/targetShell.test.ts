import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorProblem } from '../../src/problems.js';
import { shellQuote } from '../../src/shellQuote.js';
import { ShellGone, TargetShell } from '../../src/targetShell.js';
import { alive } from '../helpers/process.js';

let shell: TargetShell | undefined;
afterEach(() => shell?.close());


describe('the shell that runs commands for the dashboard', () => {
  it('runs commands one after another in one process, with output, stderr and exit status apart', async () => {
    shell = new TargetShell(['sh']);
    const a = await shell.run(['sh', '-c', 'printf "one\\ntwo"; echo oops >&2; exit 3'], { timeoutMs: 5000 });
    expect(a).toMatchObject({ stdout: 'one\ntwo', stderr: 'oops\n', exitCode: 3 });
    const pid = shell.pid;
    const b = await shell.run(['echo', `it's "quoted" $HOME \`x\``], { timeoutMs: 5000 });
    expect(b.stdout).toBe('it\'s "quoted" $HOME `x`\n');
    expect(shell.pid).toBe(pid);
  });

  it('keeps output that looks like its own marker, and concurrent requests apart', async () => {
    shell = new TargetShell(['sh']);
    const fake = '\n@@nettriage-000000000000000000000000 1 0\n';
    const results = await Promise.all([
      shell.run(['printf', '%s', fake], { timeoutMs: 5000 }),
      shell.run(['seq', '1', '200000'], { timeoutMs: 5000 }),
      shell.run(['printf', 'x'], { timeoutMs: 5000 }),
    ]);
    expect(results[0]?.stdout).toBe(fake);
    expect(results[1]?.stdout.split('\n')).toHaveLength(200_001);
    expect(results[2]?.stdout).toBe('x');
  });

  it('reads files as the shell sees them and leaves out the ones that do not exist', async () => {
    shell = new TargetShell(['sh']);
    const files = await shell.readFiles(['/proc/sys/net/ipv4/ip_local_port_range', '/nonexistent/file', '/proc/sys/kernel/ostype'], { timeoutMs: 5000 });
    expect([...files.keys()]).toEqual(['/proc/sys/net/ipv4/ip_local_port_range', '/proc/sys/kernel/ostype']);
    expect(files.get('/proc/sys/kernel/ostype')).toBe('Linux\n');
    expect(files.get('/proc/sys/net/ipv4/ip_local_port_range')).toMatch(/^\d+\s+\d+\n$/);
  });

  it('kills a command that hangs with everything it started, and runs the next request in a new shell', async () => {
    shell = new TargetShell(['sh']);
    // A wrapper whose child keeps stdout open after the wrapper is gone.
    const hung = shell.run(['sh', '-c', 'sleep 313.7 & echo $!; wait'], { timeoutMs: 500 });
    await expect(hung).rejects.toBeInstanceOf(CollectorProblem);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    const sleepers = await execa('pgrep', ['-f', '^sleep 313\\.7$'], { reject: false });
    for (const pid of sleepers.stdout.split('\n').filter(Boolean)) expect(alive(Number(pid))).toBe(false);
    const next = await shell.run(['echo', 'fine'], { timeoutMs: 5000 });
    expect(next.stdout).toBe('fine\n');
  });

  it('stops reading output beyond the limit', async () => {
    shell = new TargetShell(['sh']);
    await expect(shell.run(['yes'], { timeoutMs: 10_000, maxBytes: 1 << 20 })).rejects.toMatchObject({ message: expect.stringContaining('output too large') });
    expect((await shell.run(['echo', 'ok'], { timeoutMs: 5000 })).stdout).toBe('ok\n');
  });

  it('says which program is missing when the shell cannot start', async () => {
    shell = new TargetShell(['nettriage-no-such-program', 'sh']);
    const error = await shell.run(['true'], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShellGone);
    expect((error as ShellGone).missing).toBe('nettriage-no-such-program');
  });

  it('reports the starter failing with its message', async () => {
    shell = new TargetShell(['sh', '-c', 'echo "nsenter: cannot open /run/netns/x: No such file or directory" >&2; exit 1']);
    const error = (await shell.run(['true'], { timeoutMs: 5000 }).catch((e: unknown) => e)) as ShellGone;
    expect(error).toBeInstanceOf(ShellGone);
    expect(error.stderr).toContain('cannot open /run/netns/x');
    expect(error.exitCode).toBe(1);
  });

  it('ends after a while without work, and starts again for the next request', async () => {
    shell = new TargetShell(['sh'], { idleExitMs: 100 });
    await shell.run(['true'], { timeoutMs: 5000 });
    const first = shell.pid!;
    const until = Date.now() + 5000;
    while (alive(first) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(alive(first)).toBe(false);
    expect((await shell.run(['echo', 'again'], { timeoutMs: 5000 })).stdout).toBe('again\n');
    expect(shell.pid).not.toBe(first);
  });

  it('quotes anything', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});
