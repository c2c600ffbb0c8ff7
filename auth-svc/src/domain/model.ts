import type { ClientSource, PortalRole } from '@webxterm/contracts';

export interface Organization { id: string; tenantId: string; name: string; otpEnabled: boolean }

export interface Person {
  id: string; email: string; username: string; firstName: string; lastName: string;
  emailVerified: boolean; keycloakId: string;
}

/** A person in one organization; `id` is the API's user_id. */
export interface Membership {
  id: string; person: Person; organization: Organization; role: PortalRole; machineRole: string;
  /** The readable start of the membership's API key ("vsk_AbCd"); the key itself is kept only as a hash. */
  apiKeyPrefix: string; groups: string[];
}

export interface LoginSession { sid: string; personId: string; source: ClientSource; createdAt: Date; expiresAt: Date }

/** Who asked and from where; every flow records it in the audit trail. */
export interface RequestContext { clientIp: string | null; userAgent: string | null; requestId: string | null; source: ClientSource }
