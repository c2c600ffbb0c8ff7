/**
 * Command output is stored whatever bytes it holds: a NUL (which a PostgreSQL text column refuses)
 * must neither fail the request nor lose the log. machine-svc in-process on the real PostgreSQL,
 * NATS and Redis; the agent's side of `exec` is answered over NATS as agent-bridge would.
 */
import { ExecCommand, forAgent } from '@webxterm/contracts';
import { Bus, connectNats, createPool, NatsConnection, Pool } from '@webxterm/kit';
import { accessToken, jwtSecret, testEnv, uniqueName } from '@webxterm/testkit';
import { MachineConfigSchema } from '../src/config';
import { RunningMachineService, startMachineService } from '../src/main';

const env = testEnv();
const secret = jwtSecret();
let svc: RunningMachineService;
let nc: NatsConnection;
let pool: Pool;
let base: string;
const tenant = uniqueName('out');

const admin = accessToken(secret, { tenant_id: tenant, role: 'company_admin' });

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as any };
}

/** A machine that is registered and online, whose agent answers every command with `output`. */
async function onlineMachine(output: string): Promise<{ agentId: string; stop(): void }> {
  const m = (await api('POST', '/api/machines', { name: 'bytes' })).body;
  await pool.query('UPDATE machines.machines SET registered_at = now(), connected = true, last_seen_at = now() WHERE agent_id = $1', [m.agent_id]);
  const agent = new Bus(nc).serve(forAgent(ExecCommand, m.agent_id), { queue: 'fake-agent' }, async () => ({
    exit_code: 0, output, duration_ms: 3, timed_out: false, truncated: false,
  }));
  return { agentId: m.agent_id, stop: () => agent.stop() };
}

beforeAll(async () => {
  svc = await startMachineService(MachineConfigSchema.parse({
    PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0', DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: secret,
    OFFLINE_AFTER_MS: '60000', COMMAND_TIMEOUT_MS: '2000', LOG_LEVEL: 'silent',
  }));
  base = `http://127.0.0.1:${svc.port}`;
  nc = await connectNats(env.natsUrl, 'machine-svc-output-test');
  pool = createPool(env.databaseUrl, 2);
});
afterAll(async () => { await svc.close(); await nc.close(); await pool.end(); });

describe('command output with bytes a text column cannot hold', () => {
  const output = 'a\u0000b\u0000\u0001\u007f é€😀 \uFFFD end\n';

  it('answers 200 with the exact output, and its log reads back the same', async () => {
    const m = await onlineMachine(output);
    try {
      const r = await api('POST', `/api/machines/${m.agentId}/command`, { command: 'printf "a\\0b"' });
      expect(r.status).toBe(200);
      expect(r.body.output).toBe(output);
      const logs = await api('GET', `/api/machines/${m.agentId}/logs`);
      expect(logs.body.logs).toEqual([expect.objectContaining({ command: 'printf "a\\0b"', output, exit_code: 0 })]);
      // Searchable by the words around the NUL.
      const found = await api('GET', `/api/machines/${m.agentId}/logs/search?q=end`);
      expect(found.body.logs.map((l: any) => l.output)).toEqual([output]);
    } finally {
      m.stop();
    }
  });

  it('a NUL in the command itself is refused with 400 before it reaches the agent', async () => {
    let reached = 0;
    const m = await onlineMachine('never');
    const spy = new Bus(nc).serve(forAgent(ExecCommand, m.agentId), { queue: 'spy' }, async () => {
      reached++;
      return { exit_code: 0, output: '', duration_ms: 1, timed_out: false, truncated: false };
    });
    try {
      const r = await api('POST', `/api/machines/${m.agentId}/command`, { command: 'echo a\u0000b' });
      expect(r).toEqual({ status: 400, body: { error: 'command: Must not contain NUL characters' } });
      expect(reached).toBe(0);
      expect((await api('GET', `/api/machines/${m.agentId}/logs`)).body.logs).toEqual([]);
    } finally {
      spy.stop();
      m.stop();
    }
  });
});
