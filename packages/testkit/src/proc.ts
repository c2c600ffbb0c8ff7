import { readdirSync, readFileSync } from 'node:fs';

/** A /proc file's text, or '' once the process is gone. */
function procText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The threads of `pid`, each of which may have started children. */
function threadsOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** `pid` and every process below it (Linux /proc). */
export function processTreeOf(pid: number): number[] {
  const children = threadsOf(pid).flatMap((t) => procText(`/proc/${pid}/task/${t}/children`).split(' ').filter(Boolean).map(Number));
  return [pid, ...children.flatMap(processTreeOf)];
}

/**
 * SIGKILLs `pid` and every process below it, the lowest first. `tsx` runs a service as its child,
 * and a SIGKILL to tsx alone would leave the service running as an orphan: a crash is the whole tree.
 */
export function killTree(pid: number): void {
  for (const p of processTreeOf(pid).reverse()) {
    try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
}

/**
 * Bytes written so far by the process called `comm` at or below `root` (its `wchar` in /proc):
 * what shows that a writer is held, e.g. a producer blocked on a full PTY nobody reads.
 */
export function bytesWrittenBy(root: number, comm: string): number {
  const pid = processTreeOf(root).find((p) => procText(`/proc/${p}/comm`).trim() === comm);
  const io = pid === undefined ? null : /wchar: (\d+)/.exec(procText(`/proc/${pid}/io`));
  if (!io) throw new Error(`no ${comm} at or below process ${root}`);
  return Number(io[1]);
}
