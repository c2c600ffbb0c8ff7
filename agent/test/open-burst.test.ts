/**
 * A burst of session opens against a real `vsay-agent run`: forking a PTY blocks the agent's event
 * loop, so the agent takes one open per turn of it. Shown here: the messages after each open are
 * still handled in order (each session gets the input sent right after its open), and the agent
 * keeps speaking during the burst (no silence of three heartbeat intervals, which would cost the
 * stream).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH } from '@webxterm/contracts';
import { waitUntil } from '@webxterm/testkit';
import { writeAgentConfig } from '../src/config-file';

jest.setTimeout(120_000);
const ROOT = join(__dirname, '..', '..');
const SESSIONS = 40;
const HEARTBEAT_MS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'agent-burst-'));
let server: grpc.Server;
let agent: ChildProcess;
let stream: grpc.ServerDuplexStream<any, any> | null = null;
const received: { at: number; m: any }[] = [];

beforeAll(async () => {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
  server = new grpc.Server();
  server.addService(pkg.webxterm.agent.v1.AgentGateway.service, {
    Connect: (call: grpc.ServerDuplexStream<any, any>) => {
      call.on('data', (m: any) => received.push({ at: Date.now(), m }));
      call.on('error', () => undefined);
      call.once('data', () => {
        call.write({ welcome: { machine_id: 'm', heartbeat_interval_ms: HEARTBEAT_MS, agent_id: 'ag_burstagent1', machine_credential: '' } });
        stream = call;
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const config = join(dir, 'agent.json');
  writeAgentConfig(config, {
    api_key: 'vsk_burst', host: 'http://127.0.0.1:9', linux_user: 'nobody', agent_id: 'ag_burstagent1', machine_credential: `vmc_${'b'.repeat(48)}`,
    bridge: `127.0.0.1:${port}`,
  });
  agent = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'agent/src/main.ts'), 'run', '--config', config], { cwd: ROOT, stdio: 'ignore' });
  await waitUntil(() => stream !== null, 30_000, 'the agent connects');
}, 60_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  server?.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

it(`${SESSIONS} opens in one burst, each followed by its input: in order, and the agent keeps talking`, async () => {
  const ids = Array.from({ length: SESSIONS }, (_, i) => `burst${String(i).padStart(19, '0')}`);
  const start = Date.now();
  for (const [i, id] of ids.entries()) {
    stream!.write({ open: { session_id: id, cols: 80, rows: 24, window_bytes: 65536 } });
    stream!.write({ input: { session_id: id, data: Buffer.from(`echo burst-$((${i}+1000))\r`) } });
  }
  const outputOf = (id: string) => Buffer.concat(received.filter((r) => r.m.output?.session_id === id).map((r) => r.m.output.data)).toString();
  await waitUntil(() => ids.every((id, i) => outputOf(id).includes(`burst-${i + 1000}`)), 90_000, "every session's input echoed");
  const opened = received.filter((r) => r.m.opened).map((r) => r.m.opened);
  expect(opened.map((o) => o.session_id)).toEqual(ids);
  expect(opened.every((o) => o.error === '' && o.pid > 0)).toBe(true);
  // From the first message after the burst began to the last open answered: never three intervals of silence.
  const during = received.filter((r) => r.at >= start && r.at <= Date.now()).map((r) => r.at);
  const gaps = during.slice(1).map((t, i) => t - during[i]);
  expect(Math.max(0, ...gaps)).toBeLessThan(3 * HEARTBEAT_MS);
  for (const id of ids) stream!.write({ close: { session_id: id } });
});
