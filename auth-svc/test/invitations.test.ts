/**
 * Adding a person who exists elsewhere is an invitation they accept, and no answer tells the
 * inviting organization whether the email existed. auth-svc on real PostgreSQL, Redis, NATS and a
 * MailDev SMTP server.
 */
import { uniqueName } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

const add = (headers: Record<string, string>, email: string, username = uniqueName('typed')) =>
  h.post('/api/users', { username, email, password: 'admin-chosen-1', first_name: 'Typed', last_name: 'ByAdmin' }, headers);
/** What an answer looks like with its ids, names and times taken out. */
const shape = (body: Record<string, unknown>) => {
  const { id: _i, username: _u, email: _e, created_at: _c, ...rest } = body;
  return { keys: Object.keys(body).sort(), rest };
};

describe('POST /api/users with an email that exists elsewhere', () => {
  it('answers exactly like a new person: same status, same fields, same values', async () => {
    const [a, b] = [await h.admin(), await h.admin()];
    const fresh = await add(b.headers, `${uniqueName('new')}@example.com`);
    const invited = await add(b.headers, a.email);
    expect(invited.status).toBe(fresh.status);
    expect(invited.status).toBe(201);
    expect(shape(invited.body)).toEqual(shape(fresh.body));
    expect(invited.body).toMatchObject({ first_name: 'Typed', last_name: 'ByAdmin', email_verified: false, tenant_id: b.tenantId });
    // A username already taken is refused the same way whoever the email belongs to.
    const other = await h.admin();
    const taken = await add(b.headers, other.email, fresh.body.username);
    const takenNew = await add(b.headers, `${uniqueName('new')}@example.com`, fresh.body.username);
    expect([taken.status, taken.body]).toEqual([409, { error: 'Username already exists' }]);
    expect([takenNew.status, takenNew.body]).toEqual([taken.status, taken.body]);
  });

  it('the organization sees only what it typed until the person accepts, and cannot rename the person', async () => {
    const a = await h.signup({ first_name: 'Hidden', last_name: 'Person' });
    const aToken = (await h.login(a.email, a.password)).body.token as string;
    const b = await h.admin();
    const invited = await add(b.headers, a.email);
    const list = (await h.call('GET', '/api/users', undefined, b.headers)).body;
    expect(list.users.find((u: any) => u.id === invited.body.id)).toMatchObject({ username: invited.body.username, first_name: 'Typed', last_name: 'ByAdmin' });
    expect(JSON.stringify(list)).not.toMatch(new RegExp(`Hidden|Person|"username":"${a.username}"`));
    const renamed = await h.call('PUT', `/api/users/${invited.body.id}`, { first_name: 'Renamed' }, b.headers);
    expect(renamed).toMatchObject({ status: 200, body: { first_name: 'Renamed' } });
    expect((await h.call('GET', '/api/users/me', undefined, h.bearer(aToken))).body).toMatchObject({ username: a.username, first_name: 'Hidden' });
  });

  it('the person is told by mail, sees the invitation, accepts it, and their next login offers both organizations', async () => {
    const [a, b] = [await h.admin(), await h.admin()];
    const invited = await add(b.headers, a.email);
    const mail = await h.mail.waitForMail(a.email, (m) => /invited/.test(m.subject));
    expect(mail.text).toContain(b.username);
    const list = await h.call('GET', '/api/users/me/invitations', undefined, a.headers);
    expect(list.body.invitations).toEqual([expect.objectContaining({ id: invited.body.id, tenant_id: b.tenantId, role: 'user', invited_by: b.username })]);
    const accepted = await h.post(`/api/users/me/invitations/${invited.body.id}/accept`, undefined, a.headers);
    expect(accepted).toMatchObject({ status: 200, body: { user_id: invited.body.id, tenant_id: b.tenantId } });
    const login = await h.login(a.email, a.password);
    expect(login.body.requires_tenant_selection).toBe(true);
    expect(login.body.tenants.map((t: any) => t.user_id).sort()).toEqual([a.userId, invited.body.id].sort());
    // Now the organization sees the person as they are.
    const seen = await h.call('GET', `/api/users/${invited.body.id}`, undefined, b.headers);
    expect(seen.body).toMatchObject({ username: a.username, first_name: 'Ada', last_name: 'Lovelace' });
    expect((await h.call('GET', '/api/users/me/invitations', undefined, a.headers)).body.invitations).toEqual([]);
  });

  it('only the invited person accepts; declining removes the invitation', async () => {
    const [a, b, c] = [await h.admin(), await h.admin(), await h.admin()];
    const invited = await add(b.headers, a.email);
    expect((await h.post(`/api/users/me/invitations/${invited.body.id}/accept`, undefined, c.headers)).status).toBe(404);
    expect((await h.post(`/api/users/me/invitations/${invited.body.id}/accept`, undefined, b.headers)).status).toBe(404);
    expect((await h.call('DELETE', `/api/users/me/invitations/${invited.body.id}`, undefined, a.headers))).toMatchObject({ status: 200 });
    expect((await h.call('GET', `/api/users/${invited.body.id}`, undefined, b.headers)).status).toBe(404);
    expect((await h.post(`/api/users/me/invitations/${invited.body.id}/accept`, undefined, a.headers)).status).toBe(404);
    expect((await h.post('/api/users/me/invitations/not-an-id/accept', undefined, a.headers)).status).toBe(400);
    // The organization may invite them again.
    expect((await add(b.headers, a.email)).status).toBe(201);
  });

  it('a pending invitation gives no login into that organization, not even with username@organization', async () => {
    const [a, b] = [await h.admin(), await h.admin()];
    await add(b.headers, a.email);
    expect((await h.post('/login', { username: `${a.username}@${b.tenantId}`, password: a.password })).status).toBe(401);
    expect((await h.post('/login', { username: `${a.username}@${a.tenantId}`, password: a.password })).status).toBe(200);
  });
});
