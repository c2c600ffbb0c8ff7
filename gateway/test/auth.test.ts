/** The token check on protected routes: every way a token can be wrong gets 401, a good one passes. */
import { generateKeyPairSync } from 'node:crypto';
import Redis from 'ioredis';
import { revokedSessionKey } from '@webxterm/contracts';
import { accessClaims, accessToken, jwtSecret, signToken } from '@webxterm/testkit';
import { b64url, call, env, startTestGateway, startUpstream, TestGateway, Upstream } from './harness';

let up: Upstream;
let gw: TestGateway;
let redis: Redis;
let key: string;

beforeAll(async () => {
  up = await startUpstream();
  gw = await startTestGateway({ AUTH_SVC_URL: up.url });
  key = gw.config.JWT_SECRET;
  redis = new Redis(env.redisUrl);
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
  await redis?.quit();
});

const me = (headers: Record<string, string>) => call(gw.url, 'GET', '/api/users/me', { headers });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

it('a valid HS256 token with full claims passes', async () => {
  expect((await me(bearer(accessToken(key)))).status).toBe(200);
});

describe('401 { error } for', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases: Array<[string, () => Record<string, string>]> = [
    ['no token', () => ({})],
    ['a Basic authorization header', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['"Bearer" with nothing after it', () => ({ authorization: 'Bearer' })],
    ['a token that is not a JWT', () => bearer('not.a.jwt')],
    ['a token signed with another secret', () => bearer(accessToken(jwtSecret()))],
    ['alg none', () => bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(accessClaims())}.`)],
    ['alg none with the signature of a good token', () => {
      const [, , sig] = accessToken(key).split('.');
      return bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(accessClaims())}.${sig}`);
    }],
    ['HS512 with the right secret', () => bearer(signToken(accessClaims(), key, 'HS512'))],
    ['RS256', () => bearer(signToken(accessClaims(), privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'RS256'))],
    ['an expired token', () => bearer(accessToken(key, { exp: now() - 10 }))],
    ['a token without exp', () => { const { exp: _exp, ...c } = accessClaims(); return bearer(signToken(c, key)); }],
    ['a missing claim (sid)', () => { const { sid: _sid, ...c } = accessClaims(); return bearer(signToken(c, key)); }],
    ['a missing claim (tenant_id)', () => { const { tenant_id: _t, ...c } = accessClaims(); return bearer(signToken(c, key)); }],
    ['an unknown role', () => bearer(signToken({ ...accessClaims(), role: 'root' }, key))],
    ['another issuer', () => bearer(signToken({ ...accessClaims(), iss: 'someone-else' }, key))],
    ['a tampered payload', () => {
      const [h, , s] = accessToken(key).split('.');
      return bearer(`${h}.${b64url({ ...accessClaims(), role: 'super_admin' })}.${s}`);
    }],
    ['X-Access-Token without X-Key', () => ({ 'x-access-token': accessToken(key) })],
    ['X-Access-Token with a wrong X-Key', () => ({ 'x-access-token': accessToken(key), 'x-key': 'another-session' })],
  ];
  it.each(cases)('%s', async (_name, headers) => {
    const before = up.seen.length;
    const r = await me(headers());
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: expect.any(String) });
    expect(up.seen.length).toBe(before); // refused at the edge: the service never saw it
  });
});

it('a revoked session key is refused, another session of the same user is not', async () => {
  const c = accessClaims();
  const other = { ...c, sid: `${c.sid}-2` };
  await redis.set(revokedSessionKey(c.sid), '1', 'EX', 60);
  const r = await me(bearer(signToken(c, key)));
  expect(r).toMatchObject({ status: 401, body: { error: 'Token has been revoked' } });
  expect((await me(bearer(signToken(other, key)))).status).toBe(200);
});

it('X-Access-Token with the matching X-Key passes (document 004), headers forwarded untouched', async () => {
  const c = accessClaims();
  const t = signToken(c, key);
  const r = await call(gw.url, 'POST', '/logout', { headers: { 'x-access-token': t, 'x-key': c.sid } });
  expect(r.status).toBe(200);
  expect(r.body.headers).toMatchObject({ 'x-access-token': t, 'x-key': c.sid });
});

it('the token message tells expired from invalid', async () => {
  const expired = await me(bearer(accessToken(key, { exp: Math.floor(Date.now() / 1000) - 5 })));
  expect(expired.body).toEqual({ error: 'Token expired' });
});

it('Redis unreachable → 503, fail closed', async () => {
  // Port 1: nothing listens. Own client, so its 2 s ioredis disconnect timer can be shortened.
  const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, disconnectTimeout: 10 });
  down.on('error', () => {});
  const cut = await startTestGateway({ AUTH_SVC_URL: up.url }, { redis: down });
  try {
    const r = await call(cut.url, 'GET', '/api/users/me', { headers: bearer(accessToken(cut.config.JWT_SECRET)) });
    expect(r).toMatchObject({ status: 503, body: { error: expect.any(String) } });
    const login = await call(cut.url, 'POST', '/api/auth/login', { body: { email: 'a@example.com', password: 'x' } });
    expect(login.status).toBe(503);
  } finally {
    await cut.close();
    down.disconnect();
  }
});
