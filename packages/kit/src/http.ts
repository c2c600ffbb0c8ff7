import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { ErrorRequestHandler, Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, httpStatus, isDatabaseUnavailable } from './errors';
import type { ServiceMetrics } from './metrics';
import { REQUEST_ID_HEADER, withRequestId } from './request-context';
import { findUnsafeInput, refuseUnsafeInput } from './safe-input';

declare module 'http' {
  interface IncomingMessage {
    id?: string;
    log?: Logger;
  }
}

export interface HttpAppOptions {
  service: string;
  log: Logger;
  /** Largest JSON body accepted, e.g. '100kb'; larger ones get 413. Omit to parse no bodies. */
  jsonLimit?: string;
  /** Express `trust proxy`: how many proxies in front may set X-Forwarded-For. */
  trustProxy?: number | boolean;
  /** Reports each dependency as reachable or not, for /readyz. */
  ready?: () => Promise<Record<string, boolean>>;
  /** Every request is counted here by route template and status (served by `serveMetrics` on METRICS_PORT). */
  metrics: ServiceMetrics;
  /** The route template of a request no Express route matched (the gateway's proxied routes); default `unmatched`. */
  routeOf?: (req: Request) => string | undefined;
  /**
   * Mount `refuseUnsafeInput` after the body parser (default). The gateway turns it off and mounts
   * it itself after its own body parsing, so such refusals are audited like any other request.
   */
  refuseUnsafeInput?: boolean;
}

/** Kubelet probes: counted, but not logged (one line every few seconds per pod says nothing). */
const PROBES = new Set(['/healthz', '/readyz']);

/** An Express app with request ids, child loggers, metrics and health; routes go between this and `finishApp`. */
export function createHttpApp(o: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', o.trustProxy ?? false);

  app.use((req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    req.id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.log = o.log.child({ rid: req.id });
    res.setHeader(REQUEST_ID_HEADER, req.id);
    const end = o.metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = routeTemplate(req) ?? o.routeOf?.(req) ?? 'unmatched';
      const seconds = end({ route, status: String(res.statusCode) });
      if (!PROBES.has(route)) req.log?.info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    withRequestId(req.id, next);
  });
  app.get('/healthz', (_req, res) => { res.json({ status: 'ok', service: o.service }); });
  app.get('/readyz', async (_req, res) => {
    const deps = o.ready ? await o.ready() : {};
    const ok = Object.values(deps).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', deps });
  });
  if (o.jsonLimit) {
    app.use(express.json({ limit: o.jsonLimit, type: ['application/json', 'application/*+json'] }));
    // The parser calls on from the socket's 'end' event, outside the request's async context.
    app.use(rejoinRequest);
  }
  // Services are reachable inside the cluster without the gateway: they refuse NUL, lone
  // surrogates and broken encodings in the URL and body themselves (400), before any route runs.
  if (o.refuseUnsafeInput !== false) app.use(refuseUnsafeInput());
  return app;
}

/**
 * Puts the rest of the chain back into the request's async context (see `withRequestId`): mount it
 * after any middleware that calls `next` from a stream event, such as a body parser.
 */
export const rejoinRequest: express.RequestHandler = (req, _res, next) => withRequestId(req.id, next);

/** The Express route that answered, as a template (`/api/machines/:id`), or undefined if none did. */
function routeTemplate(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? req.baseUrl + path : undefined;
}

/** Adds the 404 and the one error handler that turns every failure into `{ "error": "…" }`. */
export function finishApp(app: Express): Express {
  app.use((_req, res) => { res.status(404).json({ error: 'Not found' }); });
  app.use(errorHandler);
  return app;
}

export const errorHandler: ErrorRequestHandler = (err, req: Request, res: Response, _next: NextFunction) => {
  const { status, message } = describeError(err);
  if (status >= 500) req.log?.error({ err }, 'request failed');
  if (res.headersSent) { res.end(); return; }
  if (err instanceof AppError && err.retryAfterSec !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSec))));
  res.status(status).json({ error: message });
};

export function describeError(err: unknown): { status: number; message: string } {
  if (err instanceof AppError) return { status: httpStatus(err.kind), message: err.message };
  const e = err as { type?: string; status?: number; message?: string };
  switch (e?.type) {
    case 'entity.too.large': return { status: 413, message: 'Request body too large' };
    case 'entity.parse.failed': return { status: 400, message: 'Malformed JSON body' };
    case 'encoding.unsupported': return { status: 415, message: 'Unsupported content encoding' };
    case 'charset.unsupported': return { status: 415, message: 'Unsupported charset' };
    case 'request.aborted': return { status: 400, message: 'Request aborted' };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, message: e.message ?? 'Bad request' };
  if (isDatabaseUnavailable(err)) return { status: 503, message: 'Service temporarily unavailable, try again' };
  return { status: 500, message: 'Internal server error' };
}

/**
 * Validates untrusted input. Unknown fields are dropped; the first problem is reported by field
 * name, e.g. `email: Invalid email address`. Whatever the schema, no string of the result may hold
 * a NUL or a lone surrogate (PostgreSQL refuses the first and silently alters the second).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value ?? {}, { error: plainMessage });
  if (r.success) {
    const bad = findUnsafeInput(r.data);
    if (bad) throw new AppError('invalid', 'request.unsafe_input', bad.field ? `${bad.field}: ${bad.problem}` : bad.problem);
    return r.data;
  }
  const issue = r.error.issues[0];
  const field = issue.path.join('.');
  throw new AppError('invalid', 'request.invalid', field ? `${field}: ${issue.message}` : issue.message);
}

/** Short messages for the commonest problems: a missing field, or a value of the wrong type. */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  return issue.input === undefined ? 'Required' : `Expected ${issue.expected}`;
}

export async function listen(handler: http.RequestListener | Express, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return server;
}

export function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

/** Stops accepting, lets in-flight requests finish for `graceMs`, then cuts what is left. */
export async function closeServer(server: http.Server, graceMs = 3000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

/** The usual /readyz answer: PostgreSQL answers a query, Redis a PING, NATS is connected. */
export function dependencyCheck(d: { pool?: { query(sql: string): Promise<unknown> }; redis?: { ping(): Promise<unknown> }; nc?: { isClosed(): boolean } }) {
  return async (): Promise<Record<string, boolean>> => ({
    ...(d.pool ? { postgres: await d.pool.query('SELECT 1').then(() => true, () => false) } : {}),
    ...(d.redis ? { redis: await d.redis.ping().then(() => true, () => false) } : {}),
    ...(d.nc ? { nats: !d.nc.isClosed() } : {}),
  });
}
