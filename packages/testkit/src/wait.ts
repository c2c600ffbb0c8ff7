/** What `waitUntil` takes for "not yet". */
export type NotYet = undefined | null | false;

/** Pauses between attempts: at once, then after 10, 20, 40 and 80 ms, then every 100 ms. */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 100;

/** Thrown by `waitUntil` when its time is up. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/**
 * The one way a test waits: calls `attempt` until it returns something other than undefined, null
 * or false, and resolves with that. After `timeoutMs` it rejects with a `WaitTimeout` naming
 * `what` (a function is called then, so the message can show the state at the moment it failed).
 * An error thrown by `attempt` ends the wait with that error. `everyMs` fixes the pause between
 * attempts, for an attempt that costs something (a login that counts against a limit).
 */
export async function waitUntil<T>(
  attempt: () => T | NotYet | Promise<T | NotYet>,
  timeoutMs: number,
  what: string | (() => string),
  everyMs?: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = everyMs ?? FIRST_PAUSE_MS; ; pause = everyMs ?? Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    const value = await attempt();
    if (value !== undefined && value !== null && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeout(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
  }
}
