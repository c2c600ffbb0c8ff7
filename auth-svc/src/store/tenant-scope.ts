import type { Pool, PoolClient } from 'pg';
import { inTenantScope } from '@webxterm/kit';

/** `'*'` is the super_admin scope: every organization. */
export type OrgScope = string | '*';

/**
 * Runs `fn` in one tenant-scoped transaction (kit's `inTenantScope`) as the `auth_tenant` role,
 * limited by row-level security to the organization `scope` (migrations 0002, 0005). In auth-svc
 * an organization is scoped by its id. Every query made for a caller goes through here.
 */
export function withTenant<T>(pool: Pool, scope: OrgScope, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return inTenantScope(pool, { role: 'auth_tenant', tenant: scope }, fn);
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
