import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killTree, ServiceProcess, startServiceProcess, TestEnv, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { OpenApiResponseCheck } from './openapi-check';
import { PrivateNats, startPrivateNats } from './private-nats';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

export interface Account { token: string; apiKey: string; userId: string; tenantId: string; username: string }

/**
 * The terminal path as real processes: its own NATS, auth-svc, machine-svc, two terminal-svc and
 * two agent-bridge replicas, and two gateways (gateway A → terminal A, gateway B → terminal B).
 */
export class TerminalStack {
  nats!: PrivateNats;
  auth!: ServiceProcess;
  machine!: ServiceProcess;
  terminals: ServiceProcess[] = [];
  bridges: (ServiceProcess & { grpcPort: number })[] = [];
  gateways: ServiceProcess[] = [];
  agents: ChildProcess[] = [];
  agentLogs: string[] = [];
  /** Every answer of `api()`, checked against the gateway's OpenAPI document; a suite ends by expecting no `problems`. */
  readonly described = new OpenApiResponseCheck();
  private dir = mkdtempSync(join(tmpdir(), 'webxterm-e2e-'));
  private env: Record<string, string> = {};

  /**
   * `extra`: environment for one kind of service only (e.g. lower limits for a test).
   * `infra`: PostgreSQL / Redis other than the shared ones (e.g. private ones a test restarts).
   * `compiled`: run as shipped instead of tsx on the sources — the agent as `<compiled.agent>`
   * (one process: `node scripts/build.mjs agent` makes agent/dist/vsay-agent.js), the services as
   * `<compiled.services>/<service>/main.js` (`node scripts/build.mjs --out <dir> <service>…`); each
   * bundle runs itself, with the node flags of its first line, as the image and the systemd unit run it.
   */
  constructor(
    private readonly extra: Record<string, Record<string, string>> = {},
    private readonly infra: Partial<Pick<TestEnv, 'databaseUrl' | 'redisUrl'>> = {},
    private readonly compiled: { agent?: string; services?: string } = {},
  ) {}

  /** The command that runs `vsay-agent <args>`. */
  private agentArgv(args: string[]): [string, string[]] {
    return this.compiled.agent ? [this.compiled.agent, args] : [TSX, [join(ROOT, 'agent/src/main.ts'), ...args]];
  }

  private service(name: string, env: Record<string, string>): Promise<ServiceProcess> {
    return startServiceProcess(name, env, undefined, this.compiled.services);
  }

  async start(): Promise<void> {
    const t = { ...testEnv(), ...this.infra };
    this.nats = await startPrivateNats();
    this.env = { DATABASE_URL: t.databaseUrl, REDIS_URL: t.redisUrl, NATS_URL: this.nats.url, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
    const port = async () => String(await freePort());
    this.auth = await this.service('auth-svc', { ...this.env, PORT: await port() });
    const grpcPorts = [await freePort(), await freePort()];
    // Agents learn the bridges from the platform (GET /api/agent/bootstrap): bridge B first.
    this.machine = await this.service('machine-svc', {
      ...this.env, PORT: await port(), OFFLINE_AFTER_MS: '4000', AGENT_GRPC_ADDRESS: `127.0.0.1:${grpcPorts[1]},127.0.0.1:${grpcPorts[0]}`,
    });
    for (let i = 0; i < 2; i++) this.terminals.push(await this.service('terminal-svc', { ...this.env, ...this.extra['terminal-svc'], PORT: await port() }));
    for (let i = 0; i < 2; i++) await this.startBridge(i, grpcPorts[i]);
    for (let i = 0; i < 2; i++) {
      this.gateways.push(await this.service('gateway', {
        ...this.env, PORT: await port(), AUTH_SVC_URL: this.auth.url, MACHINE_SVC_URL: this.machine.url, TERMINAL_SVC_URL: this.terminals[i].url,
        LOGIN_RATE_PER_IP: '100000', RATE_LIMIT_PREFIX: `e2e-${randomBytes(4).toString('hex')}`, ...this.extra.gateway,
      }));
    }
  }

  /** The environment every service of this stack shares. */
  serviceEnv(): Record<string, string> { return { ...this.env }; }

  async startBridge(i: number, grpcPort?: number): Promise<void> {
    const g = grpcPort ?? await freePort();
    const p = await this.service('agent-bridge', {
      ...this.env, PORT: String(await freePort()), GRPC_PORT: String(g), BRIDGE_ID: `e2e-bridge-${i}`, HEARTBEAT_INTERVAL_MS: '1000',
    });
    this.bridges[i] = Object.assign(p, { grpcPort: g });
  }

  /** SIGKILL every bridge: no bridge holds any agent until `restartBridges`. */
  killBridges(): void {
    for (const b of this.bridges) killTree(b.child.pid!);
  }

  /** Every bridge again, on its gRPC port (where the agents look for it). */
  async restartBridges(): Promise<void> {
    for (let i = 0; i < this.bridges.length; i++) await this.startBridge(i, this.bridges[i].grpcPort);
  }

  async signup(): Promise<Account> {
    const n = uniqueName('t');
    const body = {
      username: n, email: `${n}@example.com`, password: 'a long enough password', first_name: 'Ada', last_name: 'L',
      organization_name: n, company_name: 'Terminals',
    };
    const s = await this.api(0, 'POST', '/api/auth/signup', body);
    if (s.status !== 201) throw new Error(`signup ${s.status} ${JSON.stringify(s.body)}`);
    const l = await this.api(0, 'POST', '/api/auth/login', { email: body.email, password: body.password });
    return { token: l.body.token, apiKey: l.body.user?.api_key ?? l.body.api_key, userId: s.body.user_id, tenantId: n, username: n };
  }

  async api(gw: number, method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(this.gateways[gw].url + path, {
      method, headers: { 'content-type': 'application/json', 'user-agent': 'e2e/1', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    this.described.check(method, path, res.status, text, res.headers.get('content-type'));
    let json: any = text;
    try { json = JSON.parse(text); } catch { /* text */ }
    return { status: res.status, body: json };
  }

  wsUrl(gw: number, agentId: string, token: string, query = ''): string {
    return `${this.gateways[gw].url.replace('http', 'ws')}/api/terminal/${agentId}/ws?token=${token}${query}`;
  }

  /** `vsay-agent configure` then `vsay-agent run`, as real processes; the agent asks the gateway where the bridges are. */
  async startAgent(a: Account, registrationToken: string, linuxUser = 'nobody', shell?: string): Promise<{ config: string; child: ChildProcess }> {
    const config = join(this.dir, `agent-${this.agents.length}.json`);
    const configured = await this.agentCommand(['configure', '--token', a.apiKey, '--host', this.gateways[0].url, '--linux-user', linuxUser,
      ...(linuxUser === 'root' ? ['--allow-root'] : []), ...(shell ? ['--shell', shell] : []), '--registration-token', registrationToken, '--config', config]);
    if (configured.code !== 0) throw new Error(`vsay-agent configure failed: ${configured.out}`);
    const child = this.runAgent(config);
    this.agents.push(child);
    return { config, child };
  }

  /** Kills agent `i` with everything it started (its shells too), as a crash or a reboot would, and runs it again. */
  /** Kills agent `i` with its shells and runs it again; `whileAway` runs in between. */
  async restartAgent(i: number, whileAway: () => Promise<void> = async () => undefined): Promise<void> {
    const old = this.agents[i];
    const exited = new Promise<void>((resolve) => { if (old.exitCode !== null || old.signalCode !== null) resolve(); else old.once('exit', () => resolve()); });
    killTree(old.pid!);
    await exited;
    try {
      await whileAway();
    } finally {
      this.agents[i] = this.runAgent(join(this.dir, `agent-${i}.json`));
    }
  }

  private runAgent(config: string): ChildProcess {
    const [cmd, argv] = this.agentArgv(['run', '--config', config]);
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const idx = this.agentLogs.push('') - 1;
    const keep = (b: Buffer) => { this.agentLogs[idx] = (this.agentLogs[idx] + b.toString()).slice(-10_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  }

  /**
   * A machine created by `owner` with a real agent started for it, once it is online; its agent id.
   * `shell`: the shell of its sessions (`vsay-agent configure --shell`), instead of the Linux user's login shell.
   */
  async onlineMachine(owner: Account, name: string, linuxUser = 'nobody', shell?: string): Promise<string> {
    const created = await this.api(0, 'POST', '/api/machines', { name, linux_user: linuxUser }, owner.token);
    if (created.status !== 201) throw new Error(`create machine ${created.status} ${JSON.stringify(created.body)}`);
    await this.startAgent(owner, created.body.registration_token, linuxUser, shell);
    const agentId: string = created.body.agent_id;
    await waitUntil(async () => (await this.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 20_000,
      `${name} online; agent log: ${this.agentLogs.join('\n')}`);
    return agentId;
  }

  agentCommand(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const [cmd, argv] = this.agentArgv(args);
      const c = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout!.on('data', (b) => { out += b; });
      c.stderr!.on('data', (b) => { out += b; });
      c.on('exit', (code) => resolve({ code: code ?? -1, out }));
    });
  }

  async stop(): Promise<void> {
    for (const a of this.agents) a.kill('SIGTERM');
    await Promise.all([...this.gateways, ...this.terminals, ...this.bridges, this.machine, this.auth].filter(Boolean).map((s) => s.stop()));
    await this.nats?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

