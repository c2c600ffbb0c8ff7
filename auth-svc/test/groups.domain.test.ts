import { GroupMachinesChanged, GroupMembersChanged, OrganizationDeleted } from '@webxterm/contracts';
import { OPERATOR_ORGANIZATION } from '../src/domain/model';
import { AUDIT_CTX, domainWorld } from './fakes/world';

// Groups' and organizations' rules on in-memory fakes (test/fakes): no PostgreSQL or NATS.

const KNOWN = ['m1', 'm2'];
const world = () => domainWorld({ machines: async (_tenant, ids) => ids.filter((id) => KNOWN.includes(id)) });

describe('GroupsService (domain)', () => {
  it('members: only users of the group’s organization, each change published as the whole set', async () => {
    const w = world();
    const a = await w.admin('ada');
    const b = await w.admin('bob');
    const g = await w.groups.create(a.claims, { name: 'ops' }, AUDIT_CTX);
    await expect(w.groups.create(a.claims, { name: 'ops' }, AUDIT_CTX)).rejects.toMatchObject({ code: 'groups.name_taken' });
    await expect(w.groups.addMember(a.claims, g.id, b.userId, AUDIT_CTX)).rejects.toMatchObject({ code: 'auth.user_not_found' });
    expect((await w.groups.addMember(a.claims, g.id, a.userId, AUDIT_CTX)).map((u) => u.id)).toEqual([a.userId]);
    expect((await w.users.get(a.claims, a.userId)).groups).toEqual(['ops']);
    await w.groups.removeMember(a.claims, g.id, a.userId, AUDIT_CTX);
    expect(w.events.of(GroupMembersChanged)).toEqual([
      { tenant_id: a.tenantId, group_id: g.id, user_ids: [a.userId] }, { tenant_id: a.tenantId, group_id: g.id, user_ids: [] },
    ]);
    // Another organization's group is not found.
    await expect(w.groups.get(b.claims, g.id)).rejects.toMatchObject({ code: 'groups.not_found' });
  });

  it('machines: only those machine-svc knows in the organization', async () => {
    const w = world();
    const a = await w.admin('ada');
    const g = await w.groups.create(a.claims, { name: 'ops' }, AUDIT_CTX);
    await expect(w.groups.addMachines(a.claims, g.id, ['m1', 'zz'], AUDIT_CTX)).rejects.toMatchObject({ code: 'groups.machines_unknown' });
    expect(await w.groups.addMachines(a.claims, g.id, ['m1', 'm2', 'm1'], AUDIT_CTX)).toEqual(['m1', 'm2']);
    expect(await w.groups.removeMachine(a.claims, g.id, 'm1', AUDIT_CTX)).toEqual(['m2']);
    expect(w.events.of(GroupMachinesChanged).at(-1)).toEqual({ tenant_id: a.tenantId, group_id: g.id, machine_ids: ['m2'] });
  });
});

describe('OrganizationsService (domain)', () => {
  it('a super_admin deletes an organization with its users; the operator organization stays', async () => {
    const w = world();
    await w.signup.ensureSuperAdmin('root@example.com', 'root password');
    const root = await w.claimsOf((await w.store.unscoped.users.membershipsOf((await w.store.unscoped.persons.byEmail('root@example.com'))!.id))[0].id);
    const a = await w.admin('ada');
    await expect(w.orgs.remove(a.claims, a.tenantId, AUDIT_CTX)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(w.orgs.remove(root, OPERATOR_ORGANIZATION.tenantId, AUDIT_CTX)).rejects.toMatchObject({ code: 'organizations.platform' });
    await w.orgs.remove(root, a.tenantId, AUDIT_CTX);
    expect(await w.store.unscoped.organizations.byTenant(a.tenantId)).toBeNull();
    expect(await w.store.unscoped.persons.byEmail(a.email)).toBeNull();
    expect(w.events.of(OrganizationDeleted)).toEqual([{ tenant_id: a.tenantId }]);
    expect((await w.orgs.list(root)).map((o) => o.tenantId)).toEqual([OPERATOR_ORGANIZATION.tenantId]);
  });
});
