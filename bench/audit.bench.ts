/**
 * Audit pipeline, end to end: N events published to JetStream → audit-svc (a real process) → stored
 * in PostgreSQL, timed from the first publish to the last event stored. Measured in the same run:
 * the JetStream publish rate alone, the PostgreSQL batch insert rate alone (same rows, same table
 * shape, no chain, no NATS) and audit-svc's store alone (chain, de-duplication, insert; no NATS).
 *   npm run bench -- audit     (BENCH_AUDIT_EVENTS=20000, BENCH_AUDIT_BATCHES=100,500,1000)
 */
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Pool } from 'pg';
import { AUDIT_STREAM, AuditEvent, AuditRecorded, auditTenantFilter } from '@webxterm/contracts';
import { Bus, ensureStream, runMigrations } from '@webxterm/kit';
import { waitUntil } from '@webxterm/testkit';
import { EventWriter } from '../audit-svc/src/store/event-writer';
import { chainHash, GENESIS_HASH } from '../audit-svc/src/domain/chain';
import { freePort, machine, startServiceProcess } from './lib';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/webxterm_bench';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const BATCHES = (process.env.BENCH_AUDIT_BATCHES ?? '100,500,1000').split(',').map(Number);
const PUBLISH_WINDOW = 256;
const tag = randomBytes(4).toString('hex');

interface Row { label: string; events: number; ms: number }
const rate = (r: Row) => (r.events * 1000) / r.ms;

function events(tenant: string, n: number): AuditEvent[] {
  const t0 = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(), at: new Date(t0 + i).toISOString(), source: 'bench', action: i % 2 ? 'auth.login' : 'http.request',
    result: 'success', tenant_id: tenant, actor: { user_id: 'u1', username: 'bench', role: 'user' },
    client_ip: '10.0.0.1', user_agent: 'bench/1', request_id: randomUUID(), resource: 'POST /api/things', status: 201,
  }));
}

async function publishAll(bus: Bus, list: AuditEvent[]): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < list.length) { const e = list[next++]; await bus.publishDurable(AuditRecorded, e, e.id); } };
  await Promise.all(Array.from({ length: PUBLISH_WINDOW }, worker));
}

async function timed(label: string, n: number, fn: () => Promise<unknown>): Promise<Row> {
  const t = process.hrtime.bigint();
  await fn();
  return { label, events: n, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

/** The same rows audit-svc writes, into a table of the same shape, in batches: PostgreSQL's part alone. */
async function rawInsert(pool: Pool, list: AuditEvent[], batch: number): Promise<void> {
  let prev = GENESIS_HASH;
  const rows = list.map((event, i) => { const hash = chainHash(prev, event); const r = { event, seq: i + 1, prev_hash: prev, hash }; prev = hash; return r; });
  for (let i = 0; i < rows.length; i += batch) {
    await pool.query(`INSERT INTO bench_audit_raw.events (event, seq, prev_hash, hash)
      SELECT r.event, r.seq, r.prev_hash, r.hash FROM jsonb_to_recordset($1::jsonb) AS r(event jsonb, seq bigint, prev_hash text, hash text)`,
    [JSON.stringify(rows.slice(i, i + batch))]);
  }
}

/** Reads the tenant's chain length every `everyMs` until it reaches `n`, and returns it. */
async function waitStored(pool: Pool, tenant: string, n: number, timeoutMs: number, everyMs = 20): Promise<number> {
  let seen = 0;
  return waitUntil(async () => {
    seen = Number((await pool.query('SELECT seq FROM audit.chain_heads WHERE tenant_id = $1', [tenant])).rows[0]?.seq ?? 0);
    return seen >= n ? seen : undefined;
  }, timeoutMs, () => `${n} events stored for ${tenant} (${seen} so far)`, everyMs);
}

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  await runMigrations(pool, 'audit', join(__dirname, '../audit-svc/src/store/migrations'));
  const nc = await connect({ servers: NATS_URL.split(',') });
  await ensureStream(nc, AUDIT_STREAM);
  const bus = new Bus(nc);
  const consumers: string[] = [];
  const rows: Row[] = [];
  try {
    // Baselines. Publishing goes to a tenant no audit-svc consumer here takes.
    rows.push(await timed(`JetStream publish alone (${PUBLISH_WINDOW} in flight)`, N, () => publishAll(bus, events(`benchraw${tag}`, N))));
    await pool.query('DROP SCHEMA IF EXISTS bench_audit_raw CASCADE; CREATE SCHEMA bench_audit_raw');
    await pool.query('CREATE TABLE bench_audit_raw.events (LIKE audit.events INCLUDING ALL)');
    const writer = new EventWriter(pool);
    for (const b of BATCHES) {
      await pool.query('TRUNCATE bench_audit_raw.events');
      rows.push(await timed(`PostgreSQL batch insert alone, batch ${b}`, N, () => rawInsert(pool, events(`benchpg${tag}`, N), b)));
      const list = events(`benchstore${b}${tag}`, N);
      rows.push(await timed(`audit-svc store alone (chain + de-dup + insert), batch ${b}`, N, async () => {
        for (let i = 0; i < list.length; i += b) await writer.append(list.slice(i, i + b));
      }));
    }
    await pool.query('DROP SCHEMA bench_audit_raw CASCADE');

    // End to end, audit-svc as a process: first publish → last event stored.
    for (const b of BATCHES) {
      const tenant = `bench${b}${tag}`;
      const consumer = `audit-bench-${b}-${tag}`;
      consumers.push(consumer);
      const start = async () => startServiceProcess('audit-svc', {
        PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL, NATS_URL, REDIS_URL, JWT_SECRET: randomBytes(32).toString('hex'),
        CONSUMER_NAME: consumer, CONSUMER_DELIVER: 'new', CONSUMER_FILTER: auditTenantFilter(tenant), BATCH_SIZE: String(b),
      });
      let svc = await start();
      try {
        const list = events(tenant, N);
        let publishMs = 0;
        const row = await timed(`end to end: publish → audit-svc → stored, batch ${b}`, N, async () => {
          const t = Date.now();
          await publishAll(bus, list);
          publishMs = Date.now() - t;
          const stored = await waitStored(pool, tenant, N, 120_000);
          if (stored !== N) throw new Error(`only ${stored} of ${N} stored`);
        });
        rows.push(row);
        console.log(`  batch ${b}: publishing took ${publishMs} ms of ${row.ms.toFixed(0)} ms`);

        // The consumer side alone: N events wait in the stream while audit-svc is down; timed from
        // the first of them stored to the last (process start-up excluded).
        await svc.stop();
        await publishAll(bus, events(tenant, N));
        svc = await start();
        const first = await waitStored(pool, tenant, N + 1, 60_000, 1);
        const t = process.hrtime.bigint();
        if ((await waitStored(pool, tenant, 2 * N, 120_000, 1)) !== 2 * N) throw new Error('backlog not stored');
        rows.push({ label: `audit-svc draining a backlog (consumer alone), batch ${b}`, events: 2 * N - first,
          ms: Number(process.hrtime.bigint() - t) / 1e6 });
      } finally {
        await svc.stop();
      }
    }
  } finally {
    // Leave the shared stream as it was: the bench's durable consumers and events go.
    const jsm = await jetstreamManager(nc);
    for (const c of consumers) await jsm.consumers.delete(AUDIT_STREAM.name, c).catch(() => false);
    for (const t of [`benchraw${tag}`, ...BATCHES.map((b) => `bench${b}${tag}`)]) {
      await jsm.streams.purge(AUDIT_STREAM.name, { filter: auditTenantFilter(t) }).catch(() => undefined);
    }
    await nc.drain();
    await pool.end();
  }

  console.log(`\nAudit pipeline, ${N} events — ${machine()}`);
  console.log('| run | events/s | total ms |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${rate(r).toFixed(0)} | ${r.ms.toFixed(0)} |`);
  const pub = rows[0];
  for (const b of BATCHES) {
    const e2e = rows.find((r) => r.label.startsWith('end to end') && r.label.endsWith(`batch ${b}`))!;
    const pg = rows.find((r) => r.label.startsWith('PostgreSQL') && r.label.endsWith(`batch ${b}`))!;
    const store = rows.find((r) => r.label.startsWith('audit-svc store') && r.label.endsWith(`batch ${b}`))!;
    const drain = rows.find((r) => r.label.startsWith('audit-svc draining') && r.label.endsWith(`batch ${b}`))!;
    console.log(`ratios, batch ${b}: end to end / publish alone ${(rate(e2e) / rate(pub)).toFixed(2)}×, ` +
      `/ insert alone ${(rate(e2e) / rate(pg)).toFixed(2)}×, / store alone ${(rate(e2e) / rate(store)).toFixed(2)}×; ` +
      `backlog drain / store alone ${(rate(drain) / rate(store)).toFixed(2)}×`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
