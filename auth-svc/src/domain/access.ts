import { AccessClaims, decide, Permission } from '@webxterm/contracts';
import type { AppError, AuditInput, AuditSink } from '@webxterm/kit';
import { Forbidden, OrganizationNotFound } from './auth.errors';
import type { OrgScope } from './model';
import type { Repositories } from './ports';

/** Asks the policy; a resource outside the caller's organization answers as missing, not forbidden. */
export function authorize(actor: AccessClaims, permission: Permission, resourceTenant: string, notFound: () => AppError): void {
  const d = decide(actor, permission, resourceTenant);
  if (d === 'not_found') throw notFound();
  if (d === 'forbidden') throw Forbidden();
}

/** The row-level-security scope of a caller (their organization's id, or `*` for a super_admin) and their organization's id. */
export async function scopeOf(db: Repositories, actor: AccessClaims): Promise<{ scope: OrgScope; organizationId: string }> {
  const org = await db.organizations.byTenant(actor.tenant_id);
  if (!org) throw OrganizationNotFound();
  return { scope: actor.role === 'super_admin' ? '*' : org.id, organizationId: org.id };
}

/** Where an administrative request came from, for its audit event. */
export type AuditContext = Pick<AuditInput, 'client_ip' | 'request_id'>;

/** Records a successful administrative change to `resource` (`user:<id>`, `group:<id>`, …) of `tenantId`. */
export function recordChange(
  audit: AuditSink, actor: AccessClaims, ctx: AuditContext, action: string, tenantId: string, resource: string, extra: Partial<AuditInput> = {},
): void {
  audit.record({
    action, result: 'success', tenant_id: tenantId, resource,
    actor: { user_id: actor.user_id, username: actor.username, email: actor.email, role: actor.role },
    client_ip: ctx.client_ip, request_id: ctx.request_id, ...extra,
  });
}
