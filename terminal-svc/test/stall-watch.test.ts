import { StallWatch } from '../src/ws/stall-watch';

describe('StallWatch: keys with no output for STALL_MS', () => {
  it('calls a socket whose key got no output in time, once per wait; output in time calls nothing', () => {
    let now = 0;
    const w = new StallWatch(1000, () => now);
    const calls: string[] = [];
    const quiet = () => calls.push('quiet');
    const echoed = () => calls.push('echoed');
    w.typed(quiet);
    w.typed(echoed);
    now = 500;
    w.typed(quiet); // a second key does not restart the wait
    w.answered(echoed);
    w.tick();
    expect(calls).toEqual([]);
    now = 1000;
    w.tick();
    w.tick();
    expect(calls).toEqual(['quiet']);
    w.answered(quiet);
  });

  it('its one ticker runs only while someone waits', () => {
    jest.useFakeTimers();
    try {
      const w = new StallWatch(1000);
      const calls: number[] = [];
      const f = () => calls.push(Date.now());
      expect(jest.getTimerCount()).toBe(0);
      w.typed(f);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1250);
      expect(calls).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
