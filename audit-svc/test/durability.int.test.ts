/**
 * Exactly-once storage with audit-svc as a real process (`tsx audit-svc/src/main.ts`): events
 * published while it is down, a SIGKILL in the middle of consuming, and duplicates that get past
 * JetStream's de-duplication. Each test gets its own tenant and durable consumer, so counts are exact.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_STREAM, AuditEvent, AuditRecorded } from '@webxterm/contracts';
import { accessToken, freePort, ServiceProcess, startServiceProcess, uniqueName, waitUntil } from '@webxterm/testkit';
import { Pool } from 'pg';
import {
  adminPool, Bus, countStored, deleteConsumer, get, makeEvent, openBus, publishAll, purgeTenant, SECRET, serviceEnv,
  waitForStored,
} from './harness';

const N = 10_000;
const superAdmin = accessToken(SECRET, { role: 'super_admin', tenant_id: 'platform' });
let bus: Bus;
let pool: Pool;
const consumers: string[] = [];
const tenants: string[] = [];
const running: ServiceProcess[] = [];

beforeAll(async () => {
  bus = await openBus();
  pool = adminPool();
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  for (const c of consumers) await deleteConsumer(bus.nc, c);
  for (const t of tenants) await purgeTenant(bus.nc, t);
  await bus.close();
  await pool.end();
});

/** audit-svc as a process with its own durable consumer; ack_wait short so a killed replica's batch comes back soon. */
async function start(consumer: string, tenant: string): Promise<ServiceProcess> {
  const env = serviceEnv(await freePort(), consumer, tenant, { ACK_WAIT_SEC: '5', LOG_LEVEL: 'warn' });
  const p = await startServiceProcess('audit-svc', env);
  running.push(p);
  return p;
}

/**
 * SIGKILL for the service itself. `tsx` runs the service in a child process of its own and cannot
 * relay a SIGKILL it receives, so killing only the `tsx` process would leave the service running:
 * kill its child, then `tsx` exits with it.
 */
async function killHard(p: ServiceProcess): Promise<number[]> {
  const pids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(p.child.pid)]).toString().split(/\s+/).filter(Boolean).map(Number);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await p.stop('SIGKILL');
  await waitUntil(() => !pids.some(alive), 2000, 'the killed processes gone').catch(() => undefined); // the caller asserts it
  return pids;
}

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function eventsFor(tenant: string, n: number): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => makeEvent(tenant, { action: i % 2 ? 'auth.login' : 'http.request' }));
}

/** Waits until the durable consumer has nothing pending and nothing unacknowledged. */
async function waitConsumerIdle(name: string, timeoutMs: number): Promise<{ pending: number; ackPending: number }> {
  const jsm = await jetstreamManager(bus.nc);
  let last = { pending: -1, ackPending: -1 };
  return waitUntil(async () => {
    const info = await jsm.consumers.info(AUDIT_STREAM.name, name);
    last = { pending: info.num_pending, ackPending: info.num_ack_pending };
    return last.pending === 0 && last.ackPending === 0 ? last : undefined;
  }, timeoutMs, () => `consumer ${name} idle (${JSON.stringify(last)})`);
}

async function expectExactlyOnce(svc: ServiceProcess, tenant: string, n: number): Promise<void> {
  expect(await countStored(pool, tenant)).toEqual({ rows: n, distinct: n });
  const v = await get(svc.url, `/api/audit/verify?tenant_id=${tenant}`, superAdmin);
  expect(v.body).toEqual({ tenant_id: tenant, ok: true, checked: n, first_broken: null });
}

it(`stores ${N} events published while audit-svc was down, each exactly once`, async () => {
  const tenant = uniqueName('down');
  tenants.push(tenant);
  const consumer = uniqueName('audit-dur-');
  consumers.push(consumer);
  const first = await start(consumer, tenant); // creates the durable consumer
  const stopping = Date.now();
  await first.stop();
  // SIGTERM: a clean exit, well inside the 8 s after which startServiceProcess would SIGKILL it.
  expect(first.child.exitCode).toBe(0);
  expect(Date.now() - stopping).toBeLessThan(5000);

  const events = eventsFor(tenant, N);
  const t0 = Date.now();
  await publishAll(bus.js, events);
  const published = Date.now();
  const svc = await start(consumer, tenant);
  expect(await waitForStored(pool, tenant, N, 60_000)).toBe(N);
  const stored = Date.now();
  console.log(`durability: published ${N} in ${published - t0} ms; restart + store took ${stored - published} ms`);

  // JetStream drops a re-publish with the same message id …
  const again = await Promise.all(events.slice(0, 50).map((e) => bus.js.publish(AuditRecorded.subjectFor(e), JSON.stringify(e), { msgID: e.id })));
  expect(again.every((ack) => ack.duplicate)).toBe(true);
  // … but not one under another message id: those reach audit-svc, which must skip them itself.
  const bypass = await Promise.all(events.slice(50, 150).map((e) => bus.js.publish(AuditRecorded.subjectFor(e), JSON.stringify(e), { msgID: `${e.id}:again` })));
  expect(bypass.some((ack) => ack.duplicate)).toBe(false);
  expect(await waitConsumerIdle(consumer, 20_000)).toEqual({ pending: 0, ackPending: 0 });

  await expectExactlyOnce(svc, tenant, N);
  await svc.stop();
}, 90_000);

it(`stores ${N} events exactly once when audit-svc is killed (SIGKILL) in the middle of consuming`, async () => {
  const tenant = uniqueName('kill');
  tenants.push(tenant);
  const consumer = uniqueName('audit-kill-');
  consumers.push(consumer);
  const first = await start(consumer, tenant);
  await first.stop();
  await publishAll(bus.js, eventsFor(tenant, N));

  const victim = await start(consumer, tenant);
  const partway = await waitForStored(pool, tenant, N / 5, 60_000);
  const killed = await killHard(victim);
  expect(killed.filter(alive)).toEqual([]);
  const atKill = (await countStored(pool, tenant)).rows;
  const inHand = (await (await jetstreamManager(bus.nc)).consumers.info(AUDIT_STREAM.name, consumer)).num_ack_pending;
  expect(partway).toBeGreaterThanOrEqual(N / 5);
  expect(atKill).toBeLessThan(N); // it really died before the end …
  expect(inHand).toBeGreaterThan(0); // … holding events it had taken and not acknowledged
  console.log(`durability: killed with ${atKill} of ${N} stored and ${inHand} delivered but unacknowledged`);

  const svc = await start(consumer, tenant);
  expect(await waitForStored(pool, tenant, N, 60_000)).toBe(N);
  // What the killed process had taken but not acknowledged comes back after ack_wait: all skipped.
  expect(await waitConsumerIdle(consumer, 30_000)).toEqual({ pending: 0, ackPending: 0 });
  await expectExactlyOnce(svc, tenant, N);
  await svc.stop();
}, 90_000);
