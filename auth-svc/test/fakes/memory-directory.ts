import type { PortalRole } from '@webxterm/contracts';
import { apiKeyPrefix, hashApiKey } from '../../src/domain/api-keys';
import { AlreadyMember, EmailTaken, GroupNameTaken, OrganizationTaken, UsernameTaken } from '../../src/domain/auth.errors';
import type { Group, Invitation, Organization, Person } from '../../src/domain/model';
import type {
  GroupsRepository, InvitationsRepository, NewMembership, NewPerson, OrganizationsRepository, OrganizationStats, PersonsRepository,
  ProfileExtras, UsersRepository,
} from '../../src/domain/ports';
import type { GroupRecord, Scoped } from './memory-store';

/* MemoryStore's repositories of people, users, invitations, organizations and groups. */

export class Persons implements PersonsRepository {
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

export class Users implements UsersRepository {
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

export class Invitations implements InvitationsRepository {
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

export class Organizations implements OrganizationsRepository {
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

export class Groups implements GroupsRepository {
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
