/** Portal roles, lowest to highest. The order is the privilege order. */
export const PORTAL_ROLES = ['user', 'company_admin', 'super_admin'] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

export function isPortalRole(v: unknown): v is PortalRole {
  return typeof v === 'string' && (PORTAL_ROLES as readonly string[]).includes(v);
}

/** Numeric role as in the token API of document 004 (`role`, `roleName`). */
export function roleNumber(role: PortalRole): number {
  return PORTAL_ROLES.indexOf(role) + 1;
}

export type Action = 'read' | 'create' | 'update' | 'delete' | 'execute';
export type Acl = Record<string, Action[] | ['*']>;

const ALL: ['*'] = ['*'];

/**
 * The effective ACL of a portal role: resource → allowed actions. Returned at login (document 004)
 * and the single source the access checks read. Machine-level roles narrow access per machine.
 */
export function aclForRole(role: PortalRole): Acl {
  switch (role) {
    case 'super_admin':
      return {
        organizations: ALL, users: ALL, roles: ALL, groups: ALL, machines: ALL, terminal: ALL,
        sessions: ALL, audit: ALL, community: ALL, profile: ALL, dashboard: ALL,
      };
    case 'company_admin':
      return {
        users: ALL, roles: ['read'], groups: ALL, machines: ALL, terminal: ALL, sessions: ALL,
        audit: ['read'], community: ALL, profile: ALL, dashboard: ['read'], organization: ['read', 'update'],
      };
    case 'user':
      return {
        users: ['read'], roles: ['read'], groups: ['read'], machines: ['read', 'execute'], terminal: ['execute'],
        sessions: ['read'], community: ['read', 'create', 'update'], profile: ['read', 'update'], dashboard: ['read'],
      };
  }
}
