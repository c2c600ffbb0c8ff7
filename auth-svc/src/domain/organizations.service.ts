import { AccessClaims, decide, OrganizationDeleted } from '@webxterm/contracts';
import { AppError, AuditInput, AuditSink, objectId } from '@webxterm/kit';
import { authorize, recordChange, scopeOf } from './access';
import { Forbidden, OrganizationNotFound, OrganizationTaken } from './auth.errors';
import { type Group, OPERATOR_ORGANIZATION, type Organization, type UserRow } from './model';
import { normalizeOrganizationName, RESERVED_TENANTS, TENANT_SLUG } from './normalize';
import type { DomainEvents, Store } from './ports';
import type { Sessions } from './sessions';

type Ctx = Pick<AuditInput, 'client_ip' | 'request_id'>;
export interface OrganizationChanges { company_name?: string; otp_enabled?: boolean }

/** Organizations: every one for a super_admin; their own (read, OTP switch, name) for a company_admin. */
export class OrganizationsService {
  constructor(
    private readonly store: Store,
    private readonly sessions: Sessions,
    private readonly audit: AuditSink,
    private readonly events: DomainEvents,
  ) {}

  async list(actor: AccessClaims): Promise<Organization[]> {
    this.superAdmin(actor);
    return this.store.inScope('*', (tx) => tx.organizations.list());
  }

  async create(actor: AccessClaims, input: { organization_name: string; company_name: string; otp_enabled?: boolean }, ctx: Ctx): Promise<Organization> {
    this.superAdmin(actor);
    const tenantId = normalizeOrganizationName(input.organization_name);
    if (!TENANT_SLUG.test(tenantId)) throw new AppError('invalid', 'request.invalid', 'organization_name: use letters, digits, spaces and hyphens (at most 63)');
    if (RESERVED_TENANTS.has(tenantId) || (await this.store.unscoped.organizations.byTenant(tenantId))) throw OrganizationTaken();
    const id = objectId();
    const org = await this.store.inScope('*', async (tx) => {
      await tx.organizations.insert({ id, tenantId, name: input.company_name, otpEnabled: input.otp_enabled ?? false });
      return (await tx.organizations.get(id))!;
    });
    this.record(actor, ctx, 'organizations.create', org);
    return org;
  }

  /** `idOrTenant`: the ObjectID or the slug. A company_admin may read only their own. */
  async get(actor: AccessClaims, idOrTenant: string): Promise<Organization> {
    const org = await this.load(actor, idOrTenant);
    authorize(actor, 'organization:read', org.tenantId, OrganizationNotFound);
    return org;
  }

  async update(actor: AccessClaims, idOrTenant: string, changes: OrganizationChanges, ctx: Ctx): Promise<Organization> {
    const org = await this.load(actor, idOrTenant);
    authorize(actor, 'organization:update', org.tenantId, OrganizationNotFound);
    const updated = await this.store.inScope((await scopeOf(this.store.unscoped, actor)).scope, async (tx) => {
      await tx.organizations.update(org.id, { name: changes.company_name, otpEnabled: changes.otp_enabled });
      return (await tx.organizations.get(org.id))!;
    });
    this.record(actor, ctx, 'organizations.update', updated, { details: { ...changes } });
    return updated;
  }

  /** Deletes the organization with everything in it; its users' logins are revoked first. */
  async remove(actor: AccessClaims, idOrTenant: string, ctx: Ctx): Promise<void> {
    this.superAdmin(actor);
    const org = await this.load(actor, idOrTenant);
    if (org.tenantId === OPERATOR_ORGANIZATION.tenantId) throw new AppError('forbidden', 'organizations.platform', 'The platform organization cannot be deleted');
    await this.sessions.revokeUsers(await this.store.unscoped.users.idsOfOrganization(org.id));
    await this.store.inScope('*', (tx) => tx.organizations.remove(org.id));
    await this.store.unscoped.persons.deleteOrphans();
    await this.events.publish(OrganizationDeleted, { tenant_id: org.tenantId });
    this.record(actor, ctx, 'organizations.delete', org);
  }

  async stats(actor: AccessClaims, idOrTenant: string) {
    const org = await this.get(actor, idOrTenant);
    return { organization_id: org.id, tenant_id: org.tenantId, ...(await this.store.inScope('*', (tx) => tx.organizations.stats(org.id))) };
  }

  async users(actor: AccessClaims, idOrTenant: string): Promise<UserRow[]> {
    this.superAdmin(actor);
    const org = await this.load(actor, idOrTenant);
    return this.store.inScope('*', (tx) => tx.users.list(org.id));
  }

  async groups(actor: AccessClaims, idOrTenant: string): Promise<Group[]> {
    this.superAdmin(actor);
    const org = await this.load(actor, idOrTenant);
    return this.store.inScope('*', (tx) => tx.groups.list(org.id));
  }

  /** The `/api/admin/...` endpoints are super_admin's, whatever else the caller may read. */
  superAdmin(actor: AccessClaims): void {
    if (decide(actor, 'organizations:manage', actor.tenant_id) !== 'allow') throw Forbidden('Only a super_admin may do this');
  }

  private async load(actor: AccessClaims, idOrTenant: string): Promise<Organization> {
    const org = await this.store.inScope((await scopeOf(this.store.unscoped, actor)).scope, (tx) => tx.organizations.get(idOrTenant));
    if (!org) throw OrganizationNotFound();
    return org;
  }

  private record(actor: AccessClaims, ctx: Ctx, action: string, org: Organization, extra: Partial<AuditInput> = {}) {
    recordChange(this.audit, actor, ctx, action, org.tenantId, `organization:${org.id}`, extra);
  }
}
