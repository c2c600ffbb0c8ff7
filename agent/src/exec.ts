import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ExecRequest, ExecResult } from '@webxterm/contracts';
import { LinuxUser, spawnIdentity, userEnv } from './linux-user';

/**
 * Runs one command with `/bin/sh -c` as the configured user. It is killed (with its whole process
 * group) at the timeout, or as soon as its output passes the cap, so neither a command that never
 * ends nor one that prints a gigabyte can hold the agent.
 */
export function runCommand(req: ExecRequest, user: LinuxUser, allowRoot: boolean): Promise<ExecResult> {
  const started = Date.now();
  const base = { request_id: req.request_id, exit_code: -1, output: Buffer.alloc(0), duration_ms: 0, timed_out: false, truncated: false, error: '' };
  let identity: { uid?: number; gid?: number };
  try {
    identity = spawnIdentity(user, allowRoot);
  } catch (e) {
    return Promise.resolve({ ...base, error: (e as Error).message });
  }
  if (req.command.includes('\0')) return Promise.resolve({ ...base, error: 'the command contains a NUL byte' });
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', req.command], {
      cwd: user.home, env: userEnv(user), ...identity, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let truncated = false;
    const killGroup = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };
    const timer = setTimeout(() => { timedOut = true; killGroup(); }, req.timeout_ms);
    const onData = (b: Buffer) => {
      if (truncated) return;
      const room = req.max_output_bytes - size;
      if (b.length > room) { chunks.push(b.subarray(0, room)); size += room; truncated = true; killGroup(); return; }
      chunks.push(b);
      size += b.length;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); resolve({ ...base, error: e.message, duration_ms: Date.now() - started }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        ...base, exit_code: code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : -1), output: Buffer.concat(chunks, size),
        duration_ms: Date.now() - started, timed_out: timedOut, truncated,
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return constants.signals[signal];
}
