import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamClient } from '@nats-io/jetstream';
import { AUDIT_STREAM, AuditEvent, AuditRecorded, auditTenantFilter } from '@webxterm/contracts';
import { ensureStream } from '@webxterm/kit';
import { testEnv, waitUntil } from '@webxterm/testkit';

export const SECRET = 'audit-test-secret-that-is-long-enough-0123456789';
export const env = testEnv();

let clock = Date.parse('2026-03-01T00:00:00.000Z');

/** A valid event; each call is 1 ms later than the one before, so "newest first" is predictable. */
export function makeEvent(tenantId: string, over: Partial<AuditEvent> = {}): AuditEvent {
  clock += 1;
  return {
    id: randomUUID(), at: new Date(clock).toISOString(), source: 'test', action: 'http.request', result: 'success',
    tenant_id: tenantId, actor: { user_id: 'u-1', username: 'alice', role: 'user' }, client_ip: '10.0.0.1',
    user_agent: 'jest', request_id: null, resource: 'POST /api/things', status: 201, ...over,
  };
}

export interface Bus { nc: NatsConnection; js: JetStreamClient; close(): Promise<void> }

export async function openBus(): Promise<Bus> {
  const nc = await connect({ servers: env.natsUrl.split(','), timeout: 5000 });
  await ensureStream(nc, AUDIT_STREAM);
  return { nc, js: jetstream(nc), close: () => nc.drain() };
}

/** Publishes through the contract (validated, msgID = event id), `window` publishes in flight at a time. */
export async function publishAll(js: JetStreamClient, events: readonly AuditEvent[], window = 256): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const e = events[next++];
      await js.publish(AuditRecorded.subjectFor(AuditRecorded.schema.parse(e)), JSON.stringify(e), { msgID: e.id });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, events.length) }, worker));
}

/** Removes a durable consumer a test created, so the shared stream does not collect them. */
export async function deleteConsumer(nc: NatsConnection, name: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(AUDIT_STREAM.name, name).catch(() => false);
}

/**
 * Removes a test tenant's events from the shared AUDIT stream once the test is done with them, so
 * thousands of test events per run do not pile up there for the stream's 30 days.
 */
export async function purgeTenant(nc: NatsConnection, tenant: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.purge(AUDIT_STREAM.name, { filter: auditTenantFilter(tenant) }).catch(() => undefined);
}

export function adminPool(): Pool {
  return new Pool({ connectionString: env.databaseUrl, max: 3 });
}

export async function countStored(pool: Pool, tenantId: string): Promise<{ rows: number; distinct: number }> {
  const { rows } = await pool.query(
    'SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct FROM audit.events WHERE tenant_id = $1', [tenantId]);
  return rows[0];
}

/** Waits until `tenantId` has `n` stored events (or more); returns how many it has then. */
export async function waitForStored(pool: Pool, tenantId: string, n: number, timeoutMs: number): Promise<number> {
  let seen = 0;
  return waitUntil(async () => {
    seen = (await countStored(pool, tenantId)).rows;
    return seen >= n ? seen : undefined;
  }, timeoutMs, () => `${n} events stored for ${tenantId} (${seen} so far)`);
}

export interface Reply { status: number; body: any }

export async function get(base: string, path: string, bearer?: string): Promise<Reply> {
  const res = await fetch(base + path, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body };
}

/**
 * The environment of an audit-svc under test: its own durable consumer, starting at new events and
 * taking only `tenant`'s subjects. Every test's services write to the same database, so without the
 * filter one test's consumer would store (and be credited with) another test's events.
 */
export function serviceEnv(port: number, consumer: string, tenant: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl,
    JWT_SECRET: SECRET, CONSUMER_NAME: consumer, CONSUMER_DELIVER: 'new', CONSUMER_FILTER: auditTenantFilter(tenant),
    LOG_LEVEL: 'silent', ...extra,
  };
}
