/**
 * Several replicas on one durable consumer, a graceful stop in the middle of a stream, and a store
 * that fails: nothing may assume it is alone, a replica that leaves hands its unstored events back
 * at once, and a failed batch comes back until it is stored.
 */
import { AUDIT_STREAM, AuditEvent, auditTenantFilter } from '@webxterm/contracts';
import { createLogger } from '@webxterm/kit';
import { uniqueName } from '@webxterm/testkit';
import { Pool } from 'pg';
import { AuditConfigSchema } from '../src/config';
import { RunningAuditService, startAuditService } from '../src/main';
import { AuditConsumer } from '../src/messaging/audit.consumer';
import { EventReader } from '../src/store/event-reader';
import { EventWriter } from '../src/store/event-writer';
import {
  adminPool, Bus, countStored, deleteConsumer, makeEvent, openBus, publishAll, purgeTenant, serviceEnv, waitForStored,
} from './harness';

let bus: Bus;
let pool: Pool;
const consumers: string[] = [];
const tenants: string[] = [];
const services: RunningAuditService[] = [];

beforeAll(async () => {
  bus = await openBus();
  pool = adminPool();
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  for (const c of consumers) await deleteConsumer(bus.nc, c);
  for (const t of tenants) await purgeTenant(bus.nc, t);
  await bus.close();
  await pool.end();
});

async function replicas(n: number, tenant: string, extra: Record<string, string> = {}): Promise<RunningAuditService[]> {
  tenants.push(tenant);
  const consumer = uniqueName('audit-rep-');
  consumers.push(consumer);
  const started: RunningAuditService[] = [];
  for (let i = 0; i < n; i++) {
    started.push(await startAuditService(AuditConfigSchema.parse(serviceEnv(0, consumer, tenant, { BATCH_SIZE: '100', ...extra }))));
  }
  services.push(...started);
  return started;
}

it('three replicas of two pull loops each share the work and store every event once, the chain intact', async () => {
  const t = uniqueName('rr');
  const reps = await replicas(3, t, { CONSUMER_CONCURRENCY: '2' });
  await publishAll(bus.js, Array.from({ length: 4000 }, () => makeEvent(t)));
  expect(await waitForStored(pool, t, 4000, 30_000)).toBe(4000);
  expect(await countStored(pool, t)).toEqual({ rows: 4000, distinct: 4000 });
  expect(reps.reduce((n, r) => n + r.consumer.stats.stored, 0)).toBe(4000);
  expect(reps.filter((r) => r.consumer.stats.stored > 0).length).toBeGreaterThan(1);
  expect(await new EventReader(pool).verify(t)).toMatchObject({ ok: true, checked: 4000 });
}, 60_000);

it('a replica stopped mid-stream finishes its batch and hands the rest back, so nothing waits for ack_wait', async () => {
  const t = uniqueName('rs');
  // ack_wait 60 s: an event held by the stopped replica and not handed back would stall the test.
  const [leaving, staying] = await replicas(2, t, { ACK_WAIT_SEC: '60', BATCH_SIZE: '200' });
  await publishAll(bus.js, Array.from({ length: 6000 }, () => makeEvent(t)));
  await waitForStored(pool, t, 1000, 30_000);
  await leaving.close();
  const closedAt = Date.now();
  expect(await waitForStored(pool, t, 6000, 30_000)).toBe(6000);
  expect(Date.now() - closedAt).toBeLessThan(30_000);
  expect(await countStored(pool, t)).toEqual({ rows: 6000, distinct: 6000 });
  expect(leaving.consumer.stats.stored + staying.consumer.stats.stored).toBe(6000);
  expect(await new EventReader(pool).verify(t)).toMatchObject({ ok: true, checked: 6000 });
}, 60_000);

it('a batch the database fails to store is handed back and stored later, once', async () => {
  const t = uniqueName('rf');
  tenants.push(t);
  const durable = uniqueName('audit-flaky-');
  consumers.push(durable);
  // The real store, failing its first three calls the way a dropped connection does (no SQLSTATE).
  const writer = new EventWriter(pool);
  let calls = 0;
  const flaky = {
    append: (events: readonly AuditEvent[]) => (++calls <= 3 ? Promise.reject(new Error('Connection terminated unexpectedly')) : writer.append(events)),
  };
  const consumer = new AuditConsumer(bus.nc, flaky, createLogger('audit-test', 'silent'), {
    stream: AUDIT_STREAM.name, durable, filter: auditTenantFilter(t), deliver: 'new', batchSize: 100, concurrency: 1,
    lingerMs: 20, ackWaitSec: 30, maxAckPending: 1000,
  });
  await consumer.start();
  try {
    await publishAll(bus.js, Array.from({ length: 300 }, () => makeEvent(t)));
    expect(await waitForStored(pool, t, 300, 30_000)).toBe(300);
    expect(consumer.stats.failedBatches).toBe(3);
    expect(await countStored(pool, t)).toEqual({ rows: 300, distinct: 300 });
    expect(await new EventReader(pool).verify(t)).toMatchObject({ ok: true, checked: 300 });
  } finally {
    await consumer.stop();
  }
}, 60_000);
