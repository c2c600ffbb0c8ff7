import { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { createProxyMiddleware, fixRequestBody, RequestHandler as ProxyHandler } from 'http-proxy-middleware';
import type { Logger } from '@webxterm/kit';
import { AppError } from '@webxterm/kit';
import type { GatewayConfig, UpstreamKey } from './config';
import { contextOf } from './context';
import { SERVICE_NAMES } from './routes';

const UPSTREAMS = Object.keys(SERVICE_NAMES) as UpstreamKey[];

/** One http-proxy-middleware instance per configured upstream, selected by the resolved route. */
export class Upstreams {
  private readonly proxies = new Map<UpstreamKey, ProxyHandler>();
  private readonly agents: Agent[] = [];

  constructor(config: GatewayConfig, private readonly log: Logger) {
    for (const key of UPSTREAMS) {
      const target = config[key];
      if (target) this.proxies.set(key, this.create(key, target, config.UPSTREAM_TIMEOUT_MS));
    }
  }

  /** The proxy for an upstream, or null when that service is not configured. */
  get(key: UpstreamKey): ProxyHandler | null {
    return this.proxies.get(key) ?? null;
  }

  /** 503 for a routed request whose service is not deployed (after the token check). */
  requireConfigured(): RequestHandler {
    return (req, _res, next) => {
      const route = contextOf(req).route;
      if (route && !this.proxies.has(route.upstream)) {
        throw new AppError('unavailable', 'gateway.upstream_unconfigured', `${SERVICE_NAMES[route.upstream]} is not available`);
      }
      next();
    };
  }

  /** Closes pooled upstream connections (shutdown). */
  close(): void {
    for (const a of this.agents) a.destroy();
  }

  /** Every proxy in turn; each one's `pathFilter` only takes requests routed to its upstream. */
  handlers(): ProxyHandler[] {
    return [...this.proxies.values()];
  }

  private create(key: UpstreamKey, target: string, timeoutMs: number): ProxyHandler {
    const log = this.log.child({ upstream: SERVICE_NAMES[key] });
    // Without an agent http-proxy sends `Connection: close` and opens a TCP connection per request.
    // Node's agent honours the upstream's `Keep-Alive: timeout=` hint, so idle sockets are retired
    // before the service closes them.
    const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
    this.agents.push(agent);
    return createProxyMiddleware<IncomingMessage, ServerResponse>({
      target,
      agent,
      // The request path is forwarded as received: routes are matched by pathFilter, never by a
      // mount point, so nothing is stripped (Express mount stripping does not apply to upgrades).
      pathFilter: (_path, req) => contextOf(req).route?.upstream === key,
      changeOrigin: false,
      xfwd: true,
      on: {
        proxyReq: (proxyReq, req) => {
          forwardBody(proxyReq, req);
          proxyReq.setTimeout(timeoutMs, () => {
            contextOf(req).upstreamTimedOut = true;
            proxyReq.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' }));
          });
        },
        error: (err, req, resOrSocket) => onProxyError(err as NodeJS.ErrnoException, req, resOrSocket, log),
      },
    });
  }
}

/**
 * The body parser has consumed the request stream, so the bytes are written again here. They are
 * the bytes as received (after content decoding), not a re-serialisation of the parsed value:
 * large numbers, key order, charsets and whitespace reach the service intact.
 */
function forwardBody(proxyReq: ClientRequest, req: IncomingMessage): void {
  const raw = contextOf(req).rawBody;
  if (!raw) {
    fixRequestBody(proxyReq, req);
    return;
  }
  proxyReq.removeHeader('transfer-encoding');
  proxyReq.removeHeader('content-encoding');
  proxyReq.setHeader('content-length', raw.length);
  if (raw.length > 0) proxyReq.write(raw);
}

function onProxyError(err: NodeJS.ErrnoException, req: IncomingMessage, out: ServerResponse | Socket, log: Logger): void {
  const timedOut = contextOf(req).upstreamTimedOut === true;
  const [status, message] = timedOut ? [504, 'Upstream timed out'] : [502, 'Upstream unavailable'];
  log.warn({ rid: req.id, code: err.code, err: err.message, status }, 'proxy error');
  if ('writeHead' in out) {
    if (out.headersSent) { out.destroy(); return; }
    out.statusCode = status;
    out.setHeader('content-type', 'application/json; charset=utf-8');
    out.end(JSON.stringify({ error: message }));
    return;
  }
  writeRawAndClose(out, status, message);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 500: 'Internal Server Error',
};

/** Answers a raw socket (an upgrade request) with a small JSON HTTP response, then closes it. */
export function writeRawAndClose(socket: Socket, status: number, message: string): void {
  if (socket.destroyed) return;
  // After a 101 the socket carries WebSocket frames: an HTTP answer there would be garbage.
  if (!socket.writable || socket.bytesWritten > 0) { socket.destroy(); return; }
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
