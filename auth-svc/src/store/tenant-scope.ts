import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@webxterm/kit';

/** `'*'` is the super_admin scope: every organization. */
export type OrgScope = string | '*';

/**
 * Runs `fn` in one transaction as the `auth_tenant` role, limited by row-level security to the
 * organization `scope` (migration 0002). Every query made for a caller goes through here.
 */
export function withTenant<T>(pool: Pool, scope: OrgScope, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, fn, {
    setup: async (c) => {
      await c.query('SET LOCAL ROLE auth_tenant');
      await c.query("SELECT set_config('app.org_id', $1, true)", [scope]);
    },
  });
}

import { groups, organizations, users } from './directory.repository';

type Bound<T> = { [K in keyof T]: T[K] extends (c: PoolClient, ...a: infer A) => infer R ? (...a: A) => R : never };
function bind<T extends object>(repo: T, c: PoolClient): Bound<T> {
  return Object.fromEntries(Object.entries(repo).map(([k, f]) => [k, (...a: unknown[]) => (f as Function)(c, ...a)])) as Bound<T>;
}

/** One unit of work on behalf of a caller: the directory repositories bound to a tenant-scoped transaction. */
export interface DirectoryTx { users: Bound<typeof users>; groups: Bound<typeof groups>; organizations: Bound<typeof organizations> }

export class TenantStore {
  constructor(private readonly pool: Pool) {}

  run<T>(scope: OrgScope, fn: (tx: DirectoryTx) => Promise<T>): Promise<T> {
    return withTenant(this.pool, scope, (c) => fn({ users: bind(users, c), groups: bind(groups, c), organizations: bind(organizations, c) }));
  }
}
