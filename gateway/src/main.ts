import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { AUDIT_STREAM } from '@webxterm/contracts';
import {
  AccessTokenVerifier, AuditPublisher, Bus, ConfirmingAuditSink, clientIp, closeServer, connectNats, createHttpApp, createLogger, createRedis,
  errorHandler, Lifecycle, listen, Logger, NatsConnection, portOf, Redis, refuseUnsafeInput, rejoinRequest,
  serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { serveApiDocs } from './api-docs';
import { auditRequests } from './audit.middleware';
import { requireToken } from './auth.middleware';
import { closeIfBodyUnread, routedBodies } from './body';
import { answerClientErrors } from './client-errors';
import { GatewayConfig, loadGatewayConfig } from './config';
import { serveConsole } from './console';
import { contextOf } from './context';
import { sanitizeIncomingHeaders, setSecurityHeaders } from './headers';
import { Upstreams } from './proxy';
import { LoginRateLimits } from './rate-limit';
import { pathOf, RouteTable } from './routes';
import { handleUpgrades } from './websocket';

/** Connections and sinks a caller may supply (tests, or a host process); the gateway then does not close them. */
export interface GatewayOverrides {
  log?: Logger;
  redis?: Redis;
  nats?: NatsConnection;
  audit?: ConfirmingAuditSink & { flush?(timeoutMs?: number): Promise<void>; close?(): void };
}

export interface RunningGateway {
  server: Server;
  port: number;
  /** Port of the Prometheus /metrics listener. */
  metricsPort: number;
  /** Ordered shutdown; SIGTERM runs the same steps. */
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

interface Deps { log: Logger; metrics: ServiceMetrics; redis: Redis; nats: NatsConnection; audit: ConfirmingAuditSink; verifier: AccessTokenVerifier; upstreams: Upstreams; routes: RouteTable }

/** The Express app: what runs, in which order, for one HTTP request. */
export function buildApp(config: GatewayConfig, d: Deps): Express {
  const limits = new LoginRateLimits(d.redis, {
    prefix: config.RATE_LIMIT_PREFIX, perIp: config.LOGIN_RATE_PER_IP, perIpWindowSec: config.LOGIN_RATE_WINDOW_SEC,
  });
  const app = createHttpApp({
    service: 'gateway', log: d.log, metrics: d.metrics, trustProxy: config.TRUST_PROXY, refuseUnsafeInput: false,
    routeOf: (req) => contextOf(req).route?.path,
    ready: async () => {
      const [redis, nats] = await Promise.all([answers(() => d.redis.ping()), answers(() => d.nats.rtt())]);
      return { redis, nats };
    },
  });
  // Route, caller and headers are settled once, first: everything after reads the context.
  app.use((req, res, next) => {
    setSecurityHeaders(res);
    const ctx = contextOf(req);
    ctx.clientIp = clientIp(req);
    ctx.route = d.routes.resolve(pathOf(req.originalUrl));
    if (ctx.route) sanitizeIncomingHeaders(req, config.TRUST_PROXY, req.id ?? randomUUID());
    next();
  });
  app.use(auditRequests(d.audit));
  app.get('/health', (_req, res) => { res.json({ status: 'ok' }); });
  app.use(serveApiDocs()); // /api/openapi.json and /api/docs: public, no upstream
  app.use(limits.perIp()); // before the body is read: every login attempt counts, even a malformed one
  app.use(requireToken(d.verifier)); // 401 before 503, and before reading an unauthenticated body
  app.use(d.upstreams.requireConfigured());
  app.use(...routedBodies(config.BODY_LIMIT), rejoinRequest);
  const unsafe = refuseUnsafeInput(); // NUL, lone surrogates, broken encodings, deep JSON: 400 before any service
  app.use((req, res, next) => (contextOf(req).route ? unsafe(req, res, next) : next()));
  for (const proxy of d.upstreams.handlers()) app.use(proxy);
  app.use(serveConsole()); // the web console at `/`, after every API route
  app.use((_req, res) => { res.status(404).json({ error: 'Not found' }); });
  app.use(closeIfBodyUnread, errorHandler);
  return app;
}

export async function startGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const log = overrides.log ?? createLogger('gateway', config.LOG_LEVEL);
  const redis = overrides.redis ?? createRedis(config.REDIS_URL);
  // Rate limits refuse (503) while Redis is not ready: be connected before the first request.
  if (!overrides.redis) await redis.ping();
  const nc = overrides.nats ?? (await connectNats(config.NATS_URL, 'gateway'));
  let audit = overrides.audit;
  if (!audit) {
    const bus = new Bus(nc, log);
    await bus.ensureStream(AUDIT_STREAM);
    audit = new AuditPublisher(bus, 'gateway', log);
  }
  const deps: Deps = {
    log, metrics: new ServiceMetrics('gateway'), redis, nats: nc, audit,
    verifier: new AccessTokenVerifier(config.JWT_SECRET, redis),
    upstreams: new Upstreams(config, log),
    routes: new RouteTable(),
  };
  const app = buildApp(config, deps);
  const server = await listen(app, config.PORT, config.HOST);
  const metrics = await serveMetrics(deps.metrics, config.METRICS_PORT, config.HOST);
  server.headersTimeout = 20_000;
  answerClientErrors(server);
  server.requestTimeout = 120_000;
  const sockets = handleUpgrades(server, { ...deps, trustHops: config.TRUST_PROXY });

  // Shutdown order: stop accepting and cut proxied WebSockets (server.close() would otherwise wait
  // for them; clients reconnect to another replica), give in-flight HTTP requests a grace period,
  // publish the queued audit events, then drain NATS and quit Redis.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('stop accepting', () => {
    const closing = closeServer(server, 5000);
    for (const s of sockets) s.destroy();
    return closing;
  }, 8000);
  lifecycle.onShutdown('close upstream connections', () => deps.upstreams.close());
  lifecycle.onShutdown('stop metrics', () => closeServer(metrics, 1000));
  const sink = audit;
  lifecycle.onShutdown('flush audit', async () => { await sink.flush?.(5000); sink.close?.(); }, 6000);
  if (!overrides.nats) lifecycle.onShutdown('drain nats', () => nc.drain(), 5000);
  if (!overrides.redis) lifecycle.onShutdown('quit redis', () => redis.quit(), 3000);

  log.info({ port: portOf(server) }, 'gateway listening');
  return { server, port: portOf(server), metricsPort: portOf(metrics), lifecycle, close: () => lifecycle.shutdown('close') };
}

/** Whether a dependency answers a round trip within a second. */
async function answers(roundTrip: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 1000); });
  try {
    return await Promise.race([roundTrip().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Boot as a process: config from the environment (every bad variable listed at once), then run until SIGTERM. */
async function main(): Promise<void> {
  const gw = await startGateway(loadGatewayConfig());
  gw.lifecycle.handleSignals();
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`gateway: ${e.message}`);
    process.exit(1);
  });
}
