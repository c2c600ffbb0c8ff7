/** agent-bridge with a TLS certificate, against the real NATS: agents must speak TLS to it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH } from '@webxterm/contracts';
import { apiKey, testEnv } from '@webxterm/testkit';
import { RunningBridge, startBridge } from '../src/main';

const dir = mkdtempSync(join(tmpdir(), 'bridge-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let bridge: RunningBridge;

function connect(creds: grpc.ChannelCredentials): Promise<grpc.StatusObject> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
  const client = new pkg.webxterm.agent.v1.AgentGateway(`localhost:${bridge.grpcPort}`, creds);
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${apiKey()}`); // well formed, issued to no one
  md.set(AGENT_MD.agentId, 'ag_tls_probe_1');
  return new Promise((resolve) => {
    const call = client.Connect(md);
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => { client.close(); resolve(s); });
    call.write({ hello: { agent_version: 't', hostname: 't', os: '', kernel: '', arch: '', ips: [], linux_user: 'root', sessions: [] } });
  });
}

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  bridge = await startBridge({
    PORT: 0, HOST: '127.0.0.1', METRICS_PORT: 0, GRPC_PORT: 0, NATS_URL: testEnv().natsUrl, GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key,
    HEARTBEAT_INTERVAL_MS: 1000, OPEN_TIMEOUT_MS: 1000, MAX_COMMANDS_PER_MACHINE: 8, LOG_LEVEL: 'silent', GRPC_LISTEN_BACKLOG: 4096,
  });
});
afterAll(async () => { await bridge.close(); });

describe('agent-bridge over TLS', () => {
  it('answers an agent that trusts its certificate (here: refusing its made-up key)', async () => {
    const s = await connect(grpc.credentials.createSsl(readFileSync(cert)));
    // The bridge itself answered: the API key was checked (by auth-svc, or nobody answers on this NATS).
    expect(s.details).toMatch(/invalid API key|has no responders/);
  });

  it('a plaintext agent never reaches the agent protocol', async () => {
    const s = await connect(grpc.credentials.createInsecure());
    expect(s.code).toBe(grpc.status.UNAVAILABLE);
    expect(s.details).not.toMatch(/invalid API key|has no responders/);
  });
});
