/** WebSocket upgrades through the gateway to a real WebSocket upstream. */
import net from 'node:net';
import Redis from 'ioredis';
import { revokedSessionKey } from '@webxterm/contracts';
import { accessClaims, accessToken, jwtSecret, signToken, waitUntil } from '@webxterm/testkit';
import { call, env, openSocket, rawRequest, startTestGateway, startUpstream, TestGateway, Upstream } from './harness';

let up: Upstream;
let gw: TestGateway;
let bare: TestGateway; // no terminal-svc configured
let redis: Redis;

beforeAll(async () => {
  up = await startUpstream();
  gw = await startTestGateway({ AUTH_SVC_URL: up.url, TERMINAL_SVC_URL: up.url });
  bare = await startTestGateway({ AUTH_SVC_URL: up.url });
  redis = new Redis(env.redisUrl);
});
afterAll(async () => {
  await gw?.close();
  await bare?.close();
  await up?.close();
  await redis?.quit();
});

const wsUrl = (g: TestGateway, path: string) => `ws://127.0.0.1:${g.port}${path}`;
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: { status?: number; body?: string }) => e);

it('a valid ?token= upgrades; the socket echoes, the upstream sees the path, token and request id', async () => {
  const token = accessToken(gw.config.JWT_SECRET);
  const { ws, first } = await openSocket(wsUrl(gw, `/api/terminal/agent-1/ws?token=${token}`), { 'x-user-id': 'forged' });
  try {
    expect(first.hello.url).toBe(`/api/terminal/agent-1/ws?token=${token}`);
    expect(first.hello.headers['x-request-id']).toEqual(expect.any(String));
    expect(first.hello.headers['x-user-id']).toBeUndefined();
    expect(first.hello.headers['x-forwarded-for']).toBe('127.0.0.1');
    const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('ls -la ✓');
    expect(await echoed).toBe('ls -la ✓');
    const bin = new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)));
    ws.send(Buffer.from([0, 1, 2, 255]));
    expect([...(await bin)]).toEqual([0, 1, 2, 255]);
  } finally {
    ws.close();
  }
});

it('a Bearer header works too (non-browser clients)', async () => {
  const token = accessToken(gw.config.JWT_SECRET);
  const { ws } = await openSocket(wsUrl(gw, '/api/terminal/a2/ws'), { authorization: `Bearer ${token}` });
  ws.close();
});

describe('refused with an HTTP status before any upgrade', () => {
  it.each([
    ['no token', () => ''],
    ['a bad token', () => '?token=garbage'],
    ['a token signed with another secret', () => `?token=${accessToken(jwtSecret())}`],
    ['an expired token', () => `?token=${accessToken(gw.config.JWT_SECRET, { exp: Math.floor(Date.now() / 1000) - 1 })}`],
  ])('%s → 401', async (_n, query) => {
    const e = await refusal(openSocket(wsUrl(gw, `/api/terminal/a3/ws${query()}`)));
    expect(e.status).toBe(401);
    expect(JSON.parse(e.body!)).toEqual({ error: expect.any(String) });
  });

  it('a revoked session → 401', async () => {
    const c = accessClaims();
    await redis.set(revokedSessionKey(c.sid), '1', 'EX', 60);
    expect((await refusal(openSocket(wsUrl(gw, `/api/terminal/a4/ws?token=${signToken(c, gw.config.JWT_SECRET)}`)))).status).toBe(401);
  });

  it('a path that is not a WebSocket route → 404', async () => {
    const token = accessToken(gw.config.JWT_SECRET);
    for (const path of ['/api/terminal/sessions', '/api/users', '/nowhere', '/api/terminal/a/ws/extra']) {
      expect((await refusal(openSocket(wsUrl(gw, `${path}?token=${token}`)))).status).toBe(404);
    }
  });

  it('terminal-svc not configured → 401 without a token, 503 with one', async () => {
    expect((await refusal(openSocket(wsUrl(bare, '/api/terminal/a/ws')))).status).toBe(401);
    const token = accessToken(bare.config.JWT_SECRET);
    const e = await refusal(openSocket(wsUrl(bare, `/api/terminal/a/ws?token=${token}`)));
    expect(e.status).toBe(503);
    expect(JSON.parse(e.body!)).toEqual({ error: 'terminal-svc is not available' });
  });
});

it('clients that hang up during or after the handshake do not crash the gateway', async () => {
  const token = accessToken(gw.config.JWT_SECRET);
  const socketsBefore = up.openSockets();
  const upgrade = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  // Hang up while the token is being checked.
  const s = net.connect(gw.port, '127.0.0.1', () => { s.write(upgrade(`/api/terminal/a5/ws?token=${token}`)); s.destroy(); });
  s.on('error', () => {});
  // Hang up mid-session, abruptly.
  const { ws } = await openSocket(wsUrl(gw, `/api/terminal/a6/ws?token=${token}`));
  ws.terminate();
  // Garbage after an upgrade request, and an upgrade with a bad URL.
  await rawRequest(gw.port, `${upgrade(`/api/terminal/a7/ws?token=${token}`)}\x00\x01garbage`, 300);
  expect(await rawRequest(gw.port, upgrade('/%E0%A4%A'), 1000)).toMatch(/^HTTP\/1\.1 404/);
  // The gateway has let go of the upstream side of every socket whose client hung up.
  await waitUntil(() => up.openSockets() <= socketsBefore, 5000, () => `the upstream sockets closed (${up.openSockets()} open, ${socketsBefore} before)`);
  expect((await call(gw.url, 'GET', '/health')).status).toBe(200);
});

it('terminal-svc down → 502 on the upgrade', async () => {
  const down = await startTestGateway({ AUTH_SVC_URL: up.url, TERMINAL_SVC_URL: 'http://127.0.0.1:1' });
  try {
    const e = await refusal(openSocket(wsUrl(down, `/api/terminal/a/ws?token=${accessToken(down.config.JWT_SECRET)}`)));
    expect(e.status).toBe(502);
    expect(JSON.parse(e.body!)).toEqual({ error: 'Upstream unavailable' });
  } finally {
    await down.close();
  }
});

it('shutdown closes live WebSockets and returns promptly', async () => {
  const g = await startTestGateway({ AUTH_SVC_URL: up.url, TERMINAL_SVC_URL: up.url });
  const { ws } = await openSocket(wsUrl(g, `/api/terminal/a/ws?token=${accessToken(g.config.JWT_SECRET)}`));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const started = Date.now();
  await g.close();
  await closed;
  expect(Date.now() - started).toBeLessThan(7000);
});
