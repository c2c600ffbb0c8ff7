/**
 * No answer an organization gets tells whether an email it adds belongs to a person elsewhere
 * (issue 7; docs/decisions.md, "Invitations" and "What an email discloses"): a new person and a
 * person of another organization (who becomes an invitation) get the same answers, field by field,
 * to everything an admin can do with them.
 */
import { uniqueName } from '@webxterm/testkit';
import { Harness, Reply, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

interface Added { id: string; username: string; email: string }

/** An answer with what differs by construction (ids, the typed username and email, times) replaced by placeholders. */
function shape(r: Reply, u: Added): unknown {
  const text = JSON.stringify({ status: r.status, body: r.body })
    .replaceAll(u.id, '<id>').replaceAll(u.username, '<username>').replaceAll(u.email, '<email>')
    .replace(/"created_at":"[^"]*"/g, '"created_at":"<time>"');
  return JSON.parse(text);
}

it('a new email and one that exists in another organization: the same answers to adding, reading, listing, renaming, roles, groups and deleting', async () => {
  const elsewhere = await h.admin();
  const a = await h.admin();
  const add = async (email: string): Promise<{ r: Reply; u: Added }> => {
    const username = uniqueName('typed');
    const r = await h.post('/api/users', { username, email, password: 'a chosen password', first_name: 'Typed', last_name: 'Name' }, a.headers);
    return { r, u: { id: r.body.id, username, email } };
  };
  const fresh = await add(`${uniqueName('new')}@example.com`);
  const invited = await add(elsewhere.email);
  const both = async (f: (u: Added) => Promise<Reply>) => {
    const [x, y] = [await f(fresh.u), await f(invited.u)];
    expect(shape(y, invited.u)).toEqual(shape(x, fresh.u));
    return x;
  };

  expect(fresh.r.status).toBe(201);
  expect(shape(invited.r, invited.u)).toEqual(shape(fresh.r, fresh.u));
  await both((u) => h.call('GET', `/api/users/${u.id}`, undefined, a.headers));
  const list = (await h.call('GET', '/api/users', undefined, a.headers)).body.users as any[];
  const entry = (u: Added) => shape({ status: 200, body: list.find((x) => x.id === u.id), headers: new Headers() }, u);
  expect(entry(invited.u)).toEqual(entry(fresh.u));
  expect((await both((u) => h.call('PUT', `/api/users/${u.id}`, { first_name: 'Renamed' }, a.headers))).status).toBe(200);
  expect((await both((u) => h.post(`/api/users/${u.id}/roles`, { role: 'company_admin' }, a.headers))).status).toBe(200);
  await both((u) => h.call('GET', `/api/users/${u.id}/roles`, undefined, a.headers));
  const group = await h.post('/api/groups', { name: uniqueName('g'), description: '' }, a.headers);
  expect(group.status).toBe(201);
  const added = await h.post(`/api/groups/${group.body.id}/members`, { user_id: fresh.u.id }, a.headers);
  const addedToo = await h.post(`/api/groups/${group.body.id}/members`, { user_id: invited.u.id }, a.headers);
  expect([added.status, addedToo.status]).toEqual([200, 200]);
  expect(addedToo.body.members.map((m: any) => m.id)).toEqual(expect.arrayContaining([fresh.u.id, invited.u.id]));
  // Added twice: the same 409; a typed username already taken: the same 409.
  const again = async (u: Added) => h.post('/api/users', { username: uniqueName('again'), email: u.email, password: 'a chosen password', first_name: 'T', last_name: 'N' }, a.headers);
  expect((await both(again)).body).toEqual({ error: 'This person already belongs to the organization' });
  const other = await h.admin();
  const takenName = (email: string) => h.post('/api/users', { username: a.username, email, password: 'a chosen password', first_name: 'T', last_name: 'N' }, a.headers);
  const [newEmail, existing] = [await takenName(`${uniqueName('new')}@example.com`), await takenName(other.email)];
  expect({ status: newEmail.status, body: newEmail.body }).toEqual({ status: 409, body: { error: 'Username already exists' } });
  expect({ status: existing.status, body: existing.body }).toEqual({ status: newEmail.status, body: newEmail.body });
  expect((await both((u) => h.call('DELETE', `/api/users/${u.id}`, undefined, a.headers))).status).toBe(200);
});
