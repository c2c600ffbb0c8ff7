import jwt from 'jsonwebtoken';
import { signToken, useFakeDate } from '@webxterm/testkit';
import { Harness, SECRET, startHarness } from './harness';

let h: Harness;
// auth-svc's clock is the test's to move (see the refresh test), not waited for.
beforeAll(async () => { useFakeDate(); h = await startHarness(); });
afterAll(async () => { await h.close(); jest.useRealTimers(); });

const me = (token: string) => h.call('GET', '/api/users/me', undefined, { authorization: `Bearer ${token}` });
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function loggedIn() {
  const a = await h.signup();
  const r = await h.login(a.email, a.password);
  return { a, token: r.body.token as string, claims: jwt.decode(r.body.token) as Record<string, any> };
}

describe('access tokens', () => {
  it('GET /api/users/me answers with the token holder', async () => {
    const { a, token } = await loggedIn();
    const r = await me(token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.userId, username: a.username, tenant_id: a.tenantId });
  });

  it('401 for missing, malformed, tampered, foreign, alg:none, other-alg, expired and wrong-issuer tokens', async () => {
    const { token, claims } = await loggedIn();
    const [head, , sig] = token.split('.');
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      'not bearer': { authorization: `Basic ${token}` },
      garbage: { authorization: 'Bearer not.a.jwt' },
      'tampered role': { authorization: `Bearer ${head}.${b64({ ...claims, role: 'super_admin' })}.${sig}` },
      'another secret': { authorization: `Bearer ${signToken(claims, 'another-secret-another-secret-another')}` },
      'alg none': { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` },
      'HS512': { authorization: `Bearer ${signToken(claims, SECRET, 'HS512')}` },
      expired: { authorization: `Bearer ${signToken({ ...claims, iat: 1000, exp: 2000 }, SECRET)}` },
      'wrong issuer': { authorization: `Bearer ${signToken({ ...claims, iss: 'someone-else' }, SECRET)}` },
      'missing sid': { authorization: `Bearer ${signToken({ ...claims, sid: undefined }, SECRET)}` },
      'unknown role': { authorization: `Bearer ${signToken({ ...claims, role: 'root' }, SECRET)}` },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const r = await h.call('GET', '/api/users/me', undefined, headers);
      expect([name, r.status]).toEqual([name, 401]);
      expect(typeof r.body.error).toBe('string');
    }
    const exp = await h.call('GET', '/api/users/me', undefined, cases.expired);
    expect(exp.body).toEqual({ error: 'Token expired' });
  });
});

describe('POST /api/auth/logout', () => {
  it('revokes the session key: the same token gets 401 afterwards, refresh too', async () => {
    const { token } = await loggedIn();
    const out = await h.post('/api/auth/logout', undefined, { authorization: `Bearer ${token}` });
    expect(out).toMatchObject({ status: 200, body: { message: 'Logged out successfully' } });
    expect(await me(token)).toMatchObject({ status: 401, body: { error: 'Token has been revoked' } });
    expect((await h.post('/api/auth/refresh', { token })).status).toBe(401);
    expect((await h.post('/api/auth/logout', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('ends every token of that login (refreshed ones and the session token) but not other logins', async () => {
    const a = await h.signup();
    const first = await h.login(a.email, a.password);
    const second = await h.login(a.email, a.password);
    const refreshed = (await h.post('/api/auth/refresh', { token: first.body.token })).body.token;
    await h.post('/api/auth/logout', undefined, { authorization: `Bearer ${first.body.token}` });
    expect((await me(refreshed)).status).toBe(401);
    const select = await h.post('/api/auth/select-tenant', { session_token: first.body.session_token, tenant_id: a.tenantId });
    expect(select.status).toBe(401);
    expect((await me(second.body.token)).status).toBe(200);
  });

  it('the revocation outlives the token: its Redis key expires no earlier than the token', async () => {
    const { token, claims } = await loggedIn();
    await h.post('/api/auth/logout', undefined, { authorization: `Bearer ${token}` });
    const ttl = await h.redis.ttl(`auth:revoked:${claims.sid}`);
    expect(ttl).toBeGreaterThanOrEqual(claims.exp - Math.floor(Date.now() / 1000));
  });

  it('401 without a token', async () => {
    expect((await h.post('/api/auth/logout')).status).toBe(401);
  });
});

describe('POST /api/auth/refresh', () => {
  it('takes the token in the body (001/002) and answers token + expires_in', async () => {
    const { token, claims } = await loggedIn();
    // Two seconds later on auth-svc's clock: the new token's expiry, in whole seconds, is later.
    jest.setSystemTime(Date.now() + 2000);
    const r = await h.post('/api/auth/refresh', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token: expect.any(String), expires_in: 86400 });
    const fresh = jwt.verify(r.body.token, SECRET) as Record<string, any>;
    expect(fresh.sid).toBe(claims.sid);
    expect(fresh.exp).toBeGreaterThan(claims.exp);
    expect((await me(r.body.token)).status).toBe(200);
  });

  it('takes the token in the Authorization header (003)', async () => {
    const { token } = await loggedIn();
    const r = await h.post('/api/auth/refresh', undefined, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(r.body.token).toEqual(expect.any(String));
  });

  it('400 without any token, 401 for bad ones', async () => {
    expect((await h.post('/api/auth/refresh', {})).status).toBe(400);
    expect((await h.post('/api/auth/refresh', { token: 'abc' })).status).toBe(401);
    expect((await h.post('/api/auth/refresh', { token: 42 })).status).toBe(400);
  });

  it('401 once the login is older than SESSION_MAX_DAYS', async () => {
    const { token, claims } = await loggedIn();
    await h.pool.query("UPDATE auth.sessions SET created_at = now() - interval '8 days' WHERE sid = $1", [claims.sid]);
    const r = await h.post('/api/auth/refresh', { token });
    expect(r).toMatchObject({ status: 401, body: { error: 'Session expired, log in again' } });
  });
});
