import { z } from 'zod';
import { jwtSecret, loadConfig, logLevel, metricsPort, natsUrl, port, redisUrl } from '@webxterm/kit';

/** An upstream base URL; empty means "not deployed", so its routes answer 503. */
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());
const positiveInt = (dflt: number) => z.coerce.number().int().positive().default(dflt);

/** Every setting of the gateway, read once from the environment at boot. */
export const GatewayConfigSchema = z.object({
  /** TCP port of the public listener. */
  PORT: port(8080),
  /** Interface to bind; 0.0.0.0 inside a container. */
  HOST: z.string().default('0.0.0.0'),
  /** Redis: revoked session keys (read) and rate-limit counters (read/write). */
  REDIS_URL: redisUrl,
  /** NATS with JetStream: audit events go to the AUDIT stream. */
  NATS_URL: natsUrl,
  /** HS256 secret shared with auth-svc; the gateway only verifies, never signs. */
  JWT_SECRET: jwtSecret,
  /** auth-svc base URL; always deployed, so it has a default. */
  AUTH_SVC_URL: z.string().url().default('http://127.0.0.1:8081'),
  /** machine-svc base URL (machines, dashboard, profile, sessions). */
  MACHINE_SVC_URL: optionalUrl,
  /** terminal-svc base URL (terminal REST and the terminal WebSocket). */
  TERMINAL_SVC_URL: optionalUrl,
  /** community-svc base URL (the community board). */
  COMMUNITY_SVC_URL: optionalUrl,
  /** audit-svc base URL (audit log queries). */
  AUDIT_SVC_URL: optionalUrl,
  /** Largest request body accepted (JSON parsed or streamed), in `bytes` syntax: '1mb', '512kb'. */
  BODY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'BODY_LIMIT must look like 1mb or 512kb').default('1mb'),
  /** How many proxy hops in front of the gateway may set X-Forwarded-For; 0 = trust none (clients direct). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Login-type requests allowed per client IP per window. */
  LOGIN_RATE_PER_IP: positiveInt(30),
  /** Window of LOGIN_RATE_PER_IP, seconds. */
  LOGIN_RATE_WINDOW_SEC: positiveInt(60),
  /** Prefix of every rate-limit key in Redis, so several deployments can share one Redis. */
  RATE_LIMIT_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/).default('rl'),
  /** Upstream inactivity timeout for HTTP requests, ms; 504 after it. WebSockets are not subject to it. */
  UPSTREAM_TIMEOUT_MS: positiveInt(60_000),
  /** Prometheus /metrics listener, never on the public port. */
  METRICS_PORT: metricsPort,
  /** pino level. */
  LOG_LEVEL: logLevel,
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

/** Upstream config keys, i.e. the services the gateway can route to. */
export type UpstreamKey = 'AUTH_SVC_URL' | 'MACHINE_SVC_URL' | 'TERMINAL_SVC_URL' | 'COMMUNITY_SVC_URL' | 'AUDIT_SVC_URL';

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(GatewayConfigSchema, env);
}
