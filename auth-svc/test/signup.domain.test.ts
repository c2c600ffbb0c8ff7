import { OPERATOR_ORGANIZATION } from '../src/domain/model';
import { CTX, domainWorld } from './fakes/world';

// Signup's rules on in-memory fakes (test/fakes): no PostgreSQL, milliseconds per test.

const input = (name: string, over: Record<string, string> = {}) => ({
  username: name, email: `${name}@example.com`, password: 'correct horse battery', first_name: ' Ada ', last_name: 'L',
  organization_name: `${name} Org`, company_name: ' Engines Ltd ', ...over,
});

describe('SignupService (domain)', () => {
  it('creates the organization, the person and their company_admin membership, and records it', async () => {
    const w = domainWorld();
    const r = await w.signup.signup(input('ada'), CTX);
    expect(r).toMatchObject({ username: 'ada', organization: 'Engines Ltd', tenantId: 'ada-org' });
    const m = await w.store.unscoped.users.membership(r.userId);
    expect(m).toMatchObject({ role: 'company_admin', person: { email: 'ada@example.com', firstName: 'Ada' }, organization: { tenantId: 'ada-org', name: 'Engines Ltd' } });
    expect(w.audit.actions()).toEqual(['auth.signup:success']);
  });

  it.each([
    ['a taken username', { username: 'ada', organization_name: 'other' }, 'auth.username_taken', 'username_taken'],
    ['a taken email in any case', { username: 'bob', email: 'ADA@example.com', organization_name: 'other' }, 'auth.email_taken', 'email_taken'],
    ['a taken organization', { username: 'bob', email: 'bob@example.com' , organization_name: 'ada org' }, 'auth.organization_taken', 'organization_taken'],
  ])('refuses %s with 409 and records the refusal with no tenant', async (_, over, code, reason) => {
    const w = domainWorld();
    await w.signup.signup(input('ada'), CTX);
    await expect(w.signup.signup(input('bob', over), CTX)).rejects.toMatchObject({ kind: 'conflict', code });
    expect(w.audit.events.at(-1)).toMatchObject({ action: 'auth.signup', result: 'failure', reason, tenant_id: null });
  });

  it('keeps the operator organization’s tenant id for the platform', async () => {
    const w = domainWorld();
    await expect(w.signup.signup(input('x', { organization_name: OPERATOR_ORGANIZATION.tenantId }), CTX))
      .rejects.toMatchObject({ code: 'auth.organization_taken' });
  });

  it('a signup that loses a race leaves nothing behind (one transaction)', async () => {
    const w = domainWorld();
    await w.signup.signup(input('ada'), CTX);
    // The name is taken between the checks and the insert: the repositories' unique rule decides.
    const byUsername = w.store.unscoped.persons.byUsername.bind(w.store.unscoped.persons);
    w.store.unscoped.persons.byUsername = async () => null;
    await expect(w.signup.signup(input('ada', { email: 'other@example.com', organization_name: 'fresh' }), CTX))
      .rejects.toMatchObject({ code: 'auth.username_taken' });
    w.store.unscoped.persons.byUsername = byUsername;
    expect(await w.store.unscoped.organizations.byTenant('fresh')).toBeNull();
  });

  it('creates the first super_admin once, in the operator organization', async () => {
    const w = domainWorld();
    expect(await w.signup.ensureSuperAdmin('Root@Example.com', 'root password')).toBe(true);
    expect(await w.signup.ensureSuperAdmin('root@example.com', 'root password')).toBe(false);
    expect(await w.signup.ensureSuperAdmin('second@example.com', 'root password')).toBe(true);
    const operator = (await w.store.unscoped.organizations.byTenant(OPERATOR_ORGANIZATION.tenantId))!;
    expect(operator.name).toBe(OPERATOR_ORGANIZATION.name);
    const admins = await w.store.unscoped.users.list(operator.id);
    expect(admins.map((u) => [u.email, u.role])).toEqual([['root@example.com', 'super_admin'], ['second@example.com', 'super_admin']]);
  });

  it('a Community Edition signup gets a workspace named after the username, never a reserved one', async () => {
    const w = domainWorld();
    const userId = await w.signup.signupCommunity({ username: 'platform', email: 'p@example.com', password: 'pw-pw-pw-pw' }, CTX);
    const m = (await w.store.unscoped.users.membership(userId))!;
    expect(m.organization.tenantId).toMatch(/^platform-[0-9a-f]{4}$/);
  });
});
