import { execFileSync } from 'node:child_process';

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * SIGKILLs a process and everything below it. `tsx` runs a service as a child process, and a
 * SIGKILL to tsx alone would leave the service running as an orphan: a crash is the whole tree.
 */
export function killTree(pid: number): void {
  for (const c of childrenOf(pid)) killTree(c);
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}
