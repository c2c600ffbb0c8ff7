import { HeartbeatWatch } from '../src/heartbeat-watch';

describe('HeartbeatWatch', () => {
  afterEach(() => jest.useRealTimers());

  it('ticks while the other end speaks, and gives up after the set number of silent ticks', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const events: string[] = [];
    const watch = new HeartbeatWatch(1000, 3, { onTick: () => events.push('tick'), onSilent: () => events.push('silent') });
    // One interval, then the setImmediate the verdict waits for.
    const tick = async () => { jest.advanceTimersByTime(1000); await new Promise((r) => setImmediate(r)); };
    for (let i = 0; i < 5; i++) { watch.heard(); await tick(); }
    expect(events).toEqual(Array(5).fill('tick'));
    await tick(); await tick(); await tick();
    expect(events.slice(5)).toEqual(['tick', 'tick', 'silent']);
    for (let i = 0; i < 5; i++) await tick();
    expect(events).toHaveLength(8); // stopped after giving up
  });

  it('does not blame the other end for a stall of its own event loop', async () => {
    const events: string[] = [];
    let firstTick!: () => void;
    const ticked = new Promise<void>((r) => { firstTick = r; });
    const watch = new HeartbeatWatch(20, 3, { onTick: () => { events.push('tick'); firstTick(); }, onSilent: () => events.push('silent') });
    // Busy for ten intervals with nothing heard: the interval fires once afterwards, one silent tick.
    const until = Date.now() + 200;
    while (Date.now() < until) { /* a stalled event loop */ }
    await ticked;
    expect(events).toEqual(['tick']);
    watch.stop();
  });
});
