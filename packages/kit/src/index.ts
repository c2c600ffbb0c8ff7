/** The kit's public surface: the plumbing the services, tests, benches and e2e use; the rest stays inside. */
export { databaseUrl, jwtSecret, loadConfig, logLevel, metricsPort, natsUrl, port, redisUrl } from './config';
export { createLogger, type Logger } from './logger';
export { AppError } from './errors';
export { OBJECT_ID, objectId } from './ids';
export {
  createPool, inTenantScope, inTransaction, runMigrations, tenantScoped, type Pool, type PoolClient, type Queryable, type TenantScope,
} from './postgres';
export { createRedis, type Redis } from './redis';
export { connectNats, ensureStream, jetstream, StreamSettingsSchema, type JetStreamClient, type NatsConnection } from './nats';
export { AuditPublisher, type AuditInput, type AuditSink, type ConfirmingAuditSink } from './audit';
export { AccessTokenVerifier, extractToken } from './tokens';
export {
  closeServer, createHttpApp, dependencyCheck, describeError, errorHandler, finishApp, listen, parseInput, portOf, rejoinRequest,
} from './http';
export { assertSafeUrl, inTimestampRange, isoTimestamp, refuseUnsafeInput, safeString } from './safe-input';
export { Lifecycle, runAsProcess } from './lifecycle';
export { clientIp, forwardedClientIp } from './client-ip';
export { Bus, ensureDurableConsumer, on, retryDelay, type RetryPolicy } from './bus';
export { Counter, Gauge, Histogram, serveMetrics, ServiceMetrics } from './metrics';
