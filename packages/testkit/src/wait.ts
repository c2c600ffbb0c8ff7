export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `attempt` every `intervalMs` until it returns a value or `timeoutMs` elapses (then undefined). */
export async function pollFor<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i <= Math.ceil(timeoutMs / intervalMs); i++) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  return undefined;
}

/** Waits until `condition` holds (checked every 20 ms), or throws naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const ok = await pollFor(async () => ((await condition()) ? true : undefined), timeoutMs, 20);
  if (!ok) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
