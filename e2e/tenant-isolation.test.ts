/**
 * Tenant isolation and role checks over every protected endpoint of document 000, generated from
 * e2e/endpoint-table.ts, through the gateway, with the services as real processes. Rows of a service
 * not deployed yet are still walked: they must refuse without a token and answer 503 with one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { freePort, ServiceProcess, startServiceProcess, testEnv, uniqueName } from '@webxterm/testkit';
import { ENDPOINTS, Foreign, Row, Service } from './endpoint-table';
import { OpenApiResponseCheck } from './lib/openapi-check';

/** Services whose rows are checked in full; the others must answer 503 behind the token check. */
const DEPLOYED: Service[] = ['auth-svc', 'audit-svc', 'machine-svc', 'terminal-svc', 'community-svc'];
const PORT_ENV: Partial<Record<Service, string>> = {
  'auth-svc': 'AUTH_SVC_URL', 'audit-svc': 'AUDIT_SVC_URL', 'machine-svc': 'MACHINE_SVC_URL', 'terminal-svc': 'TERMINAL_SVC_URL',
  'community-svc': 'COMMUNITY_SVC_URL',
};
const env = testEnv();
/** A valid 1×1 PNG, for organization B's uploaded image. */
const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const procs: ServiceProcess[] = [];
/** Every answer of this file is checked against the gateway's OpenAPI document (the last test lists what did not match). */
const described = new OpenApiResponseCheck();
let gateway: ServiceProcess;
const rootEmail = `${uniqueName('root')}@example.com`;

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(gateway.url + path, {
    method, headers: { 'content-type': 'application/json', 'user-agent': 'isolation-test', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  described.check(method, path, res.status, text, res.headers.get('content-type'));
  return { status: res.status, text };
}

/** A WebSocket upgrade's HTTP status (101 when it was accepted). */
function upgradeStatus(path: string, token: string | null): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}${path}${token ? `?token=${token}` : ''}`);
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', () => resolve(0));
  });
}

async function login(email: string, password: string): Promise<string> {
  const r = await call('POST', '/api/auth/login', null, { email, password });
  return JSON.parse(r.text).token;
}

interface Org {
  tenantId: string; orgId: string; admin: string; user: string; adminUserId: string; userUserId: string; groupId: string;
  machineId: string; agentId: string; issueId: string; fixId: string; imageId: string;
}

async function organization(): Promise<Org> {
  const n = uniqueName('iso');
  const adminEmail = `${n}@example.com`;
  await call('POST', '/api/auth/signup', null, {
    username: n, email: adminEmail, password: 'password-1', first_name: 'A', last_name: 'D', organization_name: n, company_name: n,
  });
  const admin = await login(adminEmail, 'password-1');
  const u = JSON.parse((await call('POST', '/api/users', admin, {
    username: `${n}u`, email: `${n}u@example.com`, password: 'password-1', first_name: 'U', last_name: 'S',
  })).text);
  const user = await login(`${n}u@example.com`, 'password-1');
  const group = JSON.parse((await call('POST', '/api/groups', admin, { name: 'b-secret-group' })).text);
  const me = JSON.parse((await call('GET', '/api/users/me', admin)).text);
  const org = JSON.parse((await call('GET', '/api/organization', admin)).text);
  const machine = JSON.parse((await call('POST', '/api/machines', admin, { name: 'b-secret-box' })).text);
  const issue = JSON.parse((await call('POST', '/api/community/issues', user, { title: 'b-secret-issue', body: 'b' })).text);
  const fix = JSON.parse((await call('POST', `/api/community/issues/${issue.id}/fixes`, admin, { body: 'b-secret-fix' })).text);
  const image = await (await fetch(`${gateway.url}/api/community/upload`, {
    method: 'POST', headers: { authorization: `Bearer ${user}`, 'content-type': 'image/png' }, body: new Uint8Array(ONE_PIXEL_PNG),
  })).json() as { id: string };
  return {
    tenantId: n, orgId: org.id, admin, user, adminUserId: me.id, userUserId: u.id, groupId: group.id, machineId: machine.id, agentId: machine.agent_id,
    issueId: issue.id, fixId: fix.id, imageId: image.id,
  };
}

let a: Org;
let b: Org;
let foreign: Foreign;
let root: string;

beforeAll(async () => {
  const common = { DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
  const urls: Record<string, string> = {};
  for (const svc of DEPLOYED) {
    const extra: Record<string, string> = svc === 'auth-svc' ? { SUPER_ADMIN_EMAIL: rootEmail, SUPER_ADMIN_PASSWORD: 'root-password-1' } : {};
    const p = await startServiceProcess(svc, { ...common, ...extra, PORT: String(await freePort()) });
    procs.push(p);
    urls[PORT_ENV[svc]!] = p.url;
  }
  gateway = await startServiceProcess('gateway', {
    ...common, ...urls, PORT: String(await freePort()), LOGIN_RATE_PER_IP: '100000', RATE_LIMIT_PREFIX: `iso-${randomBytes(4).toString('hex')}`,
  });
  procs.push(gateway);
  [a, b] = [await organization(), await organization()];
  root = await login(rootEmail, 'root-password-1');
  foreign = {
    tenantId: b.tenantId, orgId: b.orgId, userId: b.userUserId, groupId: b.groupId,
    machineId: b.machineId, agentId: b.agentId, sessionId: 'ffffffffffffffffffffffff', issueId: b.issueId, fixId: b.fixId, imageId: b.imageId,
  };
}, 90_000);

afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
});

const label = (r: Row) => `${r.method} ${r.request(foreign ?? ({} as Foreign)).path.split('?')[1] ? `${r.path}?${r.request({ tenantId: 'B' } as Foreign).path.split('?')[1]}` : r.path}`;

describe('every protected endpoint of document 000 is in the table', () => {
  it('the table covers document 000', () => {
    const seeds = join(__dirname, '../docs/api');
    const doc = readFileSync(join(seeds, readdirSync(seeds).find((f) => f.startsWith('000_'))!), 'utf8');
    const listed = [...doc.matchAll(/^\| (GET|POST|PUT|DELETE|WS) \| (\/api\/\S+) \|/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      .filter((e) => !/^POST \/api\/auth\/(signup|login|select-tenant|verify-otp|refresh)$/.test(e));
    const ours = new Set(ENDPOINTS.map((r) => `${r.method} ${r.path}`));
    expect(listed.filter((e) => !ours.has(e))).toEqual([]);
    expect(listed.length).toBeGreaterThan(60);
  });
});

describe.each(ENDPOINTS.map((r) => [label(r), r] as const))('%s', (_name, row) => {
  const deployed = DEPLOYED.includes(row.service);

  it('refuses a request without a token (401)', async () => {
    const { path, body } = row.request(foreign);
    const status = row.method === 'WS' ? await upgradeStatus(path, null) : (await call(row.method, path, null, body)).status;
    expect(status).toBe(401);
  });

  it.each(['user', 'company_admin'] as const)(`as %s of organization A, aimed at B: ${!deployed ? '503 (service not deployed)' : row.notBuilt ? '404 (not built yet)' : 'the exact refusal'}`, async (role) => {
    const { path, body } = row.request(foreign);
    const token = role === 'user' ? a.user : a.admin;
    const expected = !deployed ? 503 : row.notBuilt ? 404 : row.expect[role];
    const res = row.method === 'WS' ? { status: await upgradeStatus(path, token), text: '' } : await call(row.method, path, token, body);
    expect(res.status).toBe(expected);
    if (deployed && row.listsOwn && res.status === 200) {
      const secrets = row.listsOwn === 'names-only' ? [`"${b.tenantId}"`, `${b.tenantId}@example.com`, `${b.tenantId}u@example.com`]
        : [b.tenantId, b.orgId, b.adminUserId, b.userUserId, b.groupId, b.machineId, b.agentId, b.issueId, b.fixId, b.imageId];
      for (const s of secrets) expect(res.text).not.toContain(s);
    }
  });
});

describe('afterwards', () => {
  it('organization B is intact, as its own admin and a super_admin see it', async () => {
    const bAdmin = await login(`${b.tenantId}@example.com`, 'password-1');
    const users = JSON.parse((await call('GET', '/api/users', bAdmin)).text).users.map((u: any) => u.id);
    expect(users.sort()).toEqual([b.adminUserId, b.userUserId].sort());
    expect((await call('GET', `/api/groups/${b.groupId}`, bAdmin)).status).toBe(200);
    expect(JSON.parse((await call('GET', `/api/admin/organizations/${b.orgId}`, root)).text).otp_enabled).toBe(false);
    expect((await call('GET', `/api/users/${b.userUserId}`, root)).status).toBe(200);
    expect((await call('GET', `/api/machines/${b.agentId}`, bAdmin)).status).toBe(200);
    expect(JSON.parse((await call('GET', `/api/community/issues/${b.issueId}`, bAdmin)).text)).toMatchObject({ title: 'b-secret-issue', status: 'open', fixes_count: 1 });
    expect(JSON.parse((await call('GET', `/api/community/issues/${b.issueId}/fixes`, bAdmin)).text).fixes).toEqual([expect.objectContaining({ id: b.fixId, likes: 0, accepted: false })]);
    expect((await call('GET', `/api/community/images/${b.imageId}`, bAdmin)).status).toBe(200);
  });
});

describe('the answers', () => {
  it('every answer of this run matches its operation in the OpenAPI document', () => {
    expect(described.checked).toBeGreaterThan(ENDPOINTS.length);
    expect(described.problems).toEqual([]);
  });
});
