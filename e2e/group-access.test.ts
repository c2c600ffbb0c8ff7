/**
 * Machine access through groups, across services: auth-svc owns groups, machine-svc keeps a
 * projection fed by auth-svc's events, and access follows within a second. Real processes.
 */
import { randomBytes } from 'node:crypto';
import { freePort, ServiceProcess, startServiceProcess, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { OpenApiResponseCheck } from './lib/openapi-check';

const env = testEnv();
const procs: ServiceProcess[] = [];
const rootEmail = `${uniqueName('root')}@example.com`;
let gw: string;
/** Every answer is checked against the gateway's OpenAPI document (the last test lists what did not match). */
const described = new OpenApiResponseCheck();

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(gw + path, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  described.check(method, path, res.status, text, res.headers.get('content-type'));
  let json: any = text;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json };
}

async function login(email: string, password: string): Promise<string> {
  return (await call('POST', '/api/auth/login', null, { email, password })).body.token;
}

async function organization() {
  const n = uniqueName('ga');
  await call('POST', '/api/auth/signup', null, { username: n, email: `${n}@example.com`, password: 'password-1', first_name: 'A', last_name: 'B', organization_name: n, company_name: n });
  const admin = await login(`${n}@example.com`, 'password-1');
  const u = (await call('POST', '/api/users', admin, { username: `${n}u`, email: `${n}u@example.com`, password: 'password-1', first_name: 'U', last_name: 'S' })).body;
  return { admin, user: await login(`${n}u@example.com`, 'password-1'), userId: u.id as string };
}

/** Waits until `check` holds, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  await waitUntil(check, ms, `the change within ${ms} ms`, 25);
  return Date.now() - t0;
}

beforeAll(async () => {
  const common = { DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
  const auth = await startServiceProcess('auth-svc', { ...common, PORT: String(await freePort()), SUPER_ADMIN_EMAIL: rootEmail, SUPER_ADMIN_PASSWORD: 'root-password-1' });
  const machine = await startServiceProcess('machine-svc', { ...common, PORT: String(await freePort()) });
  const gateway = await startServiceProcess('gateway', {
    ...common, PORT: String(await freePort()), AUTH_SVC_URL: auth.url, MACHINE_SVC_URL: machine.url,
    LOGIN_RATE_PER_IP: '100000', RATE_LIMIT_PREFIX: `ga-${randomBytes(4).toString('hex')}`,
  });
  procs.push(auth, machine, gateway);
  gw = gateway.url;
}, 60_000);

afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
});

describe('machine access through groups', () => {
  it('a group grants its members its machines, within a second, and taking them out takes it away', async () => {
    const a = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'web-1' })).body;
    expect(m.agent_id).toEqual(expect.any(String));
    const visible = async () => (await call('GET', `/api/machines/${m.agent_id}`, a.user)).status === 200;
    expect(await visible()).toBe(false);
    expect((await call('GET', '/api/machines', a.user)).body.machines ?? (await call('GET', '/api/machines', a.user)).body).toEqual([]);

    const g = (await call('POST', '/api/groups', a.admin, { name: 'web' })).body;
    expect((await call('POST', `/api/groups/${g.id}/machines`, a.admin, { machine_ids: [m.agent_id] })).status).toBe(200);
    expect((await call('POST', `/api/groups/${g.id}/members`, a.admin, { user_id: a.userId })).status).toBe(200);
    const granted = await within(1000, visible);
    const list = (await call('GET', '/api/machines', a.user)).body;
    expect(JSON.stringify(list)).toContain(m.agent_id);

    expect((await call('DELETE', `/api/groups/${g.id}/members`, a.admin, { user_id: a.userId })).status).toBe(200);
    const revoked = await within(1000, async () => !(await visible()));
    console.log(`group access: granted after ${granted} ms, revoked after ${revoked} ms`);
  });

  it('machines go into a group by ObjectID too, and removing the machine or the group takes access away', async () => {
    const a = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'db-1' })).body;
    const g = (await call('POST', '/api/groups', a.admin, { name: 'db' })).body;
    await call('POST', `/api/groups/${g.id}/members`, a.admin, { user_id: a.userId });
    await call('POST', `/api/groups/${g.id}/machines`, a.admin, { machine_ids: [m.id] });
    const visible = async () => (await call('GET', `/api/machines/${m.agent_id}`, a.user)).status === 200;
    await within(1000, visible);
    await call('DELETE', `/api/groups/${g.id}/machines/${m.id}`, a.admin);
    await within(1000, async () => !(await visible()));
    await call('POST', `/api/groups/${g.id}/machines`, a.admin, { machine_ids: [m.id] });
    await within(1000, visible);
    await call('DELETE', `/api/groups/${g.id}`, a.admin);
    await within(1000, async () => !(await visible()));
  });

  it('another organization’s machine cannot be put into a group', async () => {
    const a = await organization();
    const b = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'secret' })).body;
    const g = (await call('POST', '/api/groups', b.admin, { name: 'grab' })).body;
    const r = await call('POST', `/api/groups/${g.id}/machines`, b.admin, { machine_ids: [m.agent_id] });
    expect(r).toMatchObject({ status: 404, body: { error: `Unknown machines: ${m.agent_id}` } });
  });

  it('a removed user loses their machines', async () => {
    const a = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'x' })).body;
    const g = (await call('POST', '/api/groups', a.admin, { name: 'x' })).body;
    await call('POST', `/api/groups/${g.id}/machines`, a.admin, { machine_ids: [m.agent_id] });
    await call('POST', `/api/groups/${g.id}/members`, a.admin, { user_id: a.userId });
    await call('DELETE', `/api/users/${a.userId}`, a.admin);
    expect((await call('GET', `/api/machines/${m.agent_id}`, a.user)).status).toBe(401);
  });

  it('deleting an organization deletes its machines too', async () => {
    const a = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'doomed' })).body;
    const root = await login(rootEmail, 'root-password-1');
    const org = (await call('GET', '/api/organization', a.admin)).body;
    expect((await call('GET', `/api/machines/by-id/${m.id}`, root)).status).toBe(200);
    expect((await call('DELETE', `/api/admin/organizations/${org.id}`, root)).status).toBe(200);
    const b = await organization();
    await within(2000, async () => {
      const r = await call('GET', `/api/machines/by-id/${m.id}`, root);
      return r.status === 404;
    });
    expect((await call('GET', `/api/machines/${m.agent_id}`, b.admin)).status).toBe(404);
  });

  it('machine roles on a direct grant: viewer reads, operator runs, admin grants and deletes', async () => {
    const a = await organization();
    const m = (await call('POST', '/api/machines', a.admin, { name: 'roles' })).body;
    const grant = (role: string) => call('POST', `/api/machines/${m.agent_id}/access/grant`, a.admin, { user_id: a.userId, role });
    expect((await grant('viewer')).status).toBe(200);
    expect((await call('GET', `/api/machines/${m.agent_id}`, a.user)).status).toBe(200);
    expect((await call('GET', `/api/machines/${m.agent_id}/logs`, a.user)).status).toBe(200);
    expect((await call('POST', `/api/machines/${m.agent_id}/command`, a.user, { command: 'id' })).status).toBe(403);
    expect((await call('POST', `/api/machines/${m.agent_id}/access/grant`, a.user, { user_id: a.userId, role: 'admin' })).status).toBe(403);
    expect((await grant('operator')).status).toBe(200);
    // An operator may run commands: the pending machine then answers 409, not 403.
    expect((await call('POST', `/api/machines/${m.agent_id}/command`, a.user, { command: 'id' })).status).toBe(409);
    expect((await call('DELETE', `/api/machines/${m.agent_id}`, a.user)).status).toBe(403);
    expect((await grant('admin')).status).toBe(200);
    const users = (await call('GET', `/api/machines/${m.agent_id}/access/users`, a.user)).body.users;
    expect(users).toEqual([expect.objectContaining({ user_id: a.userId, role: 'admin' })]);
    expect((await grant('root')).status).toBe(400);
    expect((await call('DELETE', `/api/machines/${m.agent_id}`, a.user)).status).toBe(200);
  });
});

describe('the answers', () => {
  it('every answer matches its operation in the OpenAPI document', () => {
    expect(described.checked).toBeGreaterThan(10);
    expect(described.problems).toEqual([]);
  });
});
