/**
 * Test peers for the gateway: a real upstream (HTTP echo + WebSocket echo) standing in for a
 * service, and a gateway started in-process on port 0 against the real Redis and NATS of `testEnv()`.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import express from 'express';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '@webxterm/kit';
import { jwtSecret, testEnv, uniqueName } from '@webxterm/testkit';
import { GatewayConfig, GatewayConfigSchema } from '../src/config';
import { GatewayOverrides, RunningGateway, startGateway } from '../src/main';

export const env = testEnv();

/** What the echo upstream saw. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes as received, decoded as UTF-8. */
  raw: string;
  /** The body parsed as JSON, when it was JSON. */
  body?: unknown;
}

export interface Upstream {
  url: string;
  /** Every request seen, oldest first. */
  seen: Echo[];
  /** Requests it has not finished with (answered, or the caller gone). */
  inFlight(): number;
  /** WebSockets open on it now. */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * A small real service. It answers every request with what it received. Controls, all from the
 * request: `x-test-status: N` answers N; `x-test-delay-ms: N` waits first; a JSON body with
 * `"password": "wrong"` answers 401 like a login that failed. WebSocket upgrades on
 * `/api/terminal/<id>/ws` are accepted; the socket first sends `{ hello: { url, headers } }`, then
 * echoes every message.
 */
export async function startUpstream(): Promise<Upstream> {
  const seen: Echo[] = [];
  let inFlight = 0;
  const app = express();
  app.use(express.raw({ type: () => true, limit: '50mb' }));
  app.use(async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let body: unknown;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = undefined; }
    const echo: Echo = { method: req.method, url: req.originalUrl, headers: req.headers, raw, body };
    seen.push(echo);
    inFlight++;
    res.once('close', () => { inFlight--; });
    const delay = Number(req.headers['x-test-delay-ms'] ?? 0);
    if (delay) {
      // Stop waiting when the caller gives up, so no timer outlives the test.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        res.once('close', () => { clearTimeout(t); resolve(); });
      });
    }
    if (res.destroyed) return;
    const wrongPassword = (body as { password?: unknown } | undefined)?.password === 'wrong';
    const status = wrongPassword ? 401 : Number(req.headers['x-test-status'] ?? 200);
    res.status(status).json(status === 401 ? { error: 'Invalid credentials' } : echo);
  });
  const server = http.createServer(app);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!/^\/api\/terminal\/[^/]+\/ws(\?|$)/.test(req.url ?? '')) { socket.destroy(); return; }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate()); // garbage frames from a test client
      ws.send(JSON.stringify({ hello: { url: req.url, headers: req.headers } }));
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    inFlight: () => inFlight,
    openSockets: () => wss.clients.size,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const b64url = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A gateway config for tests: real Redis/NATS, unique rate-limit keys, everything else default. */
export function testConfig(over: Record<string, string | number> = {}): GatewayConfig {
  return GatewayConfigSchema.parse({
    PORT: 0, HOST: '127.0.0.1', METRICS_PORT: 0, REDIS_URL: env.redisUrl, NATS_URL: env.natsUrl, JWT_SECRET: jwtSecret(),
    RATE_LIMIT_PREFIX: uniqueName('gwtest-'), LOG_LEVEL: 'silent', ...over,
  });
}

export interface TestGateway extends RunningGateway {
  url: string;
  config: GatewayConfig;
}

export async function startTestGateway(over: Record<string, string | number> = {}, deps: GatewayOverrides = {}): Promise<TestGateway> {
  const config = testConfig(over);
  const gw = await startGateway(config, { log: createLogger('gateway-test', process.env.GATEWAY_TEST_LOG ?? 'silent'), ...deps });
  return { ...gw, url: `http://127.0.0.1:${gw.port}`, config };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** fetch with JSON in and out; `body` as a string is sent verbatim. */
export async function call(base: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const isRaw = typeof opts.body === 'string';
  const res = await fetch(base + path, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : isRaw ? (opts.body as string) : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

/** Sends raw bytes and returns the raw response text; for what fetch refuses to send. */
export function rawRequest(port: number, payload: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(payload));
    let out = '';
    s.setTimeout(timeoutMs, () => { s.destroy(); resolve(out); });
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

/** Opens a WebSocket; resolves with the socket and its first message, or rejects with the HTTP status of a refusal. */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('message', (d) => resolve({ ws, first: JSON.parse(d.toString()) }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: text })));
    });
    ws.once('error', reject);
  });
}
