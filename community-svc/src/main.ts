import { join } from 'node:path';
import type { Server } from 'node:http';
import {
  AccessTokenVerifier, Bus, closeServer, connectNats, createHttpApp, createLogger, createPool, createRedis, dependencyCheck, finishApp,
  Lifecycle, listen, loadConfig, portOf, runAsProcess, runMigrations, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { CommunityConfig, CommunityConfigSchema } from './config';
import { BoardService } from './domain/board.service';
import { ImageSanitizer } from './domain/image-sanitizer';
import { boardRoutes } from './http/board.routes';
import { removeBoardsOfDeletedOrganizations } from './messaging/organization-events';
import { BoardRepository } from './store/board.repository';
import { ImageRepository } from './store/image.repository';

export interface RunningCommunityService { server: Server; port: number; metricsPort: number; close(): Promise<void> }

/** The composition root: connects, migrates, wires and listens. */
export async function startCommunityService(config: CommunityConfig): Promise<RunningCommunityService> {
  const log = createLogger('community-svc', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('community-svc');
  const pool = createPool(config.DATABASE_URL);
  await runMigrations(pool, 'community', join(__dirname, 'store/migrations'), log);
  const redis = createRedis(config.REDIS_URL);
  const nc = await connectNats(config.NATS_URL, 'community-svc');

  const boards = new BoardRepository(pool);
  const board = new BoardService(boards, new ImageRepository(pool),
    new ImageSanitizer({ maxPixels: config.IMAGE_MAX_PIXELS, concurrency: config.IMAGE_CONCURRENCY }));
  const orgEvents = await removeBoardsOfDeletedOrganizations(new Bus(nc, log), (tenantId) => boards.removeTenant(tenantId));

  const app = createHttpApp({
    service: 'community-svc', log, metrics, jsonLimit: config.BODY_LIMIT, trustProxy: 1,
    ready: dependencyCheck({ pool, redis, nc }),
  });
  app.use(boardRoutes({ verifier: new AccessTokenVerifier(config.JWT_SECRET, redis), board, uploadMaxBytes: config.UPLOAD_MAX_BYTES }));
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  log.info({ port: portOf(server) }, 'community-svc listening');

  // Shutdown: stop accepting (in-flight requests finish), stop consuming, drain NATS, then Redis and PostgreSQL.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('events', () => orgEvents.stop());
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('redis', () => redis.quit());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('community-svc', () => startCommunityService(loadConfig(CommunityConfigSchema)));
