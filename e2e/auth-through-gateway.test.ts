/**
 * The foundation end to end, with real processes as `npm start` runs them: auth-svc and the gateway
 * as their own processes, PostgreSQL, Redis, NATS JetStream and a MailDev SMTP server.
 */
import { randomBytes } from 'node:crypto';
import { NO_ORGANIZATION_TENANT, type AuditEvent } from '@webxterm/contracts';
import {
  freePort, MailDev, readAuditEvents, ServiceProcess, startMailDev, startServiceProcess, testEnv, uniqueName,
} from '@webxterm/testkit';
import { Pool } from 'pg';
import { OpenApiResponseCheck } from './lib/openapi-check';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36';
let auth: ServiceProcess;
let gateway: ServiceProcess;
let mail: MailDev;
let pool: Pool;
const env = testEnv();
/** Every answer through the gateway is checked against its OpenAPI document (the last test lists what did not match). */
const described = new OpenApiResponseCheck();

beforeAll(async () => {
  mail = await startMailDev();
  const common = {
    DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: randomBytes(32).toString('hex'),
  };
  auth = await startServiceProcess('auth-svc', {
    ...common, PORT: String(await freePort()), HOST: '127.0.0.1', SMTP_PORT: String(mail.smtpPort), LOGIN_FAILURES_PER_SOURCE: '3',
  });
  gateway = await startServiceProcess('gateway', {
    ...common, PORT: String(await freePort()), HOST: '127.0.0.1', AUTH_SVC_URL: auth.url,
    LOGIN_RATE_PER_IP: '100000', RATE_LIMIT_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
  });
  pool = new Pool({ connectionString: env.databaseUrl, max: 1 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await auth?.stop();
  await mail?.stop();
  await pool?.end();
});

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json', 'user-agent': 'vsay-cli/1.0', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (base === gateway.url) described.check(method, path, res.status, text, res.headers.get('content-type'));
  let json: any = text;
  try { json = JSON.parse(text); } catch { /* plain text */ }
  return { status: res.status, body: json, headers: res.headers };
}
const gw = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(gateway.url, method, path, body, headers);

async function signup() {
  const n = uniqueName('e');
  const input = {
    username: n, email: `${n}@example.com`, password: 'a long enough password', first_name: 'Grace', last_name: 'Hopper',
    organization_name: uniqueName('E2E '), company_name: 'Navy Labs',
  };
  const r = await gw('POST', '/api/auth/signup', input);
  expect(r.status).toBe(201);
  return { ...input, tenantId: input.organization_name.toLowerCase().replace(/\s+/g, '-'), userId: r.body.user_id };
}

describe('auth through the gateway, real processes', () => {
  it('GET /health needs no token', async () => {
    expect(await gw('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('signup → login → authenticated request → logout → the same token is refused by the gateway and by auth-svc', async () => {
    const a = await signup();
    const login = await gw('POST', '/api/auth/login', { email: a.email, password: a.password });
    expect(login.status).toBe(200);
    const bearer = { authorization: `Bearer ${login.body.token}` };
    expect(await gw('GET', '/api/users/me', undefined, bearer)).toMatchObject({ status: 200, body: { id: a.userId } });
    expect(await gw('POST', '/api/auth/logout', undefined, bearer)).toMatchObject({ status: 200, body: { message: 'Logged out successfully' } });
    expect(await gw('GET', '/api/users/me', undefined, bearer)).toMatchObject({ status: 401, body: { error: 'Token has been revoked' } });
    expect((await call(auth.url, 'GET', '/api/users/me', undefined, bearer)).status).toBe(401);
    // A protected route of a service not deployed yet also refuses the revoked token first.
    expect((await gw('GET', '/api/machines', undefined, bearer)).status).toBe(401);
  });

  it('OTP for a browser: the code arrives by SMTP at MailDev and verify-otp through the gateway gives the token', async () => {
    const a = await signup();
    await pool.query('UPDATE auth.organizations SET otp_enabled = true WHERE tenant_id = $1', [a.tenantId]);
    const challenge = await gw('POST', '/api/auth/login', { email: a.email, password: a.password }, { 'user-agent': BROWSER });
    expect(challenge.body).toMatchObject({ requires_otp: true, username: a.username, otp_expires_in_min: 10 });
    const m = await mail.waitForMail(a.email, (x) => /login code/.test(x.subject));
    const code = /\b(\d{6})\b/.exec(m.text)![1];
    const v = await gw('POST', '/api/auth/verify-otp', { username: a.username, otp_code: code }, { 'user-agent': BROWSER });
    expect(v.status).toBe(200);
    expect((await gw('GET', '/api/users/me', undefined, { authorization: `Bearer ${v.body.token}` })).status).toBe(200);
  });

  it('per-account lockout (auth-svc, per source): after 3 wrong passwords the account gets 429 with Retry-After, even with the right one', async () => {
    const a = await signup();
    for (let i = 0; i < 3; i++) expect((await gw('POST', '/api/auth/login', { email: a.email, password: 'wrong password' })).status).toBe(401);
    const locked = await gw('POST', '/api/auth/login', { email: a.email, password: a.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body).toEqual({ error: expect.any(String) });
    const b = await signup();
    expect((await gw('POST', '/api/auth/login', { email: b.email, password: b.password })).status).toBe(200);
  });

  it('bad input at the edge: malformed JSON 400, oversized 413, unknown route 404 — and the gateway stays up', async () => {
    const malformed = await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'Malformed JSON body' });
    const big = await gw('POST', '/api/auth/signup', { username: 'x'.repeat(2 * 1024 * 1024) });
    expect(big).toMatchObject({ status: 413, body: { error: 'Request body too large' } });
    expect((await gw('GET', '/api/nothing-here')).status).toBe(404);
    expect((await gw('GET', '/health')).status).toBe(200);
  });

  it('audit: the login is recorded by auth-svc and the request by the gateway, with the client IP', async () => {
    const a = await signup();
    await gw('POST', '/api/auth/login', { email: a.email, password: a.password });
    const events = await readAuditEvents(env.natsUrl, (e: AuditEvent) => e.actor.username === a.username, { expect: 2, timeoutMs: 20_000, tenant: a.tenantId });
    const login = events.find((e) => e.source === 'auth-svc' && e.action === 'auth.login')!;
    expect(login).toMatchObject({ result: 'success', tenant_id: a.tenantId, client_ip: '127.0.0.1', request_id: expect.any(String) });
    const [seenByGateway] = await readAuditEvents(env.natsUrl,
      (e: AuditEvent) => e.source === 'gateway' && e.request_id === login.request_id, { expect: 1, timeoutMs: 20_000, tenant: NO_ORGANIZATION_TENANT });
    expect(seenByGateway).toMatchObject({ action: 'http.request', result: 'success', status: 200, resource: 'POST /api/auth/login', client_ip: '127.0.0.1' });
  });
});

describe('the answers', () => {
  it("every answer through the gateway matches its operation in the OpenAPI document", () => {
    expect(described.checked).toBeGreaterThan(10);
    expect(described.problems).toEqual([]);
  });
});
