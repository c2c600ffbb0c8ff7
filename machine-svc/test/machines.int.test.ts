/** machine-svc in-process against the real PostgreSQL, NATS and Redis. */
import { randomBytes } from 'node:crypto';
import { AuthenticateAgent, type PortalRole } from '@webxterm/contracts';
import { Bus, connectNats, createPool, NatsConnection, objectId, Pool } from '@webxterm/kit';
import { accessToken, jwtSecret, testEnv, uniqueName } from '@webxterm/testkit';
import { RunningMachineService, startMachineService } from '../src/main';
import { MachineRepository } from '../src/store/machine.repository';

const env = testEnv();
const secret = jwtSecret();
let svc: RunningMachineService;
let nc: NatsConnection;
let bus: Bus;
let pool: Pool;
let base: string;

const token = (tenant: string, role: PortalRole, userId = objectId()) => accessToken(secret, { tenant_id: tenant, role, user_id: userId });

async function api(method: string, path: string, tok: string, body?: unknown) {
  const res = await fetch(base + path, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as any };
}

beforeAll(async () => {
  svc = await startMachineService({
    PORT: 0, HOST: '127.0.0.1', METRICS_PORT: 0, DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: secret,
    BODY_LIMIT: '100kb', PUBLIC_URL: 'https://webxterm.example', REGISTRATION_GRACE_SEC: 600, AGENT_GRPC_ADDRESS: '127.0.0.1:7443', AGENT_GRPC_TLS: false, OFFLINE_AFTER_MS: 15_000,
    COMMAND_TIMEOUT_MS: 2000, COMMAND_MAX_TIMEOUT_MS: 5000, COMMAND_MAX_OUTPUT_BYTES: 1024, LOG_LEVEL: 'silent',
  });
  base = `http://127.0.0.1:${svc.port}`;
  nc = await connectNats(env.natsUrl, 'machine-svc-test');
  bus = new Bus(nc);
  pool = createPool(env.databaseUrl, 2);
});
afterAll(async () => { await svc.close(); await nc.close(); await pool.end(); });

describe('machines', () => {
  const tenant = uniqueName('m');
  const admin = token(tenant, 'company_admin');
  const userId = objectId();
  const user = token(tenant, 'user', userId);
  const stranger = token(uniqueName('o'), 'company_admin');

  it('create (admin only) → pending with the registration command; tenant isolation is 404', async () => {
    expect((await api('POST', '/api/machines', user, { name: 'x' })).status).toBe(403);
    const c = await api('POST', '/api/machines', admin, { name: 'web-1', linux_user: 'deploy' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'web-1', status: 'pending', agent_id: expect.stringMatching(/^ag_/), machine_id: expect.stringMatching(/^[0-9a-f]{24}$/), linux_user: 'deploy' });
    expect(c.body.command).toBe(`sudo vsay-agent configure --token YOUR_API_KEY --host https://webxterm.example --linux-user deploy --registration-token ${c.body.registration_token}`);
    expect((await api('GET', `/api/machines/${c.body.agent_id}`, admin)).body.id).toBe(c.body.id);
    expect((await api('GET', `/api/machines/by-id/${c.body.id}`, admin)).body.agent_id).toBe(c.body.agent_id);
    for (const [m, p] of [['GET', `/api/machines/${c.body.agent_id}`], ['GET', `/api/machines/by-id/${c.body.id}`], ['DELETE', `/api/machines/${c.body.agent_id}`],
      ['GET', `/api/machines/${c.body.agent_id}/logs`], ['POST', `/api/machines/${c.body.agent_id}/command`]] as const) {
      expect((await api(m, p, stranger, m === 'POST' ? { command: 'id' } : undefined)).status).toBe(404);
    }
    expect((await api('GET', '/api/machines', stranger)).body.machines).toEqual([]);
    expect((await api('POST', `/api/machines/${c.body.agent_id}/command`, admin, { command: 'id' })).status).toBe(409);
  });

  it('a user sees a machine only with a grant; revoke takes it away again', async () => {
    const c = (await api('POST', '/api/machines', admin, { name: 'db-1' })).body;
    expect((await api('GET', `/api/machines/${c.agent_id}`, user)).status).toBe(404);
    // People live in auth-svc, which is not running here: a grant it does not confirm is refused
    // (404 when it answers, 503 when it is away) and stores nothing. e2e/refusals.test.ts grants
    // through the whole platform; here the grant is stored as POST …/access/grant stores it.
    const unconfirmed = await api('POST', `/api/machines/${c.agent_id}/access/grant`, admin, { user_id: userId });
    expect([404, 503]).toContain(unconfirmed.status);
    expect((await api('GET', `/api/machines/${c.agent_id}/access/users`, admin)).body.users).toEqual([]);
    await new MachineRepository(pool).grant(c.agent_id, userId, 'bob', objectId(), 'operator');
    expect((await api('GET', `/api/machines/${c.agent_id}`, user)).status).toBe(200);
    expect((await api('GET', '/api/machines', user)).body.machines.map((m: any) => m.agent_id)).toEqual([c.agent_id]);
    expect((await api('GET', `/api/machines/${c.agent_id}/access/users`, admin)).body.users).toEqual([expect.objectContaining({ user_id: userId, username: 'bob' })]);
    expect((await api('POST', `/api/machines/${c.agent_id}/access/grant`, user, { user_id: objectId() })).status).toBe(403);
    expect((await api('POST', `/api/machines/${c.agent_id}/access/revoke`, admin, { user_id: userId })).status).toBe(200);
    expect((await api('GET', `/api/machines/${c.agent_id}`, user)).status).toBe(404);
  });

  it('registration: a forged token is refused, the right one registers and issues a credential; then an offline machine answers 503', async () => {
    const c = (await api('POST', '/api/machines', admin, { name: 'reg' })).body;
    const owner = { tenant_id: tenant, user_id: userId, role: 'user' as const };
    const req = { agent_id: 'ag_selfmade1234', owner };
    await expect(bus.request(AuthenticateAgent, { ...req, registration_token: 'vrt_forged' })).rejects.toMatchObject({ kind: 'unauthenticated' });
    const first = await bus.request(AuthenticateAgent, { ...req, registration_token: c.registration_token });
    expect(first).toMatchObject({ agent_id: c.agent_id, machine_id: c.id, tenant_id: tenant, credential: expect.stringMatching(/^vmc_[0-9a-f]{48}$/) });
    // The agent connects with its credential from now on; a made-up one or another machine's id is refused.
    expect(await bus.request(AuthenticateAgent, { agent_id: c.agent_id, credential: first.credential })).toMatchObject({ machine_id: c.id });
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, credential: `vmc_${'0'.repeat(48)}` })).rejects.toMatchObject({ kind: 'unauthenticated' });
    // Within the grace period the same token registers again (an agent that died before saving) and replaces the credential.
    const again = await bus.request(AuthenticateAgent, { ...req, registration_token: c.registration_token });
    expect(again.credential).not.toBe(first.credential);
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, credential: first.credential })).rejects.toMatchObject({ kind: 'unauthenticated' });
    // An API key never connects as a registered machine, not even an admin's.
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, owner: { ...owner, role: 'user' } })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, owner: { ...owner, role: 'company_admin' } })).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, owner: { ...owner, tenant_id: 'someone-else', role: 'company_admin' } })).rejects.toMatchObject({ kind: 'not_found' });
    expect((await api('GET', `/api/machines/${c.agent_id}`, admin)).body.status).toBe('offline');
    expect(await api('POST', `/api/machines/${c.agent_id}/command`, admin, { command: 'id' })).toEqual({ status: 503, body: { error: 'Machine is offline' } });
    // Deleting the machine revokes its credential at once.
    expect((await api('DELETE', `/api/machines/${c.agent_id}`, admin)).status).toBe(200);
    await expect(bus.request(AuthenticateAgent, { agent_id: c.agent_id, credential: again.credential })).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('registering a new machine with an API key needs the right of POST /api/machines', async () => {
    const agentId = `ag_${randomBytes(8).toString('hex')}`;
    await expect(bus.request(AuthenticateAgent, { agent_id: agentId, owner: { tenant_id: tenant, user_id: userId, role: 'user' } }))
      .rejects.toMatchObject({ kind: 'forbidden' });
    const r = await bus.request(AuthenticateAgent, { agent_id: agentId, owner: { tenant_id: tenant, user_id: objectId(), role: 'company_admin' } });
    expect(r).toMatchObject({ agent_id: agentId, tenant_id: tenant, credential: expect.stringMatching(/^vmc_/) });
  });

  it('command logs: pages, newest first, and full-text search', async () => {
    const c = (await api('POST', '/api/machines', admin, { name: 'logs' })).body;
    for (let i = 0; i < 5; i++) {
      await pool.query(`INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, exit_code, duration_ms, created_at)
        VALUES ($1, $2, $3, 'u', 'bob', $4, $5, 0, 1, now() + make_interval(secs => $6))`,
        [objectId(), c.agent_id, tenant, `systemctl status unit${i}`, i === 3 ? 'nginx is running' : 'ok', i]);
    }
    const page2 = await api('GET', `/api/machines/${c.agent_id}/logs?page=2&limit=2`, admin);
    expect(page2.body).toMatchObject({ total: 5, page: 2, limit: 2 });
    expect(page2.body.logs.map((l: any) => l.command)).toEqual(['systemctl status unit2', 'systemctl status unit1']);
    const found = await api('GET', `/api/machines/${c.agent_id}/logs/search?q=nginx`, admin);
    expect(found.body.logs.map((l: any) => l.command)).toEqual(['systemctl status unit3']);
    expect((await api('GET', `/api/machines/${c.agent_id}/logs/search`, admin)).status).toBe(400);
  });

  it('delete removes the machine (404 afterwards)', async () => {
    const c = (await api('POST', '/api/machines', admin, { name: 'gone' })).body;
    expect((await api('DELETE', `/api/machines/${c.agent_id}`, user)).status).toBe(404);
    expect((await api('DELETE', `/api/machines/${c.agent_id}`, admin)).status).toBe(200);
    expect((await api('GET', `/api/machines/${c.agent_id}`, admin)).status).toBe(404);
  });
});
