/** Login rate limits in real Redis: per client IP (failed logins per account are auth-svc's, see auth-svc/test/login-limits.test.ts). */
import Redis from 'ioredis';
import { uniqueName } from '@webxterm/testkit';
import { call, startTestGateway, startUpstream, TestGateway, Upstream } from './harness';

let up: Upstream;
beforeAll(async () => { up = await startUpstream(); });
afterAll(async () => { await up?.close(); });

describe('per client IP', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ AUTH_SVC_URL: up.url, LOGIN_RATE_PER_IP: 3, LOGIN_RATE_WINDOW_SEC: 30 }); });
  afterAll(async () => { await gw?.close(); });

  it('the 4th login-type POST in the window → 429 with Retry-After, whichever login route and body', async () => {
    const statuses: number[] = [];
    statuses.push((await call(gw.url, 'POST', '/api/auth/login', { body: { email: `${uniqueName('a')}@x.io`, password: 'p' } })).status);
    statuses.push((await call(gw.url, 'POST', '/api/login', { body: { email: `${uniqueName('b')}@x.io`, password: 'p' } })).status);
    statuses.push((await call(gw.url, 'POST', '/api/auth/signup', { body: '{"malformed' })).status); // counts too
    expect(statuses).toEqual([200, 200, 400]);
    const r = await call(gw.url, 'POST', '/login', { body: { username: 'someone@org', password: 'p' } });
    expect(r).toMatchObject({ status: 429, body: { error: 'Too many requests, try again later' } });
    const retry = Number(r.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(30);
  });

  it('other routes and other methods are not limited', async () => {
    expect((await call(gw.url, 'GET', '/api/auth/login')).status).toBe(200);
    expect((await call(gw.url, 'GET', '/health')).status).toBe(200);
  });

  it('a trailing slash does not dodge the limit', async () => {
    expect((await call(gw.url, 'POST', '/api/auth/login/', { body: { email: 'x@y.io', password: 'p' } })).status).toBe(429);
  });
});

describe('failed logins per account are left to auth-svc', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ AUTH_SVC_URL: up.url }); });
  afterAll(async () => { await gw?.close(); });

  it('upstream 401s for one name never make the gateway refuse it: only auth-svc knows which account a name is', async () => {
    const victim = `${uniqueName('v')}@example.com`;
    for (let i = 0; i < 12; i++) expect((await call(gw.url, 'POST', '/api/auth/login', { body: { email: victim, password: 'wrong' } })).status).toBe(401);
    const before = up.seen.length;
    expect((await call(gw.url, 'POST', '/api/auth/login', { body: { email: victim, password: 'right' } })).status).toBe(200);
    expect(up.seen.length).toBe(before + 1);
  });
});

it('Redis down: login-type routes fail closed with 503', async () => {
  const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, disconnectTimeout: 10 });
  down.on('error', () => {});
  const gw = await startTestGateway({ AUTH_SVC_URL: up.url }, { redis: down });
  try {
    expect((await call(gw.url, 'POST', '/api/auth/login', { body: { email: 'a@b.io', password: 'p' } })).status).toBe(503);
    expect((await call(gw.url, 'GET', '/health')).status).toBe(200);
  } finally {
    await gw.close();
    down.disconnect();
  }
});
