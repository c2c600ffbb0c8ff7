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

test('stored: true once JetStream holds the event; false for one it refuses, or while it cannot be published', async () => {
  const tenant = `kt${randomBytes(6).toString('hex')}`;
  const base: AuditInput = { action: 'kit.test', result: 'success', client_ip: null, actor: { user_id: null, username: null, role: null } };
  const p = new AuditPublisher(new Bus(nc), 'kit-test', createLogger('kit-test', 'silent'));
  expect(await p.stored({ ...base, tenant_id: tenant, resource: 'confirmed' }, 5000)).toBe(true);
  const jsm = await jetstreamManager(nc);
  const m = await jsm.streams.getMessage(AUDIT_STREAM.name, { last_by_subj: auditSubject(tenant, 'kit.test') });
  expect(m?.json<{ resource: string }>().resource).toBe('confirmed');
  expect(await p.stored({ ...base, tenant_id: `${tenant}.bad` }, 5000)).toBe(false);
  p.close();

  // A bus whose publishes never complete (JetStream unreachable): the wait ends at its timeout, the event stays queued.
  const stalled = new AuditPublisher({ publishDurable: () => new Promise(() => undefined) } as unknown as Bus, 'kit-test', createLogger('kit-test', 'silent'));
  const started = Date.now();
  expect(await stalled.stored({ ...base, tenant_id: tenant }, 300)).toBe(false);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(stalled.pending).toBe(1);
  stalled.close();
});

test('flush: resolves once a publish that failed is retried and stored, rejects at its timeout while nothing can be', async () => {
  const base: AuditInput = { action: 'kit.test', result: 'success', client_ip: null, actor: { user_id: null, username: null, role: null }, tenant_id: 'kitflush' };
  let calls = 0;
  const flaky = { publishDurable: async () => { if (++calls === 1) throw new Error('no responders'); } } as unknown as Bus;
  const p = new AuditPublisher(flaky, 'kit-test', createLogger('kit-test', 'silent'));
  p.record(base);
  p.record(base);
  await p.flush(3000);
  expect(p.pending).toBe(0);
  expect(calls).toBe(3); // the first failed, then both went
  p.close();

  const stalled = new AuditPublisher({ publishDurable: () => new Promise(() => undefined) } as unknown as Bus, 'kit-test', createLogger('kit-test', 'silent'));
  stalled.record(base);
  await expect(stalled.flush(200)).rejects.toThrow('1 audit events not published');
  stalled.close();
});
