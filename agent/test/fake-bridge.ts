import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH } from '@webxterm/contracts';
import { machineCredential, waitUntil } from '@webxterm/testkit';
import { writeAgentConfig } from '../src/config-file';

const ROOT = join(__dirname, '..', '..');

/** A message from the agent and when the bridge got it. */
export interface Received { at: number; m: any }

export interface FakeBridge {
  /** The agent's stream, welcomed. */
  stream: grpc.ServerDuplexStream<any, any>;
  received: Received[];
  serverErrors: string[];
  agent: ChildProcess;
  /** The last 5,000 characters the agent printed. */
  agentLog(): string;
  stop(): void;
}

/**
 * A gRPC server in the test's place of the bridge, and a real `vsay-agent run` process connected to
 * it: the server answers the agent's hello with a welcome (`heartbeatMs`, `features`) and keeps every message.
 */
export async function startAgentOnFakeBridge(agentId: string, heartbeatMs: number, features: string[] = []): Promise<FakeBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-fake-bridge-'));
  const received: Received[] = [];
  const serverErrors: string[] = [];
  let stream: grpc.ServerDuplexStream<any, any> | null = null;
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
  const server = new grpc.Server();
  server.addService(pkg.webxterm.agent.v1.AgentGateway.service, {
    Connect: (call: grpc.ServerDuplexStream<any, any>) => {
      call.on('data', (m: any) => received.push({ at: Date.now(), m }));
      call.on('error', (e: Error) => { serverErrors.push(e.message); });
      call.once('data', () => {
        call.write({ welcome: { machine_id: 'm', heartbeat_interval_ms: heartbeatMs, agent_id: agentId, machine_credential: '', features } });
        stream = call;
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const config = join(dir, 'agent.json');
  writeAgentConfig(config, {
    api_key: 'vsk_fake', host: 'http://127.0.0.1:9', linux_user: 'nobody', agent_id: agentId, machine_credential: machineCredential(),
    bridge: `127.0.0.1:${port}`,
  });
  const agent = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'agent/src/main.ts'), 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer) => { log = (log + b).slice(-5000); };
  agent.stdout!.on('data', keep);
  agent.stderr!.on('data', keep);
  const stop = () => {
    agent.kill('SIGTERM');
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const welcomed = await waitUntil(() => stream, 30_000, () => `the agent connects (agent log: ${log})`);
    return { stream: welcomed, received, serverErrors, agent, agentLog: () => log, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
