import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@webxterm/testkit';

/**
 * A nats-server with JetStream of this test file's own (Debian's binary, a temp store), so the
 * test can restart it without disturbing anyone else's NATS.
 */
export interface PrivateNats {
  url: string;
  /** The nats-server process's id (changes on restart), for a bench's CPU and memory figures. */
  pid(): number;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => { s.destroy(); if (Date.now() > deadline) reject(new Error(`nats-server not up on ${port}`)); else setTimeout(attempt, 50); });
    };
    attempt();
  });
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'webxterm-nats-'));
  let child: ChildProcess;
  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const kill = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: () => child.pid!,
    restart: async (downMs = 1000) => { await kill(); await new Promise((r) => setTimeout(r, downMs)); await start(); },
    stop: async () => { await kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}
