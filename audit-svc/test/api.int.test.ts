import { createHash } from 'node:crypto';
import { auditSubject, type AuditEvent } from '@webxterm/contracts';
import { accessToken, uniqueName } from '@webxterm/testkit';
import { Pool } from 'pg';
import { AuditConfigSchema } from '../src/config';
import { RunningAuditService, startAuditService } from '../src/main';
import { EventWriter } from '../src/store/event-writer';
import {
  adminPool, Bus, deleteConsumer, get, makeEvent, openBus, publishAll, purgeTenant, SECRET, serviceEnv, waitForStored,
} from './harness';

const A = uniqueName('ta');
const B = uniqueName('tb');
const C = uniqueName('tc');
const SHARED_USER = uniqueName('shared'); // one username with events in A and B
const CONSUMER = uniqueName('audit-api-');

const alice = { user_id: uniqueName('ua'), username: uniqueName('alice'), role: 'user' };
const bob = { user_id: uniqueName('ub'), username: uniqueName('bob'), role: 'user' };

/** A's events: several actions, actors, results and resources, with two events at the same instant. */
function eventsOfA(): AuditEvent[] {
  const list: AuditEvent[] = [];
  const add = (n: number, over: Partial<AuditEvent>) => { for (let i = 0; i < n; i++) list.push(makeEvent(A, over)); };
  add(12, { action: 'auth.login', actor: alice, resource: null });
  add(5, { action: 'auth.login', actor: bob, result: 'failure', reason: 'invalid_credentials', resource: null });
  add(8, { action: 'http.request', actor: alice, resource: 'POST /api/users' });
  add(4, { action: 'http.denied', actor: { user_id: null, username: null, role: null }, result: 'denied', resource: 'DELETE /api/users/1', status: 403 });
  add(3, { action: 'auth.logout', actor: bob });
  add(1, { action: 'authx.other', actor: bob });
  add(1, { action: 'http.request', actor: bob, resource: 'GET /api/a_b' });
  add(1, { action: 'http.request', actor: bob, resource: 'GET /api/aXb' });
  add(1, { action: 'auth.refresh', actor: { ...alice, username: SHARED_USER } });
  const tie = makeEvent(A, { action: 'auth.refresh', actor: bob });
  list.push(tie, { ...makeEvent(A, { action: 'auth.refresh', actor: bob }), at: tie.at });
  return list;
}

let svc: RunningAuditService;
let bus: Bus;
let pool: Pool;
let base: string;
let a: AuditEvent[];
let b: AuditEvent[];
const adminA = accessToken(SECRET, { role: 'company_admin', tenant_id: A });
const adminB = accessToken(SECRET, { role: 'company_admin', tenant_id: B });
const userA = accessToken(SECRET, { role: 'user', tenant_id: A });
const superAdmin = accessToken(SECRET, { role: 'super_admin', tenant_id: uniqueName('platform') });

/** Every page of a listing, following next_cursor. */
async function walk(query: string, bearer: string, limit: number): Promise<{ pages: any[][]; events: any[] }> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const r = await get(base, `/api/audit?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, bearer);
    expect(r.status).toBe(200);
    pages.push(r.body.events);
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  return { pages, events: pages.flat() };
}

/** A cursor as the service writes one, at `at`. */
const cursorOf = (at: string) => Buffer.from(JSON.stringify([at, '00000000-0000-4000-8000-000000000000'])).toString('base64url');

const newestFirst = (events: AuditEvent[]) =>
  [...events].sort((x, y) => (x.at === y.at ? (x.id < y.id ? 1 : -1) : x.at < y.at ? 1 : -1)).map((e) => e.id);

beforeAll(async () => {
  pool = adminPool();
  bus = await openBus();
  // A's events come through JetStream and the service's consumer (which takes A's subjects only);
  // B's and C's are stored straight through the store, as another replica would have.
  svc = await startAuditService(AuditConfigSchema.parse(serviceEnv(0, CONSUMER, A, { BATCH_SIZE: '50' })));
  base = `http://127.0.0.1:${svc.port}`;
  a = eventsOfA();
  b = Array.from({ length: 10 }, (_, i) => makeEvent(B, { action: 'auth.login', actor: i === 0 ? { ...bob, username: SHARED_USER } : bob }));
  const c = Array.from({ length: 10 }, () => makeEvent(C));
  // Poison first: none of it may hold up the valid events behind it.
  bus.nc.publish(auditSubject(A, 'junk'), 'not json at all');
  bus.nc.publish(auditSubject(A, 'junk'), JSON.stringify({ ...makeEvent(A), reason: 'nul \u0000 inside' }));
  await publishAll(bus.js, [makeEvent(A, { at: '0000-01-01T00:00:00Z' }), ...a.slice(0, 5)]); // year 0: PostgreSQL refuses it
  await publishAll(bus.js, a.slice(5));
  const writer = new EventWriter(pool);
  await writer.append(b);
  await writer.append(c);
  for (const [t, n] of [[A, a.length], [B, b.length], [C, c.length]] as const) {
    expect(await waitForStored(pool, t, n, 15_000)).toBe(n);
  }
});

afterAll(async () => {
  await svc?.close();
  await deleteConsumer(bus.nc, CONSUMER);
  await purgeTenant(bus.nc, A);
  await bus.close();
  await pool.end();
});

describe('ingest', () => {
  it('terminates invalid events without holding up the rest', () => {
    expect(svc.consumer.stats.invalid).toBeGreaterThanOrEqual(3);
  });
});

describe('GET /api/audit', () => {
  it('lists the organization newest first, each event with its chain link', async () => {
    const r = await get(base, '/api/audit?limit=500', adminA);
    expect(r.status).toBe(200);
    expect(r.body.events.map((e: AuditEvent) => e.id)).toEqual(newestFirst(a));
    expect(r.body.next_cursor).toBeNull();
    const first = r.body.events[r.body.events.length - 1];
    expect(first).toEqual({ ...a[0], chain: { seq: 1, prev_hash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('lets anyone re-check each listed event against its chain link (the recipe of docs/events.md)', async () => {
    const canon = (v: any): string => (v === null || typeof v !== 'object' ? JSON.stringify(v)
      : Array.isArray(v) ? `[${v.map(canon).join(',')}]`
        : `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`);
    const r = await get(base, '/api/audit?limit=500', adminA);
    // The chain is in storing order, the listing in `at` order: put them back in chain order.
    const listed = [...r.body.events].sort((x, y) => x.chain.seq - y.chain.seq);
    listed.forEach(({ chain, ...event }, i) => {
      expect(chain.seq).toBe(i + 1);
      expect(chain.prev_hash).toBe(i === 0 ? '0'.repeat(64) : listed[i - 1].chain.hash);
      expect(createHash('sha256').update(chain.prev_hash + canon(event)).digest('hex')).toBe(chain.hash);
    });
  });

  it.each([
    ['user by user_id', () => `user=${alice.user_id}`, (e: AuditEvent) => e.actor.user_id === alice.user_id],
    ['user by username', () => `user=${bob.username}`, (e: AuditEvent) => e.actor.username === bob.username],
    ['exact action', () => 'action=auth.login', (e: AuditEvent) => e.action === 'auth.login'],
    ['action prefix', () => 'action=auth.*', (e: AuditEvent) => e.action.startsWith('auth.')],
    ['exact resource', () => `resource=${encodeURIComponent('POST /api/users')}`, (e: AuditEvent) => e.resource === 'POST /api/users'],
    ['resource prefix, _ taken literally', () => `resource=${encodeURIComponent('GET /api/a_*')}`, (e: AuditEvent) => e.resource === 'GET /api/a_b'],
    ['result', () => 'result=denied', (e: AuditEvent) => e.result === 'denied'],
    ['time range, from inclusive, to exclusive', () => `from=${a[10].at}&to=${a[20].at}`, (e: AuditEvent) => e.at >= a[10].at && e.at < a[20].at],
    ['filters together', () => `user=${bob.user_id}&action=auth.*&result=failure`,
      (e: AuditEvent) => e.actor.user_id === bob.user_id && e.action.startsWith('auth.') && e.result === 'failure'],
  ])('filters: %s', async (_name, query, keep) => {
    const expected = newestFirst(a.filter(keep));
    expect(expected.length).toBeGreaterThan(0);
    const r = await get(base, `/api/audit?${query()}&limit=500`, adminA);
    expect(r.status).toBe(200);
    expect(r.body.events.map((e: AuditEvent) => e.id)).toEqual(expected);
  });

  it('accepts a time range with an offset', async () => {
    const from = new Date(Date.parse(a[10].at)).toISOString().replace('Z', '+00:00');
    const r = await get(base, `/api/audit?from=${encodeURIComponent(from)}&limit=500`, adminA);
    expect(r.body.events.length).toBe(a.length - 10);
  });

  it('pages with no duplicates and no gaps, newest first, including events at the same instant', async () => {
    const { pages, events } = await walk('', adminA, 4);
    expect(pages.length).toBe(Math.ceil(a.length / 4));
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);
    expect(events.map((e) => e.id)).toEqual(newestFirst(a));
  });

  it('pages through a filter too', async () => {
    const { events } = await walk('action=auth.*', adminA, 3);
    expect(events.map((e) => e.id)).toEqual(newestFirst(a.filter((e) => e.action.startsWith('auth.'))));
  });

  it('defaults to 50 events a page', async () => {
    const r = await get(base, `/api/audit?tenant_id=${A}&user=${SHARED_USER}`, superAdmin);
    expect(r.body.events.length).toBe(1);
    const many = await get(base, '/api/audit', superAdmin);
    expect(many.body.events.length).toBe(50);
    expect(typeof many.body.next_cursor).toBe('string');
  });

  it('company_admin sees only their organization', async () => {
    const r = await get(base, `/api/audit?user=${SHARED_USER}`, adminA);
    expect(r.body.events.map((e: AuditEvent) => e.tenant_id)).toEqual([A]);
    const rb = await get(base, '/api/audit?limit=500', adminB);
    expect(rb.body.events.map((e: AuditEvent) => e.id)).toEqual(newestFirst(b));
  });

  it('super_admin sees every organization, or the one asked for', async () => {
    const all = await get(base, `/api/audit?user=${SHARED_USER}`, superAdmin);
    expect(all.body.events.map((e: AuditEvent) => e.tenant_id).sort()).toEqual([A, B].sort());
    const onlyB = await get(base, `/api/audit?tenant_id=${B}&limit=500`, superAdmin);
    expect(onlyB.body.events.map((e: AuditEvent) => e.id)).toEqual(newestFirst(b));
  });

  it.each([
    ['no token', () => '/api/audit', undefined, 401],
    ['a bad token', () => '/api/audit', 'nope', 401],
    ['role user', () => '/api/audit', userA, 403],
    ['role user naming their own tenant', () => `/api/audit?tenant_id=${A}`, userA, 403],
    ['company_admin naming another tenant', () => `/api/audit?tenant_id=${B}`, adminA, 404],
    ['limit above 500', () => '/api/audit?limit=501', adminA, 400],
    ['limit 0', () => '/api/audit?limit=0', adminA, 400],
    ['a forged cursor', () => '/api/audit?cursor=abc', adminA, 400],
    ['an unknown result', () => '/api/audit?result=maybe', adminA, 400],
    ['a time that is no ISO time', () => '/api/audit?from=yesterday', adminA, 400],
    ['a repeated parameter', () => '/api/audit?action=a&action=b', adminA, 400],
    ['year 0 in from', () => '/api/audit?from=0000-01-01T00:00:00Z', adminA, 400],
    ['year 0 in to', () => '/api/audit?to=0000-12-31T23:59:59.999Z', adminA, 400],
    ['a cursor at year 0', () => `/api/audit?cursor=${cursorOf('0000-01-01T00:00:00.000000Z')}`, adminA, 400],
    ['a cursor on February 31st', () => `/api/audit?cursor=${cursorOf('2026-02-31T00:00:00.000000Z')}`, adminA, 400],
    ['a cursor at hour 99', () => `/api/audit?cursor=${cursorOf('2026-01-01T99:00:00.000000Z')}`, adminA, 400],
    ['a NUL in a filter', () => '/api/audit?action=auth%00', adminA, 400],
    ['a NUL in the user filter', () => '/api/audit?user=%00', adminA, 400],
    ['an encoded lone surrogate', () => '/api/audit?resource=%ED%A0%80', adminA, 400],
    ['a NUL in tenant_id', () => '/api/audit?tenant_id=a%00', superAdmin, 400],
  ])('refuses %s', async (_name, path, bearer, status) => {
    const r = await get(base, path(), bearer);
    expect(r.status).toBe(status);
    expect(typeof r.body.error).toBe('string');
  });
});

describe('GET /api/audit/tenants', () => {
  it('company_admin: their organization with its count', async () => {
    const r = await get(base, '/api/audit/tenants', adminA);
    expect(r.status).toBe(200);
    expect(r.body.tenants).toEqual([{ tenant_id: A, events: a.length, last_event_at: a[a.length - 1].at }]);
  });

  it('company_admin of an organization without events: itself, with 0', async () => {
    const t = uniqueName('empty');
    const r = await get(base, '/api/audit/tenants', accessToken(SECRET, { role: 'company_admin', tenant_id: t }));
    expect(r.body.tenants).toEqual([{ tenant_id: t, events: 0, last_event_at: null }]);
  });

  it('super_admin: every tenant', async () => {
    const r = await get(base, '/api/audit/tenants', superAdmin);
    const mine = r.body.tenants.filter((t: { tenant_id: string }) => [A, B, C].includes(t.tenant_id));
    expect(mine.map((t: { tenant_id: string; events: number }) => [t.tenant_id, t.events]))
      .toEqual([[A, a.length], [B, b.length], [C, 10]].sort((x, y) => (x[0] < y[0] ? -1 : 1)));
  });

  it('refuses role user (403) and no token (401)', async () => {
    expect((await get(base, '/api/audit/tenants', userA)).status).toBe(403);
    expect((await get(base, '/api/audit/tenants')).status).toBe(401);
  });
});

describe('GET /api/audit/verify', () => {
  it('verifies the caller organization by default', async () => {
    const r = await get(base, '/api/audit/verify', adminA);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ tenant_id: A, ok: true, checked: a.length, first_broken: null });
  });

  it('super_admin verifies the tenant named, and must name one', async () => {
    expect((await get(base, `/api/audit/verify?tenant_id=${B}`, superAdmin)).body).toEqual(
      { tenant_id: B, ok: true, checked: b.length, first_broken: null });
    expect((await get(base, '/api/audit/verify', superAdmin)).status).toBe(400);
  });

  it('refuses another organization (404), role user (403), no token (401)', async () => {
    expect((await get(base, `/api/audit/verify?tenant_id=${B}`, adminA)).status).toBe(404);
    expect((await get(base, '/api/audit/verify', userA)).status).toBe(403);
    expect((await get(base, '/api/audit/verify')).status).toBe(401);
  });

  it('reports the first broken link after rows are tampered with in SQL', async () => {
    const link = async (seq: number) =>
      (await pool.query('SELECT id::text FROM audit.events WHERE tenant_id = $1 AND seq = $2', [C, seq])).rows[0].id as string;
    const verifyC = async () => (await get(base, `/api/audit/verify?tenant_id=${C}`, superAdmin)).body;
    expect((await verifyC()).ok).toBe(true);

    // 1. An edited event (as the superuser, who bypasses row-level security).
    await pool.query(`UPDATE audit.events SET event = jsonb_set(event, '{result}', '"failure"') WHERE tenant_id = $1 AND seq = 6`, [C]);
    expect(await verifyC()).toEqual({ tenant_id: C, ok: false, checked: 6, first_broken: { seq: 6, id: await link(6), reason: 'hash_mismatch' } });

    // 2. An earlier link deleted: that is now the first break.
    const fourth = await link(4);
    await pool.query('DELETE FROM audit.events WHERE tenant_id = $1 AND seq = 3', [C]);
    expect(await verifyC()).toEqual({ tenant_id: C, ok: false, checked: 3, first_broken: { seq: 4, id: fourth, reason: 'seq_gap' } });
  });

  it('reports a deleted newest event against the chain head', async () => {
    const t = uniqueName('td');
    await new EventWriter(pool).append(Array.from({ length: 3 }, () => makeEvent(t)));
    await pool.query('DELETE FROM audit.events WHERE tenant_id = $1 AND seq = 3', [t]);
    expect((await get(base, `/api/audit/verify?tenant_id=${t}`, superAdmin)).body).toEqual(
      { tenant_id: t, ok: false, checked: 2, first_broken: { seq: 3, id: null, reason: 'head_mismatch' } });
  });
});
