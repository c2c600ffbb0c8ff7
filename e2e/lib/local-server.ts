import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Resolves once something accepts connections on 127.0.0.1:`port` (a server a test started). */
export function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => { s.destroy(); if (Date.now() > deadline) reject(new Error(`${what} not up on ${port}`)); else setTimeout(attempt, 50); });
    };
    attempt();
  });
}

/** SIGTERM, resolved once the process has exited (at once if it already has). */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
