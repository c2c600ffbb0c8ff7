import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_STREAM, auditSubject } from '@webxterm/contracts';
import { AuditInput, AuditPublisher, Bus, connectNats, createLogger, ensureStream, NatsConnection } from '../src';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectNats(NATS_URL, 'kit-audit-test');
  await ensureStream(nc, AUDIT_STREAM);
});
afterAll(async () => { await nc?.drain(); });

test('an event that can never be published is dropped instead of blocking the events behind it', async () => {
  const tenant = `kt${randomBytes(6).toString('hex')}`;
  const base: AuditInput = { action: 'kit.test', result: 'success', client_ip: null, actor: { user_id: null, username: null, role: null } };
  const p = new AuditPublisher(new Bus(nc), 'kit-test', createLogger('kit-test', 'silent'));
  p.record({ ...base, tenant_id: `${tenant}.bad` }); // a dot is not allowed in a subject token
  p.record({ ...base, tenant_id: tenant, resource: 'after the bad one' });
  await p.flush(3000);
  p.close();
  const jsm = await jetstreamManager(nc);
  const m = await jsm.streams.getMessage(AUDIT_STREAM.name, { last_by_subj: auditSubject(tenant, 'kit.test') });
  expect(m?.json<{ resource: string }>().resource).toBe('after the bad one');
});
