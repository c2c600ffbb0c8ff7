/** Everything jest's fake timers can replace but `Date`. */
const REAL: FakeableAPI[] = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
  'setTimeout', 'clearTimeout',
];

/**
 * Fakes `Date` alone, still running with real time, so a test can move the clock an in-process
 * service reads (`jest.setSystemTime(Date.now() + ms)`) instead of waiting. Timers, ticks and I/O
 * (HTTP, PostgreSQL, Redis, NATS) stay real. Call it before the service is built: a default
 * `now = Date.now` is taken when its object is made. `jest.useRealTimers()` undoes it.
 */
export function useFakeDate(): void {
  jest.useFakeTimers({ advanceTimers: true, doNotFake: REAL });
}
