/** Audit events reach the AUDIT JetStream stream with the right fields, and never a token. */
import { NO_ORGANIZATION_TENANT, type AuditEvent } from '@webxterm/contracts';
import type { AuditInput } from '@webxterm/kit';
import { accessClaims, accessToken, readAuditEvents, signToken, uniqueName, waitUntil } from '@webxterm/testkit';
import { call, env, openSocket, startTestGateway, startUpstream, TestGateway, Upstream } from './harness';

let up: Upstream;
let gw: TestGateway;

beforeAll(async () => {
  up = await startUpstream();
  gw = await startTestGateway({ AUTH_SVC_URL: up.url, TERMINAL_SVC_URL: up.url, COMMUNITY_SVC_URL: up.url });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

const byRequestId = (rid: string) => (e: AuditEvent) => e.source === 'gateway' && e.request_id === rid;

// Each test reads the stream only from a moment before it began: the other suites (the gateway fuzz
// above all) publish thousands of events meanwhile, and the reader must not wade through them all.
let testStarted = new Date();
beforeEach(() => { testStarted = new Date(Date.now() - 1000); });

it('a mutating request by a signed-in user: http.request, success, with actor and tenant', async () => {
  const c = accessClaims({ role: 'company_admin' });
  const rid = uniqueName('rid-');
  const r = await call(gw.url, 'POST', '/api/community/issues?token=should-not-appear', {
    headers: { authorization: `Bearer ${signToken(c, gw.config.JWT_SECRET)}`, 'x-request-id': rid, 'user-agent': 'vsay-cli/1.0' },
    body: { title: 'hello', password: 'secret-in-body' },
  });
  expect(r.status).toBe(200);
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({
    action: 'http.request', result: 'success', status: 200, resource: 'POST /api/community/issues',
    tenant_id: c.tenant_id, actor: { user_id: c.user_id, username: c.username, email: c.email, role: 'company_admin' },
    client_ip: '127.0.0.1', user_agent: 'vsay-cli/1.0', request_id: rid,
  });
  expect(JSON.stringify(e)).not.toMatch(/should-not-appear|secret-in-body|Bearer/);
});

it('a denial by the gateway: http.denied, denied, 401, the tenant of no organization, reason, no token in the event', async () => {
  const rid = uniqueName('rid-');
  const expired = accessToken(gw.config.JWT_SECRET, { exp: Math.floor(Date.now() / 1000) - 5 });
  await call(gw.url, 'GET', `/api/users/me?token=${expired}`, { headers: { authorization: `Bearer ${expired}`, 'x-request-id': rid } });
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({
    action: 'http.denied', result: 'denied', status: 401, resource: 'GET /api/users/me', tenant_id: NO_ORGANIZATION_TENANT,
    actor: { user_id: null, username: null, role: null }, reason: 'auth.token_expired',
  });
  expect(JSON.stringify(e)).not.toContain(expired);
});

it('a denial returned by the upstream (a failed login) is recorded too; a plain GET is not', async () => {
  const rid = uniqueName('rid-');
  const quiet = uniqueName('rid-');
  await call(gw.url, 'POST', '/api/auth/login', { headers: { 'x-request-id': rid }, body: { email: 'a@b.io', password: 'wrong' } });
  await call(gw.url, 'GET', '/health', { headers: { 'x-request-id': quiet } });
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({ action: 'http.denied', result: 'denied', status: 401, resource: 'POST /api/auth/login' });
  expect(await readAuditEvents(env.natsUrl, byRequestId(quiet), { since: testStarted, expect: 1, timeoutMs: 1500 })).toEqual([]);
});

it('a refused WebSocket upgrade is recorded without its ?token=', async () => {
  const rid = uniqueName('rid-');
  const bad = signToken(accessClaims(), 'x'.repeat(40));
  await openSocket(`ws://127.0.0.1:${gw.port}/api/terminal/agent-9/ws?token=${bad}`, { 'x-request-id': rid }).catch(() => undefined);
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({ action: 'http.denied', status: 401, resource: 'GET /api/terminal/agent-9/ws', client_ip: '127.0.0.1' });
  expect(JSON.stringify(e)).not.toContain(bad);
});

it('a failing mutating request is a failure', async () => {
  const rid = uniqueName('rid-');
  const t = accessToken(gw.config.JWT_SECRET);
  await call(gw.url, 'DELETE', '/api/nowhere/1', { headers: { authorization: `Bearer ${t}`, 'x-request-id': rid } });
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({ action: 'http.request', result: 'failure', status: 404, resource: 'DELETE /api/nowhere/1' });
});

it('a mutating request whose client hangs up before the answer is recorded as 499, failure', async () => {
  const rid = uniqueName('rid-');
  const t = accessToken(gw.config.JWT_SECRET);
  const abort = new AbortController();
  const pending = fetch(`${gw.url}/api/community/issues`, {
    method: 'POST', signal: abort.signal, body: '{"a":1}',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json', 'x-request-id': rid, 'x-test-delay-ms': '10000' },
  }).catch(() => undefined);
  // Hang up once the request is surely in flight upstream (a fixed delay loses that race under load).
  await waitUntil(() => up.seen.some((e) => e.headers['x-request-id'] === rid), 5000, 'the request upstream');
  abort.abort();
  await pending;
  const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
  expect(e).toMatchObject({ action: 'http.request', result: 'failure', status: 499, reason: 'client closed request' });
});

describe('an audited answer leaves only once its event is stored', () => {
  // A sink the test confirms by hand, in place of JetStream's acknowledgement.
  const waiting: { event: AuditInput; confirm: () => void }[] = [];
  const sink = {
    record: () => undefined,
    stored: (event: AuditInput) => new Promise<boolean>((resolve) => { waiting.push({ event, confirm: () => resolve(true) }); }),
  };
  let held: TestGateway;
  beforeAll(async () => { held = await startTestGateway({ COMMUNITY_SVC_URL: up.url }, { audit: sink }); });
  afterAll(async () => { await held?.close(); });

  it('a mutating request is answered after its event is confirmed, while a plain GET goes on meanwhile', async () => {
    const rid = uniqueName('rid-');
    const t = accessToken(held.config.JWT_SECRET);
    let answered = false;
    const post = call(held.url, 'POST', '/api/community/issues', { headers: { authorization: `Bearer ${t}`, 'x-request-id': rid }, body: { title: 'held' } })
      .then((r) => { answered = true; return r; });
    await waitUntil(() => waiting.find((w) => w.event.request_id === rid), 5000, 'the event handed to the sink');
    // The upstream has answered and the gateway has the status; a later, unaudited request passes it.
    expect((await call(held.url, 'GET', '/api/community/issues', { headers: { authorization: `Bearer ${t}` } })).status).toBe(200);
    expect(answered).toBe(false);
    waiting.find((w) => w.event.request_id === rid)!.confirm();
    expect(await post).toMatchObject({ status: 200, body: { method: 'POST', body: { title: 'held' } } });
  });
});

describe('behind one trusted proxy (TRUST_PROXY=1)', () => {
  let behind: TestGateway;
  beforeAll(async () => { behind = await startTestGateway({ AUTH_SVC_URL: up.url, TERMINAL_SVC_URL: up.url, TRUST_PROXY: 1 }); });
  afterAll(async () => { await behind?.close(); });
  // The proxy in front appended the address it saw (10.0.0.7); what the client claimed before it is not trusted.
  const xff = { 'x-forwarded-for': '6.6.6.6, 10.0.0.7', 'x-forwarded-proto': 'https' };

  it('the client IP is the one the proxy saw, and the service gets only the trusted chain plus this hop', async () => {
    const rid = uniqueName('rid-');
    const r = await call(behind.url, 'POST', '/api/auth/login', { headers: { ...xff, 'x-request-id': rid }, body: { email: 'a@b.io', password: 'p' } });
    expect(r.body.headers).toMatchObject({ 'x-forwarded-for': '10.0.0.7,127.0.0.1', 'x-forwarded-proto': 'https,http' });
    const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
    expect(e.client_ip).toBe('10.0.0.7');
  });

  it('the same rule for WebSocket upgrades', async () => {
    const rid = uniqueName('rid-');
    await openSocket(`ws://127.0.0.1:${behind.port}/api/terminal/a/ws`, { ...xff, 'x-request-id': rid }).catch(() => undefined);
    const [e] = await readAuditEvents(env.natsUrl, byRequestId(rid), { since: testStarted, expect: 1 });
    expect(e).toMatchObject({ status: 401, client_ip: '10.0.0.7' });
  });
});
