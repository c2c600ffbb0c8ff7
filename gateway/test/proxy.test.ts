/** Routing, bodies and upstream failures, through a real gateway to a real echo upstream. */
import http from 'node:http';
import { accessToken, freePort, waitUntil } from '@webxterm/testkit';
import { call, Echo, rawRequest, startTestGateway, startUpstream, TestGateway, Upstream } from './harness';

let up: Upstream;
let gw: TestGateway;
let token: string;
const bearer = () => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  up = await startUpstream();
  // A port nothing listens on: machine-svc "down".
  gw = await startTestGateway({ AUTH_SVC_URL: up.url, COMMUNITY_SVC_URL: up.url, MACHINE_SVC_URL: 'http://127.0.0.1:1', BODY_LIMIT: '64kb', UPSTREAM_TIMEOUT_MS: 1000 });
  token = accessToken(gw.config.JWT_SECRET);
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

describe('routing', () => {
  it('GET /health is public and answers { status: ok }', async () => {
    expect(await call(gw.url, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('/metrics is not served on the public port, only on METRICS_PORT', async () => {
    expect((await call(gw.url, 'GET', '/metrics')).status).toBe(404);
    const port = await freePort();
    const other = await startTestGateway({ METRICS_PORT: port });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('http_request_duration_seconds');
    } finally {
      await other.close();
    }
  });

  it('kit health endpoints are there, /readyz checks Redis and NATS', async () => {
    expect((await call(gw.url, 'GET', '/healthz')).status).toBe(200);
    expect(await call(gw.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { deps: { redis: true, nats: true } } });
  });

  it.each([
    ['POST', '/api/auth/login'], ['POST', '/api/auth/signup'], ['POST', '/api/auth/select-tenant'], ['POST', '/api/auth/verify-otp'],
    ['POST', '/api/auth/refresh'], ['POST', '/api/login'], ['POST', '/api/signup'], ['POST', '/login'],
  ])('%s %s is public and reaches auth-svc with its path intact', async (method, path) => {
    const r = await call(gw.url, method, path, { body: { email: 'someone@example.com', password: 'right' } });
    expect(r.status).toBe(200);
    expect((r.body as Echo).url).toBe(path);
  });

  it.each([
    ['POST', '/api/auth/logout'], ['POST', '/logout'], ['GET', '/api/users/me'], ['GET', '/api/roles'], ['GET', '/api/groups/1'],
    ['GET', '/api/admin/organizations'], ['GET', '/api/auth/anything-else'], ['GET', '/api/community/issues'],
    ['GET', '/api/auth/login/../users'],
  ])('%s %s is protected: 401 without a token', async (method, path) => {
    const r = await call(gw.url, method, path);
    expect(r).toMatchObject({ status: 401, body: { error: expect.any(String) } });
  });

  it('a protected route with a valid token reaches its service, query string included', async () => {
    const r = await call(gw.url, 'GET', '/api/community/issues?page=2', { headers: bearer() });
    expect(r.status).toBe(200);
    expect((r.body as Echo).url).toBe('/api/community/issues?page=2');
  });

  it('the original Authorization header and the request id are forwarded; identity headers are not', async () => {
    const r = await call(gw.url, 'GET', '/api/users/me', {
      headers: { ...bearer(), 'x-request-id': 'rid-forward-1', 'x-user-id': 'admin', 'x-tenant-id': 'other', 'x-user': 'root', 'x-role': 'super_admin' },
    });
    const h = (r.body as Echo).headers;
    expect(h.authorization).toBe(`Bearer ${token}`);
    expect(h['x-request-id']).toBe('rid-forward-1');
    expect(r.headers.get('x-request-id')).toBe('rid-forward-1');
    for (const name of ['x-user-id', 'x-tenant-id', 'x-user', 'x-role']) expect(h[name]).toBeUndefined();
    expect(h.connection).toBe('keep-alive'); // pooled upstream connections, not one TCP connection per request
  });

  it('X-Forwarded-For from an untrusted client is replaced, and X-Forwarded-Proto set', async () => {
    const r = await call(gw.url, 'GET', '/api/users/me', { headers: { ...bearer(), 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https' } });
    const h = (r.body as Echo).headers;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
  });

  // Other GET paths are the web console's (gateway/src/console.ts).
  it.each(['/api/nothing', '/api/usersX', '/api/Users', '/api', '/login/x'])('unknown path %s → 404 { error: Not found }', async (path) => {
    expect(await call(gw.url, 'GET', path, { headers: bearer() })).toMatchObject({ status: 404, body: { error: 'Not found' } });
  });

  it('a protected route of a service not configured: 401 without a token, then 503 with one', async () => {
    expect((await call(gw.url, 'GET', '/api/audit')).status).toBe(401);
    expect(await call(gw.url, 'GET', '/api/audit', { headers: bearer() })).toMatchObject({ status: 503, body: { error: 'audit-svc is not available' } });
    expect(await call(gw.url, 'GET', '/api/terminal/sessions', { headers: bearer() })).toMatchObject({ status: 503, body: { error: 'terminal-svc is not available' } });
  });

  it('an upstream that refuses connections → 502 { error: Upstream unavailable }', async () => {
    expect(await call(gw.url, 'GET', '/api/machines', { headers: bearer() })).toMatchObject({ status: 502, body: { error: 'Upstream unavailable' } });
    expect(await call(gw.url, 'POST', '/api/machines', { headers: bearer(), body: { name: 'm' } })).toMatchObject({ status: 502 });
  });

  it('an upstream that does not answer in time → 504', async () => {
    const r = await call(gw.url, 'GET', '/api/community/slow', { headers: { ...bearer(), 'x-test-delay-ms': '3000' } });
    expect(r).toMatchObject({ status: 504, body: { error: 'Upstream timed out' } });
  });

  it('upstream statuses and bodies pass through untouched', async () => {
    const r = await call(gw.url, 'GET', '/api/community/x', { headers: { ...bearer(), 'x-test-status': '409' } });
    expect(r.status).toBe(409);
    expect((r.body as Echo).url).toBe('/api/community/x');
  });

  it('security headers on what the gateway answers itself, no x-powered-by', async () => {
    const r = await call(gw.url, 'GET', '/api/nothing');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-powered-by')).toBeNull();
  });
});

describe('bodies', () => {
  it('a JSON body reaches the service byte for byte, unicode and big numbers included', async () => {
    const raw = '{"name":"Zoë ✓ 終端 🚀","n":12345678901234567890,"nested":{"a":[1,2.50,null]} , "s":"\\u00e9"}';
    const r = await call(gw.url, 'POST', '/api/community/issues', { headers: bearer(), body: raw });
    expect(r.status).toBe(200);
    const echo = r.body as Echo;
    expect(echo.raw).toBe(raw);
    expect(echo.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
  });

  it('PUT and DELETE bodies too; an empty JSON body stays empty', async () => {
    const put = await call(gw.url, 'PUT', '/api/community/issues/1', { headers: bearer(), body: { title: 't' } });
    expect((put.body as Echo).body).toEqual({ title: 't' });
    const del = await call(gw.url, 'DELETE', '/api/community/issues/1', { headers: { ...bearer(), 'content-type': 'application/json' } });
    expect(del.status).toBe(200);
    expect((del.body as Echo).raw).toBe('');
  });

  it('a chunked JSON body is forwarded with a Content-Length and no Transfer-Encoding', async () => {
    const echo = await new Promise<Echo>((resolve, reject) => {
      const req = http.request(`${gw.url}/api/community/issues`, { method: 'POST', headers: { ...bearer(), 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.write('{"part":');
      setTimeout(() => req.end('"two"}'), 20);
    });
    expect(echo.raw).toBe('{"part":"two"}');
    expect(echo.headers['transfer-encoding']).toBeUndefined();
    expect(echo.headers['content-length']).toBe('14');
  }, 10_000);

  it('Expect: 100-continue with a JSON body does not hang', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}/api/community/issues`, {
        method: 'POST', headers: { ...bearer(), 'content-type': 'application/json', expect: '100-continue', 'content-length': '9' },
      }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('continue', () => req.end('{"a":"b"}'));
      req.on('error', reject);
    });
    expect(status).toBe(200);
  }, 10_000);

  it('a body that is not JSON is streamed through unchanged', async () => {
    const r = await call(gw.url, 'POST', '/api/community/upload', { headers: { ...bearer(), 'content-type': 'text/plain' }, body: 'plain ünïcode' });
    expect((r.body as Echo).raw).toBe('plain ünïcode');
  });

  it('malformed JSON → 400 { error: Malformed JSON body }', async () => {
    const r = await call(gw.url, 'POST', '/api/auth/login', { body: '{"email":' });
    expect(r).toMatchObject({ status: 400, body: { error: 'Malformed JSON body' } });
  });

  it('a JSON body over BODY_LIMIT → 413, and a non-JSON one with a large Content-Length too', async () => {
    const big = JSON.stringify({ x: 'y'.repeat(70 * 1024) });
    expect(await call(gw.url, 'POST', '/api/auth/signup', { body: big })).toMatchObject({ status: 413, body: { error: 'Request body too large' } });
    const raw = await call(gw.url, 'POST', '/api/community/issues', { headers: { ...bearer(), 'content-type': 'application/octet-stream' }, body: 'z'.repeat(70 * 1024) });
    expect(raw).toMatchObject({ status: 413, body: { error: 'Request body too large' } });
  });

  it('the upload route has a limit of its own (6 MB), above BODY_LIMIT', async () => {
    const octets = { ...bearer(), 'content-type': 'application/octet-stream' };
    const fits = await call(gw.url, 'POST', '/api/community/upload', { headers: octets, body: 'z'.repeat(2 * 1024 * 1024) });
    expect(fits.status).toBe(200);
    expect((fits.body as Echo).raw).toHaveLength(2 * 1024 * 1024);
    const over = await call(gw.url, 'POST', '/api/community/upload', { headers: octets, body: 'z'.repeat(6 * 1024 * 1024 + 1) });
    expect(over).toMatchObject({ status: 413, body: { error: 'Request body too large' } });
  });
});

describe('garbage does not bring it down', () => {
  it('bad percent-encoding, huge headers, absolute-form and nonsense request lines', async () => {
    expect((await call(gw.url, 'GET', '/api/%E0%A4%A')).status).toBe(404);
    expect(await call(gw.url, 'GET', '/api/users/%E0%A4%A', { headers: bearer() }))
      .toMatchObject({ status: 400, body: { error: 'Malformed percent-encoding in the path' } });
    expect(await call(gw.url, 'GET', '/api/users?q=%00', { headers: bearer() }))
      .toMatchObject({ status: 400, body: { error: 'Query string: Must not contain NUL characters' } });
    expect(await call(gw.url, 'POST', '/api/users', { headers: { ...bearer(), 'content-type': 'application/json' }, body: '{"name":"\\ud800"}' }))
      .toMatchObject({ status: 400, body: { error: 'name: Must be valid Unicode (lone surrogate)' } });
    const huge = await rawRequest(gw.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(huge).toMatch(/\r\n\r\n\{"error":"Request headers or URL too large"\}$/);
    expect(await rawRequest(gw.port, 'NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\{"error":"Bad request"\}$/);
    expect(await rawRequest(gw.port, 'GET http://evil.example/api/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 404/);
    expect((await call(gw.url, 'GET', '/health')).status).toBe(200);
  });

  it('clients hanging up mid-body and mid-response', async () => {
    const half = `POST /api/community/issues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`;
    await rawRequest(gw.port, half, 200);
    const slow = `GET /api/community/wait HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Test-Delay-Ms: 300\r\n\r\n`;
    await rawRequest(gw.port, slow, 50);
    await waitUntil(() => up.inFlight() === 0, 5000, () => `the upstream done with both requests (${up.inFlight()} left)`);
    expect((await call(gw.url, 'GET', '/health')).status).toBe(200);
  });
});
