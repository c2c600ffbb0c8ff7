import { join } from 'node:path';
import type { Server } from 'node:http';
import { jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_STREAM, ListSessionCommands, MACHINE_STREAM, revokedSessionKey, TERMINAL_STREAM, termRecordSubject } from '@webxterm/contracts';
import {
  AccessTokenVerifier, AuditPublisher, Bus, dependencyCheck, closeServer, connectNats, createHttpApp, createLogger, createPool, createRedis, finishApp,
  Lifecycle, listen, loadConfig, portOf, runMigrations, runAsProcess, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { TerminalConfig, TerminalConfigSchema } from './config';
import { deleteExpiredRecordings, RecordingRetention } from './domain/recording-retention';
import { SessionService } from './domain/session.service';
import { sessionRoutes } from './http/sessions.routes';
import { consumeAgentConnections, consumeSessionEnds, natsAgentConnected, natsAgentSessionPort, natsMachinePort, serveSessionRpc } from './messaging/session.handlers';
import { RecordingPolicyRepository } from './store/recording-policy.repository';
import { SessionRepository } from './store/session.repository';
import { AccessWatch } from './ws/access-watch';
import { AgentReconnects } from './ws/input-ledger';
import { StallWatch } from './ws/stall-watch';
import { RelayMeter } from './ws/relay-meter';
import { handleTerminalUpgrades } from './ws/upgrade';

export interface RunningTerminalService { server: Server; port: number; metricsPort: number; close(): Promise<void> }

/** The composition root: connects, migrates, wires and listens (HTTP and WebSocket). */
export async function startTerminalService(config: TerminalConfig): Promise<RunningTerminalService> {
  const log = createLogger('terminal-svc', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('terminal-svc');
  const pool = createPool(config.DATABASE_URL);
  await runMigrations(pool, 'terminal', join(__dirname, 'store/migrations'), log);
  const redis = createRedis(config.REDIS_URL);
  const nc = await connectNats(config.NATS_URL, 'terminal-svc');
  const bus = new Bus(nc, log);
  await bus.ensureStream(TERMINAL_STREAM);
  await bus.ensureStream(AUDIT_STREAM);
  await bus.ensureStream(MACHINE_STREAM);

  const repo = new SessionRepository(pool);
  const verifier = new AccessTokenVerifier(config.JWT_SECRET, redis);
  const machinesPort = natsMachinePort(bus);
  const audit = new AuditPublisher(bus, 'terminal-svc', log);
  const sessions = new SessionService(repo, machinesPort, natsAgentSessionPort(bus, config.SESSION_WINDOW_BYTES, config.OPEN_TIMEOUT_MS),
    audit, { perUser: config.MAX_SESSIONS_PER_USER, perMachine: config.MAX_SESSIONS_PER_MACHINE });
  const access = new AccessWatch(async (claims, agentId, view) => {
    await machinesPort.check(claims, agentId, view ? 'sessions:watch' : 'terminal:open');
    return true;
  }, async (sids) => {
    const found = await redis.pipeline(sids.map((sid) => ['exists', revokedSessionKey(sid)])).exec();
    return new Set(sids.filter((_, i) => found?.[i]?.[1] === 1));
  }, log);
  const accessChanges = access.subscribe(bus);
  const sweep = setInterval(() => void access.sweep().catch((e) => log.warn({ err: (e as Error).message }, 'login sweep failed')), config.LOGIN_SWEEP_MS);
  const policies = new RecordingPolicyRepository(pool);
  const jsm = await jetstreamManager(nc);
  const retentionSweep = setInterval(() => void deleteExpiredRecordings(
    policies, async (id) => { await jsm.streams.purge(TERMINAL_STREAM.name, { filter: termRecordSubject(id) }); }, log,
  ).catch((e) => log.warn({ err: (e as Error).message }, 'recording retention sweep failed')), config.RECORDING_SWEEP_MS);
  const lostSweep = setInterval(() => void sessions.abandoned(new Date(Date.now() - config.AGENT_AWAY_MAX_MS))
    .catch((e) => log.warn({ err: (e as Error).message }, 'lost sessions sweep failed')), config.LOST_SESSION_SWEEP_MS);
  const rpc = serveSessionRpc(bus, repo);
  const ends = await consumeSessionEnds(bus, sessions);
  const connections = await consumeAgentConnections(bus, sessions);
  const reconnects = new AgentReconnects();
  const reconnectEvents = reconnects.subscribe(bus);

  const TRUST_PROXY_HOPS = 1; // the gateway
  const app = createHttpApp({
    service: 'terminal-svc', log, metrics, trustProxy: TRUST_PROXY_HOPS, jsonLimit: '16kb',
    ready: dependencyCheck({ pool, redis, nc }),
  });
  app.use(sessionRoutes(verifier, sessions, nc, async (tenantId, sessionId) =>
    (await bus.request(ListSessionCommands, { tenant_id: tenantId, session_id: sessionId }, { timeoutMs: 3000 })).commands,
  new RecordingRetention(policies), (tenantId, sessionId) => policies.scoped(tenantId).isDeleted(sessionId),
  (tenantId, sessionId) => repo.scoped(tenantId).resizesOf(sessionId)));
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  const wss = handleTerminalUpgrades(server, {
    verifier, sessions, nc, log, access, maxFrameBytes: config.MAX_FRAME_BYTES, highWaterBytes: config.SOCKET_HIGH_WATER_BYTES,
    meter: new RelayMeter(metrics), reconnects, audit, stalls: new StallWatch(),
    agentConnected: natsAgentConnected(bus), trustProxyHops: TRUST_PROXY_HOPS,
    onExit: (id, code, bytes) => void sessions.exited(id, { exitCode: code, bytes, at: new Date().toISOString() })
      .catch((e) => log.warn({ session_id: id, err: (e as Error).message }, 'session end not recorded')),
    onResize: (s, size) => void repo.scoped(s.tenant_id).addResize(s.id, s.tenant_id, size)
      .catch((e) => log.warn({ session_id: s.id, err: (e as Error).message }, 'resize not recorded')),
  });
  log.info({ port: portOf(server) }, 'terminal-svc listening');

  // Shutdown: close browser sockets with 1012 (they resume on another replica), stop HTTP, NATS, stores.
  const lifecycle = new Lifecycle(log);
  // Each close frame must leave before the process exits: behind output still queued for a slow
  // reader it waits in the socket's buffer, and exiting then drops it (the browser saw 1006, not 1012).
  lifecycle.onShutdown('sockets', () => Promise.all([...wss.clients].map((ws) => new Promise((closed) => {
    ws.once('close', closed);
    ws.close(1012, 'terminal-svc restarting; resume elsewhere');
  }))), 3000);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('rpc', () => { rpc.stop(); accessChanges.stop(); clearInterval(sweep); clearInterval(retentionSweep); clearInterval(lostSweep); });
  lifecycle.onShutdown('events', () => { ends.stop(); connections.stop(); reconnectEvents.stop(); });
  lifecycle.onShutdown('audit', () => audit.flush(5000));
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('redis', () => redis.quit());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('terminal-svc', () => startTerminalService(loadConfig(TerminalConfigSchema)));
