import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();
if (kernelTestsRequired && !netnsOk) throw new Error('strict mode (NETTRIAGE_STRICT=1): these tests need root and network namespaces');

const scratch = mkdtempSync(join(tmpdir(), 'nettriage-target-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type JsonRecord = Record<string, any>;

/** `nettriage --json` running in the background, its records as they arrive. */
function follow(args: string[], env: Record<string, string> = {}) {
  const child = execa(process.execPath, [BIN, '--json', ...args], { env, reject: false, buffer: false });
  const records: JsonRecord[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) records.push(JSON.parse(line) as JsonRecord);
  });
  /** The first record after `from` that satisfies `test`, within `deadlineMs`. */
  const waitFor = async (test: (r: JsonRecord) => boolean, deadlineMs = 20_000, from = 0): Promise<JsonRecord> => {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const found = records.slice(from).find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no such record within ${deadlineMs} ms; last: ${JSON.stringify(records.at(-1))?.slice(0, 600)}`);
  };
  return { child, records, waitFor };
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);
/** What the record says is wrong with the target: a problem beside earlier data, or an error without any. */
const targetTrouble = (r: JsonRecord): string => r.sources?.target?.problem?.error ?? r.sources?.target?.error ?? '';

describe.runIf(netnsOk)('a target that is not what it was', () => {
  let ns: TestNetns;
  let hostListener: Server;

  beforeAll(async () => {
    ns = await TestNetns.create('target');
    // The host gets a listener the namespace does not have: seeing it would mean watching the host.
    hostListener = createServer();
    await new Promise<void>((resolve) => hostListener.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    hostListener?.close();
    await ns?.destroy();
  });

  it('refuses a namespace or a process that does not exist, before anything is shown', async () => {
    const missing = await execa(process.execPath, [BIN, '--json', '--count', '1', '--netns', `nt-none-${process.pid}`], { reject: false, timeout: 20_000 });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`network namespace nt-none-${process.pid} does not exist`));
    expect(missing.stdout).toBe('');
    const exited = execa('true');
    await exited;
    const gone = await execa(process.execPath, [BIN, '--json', '--count', '1', '--pid', String(exited.pid)], { reject: false, timeout: 20_000 });
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toContain(`no process ${exited.pid}`);
  });

  it('says permission denied, not "does not exist", to a user who may not enter the namespace', async () => {
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--json', '--count', '1', '--netns', ns.name], {
      reject: false,
      timeout: 20_000,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/permission denied/i);
    expect(r.stderr).not.toMatch(/does not exist/);
  });

  it('keeps watching the namespace it pinned when the PID exits and is handed to a host process, and says the target is gone', async () => {
    const incident = await ns.incident('states', { port: 9100, closeWait: 2 });
    const run = follow(['--pid', String(incident.pid), '--interval', '300ms']);
    try {
      await run.waitFor((r) => r.tcp?.states?.['CLOSE-WAIT'] === 2);
      process.kill(incident.pid, 'SIGKILL');
      const exitedAt = run.records.length;
      const exited = await run.waitFor((r) => /process \d+ exited/.test(targetTrouble(r)), 10_000, exitedAt);
      expect(exited.tcp.states.LISTEN).toBe(0);
      // Hand the PID to a host process: the kernel gives out ns_last_pid + 1 next.
      let reused: ReturnType<typeof execa> | undefined;
      const until = Date.now() + 15_000;
      while (!reused && Date.now() < until) {
        if (alive(incident.pid)) break;
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(incident.pid - 1));
        const candidate = execa('sleep', ['60'], { reject: false });
        if (candidate.pid === incident.pid) reused = candidate;
        else candidate.kill('SIGKILL');
      }
      expect(reused?.pid).toBe(incident.pid);
      const from = run.records.length;
      const after = await run.waitFor((r) => /now belongs to another process/.test(targetTrouble(r)), 10_000, from);
      reused?.kill('SIGKILL');
      // Still the pinned namespace, empty now: none of the host's listeners, no CLOSE-WAIT jump, no alert.
      expect(after.tcp.states.LISTEN).toBe(0);
      expect(after.tcp.states['CLOSE-WAIT']).toBe(0);
      expect(after.alerts).toEqual([]);
      expect(after.sources.target.problem.hint).toMatch(/still showing the namespace it had/);
    } finally {
      run.child.kill('SIGTERM');
      await run.child;
    }
  }, 60_000);
});

describe('a command that hangs with a child holding its output', () => {
  it('is killed with everything it started, and the next sample asks again and gets an answer', async () => {
    const realIp = (await execa('sh', ['-c', 'command -v ip'])).stdout.trim();
    const dir = join(scratch, 'hang');
    const mark = join(scratch, 'hung-once');
    const sleeper = `${31 + (process.pid % 100)}`;
    mkdirSync(dir, { recursive: true });
    // The first `ip -d -s -s -j link` hangs, and leaves a child that keeps its stdout open; every later one answers
    // (and so does every other ip: the link monitor is not the command under test).
    writeFileSync(
      join(dir, 'ip'),
      `#!/bin/sh\nif [ "$1" = -d ] && [ ! -e '${mark}' ]; then touch '${mark}'; sleep ${sleeper} & exec sleep ${sleeper}; fi\nexec ${realIp} "$@"\n`,
    );
    chmodSync(join(dir, 'ip'), 0o755);
    const run = follow(['--interval', '500ms', '--timeout', '1s'], { PATH: `${dir}:${process.env.PATH}` });
    try {
      const answered = await run.waitFor((r) => r.nics?.lo !== undefined && r.sources?.nics?.problem === undefined, 15_000);
      expect(answered.nics.lo.state).toBeDefined();
      // The first ip did hang, and what it left behind is gone while nettriage still runs: killed with its group.
      expect(existsSync(mark)).toBe(true);
      expect((await execa('pgrep', ['-f', `^sleep ${sleeper}$`], { reject: false })).stdout).toBe('');
      // And it keeps answering.
      const later = await run.waitFor((r) => r.nics?.lo !== undefined && r.sources?.nics?.problem === undefined, 5_000, run.records.indexOf(answered) + 3);
      expect(later.sources.nics.ageMs).toBeLessThan(1000);
    } finally {
      run.child.kill('SIGTERM');
      await run.child;
    }
  }, 60_000);
});

describe.runIf(netnsOk)('an interface named with control characters', () => {
  let ns: TestNetns;
  // ESC and BEL are allowed in interface names (whitespace, '/' and ':' are not): an OSC that would retitle a terminal.
  const hostile = '\x1b]0;x\x07eth';

  beforeAll(async () => {
    ns = await TestNetns.create('ifname');
    await ns.exec(['ip', 'link', 'add', hostile, 'type', 'veth', 'peer', 'name', 'peer0']);
  });
  afterAll(async () => ns?.destroy());

  it('costs nothing but its own escaping: every interface is read, the record has them all and no problem', async () => {
    const r = await execa(process.execPath, [BIN, '--json', '--count', '1', '--netns', ns.name], { reject: false, timeout: 20_000 });
    expect(r.exitCode).toBe(0);
    const record = JSON.parse(r.stdout) as JsonRecord;
    expect(Object.keys(record.nics).sort()).toEqual([hostile, 'lo', 'peer0'].sort());
    expect(record.sources.nics.problem).toBeUndefined();
    expect(record.nics.lo.stats.rx_packets).toBeDefined();
  });
});
