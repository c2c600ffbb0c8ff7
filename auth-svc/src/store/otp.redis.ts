import { createHash, timingSafeEqual } from 'node:crypto';
import { revokedSessionKey } from '@webxterm/contracts';
import type Redis from 'ioredis';
import type { OtpStore, PendingOtp, RevocationList } from '../domain/ports';

const key = (username: string) => `auth:otp:${username}`;
const digest = (code: string) => createHash('sha256').update(code).digest('hex');

/**
 * One-time codes in Redis: only a hash of the code is stored, tries are counted atomically, the
 * key expires by itself, and a correct code is consumed with HDEL of its hash so two racing tries can't both win.
 */
export class RedisOtpStore implements OtpStore {
  constructor(private readonly redis: Redis) {}

  async issue(username: string, code: string, pending: PendingOtp, ttlSec: number): Promise<void> {
    await this.redis.multi()
      .del(key(username))
      .hset(key(username), { hash: digest(code), attempts: 0, pending: JSON.stringify(pending) })
      .expire(key(username), ttlSec)
      .exec();
  }

  async attempt(username: string, code: string, maxAttempts: number) {
    const k = key(username);
    const [[, attempts], [, stored]] = (await this.redis.multi().hincrby(k, 'attempts', 1).hmget(k, 'hash', 'pending').exec()) as
      [[unknown, number], [unknown, (string | null)[]]];
    const [hash, pending] = stored;
    if (!hash || !pending) {
      await this.redis.del(k); // the HINCRBY above created a stray key
      return { result: 'none' as const };
    }
    if (attempts > maxAttempts) { await this.redis.del(k); return { result: 'burnt' as const }; }
    const right = timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(digest(code), 'hex'));
    if (right) {
      // The code is consumed by removing its hash, not the key: a racing try's HINCRBY may have made
      // the key again after a winner's delete (without a hash), and a DEL of that answered 1 — two
      // right tries both won (seen once in CI, 4 at once).
      if ((await this.redis.hdel(k, 'hash')) !== 1) return { result: 'none' as const };
      await this.redis.del(k);
      return { result: 'ok' as const, pending: JSON.parse(pending) as PendingOtp };
    }
    if (attempts >= maxAttempts) { await this.redis.del(k); return { result: 'burnt' as const }; }
    return { result: 'wrong' as const };
  }

  async discard(username: string): Promise<void> {
    await this.redis.del(key(username));
  }
}

export class RedisRevocationList implements RevocationList {
  /** `announce` tells the other services at once (terminals opened with the login close). */
  constructor(private readonly redis: Redis, private readonly announce: (sid: string) => void = () => undefined) {}

  async revoke(sid: string, ttlSec: number): Promise<void> {
    await this.redis.set(revokedSessionKey(sid), '1', 'EX', ttlSec);
    this.announce(sid);
  }

  async isRevoked(sid: string): Promise<boolean> {
    return (await this.redis.exists(revokedSessionKey(sid))) === 1;
  }
}
