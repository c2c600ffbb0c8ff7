import type { ClientSource, PortalRole } from '@webxterm/contracts';

/*
 * The words of auth-svc, one meaning each (docs/decisions.md, "Tenant and organization"):
 * - organization: a row of auth.organizations, a customer or the platform operator.
 * - organization id (`organizationId`, `Organization.id`): its ObjectID. Only auth-svc sees it; it
 *   is the key of its rows and the scope of row-level security (`OrgScope`).
 * - tenant id (`tenantId`, the API's and tokens' `tenant_id`): the organization's slug ("my-org"),
 *   the name every other service, event and token uses for it.
 * - person: one login identity (email, username, password); user (`user_id`): a person's
 *   membership in one organization.
 */

export interface Organization { id: string; tenantId: string; name: string; otpEnabled: boolean; createdAt: Date }

/** The platform operator's organization, home of the super_admins (created at start-up). */
export const OPERATOR_ORGANIZATION = { tenantId: 'platform', name: 'WebXTerm Platform' } as const;

/** The row-level-security scope of a caller: an organization id, or `'*'` (super_admin) for every organization. */
export type OrgScope = string | '*';

export interface Person {
  id: string; email: string; username: string; firstName: string; lastName: string;
  emailVerified: boolean; keycloakId: string;
}

/** A person's accepted membership in one organization, as logins and tokens see it; `id` is the API's user_id. */
export interface Membership {
  id: string; person: Person; organization: Organization; role: PortalRole; machineRole: string;
  /** The readable start of the membership's API key ("vsk_AbCd"); the key itself is kept only as a hash. */
  apiKeyPrefix: string; groups: string[];
}

/** A membership as the organization's user endpoints show it, invitations included. */
export interface UserRow {
  id: string; personId: string;
  /** Invited and not accepted yet: the names are the ones the admin typed. */
  pending: boolean;
  username: string; email: string; firstName: string; lastName: string;
  role: PortalRole; machineRole: string; apiKeyPrefix: string; emailVerified: boolean; groups: string[];
  tenantId: string; organizationName: string; organizationId: string; createdAt: Date;
}

export interface Group {
  id: string; organizationId: string; tenantId: string; name: string; description: string;
  memberCount: number; machineCount: number; createdAt: Date;
}

/** An organization's invitation as the invited person sees it; `id` becomes their user_id there. */
export interface Invitation { id: string; role: PortalRole; tenantId: string; organizationName: string; invitedBy: string | null; createdAt: Date }

export interface LoginSession { sid: string; personId: string; source: ClientSource; createdAt: Date; expiresAt: Date }

/** Who asked and from where; every flow records it in the audit trail. */
export interface RequestContext { clientIp: string | null; userAgent: string | null; requestId: string | null; source: ClientSource }
