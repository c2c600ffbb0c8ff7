import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';

export type { Pool, PoolClient };

export function createPool(url: string, max = 10): Pool {
  const pool = new Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  pool.on('error', () => { /* an idle client died; the pool replaces it */ });
  // The pool listens for errors of idle clients only. A client checked out when PostgreSQL goes
  // away (a restart) emits 'error' too, and unheard it would crash the process: its query fails
  // on its own, and the pool drops the dead client when it is released.
  pool.on('connect', (client) => { client.on('error', () => undefined); });
  return pool;
}

/**
 * Applies `dir/*.sql` in name order, each once, inside a transaction, under an advisory lock so
 * replicas starting together do not race. Applied files are recorded in `<schema>.migrations`.
 */
export async function runMigrations(pool: Pool, schema: string, dir: string, log?: Logger): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query(`SELECT name FROM ${schema}.migrations`)).rows.map((r) => r.name));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
      if (done.has(file)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(dir, file), 'utf8'));
        await client.query(`INSERT INTO ${schema}.migrations(name) VALUES ($1)`, [file]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${schema}/${file} failed: ${(e as Error).message}`);
      }
      applied.push(file);
      log?.info({ schema, file }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]).catch(() => {});
    client.release();
  }
  return applied;
}

/**
 * Runs `fn` in one transaction on one client: BEGIN (or `begin`, e.g. 'BEGIN READ ONLY'), then
 * `setup` (a role, settings), then `fn`; COMMIT, or ROLLBACK on any error.
 */
export async function inTransaction<T>(
  pool: Pool, fn: (c: PoolClient) => Promise<T>, o: { begin?: string; setup?: (c: PoolClient) => Promise<unknown> } = {},
): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(o.begin ?? 'BEGIN');
    await o.setup?.(c);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/** Something with pg's `query`: a pool, or a pool limited to one tenant. */
export interface Queryable { query: Pool['query'] }

/**
 * `pool`, but each query runs in its own transaction as `role` with `app.tenant_id` set to
 * `tenantId`, so the row-level security policies written for that role limit it to one tenant.
 */
export function tenantScoped(pool: Pool, role: string, tenantId: string): Queryable {
  if (!/^[a-z_]+$/.test(role)) throw new Error(`invalid role name: ${role}`);
  return {
    query: ((text: string, values?: unknown[]) => inTransaction(pool, (c) => c.query(text, values), {
      setup: async (c) => {
        await c.query(`SET LOCAL ROLE ${role}`);
        await c.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
      },
    })) as Pool['query'],
  };
}
