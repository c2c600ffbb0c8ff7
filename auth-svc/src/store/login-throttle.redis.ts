import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { AppError } from '@webxterm/kit';
import { Throttled } from '../domain/auth.errors';
import type { LoginThrottle } from '../domain/ports';

export interface LoginLimits {
  /** Password checks one source may make against one account per window before it is refused. */
  perSource: number;
  /** The window of both counters, seconds. */
  windowSec: number;
  /** Failures of an account (every source together) in the window that start the slow-down. */
  slowdownAfter: number;
  /** During the slow-down, sources that never logged into the account get one check per this many ms, together. */
  slowdownMs: number;
  /** How long a source that logged in successfully stays exempt from the slow-down, seconds. */
  trustedSec: number;
}

const short = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

/**
 * LoginThrottle in Redis, shared by every replica: fixed-window counters per account and source,
 * per account, a slow-down slot and the trusted sources of each account. Keys hold hashes, never an
 * address or a name. Fails closed: without Redis no password is checked (503).
 */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(private readonly redis: Redis, private readonly l: LoginLimits, private readonly prefix = 'auth:login') {}

  private keys(account: string, source: string) {
    const a = short(account);
    const s = short(source);
    return {
      source: `${this.prefix}:src:${a}:${s}`, failures: `${this.prefix}:fail:${a}`,
      slot: `${this.prefix}:slot:${a}`, trusted: `${this.prefix}:trusted:${a}:${s}`,
    };
  }

  async admit(account: string, source: string): Promise<void> {
    const k = this.keys(account, source);
    await this.guard(async () => {
      const r = await this.redis.multi().set(k.source, 0, 'EX', this.l.windowSec, 'NX').incr(k.source).pttl(k.source).get(k.failures).exists(k.trusted).exec();
      const [count, ttlMs, failures, trusted] = [r![1][1], r![2][1], r![3][1], r![4][1]] as [number, number, string | null, number];
      if (count > this.l.perSource) throw Throttled(ttlMs / 1000);
      if (Number(failures ?? 0) < this.l.slowdownAfter || trusted) return;
      if (await this.redis.set(k.slot, '1', 'PX', this.l.slowdownMs, 'NX')) return;
      // Refused without a password check: give the source its point back, so waiting costs it nothing.
      const left = (await this.redis.multi().decr(k.source).pttl(k.slot).exec())![1][1] as number;
      throw Throttled(Math.max(left, 1) / 1000);
    });
  }

  async failed(account: string, source: string): Promise<void> {
    const k = this.keys(account, source);
    await this.guard(() => this.redis.multi().set(k.failures, 0, 'EX', this.l.windowSec, 'NX').incr(k.failures).exec());
  }

  async succeeded(account: string, source: string): Promise<void> {
    const k = this.keys(account, source);
    await this.guard(() => this.redis.multi().del(k.source).set(k.trusted, '1', 'EX', this.l.trustedSec).exec());
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('unavailable', 'rate_limit.unavailable', 'Service temporarily unavailable, try again later');
    }
  }
}
