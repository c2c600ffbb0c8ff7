import { join } from 'node:path';
import type { Server } from 'node:http';
import { AUDIT_STREAM } from '@webxterm/contracts';
import {
  AccessTokenVerifier, dependencyCheck, closeServer, connectNats, createHttpApp, createLogger, createPool, createRedis, ensureStream,
  finishApp, Lifecycle, listen, loadConfig, portOf, runAsProcess, runMigrations, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { AuditConfig, AuditConfigSchema } from './config';
import { auditRoutes } from './http/audit.routes';
import { AuditConsumer } from './messaging/audit.consumer';
import { meterAuditConsumer } from './messaging/consumer-metrics';
import { EventReader } from './store/event-reader';
import { EventWriter } from './store/event-writer';

export interface RunningAuditService { server: Server; port: number; metricsPort: number; consumer: AuditConsumer; close(): Promise<void> }

/** The composition root: connects, migrates, wires, starts the consumer and listens. Nothing else constructs. */
export async function startAuditService(config: AuditConfig): Promise<RunningAuditService> {
  const log = createLogger('audit-svc', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('audit-svc');
  const pool = createPool(config.DATABASE_URL, config.PG_POOL_SIZE);
  await runMigrations(pool, 'audit', join(__dirname, 'store/migrations'), log);
  const redis = createRedis(config.REDIS_URL);
  const nc = await connectNats(config.NATS_URL, 'audit-svc');
  await ensureStream(nc, AUDIT_STREAM);

  const consumer = new AuditConsumer(nc, new EventWriter(pool), log, {
    stream: AUDIT_STREAM.name, durable: config.CONSUMER_NAME, filter: config.CONSUMER_FILTER,
    deliver: config.CONSUMER_DELIVER, batchSize: config.BATCH_SIZE, concurrency: config.CONSUMER_CONCURRENCY, lingerMs: config.BATCH_LINGER_MS,
    ackWaitSec: config.ACK_WAIT_SEC, maxAckPending: config.MAX_ACK_PENDING,
  });
  await consumer.start();
  meterAuditConsumer(metrics, nc, AUDIT_STREAM.name, config.CONSUMER_NAME, consumer.stats);

  const app = createHttpApp({
    service: 'audit-svc', log, metrics, trustProxy: config.TRUST_PROXY,
    ready: async () => ({ ...(await dependencyCheck({ pool, redis, nc })()), consumer: consumer.running }),
  });
  app.use(auditRoutes({ verifier: new AccessTokenVerifier(config.JWT_SECRET, redis), reader: new EventReader(pool) }));
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  log.info({ port: portOf(server), consumer: config.CONSUMER_NAME, batch: config.BATCH_SIZE }, 'audit-svc listening');

  // Shutdown order: stop accepting requests; stop pulling and finish the batch being stored (its
  // acks go out), handing the rest back to JetStream; drain NATS (flushes those acks); then Redis
  // and PostgreSQL, which the batch needed until the end.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('consumer', () => consumer.stop(config.SHUTDOWN_BATCH_MS), config.SHUTDOWN_BATCH_MS + 1000);
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('redis', () => redis.quit());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), consumer, close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('audit-svc', () => startAuditService(loadConfig(AuditConfigSchema)));
