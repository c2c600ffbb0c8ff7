/** Login rate limits in real Redis: per client IP, and failed logins per account. */
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

describe('failed logins per account', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ AUTH_SVC_URL: up.url, LOGIN_FAILURES_PER_ACCOUNT: 3, LOGIN_FAILURE_WINDOW_SEC: 60 }); });
  afterAll(async () => { await gw?.close(); });
  const login = (path: string, body: object) => call(gw.url, 'POST', path, { body });

  it('after 3 upstream 401s the account is refused with 429 before reaching auth-svc; another account still passes', async () => {
    const victim = `${uniqueName('v')}@example.com`;
    for (let i = 0; i < 3; i++) expect((await login('/api/auth/login', { email: victim, password: 'wrong' })).status).toBe(401);
    const before = up.seen.length;
    const locked = await login('/api/auth/login', { email: victim.toUpperCase(), password: 'right' });
    expect(locked).toMatchObject({ status: 429, body: { error: 'Too many requests, try again later' } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(up.seen.length).toBe(before);
    expect((await login('/api/auth/login', { email: `${uniqueName('o')}@example.com`, password: 'right' })).status).toBe(200);
  });

  it('successful logins do not count', async () => {
    const user = `${uniqueName('s')}@example.com`;
    for (let i = 0; i < 5; i++) expect((await login('/api/login', { email: user, password: 'right' })).status).toBe(200);
  });

  it('parallel wrong guesses cannot overshoot the limit', async () => {
    const user = `${uniqueName('p')}@example.com`;
    const results = await Promise.all(Array.from({ length: 10 }, () => login('/api/auth/login', { email: user, password: 'wrong' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('verify-otp and /login count by username (user@org form included)', async () => {
    const username = uniqueName('otp');
    for (let i = 0; i < 3; i++) {
      const wrongCode = await call(gw.url, 'POST', '/api/auth/verify-otp', { body: { username, otp_code: '000000' }, headers: { 'x-test-status': '401' } });
      expect(wrongCode.status).toBe(401);
    }
    expect((await login('/api/auth/verify-otp', { username, otp_code: '123456' })).status).toBe(429);
    const scripted = `${uniqueName('cli')}@acme`;
    for (let i = 0; i < 3; i++) await login('/login', { username: scripted, password: 'wrong' });
    expect((await login('/login', { username: scripted, password: 'right' })).status).toBe(429);
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
