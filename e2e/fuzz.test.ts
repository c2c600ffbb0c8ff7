/**
 * Gateway fuzz: thousands of generated bad inputs (wrong types, NUL and odd Unicode, huge and deep
 * bodies, bad ids, bad dates, bad query filters, broken encodings) across every route of the
 * gateway's table, as a company_admin, as a plain user and without a token, through the gateway to
 * the services running as real processes on real PostgreSQL, Redis and NATS.
 *
 * Every service is deployed, so every answer must be below 500 (a 503 is allowed only from a service
 * not deployed, and there is none), and every 4xx must be JSON `{ "error": "…" }`. The seed is printed; replay a failure
 * with `FUZZ_SEED=<seed> npx jest e2e/fuzz.test.ts`. FUZZ_CASES changes the number of cases.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { badQuery, badSegment, freePort, fuzzSeed, Prng, ServiceProcess, startServiceProcess, testEnv, uniqueName } from '@webxterm/testkit';
import { ROUTE_TABLE, RouteTable } from '../gateway/src/routes';
import type { Foreign, Service } from './endpoint-table';
import { casesFor, FuzzCase, fuzzEndpoints, Role } from './lib/fuzz-cases';

const DEPLOYED: Service[] = ['auth-svc', 'audit-svc', 'machine-svc', 'terminal-svc', 'community-svc'];
const URL_ENV: Record<Service, string> = {
  'auth-svc': 'AUTH_SVC_URL', 'audit-svc': 'AUDIT_SVC_URL', 'machine-svc': 'MACHINE_SVC_URL', 'terminal-svc': 'TERMINAL_SVC_URL',
  'community-svc': 'COMMUNITY_SVC_URL',
};
const SEED = fuzzSeed();
const TOTAL = Number(process.env.FUZZ_CASES ?? 2100);
const CONCURRENCY = 6;
/** Every DIRECT_EVERY-th case also goes straight to its service. */
const DIRECT_EVERY = 4;
const UPGRADES = 60;

const env = testEnv();
const procs: ServiceProcess[] = [];
let gatewayPort: number;
/** Each deployed service's own port: the same cases are also sent past the gateway, as a caller inside the cluster could. */
const servicePorts: Partial<Record<Service, number>> = {};
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const tokens: Record<Role, string | null> = { company_admin: null, user: null, none: null };
let own: Foreign;

interface Answer { status: number; type: string; text: string }

/** One request with node:http: an early answer (413 before the body is read) is still read, never lost to EPIPE. */
function send(method: string, target: string, headers: Record<string, string>, body?: Buffer, port = gatewayPort): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    if (body) req.setHeader('content-length', body.length);
    req.end(body);
  });
}

/** A WebSocket handshake through the gateway: 101, or the status and body of the refusal. */
function upgrade(target: string, token: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: gatewayPort, path: target, headers: {
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    req.on('upgrade', (_res, socket) => { socket.destroy(); resolve({ status: 101, type: '', text: '' }); });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'fuzz-test' };
  if (token) headers.authorization = `Bearer ${token}`;
  const a = await send(method, path, headers, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
  if (a.status >= 400) throw new Error(`${method} ${path}: ${a.status} ${a.text}`);
  return JSON.parse(a.text);
}

beforeAll(async () => {
  const common = { DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
  const urls: Record<string, string> = {};
  await Promise.all(DEPLOYED.map(async (svc) => {
    // Login limits off, so that every login case reaches the password check instead of a 429.
    const extra: Record<string, string> = svc === 'auth-svc' ? { LOGIN_FAILURES_PER_SOURCE: '1000000', LOGIN_SLOWDOWN_AFTER: '1000000' } : {};
    const p = await startServiceProcess(svc, { ...common, ...extra, PORT: String(await freePort()) }, 60_000);
    procs.push(p);
    urls[URL_ENV[svc]] = p.url;
    servicePorts[svc] = p.port;
  }));
  const gateway = await startServiceProcess('gateway', {
    ...common, ...urls, PORT: String(await freePort()), LOGIN_RATE_PER_IP: '1000000',
    RATE_LIMIT_PREFIX: `fuzz-${randomBytes(4).toString('hex')}`,
  });
  procs.push(gateway);
  gatewayPort = gateway.port;

  const n = uniqueName('fz');
  await call('POST', '/api/auth/signup', null, {
    username: n, email: `${n}@example.com`, password: 'password-1', first_name: 'F', last_name: 'Z', organization_name: n, company_name: n,
  });
  tokens.company_admin = (await call('POST', '/api/auth/login', null, { email: `${n}@example.com`, password: 'password-1' })).token;
  const user = await call('POST', '/api/users', tokens.company_admin, {
    username: `${n}u`, email: `${n}u@example.com`, password: 'password-1', first_name: 'U', last_name: 'S',
  });
  tokens.user = (await call('POST', '/api/auth/login', null, { email: `${n}u@example.com`, password: 'password-1' })).token;
  const group = await call('POST', '/api/groups', tokens.company_admin, { name: 'fuzz-group' });
  const org = await call('GET', '/api/organization', tokens.company_admin);
  const machine = await call('POST', '/api/machines', tokens.company_admin, { name: 'fuzz-box' });
  const issue = await call('POST', '/api/community/issues', tokens.user, { title: 'fuzz issue', body: 'fuzz' });
  const fix = await call('POST', `/api/community/issues/${issue.id}/fixes`, tokens.company_admin, { body: 'fuzz fix' });
  own = {
    tenantId: n, orgId: org.id, userId: user.id, groupId: group.id, machineId: machine.id, agentId: machine.agent_id,
    sessionId: 'ffffffffffffffffffffffff', issueId: issue.id, fixId: fix.id,
  };
}, 120_000);

afterAll(async () => {
  agent.destroy();
  await Promise.all(procs.map((p) => p.stop()));
});

/** What is wrong with an answer, or null. */
function problemWith(c: FuzzCase, a: Answer): string | null {
  if (a.status >= 500 && !(a.status === 503 && !DEPLOYED.includes(c.service))) return `status ${a.status}`;
  if (a.status >= 400) {
    if (!a.type.startsWith('application/json')) return `status ${a.status} with content-type "${a.type}"`;
    try {
      const v = JSON.parse(a.text);
      if (typeof v?.error !== 'string' || !v.error) return `status ${a.status} without an "error" string`;
    } catch {
      return `status ${a.status} with a body that is not JSON`;
    }
  }
  return null;
}

interface Outcome { failures: string[]; statuses: Record<number, number>; secs: string }

/** Sends `cases` with CONCURRENCY requests in flight, to the gateway or (`direct`) to each case's own service. */
async function run(cases: FuzzCase[], direct: boolean): Promise<Outcome> {
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const headers = { ...(tokens[c.role] ? { authorization: `Bearer ${tokens[c.role]}` } : {}), ...c.headers };
      const where = direct ? `${c.service} ` : '';
      let a: Answer;
      try {
        a = await send(c.method, c.target, headers, c.body, direct ? servicePorts[c.service] : gatewayPort);
      } catch (e) {
        failures.push(`#${c.n} ${c.kind} ${c.role} ${where}${c.method} ${c.target.slice(0, 160)}: ${(e as Error).message}`);
        continue;
      }
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      const problem = problemWith(c, a);
      if (problem) failures.push(`#${c.n} ${c.kind} ${c.role} ${where}${c.endpoint} → ${c.method} ${c.target.slice(0, 160)}: ${problem} ${a.text.slice(0, 160)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return {
    failures, secs: ((Date.now() - started) / 1000).toFixed(1),
    statuses: Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])),
  };
}

describe(`gateway fuzz (FUZZ_SEED=${SEED})`, () => {
  let cases: FuzzCase[];
  let endpoints: number;

  beforeAll(() => {
    console.log(`gateway fuzz: FUZZ_SEED=${SEED} (replay: FUZZ_SEED=${SEED} npx jest e2e/fuzz.test.ts)`);
    const r = new Prng(SEED);
    const list = fuzzEndpoints(own);
    const per = Math.ceil(TOTAL / list.length);
    cases = list.flatMap((e, i) => casesFor(e, own, r, per, i * per)).slice(0, TOTAL);
    endpoints = list.length;
  });

  it('every route of the gateway\'s table is fuzzed', () => {
    const table = new RouteTable();
    const paths = fuzzEndpoints({} as Foreign).map((e) => e.path.replace(/:[a-z_]+/g, 'x'));
    const reached = new Set(paths.map((p) => table.resolve(p)?.path));
    expect(ROUTE_TABLE.map((r) => r.path).filter((p) => !reached.has(p))).toEqual([]);
  });

  it(`${TOTAL} bad requests through the gateway: no 5xx, a JSON error on every 4xx`, async () => {
    const o = await run(cases, false);
    console.log(`gateway fuzz: ${cases.length} cases over ${endpoints} endpoints in ${o.secs} s, statuses ${JSON.stringify(o.statuses)}; FUZZ_SEED=${SEED}`);
    expect(cases.length).toBeGreaterThanOrEqual(Math.min(TOTAL, 2000));
    expect(o.failures.slice(0, 60)).toEqual([]);
  }, 240_000);

  it('the same cases sent straight to each deployed service (as from inside the cluster): no 5xx, a JSON error on every 4xx', async () => {
    const direct = cases.filter((c, i) => DEPLOYED.includes(c.service) && i % DIRECT_EVERY === 0);
    const o = await run(direct, true);
    console.log(`service fuzz: ${direct.length} cases past the gateway in ${o.secs} s, statuses ${JSON.stringify(o.statuses)}; FUZZ_SEED=${SEED}`);
    expect(direct.length).toBeGreaterThan(Math.min(TOTAL, 2000) / DIRECT_EVERY - 20);
    expect(o.failures.slice(0, 60)).toEqual([]);
  }, 240_000);

  it(`${UPGRADES} WebSocket upgrades with bad ids, queries and credentials: refused with a JSON error, never 5xx (but 503 "Machine is offline" for the fuzzer's own machine, which never connects)`, async () => {
    const r = new Prng(SEED ^ 0x5eed);
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    for (let i = 0; i < UPGRADES; i++) {
      const role = r.pick(['company_admin', 'user', 'none'] as const);
      const agent = r.chance(0.5) ? badSegment(r) : own.agentId;
      const query = r.chance(0.5) ? badQuery(r, ['token', 'last_seq', 'session_id', 'cols', 'rows', 'mode']) : '';
      const target = `/api/terminal/${agent}/ws${query ? `?${query}` : ''}`;
      const a = await upgrade(target, tokens[role]);
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      // The fuzzer's machine never connects: 503 "Machine is offline" is the contract's answer for it (docs/terminal-protocol.md).
      const offline = agent === own.agentId && a.status === 503 && a.text === '{"error":"Machine is offline"}';
      const problem = a.status === 101 || offline ? null : problemWith({ service: 'terminal-svc' } as FuzzCase, a);
      if (problem) failures.push(`upgrade #${i} ${role} ${target.slice(0, 160)}: ${problem} ${a.text.slice(0, 160)}`);
    }
    console.log(`upgrade fuzz: ${UPGRADES} upgrades, statuses ${JSON.stringify(statuses)}; FUZZ_SEED=${SEED}`);
    expect(failures).toEqual([]);
  }, 60_000);

  it('the platform still answers afterwards', async () => {
    const me = await call('GET', '/api/users/me', tokens.company_admin);
    expect(me.tenant_id ?? own.tenantId).toBe(own.tenantId);
    expect((await call('GET', `/api/groups/${own.groupId}`, tokens.company_admin)).id).toBe(own.groupId);
  });
});
