/**
 * Observability over real processes: every service answers Prometheus text on its METRICS_PORT with
 * the figures an operator watches, the Grafana dashboard queries only metrics they export, and one
 * request's id shows in the gateway's and auth-svc's JSON logs and in the NATS headers of the audit
 * events it caused.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AuditRecorded } from '@webxterm/contracts';
import { freePort, parsePrometheus, sampleValue, scrapeMetrics, ServiceProcess, startServiceProcess, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { dashboardQueries, metricNames } from '../deploy/test/lib/dashboard';
import { PrivateNats, startPrivateNats } from './lib/private-nats';
import { TermClient } from './lib/term-client';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SERVICES = ['auth-svc', 'machine-svc', 'terminal-svc', 'agent-bridge', 'audit-svc', 'community-svc', 'gateway'] as const;
type Name = typeof SERVICES[number];

let nats: PrivateNats;
let nc: NatsConnection;
const svc = {} as Record<Name, ServiceProcess & { metricsPort: number }>;
let agent: ChildProcess | undefined;
let agentLog = '';
const dir = mkdtempSync(join(tmpdir(), 'webxterm-obs-'));
const password = 'a long enough password';
let email = '';
let token = '';
let apiKey = '';

async function start(name: Name, extra: Record<string, string>, common: Record<string, string>): Promise<void> {
  const metricsPort = await freePort();
  const p = await startServiceProcess(name, { ...common, ...extra, PORT: String(await freePort()), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info' }, 60_000);
  svc[name] = Object.assign(p, { metricsPort });
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(svc.gateway.url + path, {
    method, headers: { 'content-type': 'application/json', 'user-agent': 'e2e-observability', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try { json = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body: json, headers: res.headers };
}

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(TSX, [join(ROOT, 'agent/src/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (b) => { out += b; });
    c.stderr!.on('data', (b) => { out += b; });
    c.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** The JSON log lines of a service process. */
const logLines = (p: ServiceProcess) => p.output().split('\n').flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });

beforeAll(async () => {
  const t = testEnv();
  nats = await startPrivateNats();
  nc = await connect({ servers: nats.url });
  const common = { DATABASE_URL: t.databaseUrl, REDIS_URL: t.redisUrl, NATS_URL: nats.url, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
  const grpcPort = await freePort();
  await start('auth-svc', {}, common);
  await start('machine-svc', { OFFLINE_AFTER_MS: '4000', AGENT_GRPC_ADDRESS: `127.0.0.1:${grpcPort}` }, common);
  await start('terminal-svc', {}, common);
  await start('agent-bridge', { GRPC_PORT: String(grpcPort), BRIDGE_ID: 'obs-bridge', HEARTBEAT_INTERVAL_MS: '1000' }, common);
  await start('audit-svc', { CONSUMER_NAME: uniqueName('obs') }, common);
  await start('community-svc', {}, common);
  await start('gateway', {
    AUTH_SVC_URL: svc['auth-svc'].url, MACHINE_SVC_URL: svc['machine-svc'].url, TERMINAL_SVC_URL: svc['terminal-svc'].url,
    AUDIT_SVC_URL: svc['audit-svc'].url, COMMUNITY_SVC_URL: svc['community-svc'].url,
    LOGIN_RATE_PER_IP: '100000', RATE_LIMIT_PREFIX: `obs-${randomBytes(4).toString('hex')}`,
  }, common);

  const n = uniqueName('obs');
  email = `${n}@example.com`;
  const s = await api('POST', '/api/auth/signup', {
    username: n, email, password, first_name: 'Ada', last_name: 'L', organization_name: n, company_name: 'Observed',
  });
  if (s.status !== 201) throw new Error(`signup ${s.status} ${JSON.stringify(s.body)}`);
  const l = await api('POST', '/api/auth/login', { email, password });
  token = l.body.token;
  apiKey = l.body.user?.api_key ?? l.body.api_key;
}, 240_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  for (const name of [...SERVICES].reverse()) await svc[name]?.stop();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('metrics', () => {
  it('every service answers Prometheus text on its METRICS_PORT, with its requests by route template and status', async () => {
    expect((await api('GET', '/api/machines')).status).toBe(200);
    expect((await api('GET', '/api/audit?limit=1')).status).toBe(200);
    expect((await api('GET', '/api/community/issues')).status).toBe(200);
    for (const name of SERVICES) {
      const res = await fetch(`http://127.0.0.1:${svc[name].metricsPort}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect([name, sampleValue(text, 'process_resident_memory_bytes', { service: name })! > 0]).toEqual([name, true]);
      expect((await fetch(`${svc[name].url}/metrics`)).status).toBe(404); // never on the service's own port
    }
    const routes = async (name: Name) => parsePrometheus(await scrapeMetrics(svc[name].metricsPort))
      .filter((s) => s.name === 'http_request_duration_seconds_count').map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status}`);
    expect(await routes('gateway')).toEqual(expect.arrayContaining(['POST /api/auth/login 200', 'GET /api/machines 200', 'GET /api/audit 200']));
    expect(await routes('auth-svc')).toEqual(expect.arrayContaining(['POST /api/auth/signup 201', 'POST /api/auth/login 200']));
    expect(await routes('machine-svc')).toEqual(expect.arrayContaining(['GET /api/machines 200']));
    expect(await routes('community-svc')).toEqual(expect.arrayContaining(['GET /api/community/issues 200']));
  });

  it('auth-svc counts login outcomes', async () => {
    expect((await api('POST', '/api/auth/login', { email, password: 'not the password' })).status).toBe(401);
    const text = await scrapeMetrics(svc['auth-svc'].metricsPort);
    expect(sampleValue(text, 'auth_logins_total', { outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'auth_logins_total', { outcome: 'failure' })).toBe(1);
  });

  it('agent-bridge counts its agents; terminal-svc its sockets, the bytes it relays and the round trips browsers report', async () => {
    const created = await api('POST', '/api/machines', { name: 'observed-box', linux_user: 'nobody' });
    expect(created.status).toBe(201);
    const config = join(dir, 'agent.json');
    const configured = await run(['configure', '--token', apiKey, '--host', svc.gateway.url, '--linux-user', 'nobody',
      '--registration-token', created.body.registration_token, '--config', config]);
    if (configured.code !== 0) throw new Error(`vsay-agent configure failed: ${configured.out}`);
    agent = spawn(TSX, [join(ROOT, 'agent/src/main.ts'), 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (b) => { agentLog += b; });
    agent.stderr!.on('data', (b) => { agentLog += b; });
    const agentId: string = created.body.agent_id;
    await waitUntil(async () => (await api('GET', `/api/machines/${agentId}`)).body.status === 'online', 30_000, 'machine online');
    expect(sampleValue(await scrapeMetrics(svc['agent-bridge'].metricsPort), 'agent_bridge_agents_connected', { bridge: 'obs-bridge' })).toBe(1);

    const term = await TermClient.open(`${svc.gateway.url.replace('http', 'ws')}/api/terminal/${agentId}/ws?token=${token}`);
    try {
      term.type('echo observed-$((6*7))\n');
      await term.waitFor(() => term.text().includes('observed-42'), 15_000, 'command output');
      term.control({ type: 'ping', rtt_ms: 12 });
      term.control({ type: 'ping' }); // a browser's first ping has no round trip to report: answered, not counted
      await term.waitFor(() => term.controls.filter((c) => c.type === 'pong').length === 2, 5000, 'two pongs');
      const text = await scrapeMetrics(svc['terminal-svc'].metricsPort);
      expect(sampleValue(text, 'terminal_sockets_open', { mode: 'owner' })).toBe(1);
      expect(sampleValue(text, 'terminal_output_bytes_total')).toBeGreaterThanOrEqual(Buffer.byteLength('observed-42'));
      expect(sampleValue(text, 'terminal_input_bytes_total')).toBe(Buffer.byteLength('echo observed-$((6*7))\n'));
      expect(sampleValue(text, 'terminal_ping_rtt_seconds_count')).toBe(1);
      expect(sampleValue(text, 'terminal_ping_rtt_seconds_sum')).toBeCloseTo(0.012, 6);
    } finally {
      term.ws.close();
    }
    await waitUntil(async () => sampleValue(await scrapeMetrics(svc['terminal-svc'].metricsPort), 'terminal_sockets_open', { mode: 'owner' }) === 0, 5000, 'socket counted closed');
  }, 90_000);

  it('audit-svc reports its consumer lag and what it stored', async () => {
    let text = '';
    await waitUntil(async () => {
      text = await scrapeMetrics(svc['audit-svc'].metricsPort);
      return (sampleValue(text, 'audit_events_stored_total') ?? 0) > 0;
    }, 20_000, 'audit events stored');
    expect(sampleValue(text, 'audit_consumer_pending_messages', { state: 'undelivered' })).toEqual(expect.any(Number));
    expect(sampleValue(text, 'audit_consumer_pending_messages', { state: 'unacked' })).toEqual(expect.any(Number));
  });

  it('every metric the Grafana dashboard queries is exported by a running service', async () => {
    const exported = new Set<string>();
    for (const name of SERVICES) for (const line of (await scrapeMetrics(svc[name].metricsPort)).split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line);
      if (m) exported.add(m[1]);
    }
    const missing = dashboardQueries().flatMap(({ panel, expr }) => metricNames(expr).filter((n) => !exported.has(n)).map((n) => `${panel}: ${n}`));
    expect(missing).toEqual([]);
  });
});

describe('request id', () => {
  it("one request's id is in the gateway's and auth-svc's logs and in the NATS headers of the audit events it caused", async () => {
    const rid = `obs-${randomBytes(8).toString('hex')}`;
    const headed: { subject: string; source: string }[] = [];
    const sub = nc.subscribe(AuditRecorded.filter, {
      callback: (_e, m) => { if (m.headers?.get('x-request-id') === rid) headed.push({ subject: m.subject, source: m.json<{ source: string }>().source }); },
    });
    try {
      const res = await api('POST', '/api/auth/login', { email, password }, { 'x-request-id': rid });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(rid);
      await waitUntil(async () => headed.some((h) => h.source === 'gateway') && headed.some((h) => h.source === 'auth-svc'), 10_000,
        'audit events of the gateway and auth-svc with the header');
      expect(headed.find((h) => h.source === 'auth-svc')!.subject).toMatch(/\.auth\.login$/);
      await waitUntil(async () => logLines(svc.gateway).some((l) => l.rid === rid) && logLines(svc['auth-svc']).some((l) => l.rid === rid), 10_000, 'log lines');
      expect(logLines(svc.gateway).find((l) => l.rid === rid)).toMatchObject({ name: 'gateway', msg: 'request', route: '/api/auth/login', status: 200 });
      expect(logLines(svc['auth-svc']).find((l) => l.rid === rid)).toMatchObject({ name: 'auth-svc', msg: 'request', route: '/api/auth/login', status: 200 });
    } finally {
      sub.unsubscribe();
    }
  });
});
