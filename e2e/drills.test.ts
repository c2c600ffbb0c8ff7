/**
 * Failure drills: while a person's terminal prints a numbered line every 70 ms and commands,
 * profile edits, community posts and audit reads go on at a steady pace, each service in turn is
 * killed with SIGKILL (and started again at once, as the supervisor of `npm start` or Kubernetes
 * would), and NATS, PostgreSQL and Redis — private ones of this file — are restarted. For each:
 * what the person saw, how long until everything worked again, and that no terminal line and no
 * audit event was lost. The figures are printed at the end (README "Failure drills").
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { NO_ORGANIZATION_TENANT } from '@webxterm/contracts';
import { freePort, ServiceProcess, startServiceProcess, waitUntil } from '@webxterm/testkit';
import { ApiProbe, NumberedTerminal, ProbeResult } from './lib/drill-load';
import { RestartOnExit, Slot } from './lib/restart-on-exit';
import { startPrivatePostgres, PrivatePostgres } from './lib/private-postgres';
import { startPrivateRedis, PrivateRedis } from './lib/private-redis';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(240_000);

let pg: PrivatePostgres;
let redis: PrivateRedis;
let stack: TerminalStack;
let audit: ServiceProcess;
let community: ServiceProcess;
let owner: Account;
let agentId: string;
let db: Pool;
let term: NumberedTerminal;
let probes: ApiProbe[];
const supervisor = new RestartOnExit();

beforeAll(async () => {
  pg = await startPrivatePostgres();
  redis = await startPrivateRedis();
  const [auditPort, communityPort] = [await freePort(), await freePort()];
  stack = new TerminalStack(
    { gateway: { AUDIT_SVC_URL: `http://127.0.0.1:${auditPort}`, COMMUNITY_SVC_URL: `http://127.0.0.1:${communityPort}` } },
    { databaseUrl: pg.url, redisUrl: redis.url },
  );
  await stack.start();
  [audit, community] = await Promise.all([
    startServiceProcess('audit-svc', { ...stack.serviceEnv(), PORT: String(auditPort) }),
    startServiceProcess('community-svc', { ...stack.serviceEnv(), PORT: String(communityPort) }),
  ]);
  for (const slot of slots()) supervisor.watch(slot);
  db = new Pool({ connectionString: pg.url, max: 2 });
  db.on('error', () => { /* the drill restarts PostgreSQL under it */ });
  owner = await stack.signup();
  agentId = await stack.onlineMachine(owner, 'drill box');

  term = new NumberedTerminal((q) => stack.wsUrl(0, agentId, owner.token, q));
  await term.start(70);
  const gw = () => stack.gateways[0].url;
  probes = [
    new ApiProbe('command', gw, owner.token, (n) => ({ method: 'POST', path: `/api/machines/${agentId}/command`, body: { command: `echo c${n}` } }),
      (s, b, n) => s === 200 && b.output === `c${n}\n`, true),
    new ApiProbe('profile', gw, owner.token, (n) => ({ method: 'PUT', path: `/api/users/${owner.userId}`, body: { first_name: `Drill${n}` } }),
      (s) => s === 200, true),
    new ApiProbe('community', gw, owner.token, (n) => ({ method: 'POST', path: '/api/community/issues', body: { title: `drill ${n}`, body: 'steady traffic' } }),
      (s) => s === 201, true),
    new ApiProbe('audit-read', gw, owner.token, () => ({ method: 'GET', path: '/api/audit?limit=1' }), (s) => s === 200, false),
  ];
  // Commands every 700 ms: a machine runs 8 at once (agent-bridge MAX_COMMANDS_PER_MACHINE), and on a
  // loaded machine each takes a few seconds.
  [700, 300, 350, 400].forEach((pace, i) => probes[i].start(pace));
}, 180_000);

afterAll(async () => {
  supervisor.stop();
  await Promise.all(probes?.map((p) => p.stop()) ?? []);
  term?.stop();
  printFigures();
  // Each step whatever happened before: private servers left running would outlive the test.
  const steps = [() => db?.end(), () => Promise.all([audit, community].filter(Boolean).map((s) => s.stop())), () => stack?.stop(),
    () => Promise.all([pg?.stop(), redis?.stop()])];
  for (const step of steps) await Promise.resolve().then(async () => { await step(); }).catch((e) => console.error(`cleanup: ${(e as Error).message}`));
}, 180_000);

/** What one drill measured; `*Ms` are from the failure (the kill, or the server going down). */
interface Figures {
  drill: string;
  load: string;
  /** The killed service: from its death to its replacement answering /healthz. */
  restartMs: number | null;
  /** Services that exited on their own during the drill (and were restarted). */
  crashed: string[];
  socket: string[];
  terminalPauseMs: number;
  terminalBackMs: number;
  requests: Record<string, { failed: number; statuses: Record<string, number>; backMs: number; slowestMs: number }>;
  /** Longest wait from recording to storing, events that waited over 5 s, events stored under the tenant of no organization. */
  audit: { maxMs: number; over5s: number; noOrganization: number };
  linesLost: number;
  eventsLost: number;
}
const figures: Figures[] = [];

function load1(): string { return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]; }

/** Every service process of the stack, each where the test finds it. */
function slots(): (Slot & { name: string })[] {
  const at = <T extends ServiceProcess>(list: T[], i: number, extra: (old: T) => Partial<T> = () => ({})): Slot & { name: string } => ({
    name: list[i].name, get: () => list[i], set: (s) => { list[i] = Object.assign(s, extra(list[i])) as T; },
  });
  return [
    at(stack.gateways, 0), at(stack.gateways, 1), at(stack.terminals, 0), at(stack.terminals, 1),
    at(stack.bridges, 0, (old) => ({ grpcPort: old.grpcPort })), at(stack.bridges, 1, (old) => ({ grpcPort: old.grpcPort })),
    { name: 'auth-svc', get: () => stack.auth, set: (s) => { stack.auth = s; } },
    { name: 'machine-svc', get: () => stack.machine, set: (s) => { stack.machine = s; } },
    { name: 'audit-svc', get: () => audit, set: (s) => { audit = s; } },
    { name: 'community-svc', get: () => community, set: (s) => { community = s; } },
  ];
}

/** SIGKILL to a service (its whole process group); the supervisor starts it again. Returns how long that took. */
async function kill9(svc: ServiceProcess): Promise<number> {
  const before = supervisor.restarts.length;
  await svc.stop('SIGKILL');
  await waitUntil(() => supervisor.restarts.slice(before).some((r) => r.name === svc.name), 90_000, `${svc.name} restarted`);
  const r = supervisor.restarts.slice(before).find((x) => x.name === svc.name)!;
  return r.healthyAt - r.exitedAt;
}

/** Everything works: an open terminal printed a line, and a request of each kind succeeded, after `since`. */
function healthy(since: number): boolean {
  return term.open && term.arrivals.some((a) => a.at > since) && probes.every((p) => p.results.some((r) => r.sent > since && r.ok));
}

/** What the person's traffic looks like now, for a failure message. */
function state(): string {
  const last = term.arrivals.at(-1);
  return JSON.stringify({
    terminal: { open: term.open, lines: term.arrivals.length, lastLineAgoMs: last ? Date.now() - last.at : null, socket: term.socket.slice(-4) },
    requests: probes.map((p) => p.results.slice(-2).map((r) => `${r.probe} ${r.status} ok=${r.ok} sent ${Date.now() - r.sent} ms ago`)),
    restarts: supervisor.restarts.slice(-3).map((r) => `${r.name} ${r.how}`),
  });
}

function withState(e: Error): never {
  throw new Error(`${e.message}; now: ${state()}`);
}

/**
 * The audit events of `rids` recorded by `source`: which are not stored, and how many are stored
 * under the tenant of no organization (a request whose token the gateway could not check has no tenant).
 */
async function storedEvents(rids: string[], source: string): Promise<{ missing: string[]; noOrganization: number }> {
  if (rids.length === 0) return { missing: [], noOrganization: 0 };
  const { rows } = await db.query(
    "SELECT event->>'request_id' AS rid, tenant_id FROM audit.events WHERE event->>'source' = $1 AND event->>'request_id' = ANY($2)", [source, rids]);
  const stored = new Set(rows.map((r) => r.rid));
  return { missing: rids.filter((r) => !stored.has(r)), noOrganization: rows.filter((r) => r.tenant_id !== owner.tenantId).length };
}

/** A request whose audit event is missing, with what its answer was and what the gateways logged about audit events. */
function explainMissing(rid: string): string {
  const r = probes.flatMap((p) => p.results).find((x) => x.rid === rid);
  const logged = stack.gateways.flatMap((g) => g.output().split('\n').filter((l) => /audit/i.test(l))).slice(-3);
  return `${rid}: ${r ? `answered ${r.status} in ${r.done - r.sent} ms, ${Date.now() - r.sent} ms ago` : 'no result'}; gateway log: ${logged.join(' | ') || 'nothing about audit'}`;
}

/** How late audit events recorded in [from, to] were stored: the longest, and how many took over 5 s. */
async function auditLag(from: number, to: number): Promise<{ maxMs: number; over5s: number }> {
  const { rows } = await db.query(
    `SELECT coalesce(max(extract(epoch FROM stored_at - at) * 1000), 0)::int AS max_ms,
            count(*) FILTER (WHERE stored_at - at > interval '5 seconds')::int AS over5s
       FROM audit.events WHERE tenant_id = $1 AND at BETWEEN $2 AND $3`, [owner.tenantId, new Date(from), new Date(to)]);
  return { maxMs: rows[0].max_ms, over5s: rows[0].over5s };
}

/** Lines that did not arrive exactly once and in order. */
function lineFaults(): { lost: number; repeated: number; outOfOrder: number } {
  const lines = term.lines();
  const seen = new Set<number>();
  let repeated = 0;
  let outOfOrder = 0;
  lines.forEach((n, i) => {
    if (seen.has(n)) repeated++;
    seen.add(n);
    if (i > 0 && n !== lines[i - 1] + 1) outOfOrder++;
  });
  const max = Math.max(0, ...lines);
  return { lost: max - seen.size, repeated, outOfOrder };
}

function requestFigures(results: ProbeResult[], failedAt: number) {
  const after = results.filter((r) => r.done >= failedAt);
  const failed = after.filter((r) => !r.ok);
  const statuses: Record<string, number> = {};
  for (const r of failed) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
  const lastFailure = failed.length ? Math.max(...failed.map((r) => r.sent)) : failedAt;
  const back = after.find((r) => r.ok && r.sent >= lastFailure);
  const slowestMs = Math.max(0, ...after.map((r) => r.done - r.sent));
  return { failed: failed.length, statuses, backMs: failed.length && back ? back.done - failedAt : 0, slowestMs, failures: failed };
}

/** Requests sent before this were checked by an earlier drill. */
let checkedUpTo = 0;

/** Waits (bounded) until the audit event of every audited request answered since the last check is stored. */
async function waitForEvents(name: string): Promise<{ missing: string[]; noOrganization: number }> {
  await Promise.all(probes.map((p) => p.settled()));
  const now = Date.now();
  const answered = probes.flatMap((p) => p.answeredAudited(checkedUpTo));
  checkedUpTo = now;
  let events = { missing: ['(store not read yet)'], noOrganization: 0 };
  await waitUntil(async () => {
    events = await storedEvents(answered, 'gateway').catch(() => events);
    return events.missing.length === 0;
  }, 45_000, `${name}: every answered request's audit event stored`).catch(() => undefined);
  return events;
}

/**
 * One drill: wait until everything works, fail something, wait until everything works again and
 * every request sent meanwhile has its answer, then for every audit event of the answered requests
 * to be stored, and measure.
 */
async function drill(name: string, fail: () => Promise<number | null>, killed?: string): Promise<Figures> {
  await waitUntil(() => healthy(Date.now() - 3000), 60_000, `${name}: everything works before the drill`).catch(withState);
  const load = load1();
  const failedAt = Date.now();
  const restartMs = await fail();
  const failureOver = Date.now();
  await waitUntil(() => healthy(failureOver), 60_000, `${name}: everything works again`).catch(withState);
  const recoveredAt = Date.now();

  const events = await waitForEvents(name);
  const missing = events.missing;

  const arrivals = term.arrivals.filter((a) => a.at >= failedAt - 2000);
  let pause = 0;
  let pauseEnd = failedAt;
  for (let i = 1; i < arrivals.length; i++) {
    const gap = arrivals[i].at - arrivals[i - 1].at;
    if (arrivals[i].at > failedAt && gap > pause) { pause = gap; pauseEnd = arrivals[i].at; }
  }
  const requests: Figures['requests'] = {};
  const unclear: string[] = [];
  for (const p of probes) {
    const { failures, ...f } = requestFigures(p.results, failedAt);
    requests[p.name] = f;
    unclear.push(...failures.filter((r) => r.status === 500 || r.status === 'hung').map((r) => `${r.probe} ${r.rid}: ${r.status}`));
  }
  const crashes = supervisor.restarts.filter((r) => r.exitedAt >= failedAt && !(r.name === killed && r.how === 'killed by SIGKILL'));
  const f: Figures = {
    drill: name,
    load,
    restartMs,
    crashed: crashes.map((r) => `${r.name} (${r.how}, back after ${((r.healthyAt - r.exitedAt) / 1000).toFixed(1)} s): ${r.lastOutput.slice(-400)}`),
    socket: term.socket.filter((s) => s.at >= failedAt).map((s) => `+${s.at - failedAt} ms ${s.what}`),
    terminalPauseMs: pause,
    terminalBackMs: pause > 1000 ? pauseEnd - failedAt : 0,
    requests,
    audit: { ...(await auditLag(failedAt - 1000, recoveredAt).catch(() => ({ maxMs: -1, over5s: -1 }))), noOrganization: events.noOrganization },
    linesLost: lineFaults().lost,
    eventsLost: missing.length,
  };
  figures.push(f);
  // The session survives; every line arrives once and in order; every answered request's audit
  // event is stored; a person's request is answered or refused with a clear status, never a 500,
  // never left hanging.
  expect(term.exited).toBe(false);
  expect(lineFaults()).toEqual({ lost: 0, repeated: 0, outOfOrder: 0 });
  expect(missing.map(explainMissing)).toEqual([]);
  expect(unclear).toEqual([]);
  return f;
}

function printFigures(): void {
  const rows = figures.map((f) => {
    const req = Object.entries(f.requests).filter(([, r]) => r.failed > 0)
      .map(([k, r]) => `${k}: ${r.failed}× ${Object.entries(r.statuses).map(([st, c]) => `${st}×${c}`).join('/')}, ok again +${(r.backMs / 1000).toFixed(1)} s, slowest ${(r.slowestMs / 1000).toFixed(1)} s`)
      .join('; ') || `no request failed (slowest ${(Math.max(...Object.values(f.requests).map((r) => r.slowestMs)) / 1000).toFixed(1)} s)`;
    return `| ${f.drill} | load ${f.load} | ${f.restartMs === null ? '-' : `${(f.restartMs / 1000).toFixed(1)} s`} | ` +
      `${f.socket.join(', ') || 'socket stayed open'} | pause ${f.terminalPauseMs} ms, back +${f.terminalBackMs} ms | ${req} | ` +
      `stored ≤ ${(f.audit.maxMs / 1000).toFixed(1)} s after (${f.audit.over5s} over 5 s${f.audit.noOrganization ? `, ${f.audit.noOrganization} under ${NO_ORGANIZATION_TENANT}` : ''}) | lines lost ${f.linesLost} | events lost ${f.eventsLost} | ${f.crashed.join(' / ') || '-'} |`;
  });
  console.log(['| drill | load | restart | socket | terminal | requests | audit | lines | events | crashed |', ...rows].join('\n'));
}

it('before any failure, the traffic flows and every answered request is audited', async () => {
  await waitUntil(() => healthy(Date.now() - 3000), 60_000, 'everything works').catch(withState);
  const events = await waitForEvents('steady state');
  expect(events.missing.map(explainMissing)).toEqual([]);
  expect(lineFaults()).toEqual({ lost: 0, repeated: 0, outOfOrder: 0 });
});

describe('kill -9 each service while a terminal, commands and audit events flow', () => {
  it('gateway (the one the person goes through)', async () => {
    await drill('kill -9 gateway', () => kill9(stack.gateways[0]), 'gateway');
  });

  it('auth-svc', async () => {
    await drill('kill -9 auth-svc', () => kill9(stack.auth), 'auth-svc');
  });

  it('machine-svc', async () => {
    await drill('kill -9 machine-svc', () => kill9(stack.machine), 'machine-svc');
  });

  it('terminal-svc (the replica holding the socket)', async () => {
    await drill('kill -9 terminal-svc', () => kill9(stack.terminals[0]), 'terminal-svc');
  });

  it('agent-bridge (the replica holding the agent)', async () => {
    const held = async (i: number) => ((await (await fetch(`${stack.bridges[i].url}/agents`)).json()).agents as string[]).includes(agentId);
    const holder = (await held(0)) ? 0 : 1;
    await drill('kill -9 agent-bridge', () => kill9(stack.bridges[holder]), 'agent-bridge');
  });

  it('audit-svc', async () => {
    await drill('kill -9 audit-svc', () => kill9(audit), 'audit-svc');
  });

  it('community-svc', async () => {
    await drill('kill -9 community-svc', () => kill9(community), 'community-svc');
  });
});

describe('restart the servers underneath, 1 s down', () => {
  it('NATS', async () => {
    await drill('restart NATS', async () => { await stack.nats.restart(1000); return null; });
  });

  it('PostgreSQL', async () => {
    await drill('restart PostgreSQL', async () => { await pg.restart(1000); return null; });
  });

  it('Redis', async () => {
    await drill('restart Redis', async () => { await redis.restart(1000); return null; });
  });

  it('afterwards, the audit chain of everything stored verifies', async () => {
    const v = await stack.api(0, 'GET', '/api/audit/verify', undefined, owner.token);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ ok: true, first_broken: null });
    expect(v.body.checked).toBeGreaterThan(100);
  });
});
