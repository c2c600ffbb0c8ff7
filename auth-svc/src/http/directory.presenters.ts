import type { Group, Organization, UserRow } from '../domain/model';

/** A user as others see them: never their API key. */
export function directoryUserJson(u: UserRow) {
  return {
    id: u.id, username: u.username, email: u.email, first_name: u.firstName, last_name: u.lastName,
    tenant_id: u.tenantId, tenant_name: u.organizationName, role: u.role, machine_role: u.machineRole, groups: u.groups,
    email_verified: u.emailVerified, created_at: u.createdAt.toISOString(),
  };
}

export function groupJson(g: Group) {
  return {
    id: g.id, tenant_id: g.tenantId, name: g.name, description: g.description,
    member_count: g.memberCount, machine_count: g.machineCount, created_at: g.createdAt.toISOString(),
  };
}

export function organizationJson(o: Organization) {
  return { id: o.id, tenant_id: o.tenantId, name: o.name, otp_enabled: o.otpEnabled, created_at: o.createdAt.toISOString() };
}
