/** The first reconnect waits about this long; each failed attempt in a row doubles it. */
export const BACKOFF_MIN_MS = 500;
/** The longest wait between two attempts. */
export const BACKOFF_MAX_MS = 30_000;

/**
 * How long the agent waits before its next connection attempt, after `attempt` failed attempts in
 * a row (0 after a stream that was welcomed): exponential, capped, with the last half jittered
 * (`random` in [0, 1)), so a fleet that lost its bridge at the same instant comes back spread out.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt) * (0.5 + random() / 2);
}
