/** Portal roles, lowest to highest. The order is the privilege order. */
export const PORTAL_ROLES = ['user', 'company_admin', 'super_admin'] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

/** Roles on one machine, lowest to highest. */
export const MACHINE_ROLES = ['viewer', 'operator', 'admin'] as const;
export type MachineRole = (typeof MACHINE_ROLES)[number];

export function isPortalRole(v: unknown): v is PortalRole {
  return typeof v === 'string' && (PORTAL_ROLES as readonly string[]).includes(v);
}

export function roleRank(role: PortalRole): number {
  return PORTAL_ROLES.indexOf(role);
}

/** Numeric role as in the token API of document 004 (`role`, `roleName`). */
export function roleNumber(role: PortalRole): number {
  return roleRank(role) + 1;
}

/** `resource:action`. Every access question in the platform is asked as one of these. */
export const PERMISSIONS = [
  'organizations:manage', 'organization:read', 'organization:update',
  'users:read_self', 'users:read', 'users:manage',
  'roles:read', 'groups:read', 'groups:manage',
  'machines:read', 'machines:manage', 'terminal:open', 'commands:run', 'sessions:read', 'sessions:watch',
  'audit:read', 'community:read', 'community:write', 'community:moderate', 'profile:read', 'profile:update', 'dashboard:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const USER: Permission[] = [
  'users:read_self', 'roles:read', 'groups:read', 'machines:read', 'terminal:open', 'commands:run', 'sessions:read',
  'community:read', 'community:write', 'profile:read', 'profile:update', 'dashboard:read',
];
const COMPANY_ADMIN: Permission[] = [
  ...USER, 'organization:read', 'organization:update', 'users:read', 'users:manage', 'groups:manage',
  'machines:manage', 'sessions:watch', 'audit:read', 'community:moderate',
];

/** What each portal role may do, within its own organization (super_admin: in every one). */
export const ROLE_PERMISSIONS: Record<PortalRole, readonly Permission[]> = {
  user: USER,
  company_admin: COMPANY_ADMIN,
  super_admin: [...PERMISSIONS],
};

export const ROLE_DESCRIPTIONS: Record<PortalRole, string> = {
  user: 'Uses the machines they were granted, directly or through a group',
  company_admin: 'Manages one organization: its users, groups, machines, OTP and audit log',
  super_admin: 'Operates the whole platform: every organization',
};

/** Per-machine permissions; a person's machine role narrows what their portal role allows there. */
export const MACHINE_ROLE_PERMISSIONS: Record<MachineRole, readonly string[]> = {
  viewer: ['machine:read', 'sessions:watch', 'logs:read'],
  operator: ['machine:read', 'sessions:watch', 'logs:read', 'terminal:open', 'commands:run'],
  admin: ['machine:read', 'sessions:watch', 'logs:read', 'terminal:open', 'commands:run', 'access:grant', 'machine:delete'],
};

export const MACHINE_ROLE_DESCRIPTIONS: Record<MachineRole, string> = {
  viewer: 'May watch sessions and read command logs',
  operator: 'May also open terminals and run commands',
  admin: 'May also grant access to the machine and delete it',
};

export type Acl = Record<string, string[]>;

/** The effective ACL of a portal role (document 004's `acl`): resource → actions, `*` for all. */
export function aclForRole(role: PortalRole): Acl {
  const acl: Acl = {};
  for (const p of ROLE_PERMISSIONS[role]) {
    const [resource, action] = p.split(':');
    (acl[resource] ??= []).push(action);
  }
  if (role === 'super_admin') for (const k of Object.keys(acl)) acl[k] = ['*'];
  return acl;
}

/** Who asks: the fields of an access token that decide. */
export interface Actor { user_id: string; tenant_id: string; role: PortalRole }

export type Decision = 'allow' | 'forbidden' | 'not_found';

/**
 * THE policy function. A resource of another organization does not exist for the caller
 * (`not_found`, so ids do not leak) unless they are super_admin; inside their organization the
 * role's permissions decide (`forbidden` when it lacks one).
 */
export function decide(actor: Actor, permission: Permission, resourceTenant: string): Decision {
  if (actor.role === 'super_admin') return 'allow';
  if (resourceTenant !== actor.tenant_id) return 'not_found';
  return ROLE_PERMISSIONS[actor.role].includes(permission) ? 'allow' : 'forbidden';
}

/** Whether `actor` may give `target` the role `role`: never above their own, never to themselves. */
export function mayAssignRole(actor: Actor, targetUserId: string, role: PortalRole): boolean {
  if (targetUserId === actor.user_id) return false;
  if (actor.role === 'user') return false;
  return roleRank(role) <= roleRank(actor.role);
}
