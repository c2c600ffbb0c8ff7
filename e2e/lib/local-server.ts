import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitUntil } from '@webxterm/testkit';

/** Resolves once something accepts connections on 127.0.0.1:`port` (a server a test started). */
export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const accepts = () => new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
  await waitUntil(accepts, timeoutMs, `${what} up on ${port}`);
}

/** SIGTERM, resolved once the process has exited (at once if it already has). */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
