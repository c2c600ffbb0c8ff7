import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@webxterm/testkit';
import { stopProcess, waitForPort } from './local-server';

/**
 * A redis-server of this test file's own, without persistence (a restart empties it), so the test
 * can restart it without disturbing the shared one.
 */
export interface PrivateRedis { url: string; restart(downMs?: number): Promise<void>; stop(): Promise<void> }

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'redis-server');
  };
  const kill = () => stopProcess(child);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async (downMs = 1000) => { await kill(); await new Promise((r) => setTimeout(r, downMs)); await start(); },
    stop: kill,
  };
}
