/**
 * An invalid event is terminated for good: JetStream must not hold it as pending and deliver it
 * again every ack_wait (nats-server 2.9 ignores `+TERM <reason>`, it knows only a bare `+TERM`).
 */
import { AUDIT_STREAM, auditSubject } from '@webxterm/contracts';
import { uniqueName, waitUntil } from '@webxterm/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { Pool } from 'pg';
import { AuditConfigSchema } from '../src/config';
import { RunningAuditService, startAuditService } from '../src/main';
import { adminPool, Bus, deleteConsumer, makeEvent, openBus, publishAll, purgeTenant, serviceEnv, waitForStored } from './harness';

const T = uniqueName('tt');
const CONSUMER = uniqueName('audit-term-');
let svc: RunningAuditService;
let bus: Bus;
let pool: Pool;

beforeAll(async () => {
  pool = adminPool();
  bus = await openBus();
  svc = await startAuditService(AuditConfigSchema.parse(serviceEnv(0, CONSUMER, T, { ACK_WAIT_SEC: '1', BATCH_LINGER_MS: '5' })));
});

afterAll(async () => {
  await svc?.close();
  await deleteConsumer(bus.nc, CONSUMER);
  await purgeTenant(bus.nc, T);
  await bus.close();
  await pool.end();
});

it('terminated events leave the consumer: nothing pending, never delivered twice, the valid ones stored', async () => {
  bus.nc.publish(auditSubject(T, 'junk'), 'not json at all');
  bus.nc.publish(auditSubject(T, 'junk'), JSON.stringify({ ...makeEvent(T), reason: 'nul \u0000 inside' }));
  await publishAll(bus.js, [makeEvent(T, { at: '0000-01-01T00:00:00Z' }), makeEvent(T), makeEvent(T)]);
  expect(await waitForStored(pool, T, 2, 15_000)).toBe(2);
  const jsm = await jetstreamManager(bus.nc);
  const settled = await waitUntil(async () => {
    const info = await jsm.consumers.info(AUDIT_STREAM.name, CONSUMER);
    return info.num_ack_pending === 0 && info.num_pending === 0 ? info : undefined;
  }, 10_000, 'the consumer settled');
  expect(settled).toMatchObject({ num_ack_pending: 0, num_redelivered: 0 });
  expect(svc.consumer.stats.invalid).toBe(3);
});
