import { waitUntil, WaitTimeout } from '../src/wait';

describe('waitUntil', () => {
  it('resolves with the first value that is not undefined, null or false (0 and "" are values)', async () => {
    let calls = 0;
    await expect(waitUntil(() => (++calls < 3 ? undefined : { calls }), 1000, 'three calls')).resolves.toEqual({ calls: 3 });
    await expect(waitUntil(async () => 0, 1000, 'zero')).resolves.toBe(0);
    await expect(waitUntil(() => '', 1000, 'empty string')).resolves.toBe('');
  });

  it('times out naming what it waited for, with the state at the moment it gave up', async () => {
    let state = 'starting';
    const t0 = Date.now();
    const waited = waitUntil(() => { state = `checked at ${Date.now() - t0}`; return false; }, 150, () => `ready (${state})`);
    await expect(waited).rejects.toThrow(WaitTimeout);
    await expect(waited).rejects.toThrow(/^timed out after 150 ms waiting for ready \(checked at \d+\)$/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('checks once more at the deadline, and an error thrown by the attempt ends the wait with it', async () => {
    const t0 = Date.now();
    await expect(waitUntil(() => Date.now() - t0 >= 120, 120, 'the deadline')).resolves.toBe(true);
    await expect(waitUntil(() => { throw new Error('broken'); }, 1000, 'never')).rejects.toThrow('broken');
  });

  it('a fixed pause between attempts when asked for one', async () => {
    const at: number[] = [];
    await waitUntil(() => at.push(Date.now()) >= 3, 1000, 'three attempts', 50);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(45);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(45);
  });
});
