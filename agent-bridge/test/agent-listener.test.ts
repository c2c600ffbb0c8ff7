/**
 * The bridge accepts agents on a listener of its own, with a listen backlog it chooses (grpc-js's
 * bind would give Node's 511), and serves them with the gRPC server: the kernel's queue for the
 * port is as long as configured, and a real agent stream is welcomed through it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, type AgentMessage, type BridgeMessage } from '@webxterm/contracts';
import { connect as http2Connect } from 'node:http2';
import { waitUntil } from '@webxterm/testkit';
import { AGENT_RECEIVE_WINDOW_BYTES, AgentListener, listenForAgents } from '../src/agent-listener';

const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
const BACKLOG = Math.min(2000, somaxconn);

/** The accept-queue limit of the listening socket on `port` (`ss` shows it as Send-Q). */
function listenQueueLimit(port: number): number {
  const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  return Number(line.split(/\s+/)[2]);
}

let server: grpc.Server;
let listener: AgentListener;

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(pkg.webxterm.agent.v1.AgentGateway.service, {
    Connect: (call: grpc.ServerDuplexStream<AgentMessage, BridgeMessage>) => call.once('data', () => {
      call.write({ welcome: { machine_id: 'm', heartbeat_interval_ms: 5000, agent_id: 'ag_listener_1', machine_credential: '' } });
    }),
  });
  listener = await listenForAgents(server, grpc.ServerCredentials.createInsecure(), '127.0.0.1', 0, BACKLOG);
});
afterAll(async () => {
  await listener.close();
  server.forceShutdown();
});

describe('listenForAgents', () => {
  it('listens with the configured backlog, not grpc-js\'s 511', () => {
    expect(listenQueueLimit(listener.port)).toBe(BACKLOG);
  });

  it('serves an agent stream through the gRPC server', async () => {
    const client = new pkg.webxterm.agent.v1.AgentGateway(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
    const call = client.Connect(new grpc.Metadata());
    call.on('error', () => undefined); // the cancel below
    const first = new Promise<BridgeMessage>((resolve) => call.once('data', resolve));
    call.write({ hello: { agent_version: 't', hostname: 't', os: '', kernel: '', arch: '', ips: [], linux_user: 'nobody', sessions: [] } });
    expect((await first).welcome?.agent_id).toBe('ag_listener_1');
    call.cancel();
    client.close();
  });

  it('lets an agent send 4 MiB before waiting for the bridge, not HTTP/2\'s default 64 KiB', async () => {
    const session = http2Connect(`http://127.0.0.1:${listener.port}`);
    session.on('error', () => undefined);
    try {
      await waitUntil(() => session.remoteSettings?.initialWindowSize === AGENT_RECEIVE_WINDOW_BYTES, 5000,
        () => `the bridge's stream window (now ${session.remoteSettings?.initialWindowSize})`);
      await waitUntil(() => (session.state.remoteWindowSize ?? 0) >= AGENT_RECEIVE_WINDOW_BYTES, 5000,
        () => `the bridge's connection window (now ${session.state.remoteWindowSize})`);
    } finally {
      session.destroy();
    }
  });
});
