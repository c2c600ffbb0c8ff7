import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@webxterm/testkit';
import { stopProcess, waitForPort } from './local-server';

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

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'webxterm-nats-'));
  let child: ChildProcess;
  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'nats-server');
  };
  const kill = () => stopProcess(child);
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: () => child.pid!,
    restart: async (downMs = 1000) => { await kill(); await new Promise((r) => setTimeout(r, downMs)); await start(); },
    stop: async () => { await kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}
