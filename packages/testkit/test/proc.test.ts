import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { killTree, processTreeOf } from '../src/proc';
import { waitUntil } from '../src/wait';

/** Running: in /proc and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

test('processTreeOf finds a process and the ones it started; killTree ends them all', async () => {
  const sh = spawn('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { stdio: 'ignore' });
  const tree = await waitUntil(() => {
    const t = processTreeOf(sh.pid!);
    return t.length === 3 ? t : undefined;
  }, 5000, () => `sh and its two sleeps (${processTreeOf(sh.pid!).length} processes)`);
  expect(tree[0]).toBe(sh.pid);
  killTree(sh.pid!);
  await waitUntil(() => !tree.some(running), 5000, () => `no process of the tree running (${tree.filter(running)} still are)`);
});
