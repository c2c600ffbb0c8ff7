import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { describedProblems } from './lib/described';
import { ROOT } from './lib/manifests';
import { SERVICES } from './lib/services';

// What the images and the agent package run: scripts/build.mjs compiles each service and the agent
// to JavaScript, and each file runs itself (`node` with the flags of its first line) — no TypeScript
// loader. Built into .stack/build-test.

// Two levels down, so the repository's proto/ is not where a bundle's fallback path would find it.
const OUT = join(ROOT, '.stack/build-test/out');
const env = testEnv();
const JWT_SECRET = 'production-build-test-secret-0123456789abcdef';
const running: ChildProcess[] = [];

/**
 * A nats-server of this file's own, so the compiled services' queue groups and durable consumers
 * never take work meant for another test file's services on the shared NATS.
 */
let natsUrl = '';

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', OUT], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  const port = await freePort();
  const nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(OUT, 'nats')], { stdio: 'ignore' });
  running.push(nats);
  natsUrl = `nats://127.0.0.1:${port}`;
  await waitUntil(() => new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1').once('connect', () => { s.destroy(); resolve(true); }).once('error', () => { s.destroy(); resolve(false); });
  }), 10_000, 'the private nats-server');
}, 150_000);

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Package names a bundle loads at run time (node builtins aside). */
function externals(bundle: string): string[] {
  const names = [...readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
  const pkg = (n: string) => (n.startsWith('@') ? n.split('/').slice(0, 2).join('/') : n.split('/')[0]);
  return [...new Set(names.filter((n) => !n.startsWith('node:') && !builtinModules.includes(n)).map(pkg))].sort();
}

/** What `npm ci --omit=dev` installs for a service image: its own and the workspace packages' dependencies. */
function productionDependencies(service: string): Set<string> {
  const manifests = [join(ROOT, service, 'package.json'), join(ROOT, 'packages/kit/package.json'), join(ROOT, 'packages/contracts/package.json'), join(ROOT, 'package.json')];
  return new Set(manifests.flatMap((m) => Object.keys(JSON.parse(readFileSync(m, 'utf8')).dependencies ?? {})));
}

/** Optional native accelerators their users load only when installed (pg's pg-native, ws's bufferutil). */
const OPTIONAL = ['pg-native', 'bufferutil', 'utf-8-validate'];

test.each(Object.keys(SERVICES))('%s: one JavaScript file whose npm imports the image installs', (service) => {
  const bundle = join(OUT, service, 'main.js');
  const deps = externals(bundle).filter((d) => !OPTIONAL.includes(d));
  expect(deps.filter((d) => d.startsWith('@webxterm/'))).toEqual([]);
  expect(deps.filter((d) => !productionDependencies(service).has(d))).toEqual([]);
  expect(readFileSync(bundle, 'utf8')).not.toMatch(/require\("[^"]*\.ts"\)/);
});

test('the agent is one file that needs only node-pty beside it, and tells its version', () => {
  const bundle = join(OUT, 'agent/vsay-agent.js');
  expect(externals(bundle)).toEqual(['node-pty']);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'agent/package.json'), 'utf8'));
  expect(execFileSync(bundle, ['--version'], { encoding: 'utf8' }).trim()).toBe(`vsay-agent ${version}`);
});

/** Starts a compiled service as its image does (the bundle runs itself); resolves when its /readyz says ready. */
async function startCompiled(service: string, extra: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(join(OUT, service, 'main.js'), [], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, NATS_URL: natsUrl, LOG_LEVEL: 'warn', METRICS_PORT: '0', ...extra },
  });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { out += b; });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}: ${out}`);
    return fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  }, 30_000, `compiled ${service} ready`);
  return { url, child, output: () => out };
}

async function stopCleanly(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** Every answer the walk gets, with the path template it was asked on: checked against the OpenAPI document at the end. */
const answers: { method: string; template: string; status: number; body: unknown }[] = [];

async function api(base: string, method: string, path: string, body?: unknown, token?: string, template = path): Promise<{ status: number; body: any }> {
  const reply = await rawApi(base, method, path, body, token);
  answers.push({ method, template, ...reply });
  return reply;
}

async function rawApi(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json', 'user-agent': 'build-test/1', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
}

test('the compiled platform and the compiled agent: sign up, log in, a machine comes online and runs a command; SIGTERM stops each cleanly', async () => {
  const grpcPort = await freePort();
  const auth = await startCompiled('auth-svc', {});
  const bridge = await startCompiled('agent-bridge', { GRPC_PORT: String(grpcPort), HEARTBEAT_INTERVAL_MS: '1000' });
  const machines = await startCompiled('machine-svc', { AGENT_GRPC_ADDRESS: `127.0.0.1:${grpcPort}` });
  const gateway = await startCompiled('gateway', { AUTH_SVC_URL: auth.url, MACHINE_SVC_URL: machines.url, RATE_LIMIT_PREFIX: uniqueName('rlbuild') });
  const gw = gateway.url;

  const name = uniqueName('build');
  const person = { username: name, email: `${name}@example.com`, password: 'a-long-password-1', first_name: 'B', last_name: 'T', organization_name: name, company_name: 'Build Inc' };
  expect((await api(gw, 'POST', '/api/auth/signup', person)).status).toBe(201);
  const login = await api(gw, 'POST', '/api/auth/login', { email: person.email, password: person.password });
  expect(login.status).toBe(200);
  const { token } = login.body;
  const apiKey = login.body.user?.api_key ?? login.body.api_key;

  const created = await api(gw, 'POST', '/api/machines', { name: 'compiled box', linux_user: 'nobody' }, token);
  expect(created.status).toBe(201);
  const agentId = created.body.agent_id;
  const agentBin = join(OUT, 'agent/vsay-agent.js');
  const config = join(OUT, 'agent-config.json');
  execFileSync(agentBin, ['configure', '--token', apiKey, '--host', gw, '--linux-user', 'nobody', '--registration-token', created.body.registration_token, '--config', config], { stdio: 'pipe' });
  const agent = spawn(agentBin, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(agent);
  let agentLog = '';
  agent.stdout!.on('data', (b) => { agentLog += b; });
  agent.stderr!.on('data', (b) => { agentLog += b; });
  await waitUntil(async () => (await rawApi(gw, 'GET', `/api/machines/${agentId}`, undefined, token)).body.status === 'online', 20_000, 'the machine online');
  await api(gw, 'GET', `/api/machines/${agentId}`, undefined, token, '/api/machines/:agent_id');
  await api(gw, 'GET', '/api/machines', undefined, token);
  await api(gw, 'GET', '/api/users/me', undefined, token);
  await api(gw, 'GET', '/api/machines');
  await api(gw, 'GET', '/api/machines/nope', undefined, token, '/api/machines/:agent_id');
  await api(gw, 'POST', '/api/machines', { name: '' }, token);
  for (const path of ['/api/roles', '/api/roles/portal', '/api/roles/machine', '/api/groups', '/api/users', '/api/organization', '/api/profile', '/api/users/me/invitations', '/api/dashboard/stats', '/api/agent/bootstrap']) {
    await api(gw, 'GET', path, undefined, token);
  }
  await api(gw, 'POST', '/api/groups', { name: 'builders' }, token);
  await api(gw, 'POST', '/api/auth/refresh', {}, token);
  await api(gw, 'POST', '/api/auth/login', { email: person.email, password: 'wrong-password' });
  await api(gw, 'GET', `/api/machines/${agentId}/logs`, undefined, token, '/api/machines/:agent_id/logs');

  const ran = await api(gw, 'POST', `/api/machines/${agentId}/command`, { command: 'echo compiled-$((6*7))' }, token, '/api/machines/:agent_id/command');
  expect([ran.status, String(ran.body.output ?? JSON.stringify(ran.body)).trim(), agentLog.includes('unhandled')]).toEqual([200, 'compiled-42', false]);

  for (const child of [agent, gateway.child, machines.child, bridge.child, auth.child]) expect(await stopCleanly(child)).toBe(0);

  // The real answers (successes and refusals) match what /api/openapi.json describes.
  expect(answers.length).toBeGreaterThan(8);
  expect(answers.flatMap((a) => describedProblems(a.method, a.template, a.status, a.body))).toEqual([]);
}, 120_000);
