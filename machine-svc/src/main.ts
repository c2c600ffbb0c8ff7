import { join } from 'node:path';
import type { Server } from 'node:http';
import { MACHINE_STREAM } from '@webxterm/contracts';
import {
  AccessTokenVerifier, Bus, dependencyCheck, closeServer, connectNats, createHttpApp, createLogger, createPool, createRedis, finishApp,
  Lifecycle, listen, loadConfig, portOf, runMigrations, runAsProcess, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { MachineConfig, MachineConfigSchema } from './config';
import { DashboardService } from './domain/dashboard.service';
import { MachineService } from './domain/machine.service';
import { dashboardRoutes } from './http/dashboard.routes';
import { machineRoutes } from './http/machines.routes';
import { consumeMachineEvents, natsAgentPort, natsDashboardPorts, natsPeoplePort, natsSessionPort, serveMachineRpc } from './messaging/machine.handlers';
import { projectGroups, publishAccessChanged, serveMachinesOfTenant } from './messaging/group-projection';
import { DashboardRepository } from './store/dashboard.repository';
import { GroupAccessRepository } from './store/group-access.repository';
import { MachineRepository } from './store/machine.repository';

export interface RunningMachineService { server: Server; port: number; metricsPort: number; close(): Promise<void> }

/** The composition root: connects, migrates, wires and listens. */
export async function startMachineService(config: MachineConfig): Promise<RunningMachineService> {
  const log = createLogger('machine-svc', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('machine-svc');
  const pool = createPool(config.DATABASE_URL);
  await runMigrations(pool, 'machines', join(__dirname, 'store/migrations'), log);
  const redis = createRedis(config.REDIS_URL);
  const nc = await connectNats(config.NATS_URL, 'machine-svc');
  const bus = new Bus(nc, log);
  await bus.ensureStream(MACHINE_STREAM);

  const repo = new MachineRepository(pool);
  const machines = new MachineService(repo, natsAgentPort(bus), natsSessionPort(bus), natsPeoplePort(bus), {
    publicUrl: config.PUBLIC_URL, registrationGraceSec: config.REGISTRATION_GRACE_SEC, offlineAfterMs: config.OFFLINE_AFTER_MS, commandTimeoutMs: config.COMMAND_TIMEOUT_MS,
    commandMaxTimeoutMs: config.COMMAND_MAX_TIMEOUT_MS, maxOutput: config.COMMAND_MAX_OUTPUT_BYTES,
  }, (tenantId, userIds) => publishAccessChanged(bus, tenantId, userIds));
  const rpc = serveMachineRpc(bus, machines);
  const events = await consumeMachineEvents(bus, repo, machines, log);
  const groupAccess = new GroupAccessRepository(pool);
  const groups = await projectGroups(bus, groupAccess, (tenantId) => machines.removeTenant(tenantId));
  const machinesOfTenant = serveMachinesOfTenant(bus, groupAccess);

  const app = createHttpApp({
    service: 'machine-svc', log, metrics, jsonLimit: config.BODY_LIMIT, trustProxy: 1,
    ready: dependencyCheck({ pool, redis, nc }),
  });
  const verifier = new AccessTokenVerifier(config.JWT_SECRET, redis);
  const dashboard = new DashboardService(new DashboardRepository(pool), repo, natsDashboardPorts(bus), config.OFFLINE_AFTER_MS);
  app.use(machineRoutes({ verifier, machines, grpcAddress: config.AGENT_GRPC_ADDRESS, grpcTls: config.AGENT_GRPC_TLS }));
  app.use(dashboardRoutes(verifier, dashboard, (m) => machines.status(m)));
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  log.info({ port: portOf(server) }, 'machine-svc listening');

  // Shutdown: stop accepting, stop answering and consuming, drain NATS, then Redis and PostgreSQL.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('rpc', () => rpc.stop());
  lifecycle.onShutdown('events', () => events.stop());
  lifecycle.onShutdown('groups', () => { groups.stop(); machinesOfTenant.stop(); });
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('redis', () => redis.quit());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('machine-svc', () => startMachineService(loadConfig(MachineConfigSchema)));
