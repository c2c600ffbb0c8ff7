/**
 * The floor of `bench/agents.bench.ts`: a bare grpc-js server of the agent protocol, in a process of
 * its own, that admits every stream at once (no NATS, no machine-svc) and keeps its heartbeats as the
 * bridge does (HeartbeatWatch, the same interval and server options). What agent-bridge holds per
 * agent beyond this is the cost of admission, NATS subscriptions and its bookkeeping.
 *
 *   node <bundle of this file> <port> <heartbeat ms>   (prints "listening" when bound; bench/agents-lib.ts builds it)
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { listenForAgents } from '../agent-bridge/src/agent-listener';
import { AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, type AgentMessage, type BridgeMessage, HeartbeatWatch, SILENT_TICKS } from '@webxterm/contracts';

const [port, heartbeatMs] = process.argv.slice(2).map(Number);
type Call = grpc.ServerDuplexStream<AgentMessage, BridgeMessage>;

function connect(call: Call): void {
  let beat: HeartbeatWatch | null = null;
  const gone = () => beat?.stop();
  call.once('data', (m: AgentMessage) => {
    if (m.kind !== 'hello') { call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'hello first' }); return; }
    const agentId = String(call.metadata.get(AGENT_MD.agentId)[0] ?? '');
    call.write({ welcome: { machine_id: agentId, heartbeat_interval_ms: heartbeatMs, agent_id: agentId, machine_credential: '' } });
    beat = new HeartbeatWatch(heartbeatMs, SILENT_TICKS, {
      onTick: () => call.write({ heartbeat: { sent_at_ms: Date.now() } }),
      onSilent: () => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'missed heartbeats' }),
    });
    call.on('data', () => beat?.heard());
  });
  call.on('end', () => { call.end(); gone(); });
  call.on('error', gone);
  call.on('cancelled', gone);
  call.on('close', gone);
}

const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
// agent-bridge/src/main.ts's options and listener.
const server = new grpc.Server({
  'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000, 'grpc.max_receive_message_length': 4 << 20,
});
server.addService(pkg.webxterm.agent.v1.AgentGateway.service, { Connect: connect });
// The bridge's listener, with its default backlog.
listenForAgents(server, grpc.ServerCredentials.createInsecure(), '127.0.0.1', port, 4096).then(() => console.log('listening'), (e: Error) => {
  console.error(e.message);
  process.exit(1);
});
