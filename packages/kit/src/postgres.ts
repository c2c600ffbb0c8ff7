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

/** Who a tenant-scoped transaction runs as: the role its row-level security policies are written for, and the scope they read. */
export interface TenantScope {
  role: string;
  /** The tenant whose rows the policies let through (`'*'`, where a service's policies allow it, for every tenant). */
  tenant: string;
  readOnly?: boolean;
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ';
}

/**
 * THE tenant-scoped transaction: runs `fn` in one transaction as `scope.role` with `app.tenant_id`
 * set to `scope.tenant`, so a query that forgot its WHERE clause still sees only that tenant's rows.
 */
export function inTenantScope<T>(pool: Pool, scope: TenantScope, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  if (!/^[a-z_]+$/.test(scope.role)) throw new Error(`invalid role name: ${scope.role}`);
  return inTransaction(pool, fn, {
    begin: `BEGIN ISOLATION LEVEL ${scope.isolation ?? 'READ COMMITTED'}${scope.readOnly ? ' READ ONLY' : ''}`,
    setup: async (c) => {
      await c.query(`SET LOCAL ROLE ${scope.role}`);
      await c.query("SELECT set_config('app.tenant_id', $1, true)", [scope.tenant]);
    },
  });
}

/** `pool`, but each query runs in its own `inTenantScope` transaction (for repositories written against a pool). */
export function tenantScoped(pool: Pool, role: string, tenantId: string): Queryable {
  return { query: ((text: string, values?: unknown[]) => inTenantScope(pool, { role, tenant: tenantId }, (c) => c.query(text, values))) as Pool['query'] };
}
