import { BACKOFF_MAX_MS, BACKOFF_MIN_MS, reconnectDelay } from '../src/backoff';

describe('reconnectDelay', () => {
  it('doubles with each failed attempt, between half and all of the step, and stops at the cap', () => {
    const table: [attempt: number, low: number, high: number][] = [
      [0, BACKOFF_MIN_MS / 2, BACKOFF_MIN_MS], [1, BACKOFF_MIN_MS, 2 * BACKOFF_MIN_MS], [3, 4 * BACKOFF_MIN_MS, 8 * BACKOFF_MIN_MS],
      [10, BACKOFF_MAX_MS / 2, BACKOFF_MAX_MS], [60, BACKOFF_MAX_MS / 2, BACKOFF_MAX_MS],
    ];
    for (const [attempt, low, high] of table) {
      expect(reconnectDelay(attempt, () => 0)).toBe(low);
      expect(reconnectDelay(attempt, () => 0.999999)).toBeCloseTo(high, 0);
    }
  });

  it('spreads a fleet that lost its bridge at once over the jitter window', () => {
    const delays = Array.from({ length: 10_000 }, () => reconnectDelay(0));
    const quarter = (from: number) => delays.filter((d) => d >= from && d < from + BACKOFF_MIN_MS / 8).length;
    for (const from of [250, 312.5, 375, 437.5]) expect(quarter(from)).toBeGreaterThan(2000);
  });
});
