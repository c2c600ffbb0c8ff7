import { join } from 'node:path';
import { Pool } from 'pg';
import { runMigrations } from '@webxterm/kit';
import { uniqueName } from '@webxterm/testkit';
import { inTenantScope } from '@webxterm/kit';
import { EventReader, readerScope } from '../src/store/event-reader';
import { EventWriter } from '../src/store/event-writer';
import { adminPool, countStored, makeEvent } from './harness';

let pool: Pool;
let writer: EventWriter;
let reader: EventReader;

beforeAll(async () => {
  pool = adminPool();
  await runMigrations(pool, 'audit', join(__dirname, '../src/store/migrations'));
  writer = new EventWriter(pool);
  reader = new EventReader(pool);
});
afterAll(() => pool.end());

describe('EventWriter', () => {
  it('stores a batch once: the same batch again, and repeats inside a batch, are skipped', async () => {
    const t = uniqueName('st');
    const events = Array.from({ length: 20 }, () => makeEvent(t));
    expect(await writer.append([...events, events[0], events[3]])).toEqual({ stored: 20, duplicates: 2 });
    expect(await writer.append(events)).toEqual({ stored: 0, duplicates: 20 });
    // An id in another case is the same uuid.
    expect(await writer.append([{ ...events[5], id: events[5].id.toUpperCase() }])).toEqual({ stored: 0, duplicates: 1 });
    expect(await countStored(pool, t)).toEqual({ rows: 20, distinct: 20 });
    const { rows } = await pool.query('SELECT seq FROM audit.events WHERE tenant_id = $1 ORDER BY seq', [t]);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await reader.verify(t)).toEqual({ tenant_id: t, ok: true, checked: 20, first_broken: null });
  });

  it('keeps every chain intact with many writers at once over overlapping batches of two tenants', async () => {
    const [a, b] = [uniqueName('sa'), uniqueName('sb')];
    const events = Array.from({ length: 400 }, (_, i) => makeEvent(i % 3 === 0 ? a : b));
    // 8 writers, each given overlapping slices (every event is in two of them), all at once.
    const slices = Array.from({ length: 8 }, (_, w) => events.filter((_e, i) => i % 8 === w || i % 8 === (w + 1) % 8));
    const results = await Promise.all(slices.map((s) => writer.append(s)));
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(400);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(400);
    const ca = await countStored(pool, a);
    const cb = await countStored(pool, b);
    expect(ca.rows + cb.rows).toBe(400);
    expect(ca.distinct + cb.distinct).toBe(400);
    expect((await reader.verify(a)).ok).toBe(true);
    expect((await reader.verify(b)).ok).toBe(true);
    const heads = await pool.query('SELECT tenant_id, seq FROM audit.chain_heads WHERE tenant_id IN ($1, $2) ORDER BY tenant_id', [a, b]);
    expect(heads.rows.map((r) => Number(r.seq))).toEqual([ca.rows, cb.rows]);
  });

  it('refuses a row PostgreSQL cannot hold with a data error, not a silent skip', async () => {
    const t = uniqueName('se');
    await expect(writer.append([makeEvent(t, { at: '0000-01-01T00:00:00Z' })])).rejects.toMatchObject({ code: expect.stringMatching(/^22/) });
    expect((await countStored(pool, t)).rows).toBe(0);
  });
});

describe('row-level security', () => {
  const a = uniqueName('ra');
  const b = uniqueName('rb');
  beforeAll(async () => {
    await writer.append([makeEvent(a), makeEvent(a), makeEvent(b)]);
  });

  it('a query without any WHERE under tenant A returns only A rows', async () => {
    const events = await inTenantScope(pool, readerScope(a), (c) => c.query('SELECT tenant_id FROM audit.events'));
    expect(events.rows.length).toBe(2);
    expect(new Set(events.rows.map((r) => r.tenant_id))).toEqual(new Set([a]));
    const heads = await inTenantScope(pool, readerScope(a), (c) => c.query('SELECT tenant_id FROM audit.chain_heads'));
    expect(heads.rows.map((r) => r.tenant_id)).toEqual([a]);
  });

  it("'*' sees every tenant; no scope at all sees nothing", async () => {
    const all = await inTenantScope(pool, readerScope('*'), (c) => c.query('SELECT DISTINCT tenant_id FROM audit.events WHERE tenant_id IN ($1, $2)', [a, b]));
    expect(all.rows.length).toBe(2);
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE audit_reader');
      expect((await c.query('SELECT count(*)::int AS n FROM audit.events')).rows[0].n).toBe(0);
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
  });

  it('the reader role can neither write nor read anything else', async () => {
    await expect(inTenantScope(pool, readerScope(a), (c) => c.query("UPDATE audit.chain_heads SET seq = 0"))).rejects.toThrow(/read-only|permission denied/);
    const c = await pool.connect();
    try {
      for (const sql of ['UPDATE audit.events SET seq = seq', 'DELETE FROM audit.events', 'SELECT * FROM audit.migrations']) {
        await c.query('BEGIN');
        await c.query('SET LOCAL ROLE audit_reader');
        await c.query("SELECT set_config('app.tenant_id', '*', true)");
        await expect(c.query(sql)).rejects.toThrow(/permission denied/);
        await c.query('ROLLBACK');
      }
    } finally {
      c.release();
    }
  });

  it('the reader role is not a superuser, does not own the tables and cannot log in', async () => {
    const { rows } = await pool.query(`SELECT rolsuper, rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = 'audit_reader'`);
    expect(rows[0]).toEqual({ rolsuper: false, rolcanlogin: false, rolbypassrls: false });
    const owner = await pool.query(`SELECT tableowner FROM pg_tables WHERE schemaname = 'audit' AND tablename = 'events'`);
    expect(owner.rows[0].tableowner).not.toBe('audit_reader');
  });
});
