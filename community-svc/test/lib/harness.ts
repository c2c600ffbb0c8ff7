/** community-svc in-process against the real PostgreSQL, NATS and Redis, and tokens signed like auth-svc's. */
import { randomBytes } from 'node:crypto';
import type { PortalRole } from '@webxterm/contracts';
import { accessClaims, jwtSecret, signToken, testEnv } from '@webxterm/testkit';
import { RunningCommunityService, startCommunityService } from '../../src/main';

export const env = testEnv();
export const secret = jwtSecret();

export interface Person { id: string; username: string; token: string }

export function person(tenant: string, role: PortalRole, username = `u${randomBytes(3).toString('hex')}`): Person {
  const claims = accessClaims({ tenant_id: tenant, role, username, email: `${username}@example.com` });
  return { id: claims.user_id, username, token: signToken(claims, secret) };
}

export async function startService(overrides: { UPLOAD_MAX_BYTES?: number; IMAGE_MAX_PIXELS?: number } = {}): Promise<RunningCommunityService> {
  return startCommunityService({
    PORT: 0, HOST: '127.0.0.1', METRICS_PORT: 0, DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: secret,
    BODY_LIMIT: '256kb', UPLOAD_MAX_BYTES: 5 * 1024 * 1024, IMAGE_MAX_PIXELS: 25_000_000, IMAGE_CONCURRENCY: 2, LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export interface Answer { status: number; body: any; headers: Headers }

/** A JSON request (or none), as a client would send it. */
export async function api(base: string, method: string, path: string, who: Person | string | null, body?: unknown): Promise<Answer> {
  const token = typeof who === 'string' ? who : who?.token;
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}
