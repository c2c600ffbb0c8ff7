import type { PortalRole } from '@webxterm/contracts';

/** A membership as the user endpoints show it. */
export interface UserRow {
  id: string; personId: string;
  /** Invited and not accepted yet: the names are the ones the admin typed. */
  pending: boolean;
  username: string; email: string; firstName: string; lastName: string;
  role: PortalRole; machineRole: string; apiKeyPrefix: string; emailVerified: boolean; groups: string[];
  tenantId: string; tenantName: string; organizationId: string; createdAt: Date;
}

export interface Group {
  id: string; organizationId: string; tenantId: string; name: string; description: string;
  memberCount: number; machineCount: number; createdAt: Date;
}

export interface OrganizationRow { id: string; tenantId: string; name: string; otpEnabled: boolean; createdAt: Date }
