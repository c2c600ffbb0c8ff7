import type { PortalRole } from '@webxterm/contracts';
import type { Membership, LoginSession, Organization, OrgScope, Person, UserRow } from '../../src/domain/model';
import type { Repositories, Store, StoredAvatar } from '../../src/domain/ports';
import { Groups, Invitations, Organizations, Persons, Users } from './memory-directory';
import { ApiKeys, Avatars, LoginSessions } from './memory-logins';

/*
 * auth-svc's Store in memory, for domain tests that need no PostgreSQL. It keeps the rules the
 * database keeps and the services rely on: the unique names (the same errors the repositories map
 * 23505 to), the cascades, `NOT pending` for memberships, row-level security (a scope shows only
 * its organization's rows; persons through a membership in scope; credentials not at all), and
 * transactions (a failed one leaves nothing behind).
 */

export interface MembershipRecord {
  id: string; personId: string; organizationId: string; role: PortalRole; machineRole: string;
  apiKeyHash: string; apiKeyPrefix: string; apiKeyCreatedAt: Date; createdAt: Date;
  pending: boolean; invited: { username: string; firstName: string; lastName: string; by: string } | null;
}
export interface SessionRecord extends LoginSession { clientIp: string | null; revokedAt: Date | null }
export interface GroupRecord { id: string; organizationId: string; name: string; description: string; createdAt: Date }

/** The tables. Plain data, so a transaction can copy and restore it. */
export interface Tables {
  organizations: Map<string, Organization>;
  persons: Map<string, Person & { createdAt: Date }>;
  credentials: Map<string, string>;
  memberships: Map<string, MembershipRecord>;
  groups: Map<string, GroupRecord>;
  groupMembers: { groupId: string; userId: string; organizationId: string }[];
  groupMachines: { groupId: string; machineId: string; organizationId: string }[];
  sessions: Map<string, SessionRecord>;
  sessionUsers: { sid: string; userId: string }[];
  loginApiKeys: Map<string, { userId: string; sid: string }>;
  avatars: Map<string, StoredAvatar & { userId: string; organizationId: string }>;
}

function emptyTables(): Tables {
  return {
    organizations: new Map(), persons: new Map(), credentials: new Map(), memberships: new Map(), groups: new Map(),
    groupMembers: [], groupMachines: [], sessions: new Map(), sessionUsers: [], loginApiKeys: new Map(), avatars: new Map(),
  };
}

export class MemoryStore implements Store {
  /** Read them in assertions; write them to seed what no service creates. */
  t: Tables = emptyTables();
  readonly unscoped: Repositories;

  constructor(readonly now: () => Date = () => new Date()) {
    this.unscoped = this.repositories(null);
  }

  transaction<T>(fn: (r: Repositories) => Promise<T>): Promise<T> {
    return this.atomically(() => fn(this.repositories(null)));
  }

  inScope<T>(scope: OrgScope, fn: (r: Repositories) => Promise<T>): Promise<T> {
    return this.atomically(() => fn(this.repositories(scope)));
  }

  /** `null`: as auth-svc itself; otherwise what row-level security shows in that scope. */
  repositories(scope: OrgScope | null): Repositories {
    const db = new Scoped(this, scope);
    return {
      persons: new Persons(db), users: new Users(db), invitations: new Invitations(db), organizations: new Organizations(db),
      groups: new Groups(db), loginSessions: new LoginSessions(db), apiKeys: new ApiKeys(db), avatars: new Avatars(db),
    };
  }

  private async atomically<T>(fn: () => Promise<T>): Promise<T> {
    const before = structuredClone(this.t);
    try {
      return await fn();
    } catch (e) {
      this.t = before;
      throw e;
    }
  }
}

/** The tables as one scope sees them. */
export class Scoped {
  constructor(private readonly store: MemoryStore, readonly scope: OrgScope | null) {}
  get t(): Tables { return this.store.t; }
  now(): Date { return this.store.now(); }
  sees(organizationId: string): boolean {
    return this.scope === null || this.scope === '*' || this.scope === organizationId;
  }
  seesPerson(personId: string): boolean {
    return this.scope === null || [...this.t.memberships.values()].some((m) => m.personId === personId && this.sees(m.organizationId));
  }
  memberships(): MembershipRecord[] {
    return [...this.t.memberships.values()].filter((m) => this.sees(m.organizationId));
  }
  /** What the memberships SELECT shows: an invitation with the names its admin typed. */
  userRow(m: MembershipRecord): UserRow {
    const p = this.t.persons.get(m.personId)!;
    const o = this.t.organizations.get(m.organizationId)!;
    return {
      id: m.id, personId: m.personId, pending: m.pending,
      username: m.invited?.username ?? p.username, email: p.email,
      firstName: m.invited?.firstName ?? p.firstName, lastName: m.invited?.lastName ?? p.lastName,
      role: m.role, machineRole: m.machineRole, apiKeyPrefix: m.apiKeyPrefix, emailVerified: p.emailVerified && !m.pending,
      groups: this.groupNamesOf(m.id), tenantId: o.tenantId, organizationName: o.name, organizationId: o.id, createdAt: m.createdAt,
    };
  }
  membership(m: MembershipRecord): Membership {
    const { createdAt: _, ...person } = this.t.persons.get(m.personId)!;
    return {
      id: m.id, person, organization: { ...this.t.organizations.get(m.organizationId)! }, role: m.role, machineRole: m.machineRole,
      apiKeyPrefix: m.apiKeyPrefix, groups: this.groupNamesOf(m.id),
    };
  }
  private groupNamesOf(userId: string): string[] {
    return this.t.groupMembers.filter((x) => x.userId === userId).map((x) => this.t.groups.get(x.groupId)!.name).sort();
  }
  /** ON DELETE CASCADE of a membership. */
  dropMembership(id: string): void {
    this.t.memberships.delete(id);
    this.t.groupMembers = this.t.groupMembers.filter((x) => x.userId !== id);
    this.t.sessionUsers = this.t.sessionUsers.filter((x) => x.userId !== id);
    for (const [k, v] of this.t.loginApiKeys) if (v.userId === id) this.t.loginApiKeys.delete(k);
    for (const [k, v] of this.t.avatars) if (v.userId === id) this.t.avatars.delete(k);
  }
}
