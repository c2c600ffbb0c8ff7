import { AccessClaims, mayAssignRole, PortalRole, roleRank, UserRemoved } from '@webxterm/contracts';
import { AuditInput, AuditSink, objectId } from '@webxterm/kit';
import { authorize, recordChange, scopeOf } from './access';
import {
  AlreadyMember, CannotChangeOwnRole, CannotDeleteSelf, Forbidden, OrganizationNotFound, RoleTooHigh, SharedPerson,
  UsernameTaken, UserNotFound,
} from './auth.errors';
import type { Membership, OrgScope, UserRow } from './model';
import { normalizeEmail } from './normalize';
import type { CredentialStore, DomainEvents, Store } from './ports';
import type { Sessions } from './sessions';
import { newApiKey } from './api-keys';

export interface NewUser { username: string; email: string; password: string; first_name: string; last_name: string; role: PortalRole; machine_role?: string }
export interface UserChanges { first_name?: string; last_name?: string; role?: PortalRole; machine_role?: string }

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly credentials: CredentialStore,
    private readonly sessions: Sessions,
    private readonly audit: AuditSink,
    private readonly events: DomainEvents,
    /** Sends the invitation mail in the background (a slow mail server must not show in the answer). */
    private readonly invite: (i: { to: string; username: string; organizationName: string; invitedBy: string }) => void = () => undefined,
  ) {}

  /** The caller's organization; a super_admin may name another with `tenantId`, or all with '*'. */
  async list(actor: AccessClaims, tenantId?: string): Promise<UserRow[]> {
    const target = tenantId ?? actor.tenant_id;
    authorize(actor, 'users:read', target, OrganizationNotFound);
    const { scope } = await scopeOf(this.store.unscoped, actor);
    return this.store.inScope(scope, async (tx) => {
      if (target === '*') return tx.users.list(null);
      const org = await tx.organizations.get(target);
      if (!org) throw OrganizationNotFound();
      return tx.users.list(org.id);
    });
  }

  /** `GET /api/users/me`: the caller's own membership, as their token names it. */
  async me(actor: AccessClaims): Promise<Membership> {
    const m = await this.store.unscoped.users.membership(actor.user_id);
    if (!m) throw UserNotFound();
    return m;
  }

  async get(actor: AccessClaims, userId: string): Promise<UserRow> {
    const user = await this.load(actor, userId);
    if (user.id !== actor.user_id) authorize(actor, 'users:read', user.tenantId, UserNotFound);
    return user;
  }

  /**
   * A new user of the caller's organization. An email that already belongs to a person elsewhere
   * becomes an invitation they accept (docs/decisions.md, "Invitations"): until then the organization
   * sees what its admin typed. Either way the answer, its timing and the audit event are the same,
   * so no answer tells whether the email exists elsewhere.
   */
  async create(actor: AccessClaims, input: NewUser, ctx: Pick<AuditInput, 'client_ip' | 'request_id'>): Promise<UserRow> {
    authorize(actor, 'users:manage', actor.tenant_id, OrganizationNotFound);
    if (!mayAssignRole(actor, '', input.role)) throw RoleTooHigh();
    // A person may be in other organizations: looked up unscoped, and nothing of them is shown.
    const db = this.store.unscoped;
    const { organizationId } = await scopeOf(db, actor);
    const email = normalizeEmail(input.email);
    const existing = await db.persons.byEmail(email);
    if (existing && (await db.users.isMemberOrInvited(existing.id, organizationId))) throw AlreadyMember();
    if (await db.persons.byUsername(input.username)) throw UsernameTaken();
    const hash = await this.credentials.prepare(input.password); // also for an invitation: the same time either way
    const userId = objectId();
    const membership = { id: userId, organizationId, role: input.role, machineRole: input.machine_role ?? '', apiKey: newApiKey() };
    const user = await this.store.inScope(organizationId, async (tx) => {
      if (existing) {
        await tx.users.insert({
          ...membership, personId: existing.id,
          invited: { username: input.username, firstName: input.first_name, lastName: input.last_name, by: actor.user_id },
        });
      } else {
        const personId = objectId();
        await tx.persons.insert({ id: personId, email, username: input.username, firstName: input.first_name, lastName: input.last_name }, hash);
        await tx.users.insert({ ...membership, personId });
      }
      return (await tx.users.get(userId))!;
    });
    if (existing) this.invite({ to: existing.email, username: existing.username, organizationName: user.organizationName, invitedBy: actor.username });
    this.record(actor, ctx, 'users.create', user, { details: { role: input.role } });
    return user;
  }

  async update(actor: AccessClaims, userId: string, changes: UserChanges, ctx: Pick<AuditInput, 'client_ip' | 'request_id'>): Promise<UserRow> {
    const user = await this.load(actor, userId);
    authorize(actor, 'users:manage', user.tenantId, UserNotFound);
    if (changes.role !== undefined || changes.machine_role !== undefined) this.checkRoleChange(actor, user, changes.role ?? user.role);
    if (!user.pending && (changes.first_name !== undefined || changes.last_name !== undefined)) {
      const shared = (await this.store.unscoped.users.membershipsOf(user.personId)).length > 1;
      if (shared && actor.role !== 'super_admin') throw SharedPerson();
    }
    const updated = await this.store.inScope(await this.scope(actor), async (tx) => {
      const names = { firstName: changes.first_name, lastName: changes.last_name };
      // An invited person keeps their own names: the organization renames only what it shows.
      if (user.pending) await tx.users.updateInvitedNames(userId, names);
      else await tx.persons.updateNames(user.personId, names);
      await tx.users.updateRoles(userId, { role: changes.role, machineRole: changes.machine_role });
      return (await tx.users.get(userId))!;
    });
    if (updated.role !== user.role || updated.machineRole !== user.machineRole) await this.sessions.revokeUsers([userId]);
    this.record(actor, ctx, 'users.update', updated, { details: { fields: Object.keys(changes) } });
    return updated;
  }

  /** Removes the membership and revokes that user's logins at once. */
  async remove(actor: AccessClaims, userId: string, ctx: Pick<AuditInput, 'client_ip' | 'request_id'>): Promise<void> {
    const user = await this.load(actor, userId);
    authorize(actor, 'users:manage', user.tenantId, UserNotFound);
    if (user.id === actor.user_id) throw CannotDeleteSelf();
    if (roleRank(user.role) > roleRank(actor.role)) throw RoleTooHigh();
    await this.sessions.revokeUsers([userId]);
    await this.store.inScope(await this.scope(actor), (tx) => tx.users.remove(userId));
    await this.store.unscoped.persons.deleteOrphans();
    await this.events.publish(UserRemoved, { tenant_id: user.tenantId, user_id: userId });
    this.record(actor, ctx, 'users.delete', user);
  }

  private checkRoleChange(actor: AccessClaims, user: UserRow, role: PortalRole): void {
    if (user.id === actor.user_id) throw CannotChangeOwnRole();
    if (roleRank(user.role) > roleRank(actor.role)) throw RoleTooHigh();
    if (!mayAssignRole(actor, user.id, role)) throw actor.role === 'user' ? Forbidden() : RoleTooHigh();
  }

  private async scope(actor: AccessClaims): Promise<OrgScope> {
    return (await scopeOf(this.store.unscoped, actor)).scope;
  }

  private async load(actor: AccessClaims, userId: string): Promise<UserRow> {
    const user = await this.store.inScope(await this.scope(actor), (tx) => tx.users.get(userId));
    if (!user) throw UserNotFound();
    return user;
  }

  private record(actor: AccessClaims, ctx: Pick<AuditInput, 'client_ip' | 'request_id'>, action: string, target: UserRow, extra: Partial<AuditInput> = {}) {
    recordChange(this.audit, actor, ctx, action, target.tenantId, `user:${target.id}`, extra);
  }
}
