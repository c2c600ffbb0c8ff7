import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@webxterm/kit';
import { contextOf } from './context';

export interface LoginLimitOptions {
  prefix: string;
  perIp: number;
  perIpWindowSec: number;
  failuresPerAccount: number;
  failureWindowSec: number;
}

export const TOO_MANY = 'Too many requests, try again later';

/**
 * Rate limits of the login-type routes (route table: `rateLimit: 'login'`, POST only), in Redis so
 * every replica shares the counters. Both fail closed: if Redis cannot answer, the login is refused
 * with 503 rather than let an unlimited number of password guesses through.
 */
export class LoginRateLimits {
  private readonly ip: RateLimiterRedis;
  private readonly failures: RateLimiterRedis;

  constructor(redis: Redis, o: LoginLimitOptions) {
    const common = { storeClient: redis, rejectIfRedisNotReady: true };
    this.ip = new RateLimiterRedis({ ...common, keyPrefix: `${o.prefix}:login-ip`, points: o.perIp, duration: o.perIpWindowSec });
    this.failures = new RateLimiterRedis({
      ...common, keyPrefix: `${o.prefix}:login-fail`, points: o.failuresPerAccount, duration: o.failureWindowSec,
    });
  }

  /** One point per login-type request and client IP. Runs before the body is parsed. */
  perIp(): RequestHandler {
    return async (req, res, next) => {
      if (!applies(req)) return next();
      await consumeOrRefuse(this.ip, contextOf(req).clientIp ?? 'unknown', req, res, 'rate_limit.ip');
      next();
    };
  }

  /**
   * Failed logins per account (the body's `email` or `username`, lowercased). A point is reserved
   * before proxying, so parallel guesses cannot all slip past a check-then-count, and given back
   * when the upstream answers anything but 401. An exhausted account gets 429 without reaching
   * auth-svc; other accounts are unaffected.
   */
  perAccount(): RequestHandler {
    return async (req, res, next) => {
      if (!applies(req)) return next();
      const account = accountKey(req.body);
      if (!account) return next();
      await consumeOrRefuse(this.failures, account, req, res, 'rate_limit.account');
      res.once('finish', () => {
        if (res.statusCode === 401) return;
        this.failures.reward(account, 1).catch((e: Error) => req.log?.warn({ err: e.message }, 'login failure refund failed'));
      });
      next();
    };
  }
}

function applies(req: Request): boolean {
  return req.method === 'POST' && contextOf(req).route?.rateLimit === 'login';
}

async function consumeOrRefuse(limiter: RateLimiterRedis, key: string, req: Request, res: Response, code: string): Promise<void> {
  try {
    await limiter.consume(key, 1);
  } catch (e) {
    if (e instanceof RateLimiterRes) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.msBeforeNext / 1000))));
      contextOf(req).denial = code;
      throw new AppError('rate_limited', code, TOO_MANY);
    }
    req.log?.error({ err: (e as Error).message }, 'rate limiter unavailable');
    throw new AppError('unavailable', 'rate_limit.unavailable', 'Service temporarily unavailable, try again later');
  }
}

/** The account a login names, hashed so no e-mail address is written into Redis key names. */
export function accountKey(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const { email, username } = body as Record<string, unknown>;
  const raw = typeof email === 'string' && email.trim() ? email : typeof username === 'string' ? username : '';
  const name = raw.trim().toLowerCase();
  if (!name) return null;
  return createHash('sha256').update(name).digest('base64url').slice(0, 32);
}
