import { ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { freePort, ServiceProcess, startServiceProcess, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { PrivateNats, startPrivateNats } from '../e2e/lib/private-nats';
import type { SwarmAgentIdentity, SwarmCommand, SwarmStats } from './agent-swarm';

const ROOT = join(__dirname, '..');

/**
 * The services the bench runs, compiled as shipped (scripts/build.mjs), and the bench's own child
 * processes (the load generator, the bare server) bundled the same way, so no TypeScript loader
 * sits in any measured process. Inside the repository, so the bundles find node_modules.
 */
export function buildAll(out: string): { services: string; swarm: string; bare: string } {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out, 'auth-svc', 'machine-svc', 'agent-bridge'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const bundle = (name: string) => {
    const outfile = join(out, 'bench', `${name}.js`);
    buildSync({ entryPoints: [join(__dirname, `${name}.ts`)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    return outfile;
  };
  const swarm = bundle('agent-swarm');
  const bare = bundle('bare-agent-server');
  cpSync(join(ROOT, 'proto/agent.proto'), join(out, 'bench', 'agent.proto'));
  return { services: out, swarm, bare };
}

/** The soft limit on open files of this process (and so of its children). */
export function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? Infinity);
}

/** The highest RSS the process has had, MiB. */
export function peakRssMiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/**
 * What admits agents, as real processes: its own nats-server with JetStream, auth-svc, machine-svc
 * and two agent-bridge replicas (A and B) with the production heartbeat interval unless told otherwise.
 */
export class AgentStack {
  nats!: PrivateNats;
  auth!: ServiceProcess;
  machine!: ServiceProcess;
  bridges: (ServiceProcess & { address: string })[] = [];

  constructor(private readonly compiled: string, private readonly heartbeatMs: number) {}

  async start(): Promise<void> {
    const t = testEnv();
    this.nats = await startPrivateNats();
    const env = { DATABASE_URL: t.databaseUrl, REDIS_URL: t.redisUrl, NATS_URL: this.nats.url, JWT_SECRET: randomBytes(32).toString('hex'), HOST: '127.0.0.1' };
    const port = async () => String(await freePort());
    const service = (name: string, e: Record<string, string>) => startServiceProcess(name, { ...env, ...e }, 60_000, this.compiled);
    this.auth = await service('auth-svc', { PORT: await port() });
    const grpc = [await freePort(), await freePort()].map((p) => `127.0.0.1:${p}`);
    this.machine = await service('machine-svc', { PORT: await port(), AGENT_GRPC_ADDRESS: grpc.join(',') });
    for (const [i, address] of grpc.entries()) {
      const p = await service('agent-bridge', {
        PORT: await port(), GRPC_PORT: address.split(':')[1], BRIDGE_ID: `bench-bridge-${'ab'[i]}`, HEARTBEAT_INTERVAL_MS: String(this.heartbeatMs),
      });
      this.bridges.push(Object.assign(p, { address }));
    }
  }

  /** A new organization's first user (company_admin, who may register machines): their API key. */
  async adminApiKey(): Promise<string> {
    const n = uniqueName('agents');
    const post = (path: string, body: unknown) => fetch(this.auth.url + path, {
      method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'bench/1' }, body: JSON.stringify(body),
    });
    const account = { email: `${n}@example.com`, password: 'a long enough password' };
    const s = await post('/api/auth/signup', {
      ...account, username: n, first_name: 'Ada', last_name: 'L', organization_name: n, company_name: 'Fleet',
    });
    if (s.status !== 201) throw new Error(`signup ${s.status} ${await s.text()}`);
    const login = (await (await post('/api/auth/login', account)).json()) as { api_key?: string; user?: { api_key?: string } };
    const key = login.user?.api_key ?? login.api_key;
    if (!key) throw new Error(`login gave no API key: ${JSON.stringify(login)}`);
    return key;
  }

  /** How many agents replica `i` holds (its GET /agents). */
  async agentsOn(i: number): Promise<number> {
    const r = (await (await fetch(`${this.bridges[i].url}/agents`)).json()) as { agents: string[] };
    return r.agents.length;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.bridges, this.machine, this.auth].filter(Boolean).map((s) => s.stop()));
    await this.nats?.stop();
  }
}

/** The bare grpc-js server (bench/bare-agent-server.ts) in a process of its own. */
export async function startBareServer(script: string, heartbeatMs: number): Promise<{ address: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [script, String(port), String(heartbeatMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  return { address: `127.0.0.1:${port}`, child, stop };
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  return a;
}

/** The load generator: `procs` child processes (bench/agent-swarm.ts), the agents dealt out among them. */
export class Swarm {
  private seq = 0;
  private readonly waiting = new Map<number, (body: unknown) => void>();

  private constructor(private readonly children: ChildProcess[]) {
    for (const c of children) c.on('message', (m: { seq: number; body: unknown }) => this.waiting.get(m.seq)?.(m.body));
  }

  static async start(script: string, identities: SwarmAgentIdentity[], procs: number): Promise<Swarm> {
    const children = Array.from({ length: procs }, () => fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] }));
    const s = new Swarm(children);
    await Promise.all(children.map((c, i) => s.ask(c, { cmd: 'init', identities: identities.filter((_, k) => k % procs === i) })));
    return s;
  }

  get pids(): number[] { return this.children.map((c) => c.pid!); }

  private ask(c: ChildProcess, m: SwarmCommand): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, (body) => { this.waiting.delete(seq); resolve(body); });
      c.send({ ...m, seq });
    });
  }

  private all(m: SwarmCommand): Promise<unknown[]> { return Promise.all(this.children.map((c) => this.ask(c, m))); }

  /** Every agent connects (at most `concurrency` of them waiting for a first Welcome at once), to `addresses` in turn. */
  async connect(addresses: string[], channels: number, o: { apiKey?: string; concurrency?: number } = {}): Promise<void> {
    const share = (n: number) => Math.max(1, Math.ceil(n / this.children.length));
    await this.all({ cmd: 'connect', addresses, channels: share(channels), apiKey: o.apiKey, concurrency: o.concurrency && share(o.concurrency) });
  }

  reset(): Promise<unknown> { return this.all({ cmd: 'reset' }); }

  /** Every agent stops (streams cancelled, no reconnect) and the connections close. */
  close(): Promise<unknown> { return this.all({ cmd: 'close' }); }

  async stats(): Promise<SwarmStats> {
    const parts = (await this.all({ cmd: 'stats' })) as SwarmStats[];
    return parts.reduce((a, b) => ({
      agents: a.agents + b.agents, connected: addCounts(a.connected, b.connected), admissionMs: a.admissionMs.concat(b.admissionMs),
      reconnectMs: a.reconnectMs.concat(b.reconnectMs), lastWelcomeAt: Math.max(a.lastWelcomeAt, b.lastWelcomeAt),
      refused: addCounts(a.refused, b.refused), ended: addCounts(a.ended, b.ended), beats: a.beats + b.beats, lateBeats: a.lateBeats + b.lateBeats,
      missedBeats: a.missedBeats + b.missedBeats, beatDelayMs: a.beatDelayMs.concat(b.beatDelayMs), rssMiB: a.rssMiB + b.rssMiB,
    }));
  }

  /** The agents welcomed on each address now, and when the last Welcome came (cheap: no samples). */
  async count(): Promise<Pick<SwarmStats, 'connected' | 'lastWelcomeAt' | 'refused'>> {
    const parts = (await this.all({ cmd: 'count' })) as Pick<SwarmStats, 'connected' | 'lastWelcomeAt' | 'refused'>[];
    return parts.reduce((a, b) => ({
      connected: addCounts(a.connected, b.connected), lastWelcomeAt: Math.max(a.lastWelcomeAt, b.lastWelcomeAt), refused: addCounts(a.refused, b.refused),
    }));
  }

  /** Resolves once `n` agents are welcomed on `address` (or on any address when none is named), with the last Welcome's time. */
  async connected(n: number, timeoutMs: number, address?: string): Promise<number> {
    let last: Awaited<ReturnType<Swarm['count']>> | undefined;
    return waitUntil(async () => {
      last = await this.count();
      const on = address ? last.connected[address] ?? 0 : Object.values(last.connected).reduce((a, b) => a + b, 0);
      return on >= n && last.lastWelcomeAt;
    }, timeoutMs, () => `${n} agents welcomed${address ? ` by ${address}` : ''}; last seen ${JSON.stringify(last?.connected)}, refused ${JSON.stringify(last?.refused)}`, 250);
  }

  kill(): void { for (const c of this.children) c.kill('SIGKILL'); }
}
