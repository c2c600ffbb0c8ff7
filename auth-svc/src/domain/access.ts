import { AccessClaims, decide, Permission } from '@webxterm/contracts';
import type { AppError } from '@webxterm/kit';
import { Forbidden, OrganizationNotFound } from './auth.errors';
import type { AccountRepository } from './ports';

/** Asks the policy; a resource outside the caller's organization answers as missing, not forbidden. */
export function authorize(actor: AccessClaims, permission: Permission, resourceTenant: string, notFound: () => AppError): void {
  const d = decide(actor, permission, resourceTenant);
  if (d === 'not_found') throw notFound();
  if (d === 'forbidden') throw Forbidden();
}

/** The row-level-security scope of a caller: their organization's id, or `*` for a super_admin. */
export async function scopeOf(repo: AccountRepository, actor: AccessClaims): Promise<{ scope: string; organizationId: string }> {
  const org = await repo.findOrganizationByTenant(actor.tenant_id);
  if (!org) throw OrganizationNotFound();
  return { scope: actor.role === 'super_admin' ? '*' : org.id, organizationId: org.id };
}
