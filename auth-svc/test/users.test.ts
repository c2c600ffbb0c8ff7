import { signToken, uniqueName } from '@webxterm/testkit';
import { Harness, SECRET, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

describe('users', () => {
  it('a company_admin creates, lists, reads, updates and deletes users of their organization', async () => {
    const a = await h.admin();
    const n = uniqueName('new');
    const created = await h.post('/api/users', { username: n, email: `${n}@example.com`, password: 'password-123', first_name: 'New', last_name: 'Person' }, a.headers);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), username: n, role: 'user', tenant_id: a.tenantId });
    expect(created.body.api_key).toBeUndefined();
    const list = await h.call('GET', '/api/users', undefined, a.headers);
    expect(list.body.users.map((u: any) => u.username).sort()).toEqual([a.username, n].sort());
    expect(list.body.users.every((u: any) => u.api_key === undefined)).toBe(true);
    expect((await h.call('GET', `/api/users/${created.body.id}`, undefined, a.headers)).body.username).toBe(n);
    const upd = await h.call('PUT', `/api/users/${created.body.id}`, { first_name: 'Renamed', machine_role: 'operator' }, a.headers);
    expect(upd.body).toMatchObject({ first_name: 'Renamed', machine_role: 'operator' });
    expect((await h.call('DELETE', `/api/users/${created.body.id}`, undefined, a.headers)).status).toBe(200);
    expect((await h.call('GET', `/api/users/${created.body.id}`, undefined, a.headers)).status).toBe(404);
    expect((await h.login(`${n}@example.com`, 'password-123')).status).toBe(401);
  });

  it('an email that belongs to a person elsewhere becomes an invitation: no picker, no login there until they accept', async () => {
    const a = await h.admin();
    const b = await h.admin();
    const typed = uniqueName('typed');
    const r = await h.post('/api/users', { username: typed, email: a.email, password: 'ignored-password', first_name: 'X', last_name: 'Y' }, b.headers);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ username: typed, first_name: 'X', last_name: 'Y', tenant_id: b.tenantId });
    const login = await h.login(a.email, a.password);
    expect(login.body.token).toEqual(expect.any(String)); // still straight into their one organization
    expect(login.body.requires_tenant_selection).toBeUndefined();
    expect((await h.login(a.email, 'ignored-password')).status).toBe(401);
    const again = await h.post('/api/users', { username: uniqueName('other'), email: a.email, password: 'ignored-password', first_name: 'X', last_name: 'Y' }, b.headers);
    expect(again).toMatchObject({ status: 409, body: { error: 'This person already belongs to the organization' } });
  });

  it('deleting a user revokes their tokens at once', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    expect((await h.call('GET', '/api/users/me', undefined, m.headers)).status).toBe(200);
    await h.call('DELETE', `/api/users/${m.userId}`, undefined, a.headers);
    expect((await h.call('GET', '/api/users/me', undefined, m.headers)).status).toBe(401);
  });

  it('a role change revokes the changed user’s tokens, so no stale role survives', async () => {
    const a = await h.admin();
    const m = await h.member(a.token, 'company_admin');
    expect((await h.post(`/api/users/${m.userId}/roles`, { role: 'user' }, a.headers)).body).toMatchObject({ role: 'user', roles: ['user'] });
    expect((await h.call('GET', '/api/users', undefined, m.headers)).status).toBe(401);
    const fresh = (await h.login(m.email, m.password)).body.token;
    expect((await h.call('GET', '/api/users', undefined, h.bearer(fresh))).status).toBe(403);
  });

  it('GET /api/users/:id/roles', async () => {
    const a = await h.admin();
    const r = await h.call('GET', `/api/users/${a.userId}/roles`, undefined, a.headers);
    expect(r.body).toEqual({ user_id: a.userId, roles: ['company_admin'], role: 'company_admin', machine_role: '' });
  });

  it('validates: bad id 400, unknown role 400, missing fields 400', async () => {
    const a = await h.admin();
    expect((await h.call('GET', '/api/users/not-an-id', undefined, a.headers)).status).toBe(400);
    expect((await h.post('/api/users', { username: 'abc', email: 'a@b.co', password: 'password-1', first_name: 'a', last_name: 'b', role: 'root' }, a.headers)).status).toBe(400);
    expect((await h.post('/api/users', { username: 'abc' }, a.headers)).status).toBe(400);
    expect((await h.post(`/api/users/${a.userId}/roles`, { role: 'god' }, a.headers)).status).toBe(400);
  });
});

describe('privilege escalation', () => {
  it('nobody changes their own role', async () => {
    const a = await h.admin();
    const r = await h.post(`/api/users/${a.userId}/roles`, { role: 'super_admin' }, a.headers);
    expect(r).toMatchObject({ status: 403, body: { error: 'You cannot change your own role' } });
    expect((await h.call('PUT', `/api/users/${a.userId}`, { role: 'user' }, a.headers)).status).toBe(403);
  });

  it('a company_admin cannot create or promote to super_admin', async () => {
    const a = await h.admin();
    const n = uniqueName('x');
    const r = await h.post('/api/users', { username: n, email: `${n}@example.com`, password: 'password-1', first_name: 'a', last_name: 'b', role: 'super_admin' }, a.headers);
    expect(r).toMatchObject({ status: 403, body: { error: 'You cannot grant a role above your own' } });
    const m = await h.member(a.token);
    expect((await h.post(`/api/users/${m.userId}/roles`, { role: 'super_admin' }, a.headers)).status).toBe(403);
  });

  it('a user cannot manage users nor promote anyone, themselves included', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    const other = await h.member(a.token);
    expect((await h.call('GET', '/api/users', undefined, m.headers)).status).toBe(403);
    expect((await h.call('GET', `/api/users/${other.userId}`, undefined, m.headers)).status).toBe(403);
    expect((await h.call('GET', `/api/users/${m.userId}`, undefined, m.headers)).status).toBe(200);
    expect((await h.post(`/api/users/${m.userId}/roles`, { role: 'company_admin' }, m.headers)).status).toBe(403);
    expect((await h.post(`/api/users/${other.userId}/roles`, { role: 'company_admin' }, m.headers)).status).toBe(403);
    expect((await h.post('/api/users', { username: 'zzz', email: 'zzz@example.com', password: 'password-1', first_name: 'a', last_name: 'b' }, m.headers)).status).toBe(403);
  });

  it('a token whose role claim was edited is refused', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    const [head, payload, sig] = m.token.split('.');
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'super_admin' };
    const forged = `${head}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${sig}`;
    expect((await h.call('GET', '/api/admin/organizations', undefined, h.bearer(forged))).status).toBe(401);
    const resigned = signToken(edited, 'guessed-secret-guessed-secret-000000');
    expect((await h.call('GET', '/api/admin/organizations', undefined, h.bearer(resigned))).status).toBe(401);
    expect(SECRET).not.toBe('guessed-secret-guessed-secret-000000');
  });

  it('a company_admin cannot rename a person who also belongs to another organization', async () => {
    const a = await h.admin();
    const b = await h.admin();
    const r = await h.post('/api/users', { username: uniqueName('typed'), email: a.email, password: 'ignored-password', first_name: 'X', last_name: 'Y' }, b.headers);
    expect((await h.post(`/api/users/me/invitations/${r.body.id}/accept`, undefined, a.headers)).status).toBe(200);
    const res = await h.call('PUT', `/api/users/${r.body.id}`, { first_name: 'Hijacked' }, b.headers);
    expect(res.status).toBe(403);
  });
});
