import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AUDIT_STREAM, AuditRecorded, type AuditEvent, NO_ORGANIZATION_TENANT } from '@webxterm/contracts';
import { Bus, ensureStream } from '@webxterm/kit';
import { readAuditEvents, testEnv, uniqueName } from '../src';

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: testEnv().natsUrl });
  await ensureStream(nc, AUDIT_STREAM);
});
afterAll(async () => { await nc?.close(); });

/** A valid event (an audit-svc on the same NATS, `npm start`'s, stores it instead of logging an invalid one). */
function event(username: string, n: number): AuditEvent {
  return {
    id: randomUUID(), at: new Date().toISOString(), source: 'testkit', action: 'testkit.probe', result: 'success',
    tenant_id: NO_ORGANIZATION_TENANT, actor: { user_id: null, username, role: null }, client_ip: null, details: { n },
  };
}

test('reads back the events it is asked for, from the start of the stream', async () => {
  const username = uniqueName('kit');
  const bus = new Bus(nc);
  for (const n of [1, 2, 3]) {
    const e = event(username, n);
    await bus.publishDurable(AuditRecorded, e, e.id);
  }

  const events = await readAuditEvents(testEnv().natsUrl, (e) => e.actor.username === username, { expect: 3, timeoutMs: 5000 });

  expect(events.map((e) => e.details?.n)).toEqual([1, 2, 3]);
});

test('returns what it has when fewer events than expected arrive in time', async () => {
  const started = Date.now();
  const events = await readAuditEvents(testEnv().natsUrl, () => false, { expect: 1, timeoutMs: 500 });
  expect(events).toEqual([]);
  expect(Date.now() - started).toBeLessThan(5000);
});
