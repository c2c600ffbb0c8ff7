import { uniqueName } from '@webxterm/testkit';
import { inOrganizationScope, PgStore } from '../src/store/pg-store';
import { Harness, startHarness } from './harness';

const rootEmail = `${uniqueName('root')}@example.com`;
let h: Harness;
let root: Record<string, string>;
beforeAll(async () => {
  h = await startHarness({ SUPER_ADMIN_EMAIL: rootEmail, SUPER_ADMIN_PASSWORD: 'root-password-1' });
  root = h.bearer((await h.login(rootEmail, 'root-password-1')).body.token);
});
afterAll(async () => { await h.close(); });

describe('organizations (super_admin)', () => {
  it('create, list, get by id or slug, update, stats, users, groups, delete', async () => {
    const slug = uniqueName('org-');
    const c = await h.post('/api/admin/organizations', { organization_name: slug, company_name: 'Made By Root' }, root);
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), tenant_id: slug, name: 'Made By Root', otp_enabled: false });
    expect((await h.post('/api/admin/organizations', { organization_name: slug, company_name: 'x' }, root)).status).toBe(409);
    expect((await h.call('GET', '/api/admin/organizations', undefined, root)).body.organizations.map((o: any) => o.tenant_id)).toContain(slug);
    expect((await h.call('GET', `/api/admin/organizations/${c.body.id}`, undefined, root)).body.tenant_id).toBe(slug);
    expect((await h.call('GET', `/api/admin/organizations/${slug}`, undefined, root)).body.id).toBe(c.body.id);
    expect((await h.call('PUT', `/api/admin/organizations/${c.body.id}`, { otp_enabled: true }, root)).body.otp_enabled).toBe(true);
    const stats = await h.call('GET', `/api/admin/organizations/${c.body.id}/stats`, undefined, root);
    expect(stats.body).toMatchObject({ tenant_id: slug, users: 0, groups: 0 });
    expect((await h.call('GET', `/api/admin/organizations/${c.body.id}/users`, undefined, root)).body.users).toEqual([]);
    expect((await h.call('GET', `/api/admin/organizations/${c.body.id}/groups`, undefined, root)).body.groups).toEqual([]);
    expect((await h.call('DELETE', `/api/admin/organizations/${c.body.id}`, undefined, root)).status).toBe(200);
    expect((await h.call('GET', `/api/admin/organizations/${c.body.id}`, undefined, root)).status).toBe(404);
  });

  it('deleting an organization deletes everything in it and revokes its users’ logins', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    await h.post('/api/groups', { name: 'ops' }, a.headers);
    expect((await h.call('GET', '/api/users/me', undefined, m.headers)).status).toBe(200);
    const org = (await h.call('GET', `/api/admin/organizations/${a.tenantId}`, undefined, root)).body;
    expect((await h.call('DELETE', `/api/admin/organizations/${org.id}`, undefined, root)).status).toBe(200);
    expect((await h.call('GET', '/api/users/me', undefined, m.headers)).status).toBe(401);
    expect((await h.call('GET', '/api/users/me', undefined, a.headers)).status).toBe(401);
    expect((await h.login(a.email, a.password)).status).toBe(401);
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM auth.groups WHERE organization_id = $1', [org.id]);
    expect(rows[0].n).toBe(0);
  });

  it('company_admins and users get 403 on every admin endpoint', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    for (const headers of [a.headers, m.headers]) {
      expect((await h.call('GET', '/api/admin/organizations', undefined, headers)).status).toBe(403);
      expect((await h.post('/api/admin/organizations', { organization_name: uniqueName('o'), company_name: 'x' }, headers)).status).toBe(403);
      expect((await h.call('GET', `/api/admin/organizations/${a.tenantId}`, undefined, headers)).status).toBe(403);
      expect((await h.call('DELETE', `/api/admin/organizations/${a.tenantId}`, undefined, headers)).status).toBe(403);
    }
  });
});

describe('/api/organization: a company_admin’s own', () => {
  it('reads it and switches OTP; browser logins then need the emailed code', async () => {
    const a = await h.admin();
    expect((await h.call('GET', '/api/organization', undefined, a.headers)).body).toMatchObject({ tenant_id: a.tenantId, otp_enabled: false });
    expect((await h.call('PUT', '/api/organization', { otp_enabled: true }, a.headers)).body.otp_enabled).toBe(true);
    const browser = await h.login(a.email, a.password, 'Mozilla/5.0 (X11) Firefox/140');
    expect(browser.body.requires_otp).toBe(true);
  });

  it('a user may neither read nor change it; bad types are 400', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    expect((await h.call('GET', '/api/organization', undefined, m.headers)).status).toBe(403);
    expect((await h.call('PUT', '/api/organization', { otp_enabled: true }, m.headers)).status).toBe(403);
    expect((await h.call('PUT', '/api/organization', { otp_enabled: 'yes' }, a.headers)).status).toBe(400);
  });
});

describe('row-level security', () => {
  it('a query without any WHERE clause, in one tenant’s scope, sees only that tenant’s rows', async () => {
    const a = await h.admin();
    const b = await h.admin();
    await h.post('/api/groups', { name: 'a-group' }, a.headers);
    await h.post('/api/groups', { name: 'b-group' }, b.headers);
    const orgA = (await h.pool.query('SELECT id FROM auth.organizations WHERE tenant_id = $1', [a.tenantId])).rows[0].id;
    const seen = await inOrganizationScope(h.pool, orgA, async (c) => ({
      orgs: (await c.query('SELECT tenant_id FROM auth.organizations')).rows.map((r) => r.tenant_id),
      members: (await c.query('SELECT DISTINCT organization_id FROM auth.memberships')).rows.map((r) => r.organization_id),
      persons: (await c.query('SELECT email FROM auth.persons')).rows.map((r) => r.email),
      groups: (await c.query('SELECT name FROM auth.groups')).rows.map((r) => r.name),
      credentials: await c.query('SELECT * FROM auth.credentials').then(() => 'readable', (e) => e.code),
    }));
    expect(seen.orgs).toEqual([a.tenantId]);
    expect(seen.members).toEqual([orgA]);
    expect(seen.persons).toEqual([a.email]);
    expect(seen.groups).toEqual(['a-group']);
    expect(seen.credentials).toBe('42501');
    // The repositories run in the same scope: a list of every organization's users shows A's only.
    const users = await new PgStore(h.pool).inScope(orgA, (r) => r.users.list(null));
    expect(users.map((u) => u.tenantId)).toEqual([a.tenantId]);
  });

  it('and cannot write into another tenant', async () => {
    const a = await h.admin();
    const b = await h.admin();
    const orgA = (await h.pool.query('SELECT id FROM auth.organizations WHERE tenant_id = $1', [a.tenantId])).rows[0].id;
    const updated = await inOrganizationScope(h.pool, orgA, async (c) =>
      (await c.query("UPDATE auth.memberships SET role = 'user' WHERE id = $1", [b.userId])).rowCount);
    expect(updated).toBe(0);
    expect((await h.pool.query('SELECT role FROM auth.memberships WHERE id = $1', [b.userId])).rows[0].role).toBe('company_admin');
  });
});
