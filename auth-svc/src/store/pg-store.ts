import type { Pool, PoolClient } from 'pg';
import { inTenantScope, inTransaction, type Queryable } from '@webxterm/kit';
import type { OrgScope } from '../domain/model';
import type { Repositories, Store } from '../domain/ports';
import { PgApiKeysRepository } from './api-keys.repository';
import { PgAvatarsRepository } from './avatars.repository';
import { PgGroupsRepository } from './groups.repository';
import { PgInvitationsRepository } from './invitations.repository';
import { PgLoginSessionsRepository } from './login-sessions.repository';
import { PgOrganizationsRepository } from './organizations.repository';
import { PgPersonsRepository } from './persons.repository';
import { PgUsersRepository } from './users.repository';

/** Every repository on one connection: the pool, or the client of one transaction. */
export function repositoriesOn(db: Queryable): Repositories {
  return {
    persons: new PgPersonsRepository(db), users: new PgUsersRepository(db), invitations: new PgInvitationsRepository(db),
    organizations: new PgOrganizationsRepository(db), groups: new PgGroupsRepository(db), loginSessions: new PgLoginSessionsRepository(db),
    apiKeys: new PgApiKeysRepository(db), avatars: new PgAvatarsRepository(db),
  };
}

/**
 * One transaction as the `auth_tenant` role (kit's `inTenantScope`), whose row-level security
 * (migrations 0002, 0005: `auth.in_scope` reads `app.tenant_id`) shows only the organization whose
 * id is `scope`, or every one for `'*'`.
 */
export function inOrganizationScope<T>(pool: Pool, scope: OrgScope, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return inTenantScope(pool, { role: 'auth_tenant', tenant: scope }, fn);
}

/**
 * The database of auth-svc: every repository on the pool (as auth-svc itself), in a plain
 * transaction, or in one organization's scope (`inOrganizationScope`).
 */
export class PgStore implements Store {
  readonly unscoped: Repositories;

  constructor(private readonly pool: Pool) {
    this.unscoped = repositoriesOn(pool);
  }

  transaction<T>(fn: (r: Repositories) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (c) => fn(repositoriesOn(c)));
  }

  inScope<T>(scope: OrgScope, fn: (r: Repositories) => Promise<T>): Promise<T> {
    return inOrganizationScope(this.pool, scope, (c) => fn(repositoriesOn(c)));
  }
}
