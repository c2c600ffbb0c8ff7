import { aclForRole, Actor, decide, mayAssignRole, PERMISSIONS, PortalRole, ROLE_PERMISSIONS } from '../src/roles';

const actor = (role: PortalRole, tenant = 'a', user = 'u1'): Actor => ({ role, tenant_id: tenant, user_id: user });

describe('decide', () => {
  it('hides other organizations from everyone but super_admin', () => {
    for (const p of PERMISSIONS) {
      expect(decide(actor('user'), p, 'b')).toBe('not_found');
      expect(decide(actor('company_admin'), p, 'b')).toBe('not_found');
      expect(decide(actor('super_admin'), p, 'b')).toBe('allow');
    }
  });
  it('inside the organization, the role decides', () => {
    expect(decide(actor('user'), 'users:manage', 'a')).toBe('forbidden');
    expect(decide(actor('user'), 'audit:read', 'a')).toBe('forbidden');
    expect(decide(actor('company_admin'), 'users:manage', 'a')).toBe('allow');
    expect(decide(actor('company_admin'), 'organizations:manage', 'a')).toBe('forbidden');
  });
  it('every role keeps what the role below it has', () => {
    for (const p of ROLE_PERMISSIONS.user) expect(ROLE_PERMISSIONS.company_admin).toContain(p);
    for (const p of ROLE_PERMISSIONS.company_admin) expect(ROLE_PERMISSIONS.super_admin).toContain(p);
  });
});

describe('mayAssignRole', () => {
  it('never to oneself, never above one’s own, never by a user', () => {
    expect(mayAssignRole(actor('company_admin'), 'u1', 'user')).toBe(false);
    expect(mayAssignRole(actor('company_admin'), 'u2', 'super_admin')).toBe(false);
    expect(mayAssignRole(actor('company_admin'), 'u2', 'company_admin')).toBe(true);
    expect(mayAssignRole(actor('user'), 'u2', 'user')).toBe(false);
    expect(mayAssignRole(actor('super_admin'), 'u2', 'super_admin')).toBe(true);
  });
});

describe('aclForRole', () => {
  it('is derived from the same permissions the checks use', () => {
    expect(aclForRole('user').users).toEqual(['read_self']);
    expect(aclForRole('company_admin').audit).toEqual(['read']);
    expect(Object.values(aclForRole('super_admin')).every((a) => a.length === 1 && a[0] === '*')).toBe(true);
  });
});
