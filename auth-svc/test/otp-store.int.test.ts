/** The one-time code store against the real Redis: a right code wins once, however many try it at once. */
import Redis from 'ioredis';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { RedisOtpStore } from '../src/store/otp.redis';

const redis = new Redis(testEnv().redisUrl);
const store = new RedisOtpStore(redis);
afterAll(async () => { await redis.quit(); });

test('eight tries of the right code at once: exactly one wins, in each of 100 rounds', async () => {
  const wins: number[] = [];
  for (let round = 0; round < 100; round++) {
    const user = uniqueName('otp');
    await store.issue(user, '123456', { userId: 'u', sid: 's', source: 'ui' }, 60);
    // Staggered by a turn each, so later tries land between an earlier one's read and its consume.
    const results = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      for (let t = 0; t < i; t++) await new Promise((r) => setImmediate(r));
      return store.attempt(user, '123456', 5);
    }));
    wins.push(results.filter((r) => r.result === 'ok').length);
  }
  expect(wins.filter((n) => n !== 1)).toEqual([]);
});
