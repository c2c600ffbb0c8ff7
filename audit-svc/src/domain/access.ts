import { AccessClaims, decide } from '@webxterm/contracts';
import { AuditForbidden, TenantNotFound } from './audit.errors';

/** Whose events a request may read: one tenant, or `'*'` (every tenant, super_admin only). */
export type AuditScope = string | '*';

/**
 * The audit scope of a caller, decided by the platform's one policy function (`decide`, permission
 * `audit:read`). A caller without the permission (role `user`) is refused outright (403). A tenant
 * asked for by name is checked the same way as any other resource of another organization: for a
 * company_admin it does not exist (404, so tenant names do not leak); super_admin may name any.
 * Without a name: super_admin reads every tenant, company_admin their own.
 */
export function auditScope(actor: AccessClaims, requestedTenant?: string): AuditScope {
  if (decide(actor, 'audit:read', actor.tenant_id) !== 'allow') throw AuditForbidden();
  if (requestedTenant === undefined) return actor.role === 'super_admin' ? '*' : actor.tenant_id;
  switch (decide(actor, 'audit:read', requestedTenant)) {
    case 'allow': return requestedTenant;
    case 'not_found': throw TenantNotFound();
    default: throw AuditForbidden();
  }
}
