import { z } from 'zod';
import { AuditRecorded } from '@webxterm/contracts';
import { databaseUrl, jwtSecret, logLevel, natsUrl, metricsPort, port, redisUrl } from '@webxterm/kit';

const positiveInt = (dflt: number, max: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** Every setting of audit-svc, read once from the environment at boot. */
export const AuditConfigSchema = z.object({
  /** HTTP port; the gateway routes `/api/audit` here. */
  PORT: port(8083),
  /** Interface to bind; 0.0.0.0 inside a container. */
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  /** PostgreSQL: schema `audit` (events, chain heads), migrated at start. */
  DATABASE_URL: databaseUrl,
  /** NATS with JetStream: the durable consumer on stream AUDIT. */
  NATS_URL: natsUrl,
  /** Redis: revoked session keys, read by the token check. */
  REDIS_URL: redisUrl,
  /** HS256 secret shared with auth-svc; audit-svc only verifies. */
  JWT_SECRET: jwtSecret,
  /** Durable consumer name. Every replica uses the same one, so they share the work. */
  CONSUMER_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'CONSUMER_NAME: letters, digits, _ and - only').default('audit-svc'),
  /**
   * The subjects the durable consumer takes: the whole AUDIT stream by default (`AuditRecorded.filter`).
   * A narrower filter (`auditTenantFilter(tenant)`, `audit.v1.<tenant>.>`) gives a deployment, or a
   * test on a shared stream, a part of it.
   */
  CONSUMER_FILTER: z.string().regex(/^audit\.v1(\.[A-Za-z0-9_*>-]+)+$/, 'CONSUMER_FILTER must be a subject under audit.v1').default(AuditRecorded.filter),
  /**
   * Where the durable consumer starts when it does not exist yet: `all` = the first event still in
   * the stream (nothing published before audit-svc's first start is lost), `new` = only events
   * published after it is created (tests and benchmarks on a long-lived shared stream).
   */
  CONSUMER_DELIVER: z.enum(['all', 'new']).default('all'),
  /** Events stored per PostgreSQL transaction (the most one pull delivers at once). */
  BATCH_SIZE: positiveInt(500, 5000),
  /**
   * Fetch-and-store loops per replica. More than 1 overlaps fetching with storing, but loops on the
   * same tenant wait for each other's chain lock; measured on 2 cores, 2 gave no clear gain over 1.
   */
  CONSUMER_CONCURRENCY: positiveInt(1, 16),
  /** How long a batch that is not full waits for more events before it is stored, ms. */
  BATCH_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** Seconds JetStream waits for an ack before redelivering (to this or another replica). */
  ACK_WAIT_SEC: positiveInt(30, 600),
  /** Unacknowledged events the consumer may have out at once, over all replicas. */
  MAX_ACK_PENDING: positiveInt(5000, 100_000),
  /** How long shutdown waits for the batch being stored, ms. */
  SHUTDOWN_BATCH_MS: positiveInt(10_000, 60_000),
  /** PostgreSQL connections per replica (one for the consumer, the rest for queries). */
  PG_POOL_SIZE: positiveInt(10, 100),
  /** Proxy hops trusted for X-Forwarded-For: 1 = the gateway in front. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(1),
  LOG_LEVEL: logLevel,
});
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
