import { GroupMembersChanged } from '@webxterm/contracts';
import { connectNats, NatsConnection } from '@webxterm/kit';
import { jetstream } from '@nats-io/jetstream';
import { waitUntil } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

let h: Harness;
let nc: NatsConnection;
beforeAll(async () => { h = await startHarness(); nc = await connectNats(h.env.natsUrl, 'groups-test'); });
afterAll(async () => { await nc.drain(); await h.close(); });

/** The last domain event on `subject` whose payload matches. */
async function lastEvent(filter: string, match: (p: any) => boolean, timeoutMs = 5000): Promise<any> {
  const js = jetstream(nc);
  return waitUntil(async () => {
    const c = await js.consumers.get('AUTH_EVENTS', { filter_subjects: filter });
    let found: any = null;
    const msgs = await c.fetch({ max_messages: 1000, expires: 1000 });
    for await (const m of msgs) {
      const p = m.json<any>();
      if (match(p)) found = p;
      if (m.info.pending === 0) break;
    }
    return found;
  }, timeoutMs, `an event on ${filter}`);
}

describe('groups', () => {
  it('CRUD by a company_admin; users may read; duplicate names 409', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    const g = await h.post('/api/groups', { name: 'devops', description: 'the on-call people' }, a.headers);
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), name: 'devops', tenant_id: a.tenantId, member_count: 0 });
    expect((await h.post('/api/groups', { name: 'devops' }, a.headers)).status).toBe(409);
    expect((await h.call('GET', '/api/groups', undefined, m.headers)).body.groups.map((x: any) => x.name)).toEqual(['devops']);
    expect((await h.call('GET', `/api/groups/${g.body.id}`, undefined, m.headers)).status).toBe(200);
    expect((await h.post('/api/groups', { name: 'mine' }, m.headers)).status).toBe(403);
    expect((await h.call('PUT', `/api/groups/${g.body.id}`, { name: 'sre' }, a.headers)).body.name).toBe('sre');
    expect((await h.call('PUT', `/api/groups/${g.body.id}`, { name: 'x' }, m.headers)).status).toBe(403);
    expect((await h.call('DELETE', `/api/groups/${g.body.id}`, undefined, m.headers)).status).toBe(403);
    expect((await h.call('DELETE', `/api/groups/${g.body.id}`, undefined, a.headers)).status).toBe(200);
    expect((await h.call('GET', `/api/groups/${g.body.id}`, undefined, a.headers)).status).toBe(404);
  });

  it('members: add, list, remove; the token of a member names the group; each change is published with the whole set', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    const g = (await h.post('/api/groups', { name: 'ops' }, a.headers)).body;
    const added = await h.post(`/api/groups/${g.id}/members`, { user_id: m.userId }, a.headers);
    expect(added.body.members.map((x: any) => x.id)).toEqual([m.userId]);
    expect((await h.call('GET', `/api/groups/${g.id}/members`, undefined, a.headers)).body.members).toHaveLength(1);
    const ev = await lastEvent(GroupMembersChanged.filter, (p) => p.group_id === g.id);
    expect(ev).toMatchObject({ tenant_id: a.tenantId, user_ids: [m.userId] });
    const relogin = (await h.login(m.email, m.password)).body;
    expect(relogin.user.groups).toEqual(['ops']);
    const removed = await h.call('DELETE', `/api/groups/${g.id}/members`, { user_id: m.userId }, a.headers);
    expect(removed.body.members).toEqual([]);
    expect(await lastEvent(GroupMembersChanged.filter, (p) => p.group_id === g.id && p.user_ids.length === 0)).toBeTruthy();
    expect((await h.call('DELETE', `/api/groups/${g.id}/members`, { user_id: m.userId }, a.headers)).status).toBe(404);
  });

  it('group tricks: a user of another organization cannot be added, nor can its machines', async () => {
    const a = await h.admin();
    const b = await h.admin();
    const g = (await h.post('/api/groups', { name: 'ops' }, a.headers)).body;
    expect((await h.post(`/api/groups/${g.id}/members`, { user_id: b.userId }, a.headers)).status).toBe(404);
    const bg = (await h.post('/api/groups', { name: 'theirs' }, b.headers)).body;
    expect((await h.post(`/api/groups/${bg.id}/members`, { user_id: a.userId }, a.headers)).status).toBe(404);
    expect((await h.call('GET', `/api/groups/${bg.id}/members`, undefined, a.headers)).status).toBe(404);
  });
  // Machines in groups need machine-svc's answer: see e2e/group-access.test.ts.
});
