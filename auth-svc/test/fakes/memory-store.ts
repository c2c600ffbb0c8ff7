import { createHash } from 'node:crypto';
import type { PortalRole } from '@webxterm/contracts';
import { objectId } from '@webxterm/kit';
import { apiKeyPrefix, hashApiKey } from '../../src/domain/api-keys';
import { AlreadyMember, EmailTaken, GroupNameTaken, OrganizationTaken, UsernameTaken } from '../../src/domain/auth.errors';
import type { CleanImage } from '../../src/domain/avatar-image';
import type { Group, Invitation, LoginSession, Membership, Organization, OrgScope, Person, UserRow } from '../../src/domain/model';
import type {
  ApiKeysRepository, AvatarsRepository, GroupsRepository, InvitationsRepository, LoginSessionsRepository, NewMembership, NewPerson,
  OrganizationsRepository, OrganizationStats, PersonsRepository, ProfileExtras, Repositories, Store, StoredAvatar, UsersRepository,
} from '../../src/domain/ports';

/*
 * auth-svc's Store in memory, for domain tests that need no PostgreSQL. It keeps the rules the
 * database keeps and the services rely on: the unique names (the same errors the repositories map
 * 23505 to), the cascades, `NOT pending` for memberships, row-level security (a scope shows only
 * its organization's rows; persons through a membership in scope; credentials not at all), and
 * transactions (a failed one leaves nothing behind).
 */

interface MembershipRecord {
  id: string; personId: string; organizationId: string; role: PortalRole; machineRole: string;
  apiKeyHash: string; apiKeyPrefix: string; apiKeyCreatedAt: Date; createdAt: Date;
  pending: boolean; invited: { username: string; firstName: string; lastName: string; by: string } | null;
}
interface SessionRecord extends LoginSession { clientIp: string | null; revokedAt: Date | null }
interface GroupRecord { id: string; organizationId: string; name: string; description: string; createdAt: Date }

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
class Scoped {
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
      groups: this.groupNamesOf(m.id), tenantId: o.tenantId, tenantName: o.name, organizationId: o.id, createdAt: m.createdAt,
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

class Persons implements PersonsRepository {
  constructor(private readonly db: Scoped) {}
  async byEmail(email: string) { return this.find((p) => p.email.toLowerCase() === email.toLowerCase()); }
  async byUsername(username: string) { return this.find((p) => p.username.toLowerCase() === username.toLowerCase()); }
  async insert(p: NewPerson, passwordHash: string): Promise<void> {
    for (const x of this.db.t.persons.values()) {
      if (x.username.toLowerCase() === p.username.toLowerCase()) throw UsernameTaken();
      if (x.email.toLowerCase() === p.email.toLowerCase()) throw EmailTaken();
    }
    this.db.t.persons.set(p.id, { ...p, emailVerified: false, keycloakId: '', createdAt: this.db.now() });
    this.db.t.credentials.set(p.id, passwordHash);
  }
  async updateNames(personId: string, f: { firstName?: string; lastName?: string }): Promise<void> {
    const p = this.db.t.persons.get(personId);
    if (!p || !this.db.seesPerson(personId)) return;
    p.firstName = f.firstName ?? p.firstName;
    p.lastName = f.lastName ?? p.lastName;
  }
  async deleteOrphans(): Promise<number> {
    let n = 0;
    for (const id of [...this.db.t.persons.keys()]) {
      if ([...this.db.t.memberships.values()].some((m) => m.personId === id)) continue;
      this.db.t.persons.delete(id);
      this.db.t.credentials.delete(id);
      for (const [sid, s] of this.db.t.sessions) if (s.personId === id) this.db.t.sessions.delete(sid);
      n++;
    }
    return n;
  }
  private find(match: (p: Person) => boolean): Person | null {
    const p = [...this.db.t.persons.values()].find((x) => match(x) && this.db.seesPerson(x.id));
    if (!p) return null;
    const { createdAt: _, ...person } = p;
    return { ...person };
  }
}

class Users implements UsersRepository {
  constructor(private readonly db: Scoped) {}
  async list(organizationId: string | null) {
    return this.db.memberships().filter((m) => organizationId === null || m.organizationId === organizationId).map((m) => this.db.userRow(m));
  }
  async listOfGroup(groupId: string) {
    const ids = new Set(this.db.t.groupMembers.filter((x) => x.groupId === groupId).map((x) => x.userId));
    return this.db.memberships().filter((m) => ids.has(m.id)).map((m) => this.db.userRow(m)).sort((a, b) => a.username.localeCompare(b.username));
  }
  async get(userId: string) {
    const m = this.db.memberships().find((x) => x.id === userId);
    return m ? this.db.userRow(m) : null;
  }
  async membership(userId: string) {
    const m = this.db.memberships().find((x) => x.id === userId && !x.pending);
    return m ? this.db.membership(m) : null;
  }
  async membershipsOf(personId: string) {
    return this.db.memberships().filter((m) => m.personId === personId && !m.pending).map((m) => this.db.membership(m));
  }
  async membershipByApiKey(apiKey: string) {
    const hash = hashApiKey(apiKey);
    const login = this.db.t.loginApiKeys.get(hash);
    const s = login && this.db.t.sessions.get(login.sid);
    const live = s && !s.revokedAt && s.expiresAt > this.db.now() ? login.userId : null;
    const m = this.db.memberships().find((x) => !x.pending && (x.apiKeyHash === hash || x.id === live));
    return m ? this.db.membership(m) : null;
  }
  async isMemberOrInvited(personId: string, organizationId: string) {
    return this.db.memberships().some((m) => m.personId === personId && m.organizationId === organizationId);
  }
  async idsOfOrganization(organizationId: string) {
    return this.db.memberships().filter((m) => m.organizationId === organizationId).map((m) => m.id);
  }
  async insert(m: NewMembership): Promise<void> {
    if (!this.db.sees(m.organizationId)) throw new Error('new row violates row-level security policy for table "memberships"');
    if ([...this.db.t.memberships.values()].some((x) => x.personId === m.personId && x.organizationId === m.organizationId)) throw AlreadyMember();
    const now = this.db.now();
    this.db.t.memberships.set(m.id, {
      id: m.id, personId: m.personId, organizationId: m.organizationId, role: m.role, machineRole: m.machineRole,
      apiKeyHash: hashApiKey(m.apiKey), apiKeyPrefix: apiKeyPrefix(m.apiKey), apiKeyCreatedAt: now, createdAt: now,
      pending: Boolean(m.invited), invited: m.invited ?? null,
    });
  }
  async updateInvitedNames(userId: string, f: { firstName?: string; lastName?: string }) {
    const m = this.db.memberships().find((x) => x.id === userId && x.pending);
    if (m?.invited) m.invited = { ...m.invited, firstName: f.firstName ?? m.invited.firstName, lastName: f.lastName ?? m.invited.lastName };
  }
  async updateRoles(userId: string, f: { role?: PortalRole; machineRole?: string }) {
    const m = this.db.memberships().find((x) => x.id === userId);
    if (m) Object.assign(m, { role: f.role ?? m.role, machineRole: f.machineRole ?? m.machineRole });
  }
  async remove(userId: string) {
    if (this.db.memberships().some((x) => x.id === userId)) this.db.dropMembership(userId);
  }
  async profileExtras(userId: string): Promise<ProfileExtras | null> {
    const m = this.db.memberships().find((x) => x.id === userId && !x.pending);
    if (!m) return null;
    const avatar = [...this.db.t.avatars.values()].find((a) => a.userId === userId);
    return { memberSince: m.createdAt, apiKeyCreatedAt: m.apiKeyCreatedAt, avatarId: avatar?.id ?? null };
  }
}

class Invitations implements InvitationsRepository {
  constructor(private readonly db: Scoped) {}
  async of(personId: string): Promise<Invitation[]> {
    return this.db.memberships().filter((m) => m.personId === personId && m.pending).map((m) => {
      const inviter = m.invited && this.db.t.memberships.get(m.invited.by);
      return {
        id: m.id, role: m.role, tenantId: this.db.t.organizations.get(m.organizationId)!.tenantId,
        organizationName: this.db.t.organizations.get(m.organizationId)!.name,
        invitedBy: inviter ? this.db.t.persons.get(inviter.personId)!.username : null, createdAt: m.createdAt,
      };
    });
  }
  async accept(personId: string, userId: string) {
    const m = this.db.memberships().find((x) => x.id === userId && x.personId === personId && x.pending);
    if (!m) return false;
    Object.assign(m, { pending: false, invited: null });
    return true;
  }
  async decline(personId: string, userId: string) {
    const m = this.db.memberships().find((x) => x.id === userId && x.personId === personId && x.pending);
    if (!m) return null;
    this.db.dropMembership(m.id);
    return { tenantId: this.db.t.organizations.get(m.organizationId)!.tenantId };
  }
}

class Organizations implements OrganizationsRepository {
  constructor(private readonly db: Scoped) {}
  private visible() { return [...this.db.t.organizations.values()].filter((o) => this.db.sees(o.id)); }
  async list() { return this.visible().map((o) => ({ ...o })); }
  async get(idOrTenant: string) { return this.copy(this.visible().find((o) => o.id === idOrTenant || o.tenantId === idOrTenant)); }
  async byTenant(tenantId: string) { return this.copy(this.visible().find((o) => o.tenantId === tenantId)); }
  async insert(o: { id: string; tenantId: string; name: string; otpEnabled: boolean }) {
    if (!this.db.sees(o.id)) throw new Error('new row violates row-level security policy for table "organizations"');
    if ([...this.db.t.organizations.values()].some((x) => x.tenantId === o.tenantId)) throw OrganizationTaken();
    this.db.t.organizations.set(o.id, { ...o, createdAt: this.db.now() });
  }
  async update(id: string, f: { name?: string; otpEnabled?: boolean }) {
    const o = this.visible().find((x) => x.id === id);
    if (o) Object.assign(o, { name: f.name ?? o.name, otpEnabled: f.otpEnabled ?? o.otpEnabled });
  }
  async remove(id: string) {
    if (!this.visible().some((o) => o.id === id)) return;
    const t = this.db.t;
    for (const m of [...t.memberships.values()]) if (m.organizationId === id) this.db.dropMembership(m.id);
    for (const g of [...t.groups.values()]) if (g.organizationId === id) t.groups.delete(g.id);
    t.groupMembers = t.groupMembers.filter((x) => x.organizationId !== id);
    t.groupMachines = t.groupMachines.filter((x) => x.organizationId !== id);
    t.organizations.delete(id);
  }
  async stats(id: string): Promise<OrganizationStats> {
    const members = this.db.memberships().filter((m) => m.organizationId === id);
    return {
      users: members.length, admins: members.filter((m) => m.role === 'company_admin').length,
      groups: [...this.db.t.groups.values()].filter((g) => g.organizationId === id && this.db.sees(id)).length,
      grouped_machines: new Set(this.db.t.groupMachines.filter((x) => x.organizationId === id && this.db.sees(id)).map((x) => x.machineId)).size,
    };
  }
  async counts(tenantId: string) {
    const o = await this.byTenant(tenantId);
    if (!o) return { users: 0, groups: 0 };
    const s = await this.stats(o.id);
    return { users: s.users, groups: s.groups };
  }
  private copy(o: Organization | undefined): Organization | null { return o ? { ...o } : null; }
}

class Groups implements GroupsRepository {
  constructor(private readonly db: Scoped) {}
  private visible() { return [...this.db.t.groups.values()].filter((g) => this.db.sees(g.organizationId)); }
  private row(g: GroupRecord): Group {
    return {
      ...g, tenantId: this.db.t.organizations.get(g.organizationId)!.tenantId,
      memberCount: this.db.t.groupMembers.filter((x) => x.groupId === g.id).length,
      machineCount: this.db.t.groupMachines.filter((x) => x.groupId === g.id).length,
    };
  }
  async list(organizationId: string | null) {
    return this.visible().filter((g) => organizationId === null || g.organizationId === organizationId)
      .sort((a, b) => a.name.localeCompare(b.name)).map((g) => this.row(g));
  }
  async get(groupId: string) {
    const g = this.visible().find((x) => x.id === groupId);
    return g ? this.row(g) : null;
  }
  async insert(g: { id: string; organizationId: string; name: string; description: string }) {
    if (!this.db.sees(g.organizationId)) throw new Error('new row violates row-level security policy for table "groups"');
    if ([...this.db.t.groups.values()].some((x) => x.organizationId === g.organizationId && x.name === g.name)) throw GroupNameTaken();
    this.db.t.groups.set(g.id, { ...g, createdAt: this.db.now() });
  }
  async update(groupId: string, f: { name?: string; description?: string }) {
    const g = this.visible().find((x) => x.id === groupId);
    if (!g) return;
    if (f.name !== undefined && [...this.db.t.groups.values()].some((x) => x.id !== g.id && x.organizationId === g.organizationId && x.name === f.name)) {
      throw GroupNameTaken();
    }
    Object.assign(g, { name: f.name ?? g.name, description: f.description ?? g.description });
  }
  async remove(groupId: string) {
    if (!this.visible().some((g) => g.id === groupId)) return;
    this.db.t.groups.delete(groupId);
    this.db.t.groupMembers = this.db.t.groupMembers.filter((x) => x.groupId !== groupId);
    this.db.t.groupMachines = this.db.t.groupMachines.filter((x) => x.groupId !== groupId);
  }
  async addMember(g: Group, userId: string) {
    if (!this.db.t.groupMembers.some((x) => x.groupId === g.id && x.userId === userId)) {
      this.db.t.groupMembers.push({ groupId: g.id, userId, organizationId: g.organizationId });
    }
  }
  async removeMember(groupId: string, userId: string) {
    const before = this.db.t.groupMembers.length;
    this.db.t.groupMembers = this.db.t.groupMembers.filter((x) => !(x.groupId === groupId && x.userId === userId && this.db.sees(x.organizationId)));
    return this.db.t.groupMembers.length < before;
  }
  async machines(groupId: string) {
    return this.db.t.groupMachines.filter((x) => x.groupId === groupId && this.db.sees(x.organizationId)).map((x) => x.machineId);
  }
  async addMachines(g: Group, machineIds: string[]) {
    for (const machineId of machineIds) {
      if (!this.db.t.groupMachines.some((x) => x.groupId === g.id && x.machineId === machineId)) {
        this.db.t.groupMachines.push({ groupId: g.id, machineId, organizationId: g.organizationId });
      }
    }
  }
  async removeMachine(groupId: string, machineId: string) {
    const before = this.db.t.groupMachines.length;
    this.db.t.groupMachines = this.db.t.groupMachines.filter((x) => !(x.groupId === groupId && x.machineId === machineId && this.db.sees(x.organizationId)));
    return this.db.t.groupMachines.length < before;
  }
}

class LoginSessions implements LoginSessionsRepository {
  constructor(private readonly db: Scoped) {}
  private static copy(s: SessionRecord): LoginSession & { revokedAt: Date | null } {
    return { sid: s.sid, personId: s.personId, source: s.source, createdAt: s.createdAt, expiresAt: s.expiresAt, revokedAt: s.revokedAt };
  }
  async create(s: LoginSession & { clientIp: string | null }) { this.db.t.sessions.set(s.sid, { ...s, revokedAt: null }); }
  async get(sid: string) {
    const s = this.db.t.sessions.get(sid);
    return s ? LoginSessions.copy(s) : null;
  }
  async extend(sid: string, expiresAt: Date) {
    const s = this.db.t.sessions.get(sid);
    if (s && expiresAt > s.expiresAt) s.expiresAt = expiresAt;
  }
  async markRevoked(sid: string) {
    const s = this.db.t.sessions.get(sid);
    if (!s) return null;
    s.revokedAt ??= this.db.now();
    return LoginSessions.copy(s);
  }
  async linkUser(sid: string, userId: string) {
    if (!this.db.t.sessionUsers.some((x) => x.sid === sid && x.userId === userId)) this.db.t.sessionUsers.push({ sid, userId });
  }
  async revokeOfUsers(userIds: string[]) {
    const sids = new Set(this.db.t.sessionUsers.filter((x) => userIds.includes(x.userId)).map((x) => x.sid));
    return this.revokeWhere((s) => sids.has(s.sid));
  }
  async revokeOfPerson(personId: string, exceptSid: string | null) {
    return this.revokeWhere((s) => s.personId === personId && s.sid !== exceptSid);
  }
  private revokeWhere(match: (s: SessionRecord) => boolean) {
    const now = this.db.now();
    const live = [...this.db.t.sessions.values()].filter((s) => match(s) && !s.revokedAt && s.expiresAt > now);
    for (const s of live) s.revokedAt = now;
    return live.map(LoginSessions.copy);
  }
}

class ApiKeys implements ApiKeysRepository {
  constructor(private readonly db: Scoped) {}
  async addLoginKey(apiKey: string, userId: string, sid: string) { this.db.t.loginApiKeys.set(hashApiKey(apiKey), { userId, sid }); }
  async replaceMembershipKey(userId: string, apiKey: string) {
    const m = this.db.t.memberships.get(userId)!;
    Object.assign(m, { apiKeyHash: hashApiKey(apiKey), apiKeyPrefix: apiKeyPrefix(apiKey), apiKeyCreatedAt: this.db.now() });
    for (const [k, v] of this.db.t.loginApiKeys) if (v.userId === userId) this.db.t.loginApiKeys.delete(k);
    return m.apiKeyCreatedAt;
  }
}

class Avatars implements AvatarsRepository {
  constructor(private readonly db: Scoped) {}
  async save(organizationId: string, userId: string, img: CleanImage) {
    for (const [k, v] of this.db.t.avatars) if (v.userId === userId) this.db.t.avatars.delete(k);
    const id = objectId();
    this.db.t.avatars.set(id, { id, userId, organizationId, contentType: img.contentType, data: img.data, sha256: createHash('sha256').update(img.data).digest('hex') });
    return id;
  }
  async get(id: string) {
    const a = this.db.t.avatars.get(id);
    return a && this.db.sees(a.organizationId) ? { id: a.id, contentType: a.contentType, data: a.data, sha256: a.sha256 } : null;
  }
}
