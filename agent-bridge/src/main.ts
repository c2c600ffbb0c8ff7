import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, AgentsSeen, MACHINE_STREAM, TERMINAL_STREAM } from '@webxterm/contracts';
import {
  Bus, closeServer, connectNats, createHttpApp, createLogger, finishApp, Lifecycle, listen, loadConfig, portOf, runAsProcess, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { listenForAgents } from './agent-listener';
import { AgentServer } from './agent-server';
import { meterConnectedAgents } from './bridge-metrics';
import { BridgeConfig, BridgeConfigSchema } from './config';

export interface RunningBridge { server: HttpServer; port: number; metricsPort: number; grpcPort: number; agents: AgentServer; close(): Promise<void> }

/** The composition root: NATS, the gRPC server for agents, the health endpoints. */
export async function startBridge(config: BridgeConfig): Promise<RunningBridge> {
  if (!config.GRPC_TLS_CERT_FILE !== !config.GRPC_TLS_KEY_FILE) throw new Error('set both GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE, or neither');
  const bridgeId = config.BRIDGE_ID ?? `bridge-${randomBytes(4).toString('hex')}`;
  const log = createLogger('agent-bridge', config.LOG_LEVEL).child({ bridge_id: bridgeId });
  const metrics = new ServiceMetrics('agent-bridge');
  const nc = await connectNats(config.NATS_URL, `agent-bridge ${bridgeId}`);
  const bus = new Bus(nc, log);
  await bus.ensureStream(MACHINE_STREAM);
  await bus.ensureStream(TERMINAL_STREAM);
  const agents = new AgentServer({
    bus, bridgeId, heartbeatMs: config.HEARTBEAT_INTERVAL_MS, openTimeoutMs: config.OPEN_TIMEOUT_MS, maxCommands: config.MAX_COMMANDS_PER_MACHINE, log,
  });

  meterConnectedAgents(metrics, bridgeId, () => agents.links.size);

  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
  const grpcServer = new grpc.Server({
    'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000, 'grpc.max_receive_message_length': 4 << 20,
  });
  grpcServer.addService(pkg.webxterm.agent.v1.AgentGateway.service, { Connect: agents.connect });
  const creds = config.GRPC_TLS_CERT_FILE && config.GRPC_TLS_KEY_FILE
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(config.GRPC_TLS_CERT_FILE), private_key: readFileSync(config.GRPC_TLS_KEY_FILE) }], false)
    : grpc.ServerCredentials.createInsecure();
  const listener = await listenForAgents(grpcServer, creds, config.HOST, config.GRPC_PORT, config.GRPC_LISTEN_BACKLOG);
  const grpcPort = listener.port;

  const seen = setInterval(() => {
    bus.publish(AgentsSeen, { bridge_id: bridgeId, agent_ids: agents.agentIds(), interval_ms: config.HEARTBEAT_INTERVAL_MS });
  }, config.HEARTBEAT_INTERVAL_MS);

  const app = createHttpApp({ service: 'agent-bridge', log, metrics, ready: async () => ({ nats: !nc.isClosed() }) });
  app.get('/agents', (_req, res) => { res.json({ bridge_id: bridgeId, agents: agents.agentIds() }); });
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  log.info({ port: portOf(server), grpc_port: grpcPort }, 'agent-bridge listening');

  // Shutdown: stop admitting and end agent streams (they reconnect to another replica), then NATS.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('grpc', () => new Promise<void>((resolve) => {
    void listener.close();
    grpcServer.tryShutdown(() => resolve());
    setTimeout(() => { grpcServer.forceShutdown(); resolve(); }, 1000);
  }), 3000);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('seen', () => clearInterval(seen));
  lifecycle.onShutdown('claims', () => agents.stop());
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), grpcPort, agents, close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('agent-bridge', () => startBridge(loadConfig(BridgeConfigSchema)));
