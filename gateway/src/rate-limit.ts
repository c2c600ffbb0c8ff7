import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@webxterm/kit';
import { contextOf } from './context';

export interface LoginLimitOptions {
  prefix: string;
  perIp: number;
  perIpWindowSec: number;
}

export const TOO_MANY = 'Too many requests, try again later';

/**
 * The per-IP rate limit of the login-type routes (route table: `rateLimit: 'login'`, POST only), in
 * Redis so every replica shares the counters. Fails closed: if Redis cannot answer, the login is
 * refused with 503 rather than let an unlimited number of password guesses through.
 *
 * Failed logins per account are limited by auth-svc, the only place that knows which account an
 * email, a username or `username@organization` names (docs/decisions.md, "Login limits").
 */
export class LoginRateLimits {
  private readonly ip: RateLimiterRedis;

  constructor(redis: Redis, o: LoginLimitOptions) {
    this.ip = new RateLimiterRedis({
      storeClient: redis, rejectIfRedisNotReady: true, keyPrefix: `${o.prefix}:login-ip`, points: o.perIp, duration: o.perIpWindowSec,
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
