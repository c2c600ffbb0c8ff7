import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from '@webxterm/testkit';

/**
 * A redis-server of this test file's own, without persistence (a restart empties it), so the test
 * can restart it without disturbing the shared one.
 */
export interface PrivateRedis { url: string; restart(downMs?: number): Promise<void>; stop(): Promise<void> }

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => { s.destroy(); if (Date.now() > deadline) reject(new Error(`redis-server not up on ${port}`)); else setTimeout(attempt, 50); });
    };
    attempt();
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const kill = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async (downMs = 1000) => { await kill(); await new Promise((r) => setTimeout(r, downMs)); await start(); },
    stop: kill,
  };
}
