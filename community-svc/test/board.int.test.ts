/** Every board endpoint of document 000 over HTTP, against the real PostgreSQL, Redis and NATS. */
import { objectId } from '@webxterm/kit';
import { uniqueName } from '@webxterm/testkit';
import type { RunningCommunityService } from '../src/main';
import { api as call, person, Person, startService } from './lib/harness';

let svc: RunningCommunityService;
let base: string;
const api = (method: string, path: string, who: Person | string | null, body?: unknown) => call(base, method, path, who, body);

beforeAll(async () => { svc = await startService(); base = `http://127.0.0.1:${svc.port}`; });
afterAll(async () => { await svc.close(); });

const tenant = uniqueName('board');
const alice = person(tenant, 'user', 'alice');
const bob = person(tenant, 'user', 'bob');
const admin = person(tenant, 'company_admin', 'boss');
const stranger = person(uniqueName('other'), 'company_admin', 'eve');
const ISO = /^\d{4}-\d\d-\d\dT/;

async function newIssue(who: Person, fields: Record<string, unknown> = {}) {
  const r = await api('POST', '/api/community/issues', who, { title: 'Agent stays offline', body: 'It **never** connects.', ...fields });
  expect(r.status).toBe(201);
  return r.body;
}
async function newFix(who: Person, issueId: string, body = 'Open port 7443.') {
  const r = await api('POST', `/api/community/issues/${issueId}/fixes`, who, { body });
  expect(r.status).toBe(201);
  return r.body;
}

describe('issues', () => {
  it('create → 201 with every field; Markdown stored exactly as written; tags normalised', async () => {
    const body = '  # Title\n\n<script>alert(1)</script>\n\n```sh\nsudo systemctl restart vsay-agent\n```\n\ttrailing  \n';
    const r = await api('POST', '/api/community/issues', alice, { title: '  Terminal freezes  ', body, tags: ['Bash', 'bash', 'tmux'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/), title: 'Terminal freezes', body, tags: ['bash', 'tmux'], status: 'open',
      author_id: alice.id, author_username: 'alice', accepted_fix_id: null, fixes_count: 0,
      created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO), solved_at: null,
    });
    const got = await api('GET', `/api/community/issues/${r.body.id}`, bob);
    expect(got).toMatchObject({ status: 200, body: r.body });
  });

  it.each([
    [{}, 'title: Required'],
    [{ title: 'x' }, 'body: Required'],
    [{ title: 42, body: 'b' }, 'title: Expected string'],
    [{ title: 'x', body: ['b'] }, 'body: Expected string'],
    [{ title: '   ', body: 'b' }, 'title: Required'],
    [{ title: 'x', body: '  \n ' }, 'body: Required'],
    [{ title: 'a\nb', body: 'b' }, 'title: Must be one line without control characters'],
    [{ title: 'x'.repeat(201), body: 'b' }, 'title: At most 200 characters'],
    [{ title: 'x', body: 'b'.repeat(50_001) }, 'body: At most 50000 characters'],
    [{ title: 'x', body: 'nul \u0000 here' }, 'body: Must not contain NUL characters'],
    [{ title: 'x', body: 'b', tags: 'bash' }, 'tags: Expected array'],
    [{ title: 'x', body: 'b', tags: ['<b>'] }, 'tags.0: Tags are 1–32 of a–z 0–9 . _ + # -, starting with a letter or digit'],
    [{ title: 'x', body: 'b', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags: At most 10 tags'],
  ])('bad input %j → 400 %s', async (input, error) => {
    expect(await api('POST', '/api/community/issues', alice, input)).toMatchObject({ status: 400, body: { error } });
  });

  it('malformed JSON → 400, a JSON body over the limit → 413, never a 500', async () => {
    expect(await api('POST', '/api/community/issues', alice, '{"title": "x",')).toMatchObject({ status: 400, body: { error: 'Malformed JSON body' } });
    expect(await api('POST', '/api/community/issues', alice, { title: 'x', body: 'y'.repeat(300 * 1024) }))
      .toMatchObject({ status: 413, body: { error: 'Request body too large' } });
  });

  it('no token, a bad token → 401', async () => {
    for (const [m, p] of [['GET', '/api/community/issues'], ['POST', '/api/community/issues'], ['GET', `/api/community/issues/${objectId()}`],
      ['POST', '/api/community/upload']] as const) {
      expect((await api(m, p, null)).status).toBe(401);
      expect((await api(m, p, 'not-a-token')).status).toBe(401);
    }
  });

  it('update: the author or an admin; another user 403; an empty update 400; unknown ids 404', async () => {
    const issue = await newIssue(alice, { tags: ['old'] });
    const path = `/api/community/issues/${issue.id}`;
    expect(await api('PUT', path, bob, { title: 'hijacked' })).toMatchObject({ status: 403, body: { error: 'Only the author or an admin may edit this issue' } });
    const edited = await api('PUT', path, alice, { title: 'Agent offline after reboot', tags: ['agent', 'systemd'] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Agent offline after reboot', tags: ['agent', 'systemd'], body: issue.body });
    expect(Date.parse(edited.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(issue.updated_at));
    expect(await api('PUT', path, admin, { body: 'moderated' })).toMatchObject({ status: 200, body: { body: 'moderated', author_id: alice.id } });
    expect(await api('PUT', path, alice, {})).toMatchObject({ status: 400, body: { error: 'Nothing to update: give title, body, tags or status' } });
    expect(await api('PUT', path, alice, { status: 'closed' })).toMatchObject({ status: 400, body: { error: 'status: Must be one of open, solved' } });
    expect((await api('PUT', `/api/community/issues/${objectId()}`, admin, { title: 'x' })).status).toBe(404);
    expect((await api('PUT', '/api/community/issues/not-an-id', admin, { title: 'x' })).status).toBe(404);
  });

  it('delete: the author or an admin; the issue, its fixes and likes are gone', async () => {
    const issue = await newIssue(alice);
    const fix = await newFix(bob, issue.id);
    await api('POST', `/api/community/issues/${issue.id}/fixes/${fix.id}/like`, alice);
    expect(await api('DELETE', `/api/community/issues/${issue.id}`, bob)).toMatchObject({ status: 403 });
    expect(await api('DELETE', `/api/community/issues/${issue.id}`, alice)).toMatchObject({ status: 200, body: { message: 'Issue deleted' } });
    expect((await api('GET', `/api/community/issues/${issue.id}`, alice)).status).toBe(404);
    expect((await api('GET', `/api/community/issues/${issue.id}/fixes`, alice)).status).toBe(404);
    expect((await api('DELETE', `/api/community/issues/${issue.id}`, alice)).status).toBe(404);
    const other = await newIssue(bob);
    expect((await api('DELETE', `/api/community/issues/${other.id}`, admin)).status).toBe(200);
  });
});

describe('listing: pages, full-text search, filters', () => {
  const t = uniqueName('list');
  const [u1, u2] = [person(t, 'user', 'ann'), person(t, 'user', 'ben')];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const [key, who, title, body, tags] of [
      ['grpc', u1, 'Agent cannot reach the bridge', 'gRPC handshake fails with UNAVAILABLE behind a corporate proxy', ['agent', 'network']],
      ['resize', u2, 'Terminal resize garbles vim', 'After resizing the browser window, vim redraws badly', ['terminal', 'vim']],
      ['otp', u1, 'OTP mail never arrives', 'The one-time code email is missing; checked spam', ['auth']],
      ['proxy', u2, 'Proxy settings for the agent', 'How do I set HTTPS_PROXY for vsay-agent?', ['agent']],
    ] as const) ids[key] = (await api('POST', '/api/community/issues', who, { title, body, tags })).body.id;
    for (let i = 0; i < 21; i++) await api('POST', '/api/community/issues', u1, { title: `Filler ${i}`, body: 'nothing to see', tags: ['filler'] });
  });
  const list = async (who: Person, query = '') => (await api('GET', `/api/community/issues${query}`, who)).body;

  it('pages: newest first, 20 by default, total over all pages', async () => {
    const p1 = await list(u1);
    expect(p1).toMatchObject({ total: 25, page: 1, limit: 20 });
    expect(p1.issues).toHaveLength(20);
    expect(p1.issues[0].title).toBe('Filler 20');
    const p2 = await list(u1, '?page=2');
    expect(p2.issues.map((i: any) => i.title)).toEqual(['Filler 0', 'Proxy settings for the agent', 'OTP mail never arrives',
      'Terminal resize garbles vim', 'Agent cannot reach the bridge']);
    expect((await list(u1, '?page=3&limit=10')).issues.map((i: any) => i.id)).toEqual(p2.issues.map((i: any) => i.id));
    expect((await list(u1, '?page=9')).issues).toEqual([]);
    expect((await list(u1, '?sort=oldest&limit=1')).issues[0].id).toBe(ids.grpc);
  });

  it('full-text search over title, tags and body, with stemming, ranked', async () => {
    const find = async (q: string) => (await list(u1, `?q=${encodeURIComponent(q)}`)).issues.map((i: any) => i.id);
    expect(await find('handshake')).toEqual([ids.grpc]);
    expect(await find('resizing')).toEqual([ids.resize]);
    expect(await find('emails')).toEqual([ids.otp]);
    expect(await find('agent')).toEqual(expect.arrayContaining([ids.grpc, ids.proxy]));
    expect((await find('agent')).length).toBe(2);
    expect(await find('agent -vsay')).toEqual([ids.grpc]);
    expect(await find('"corporate proxy"')).toEqual([ids.grpc]);
    expect(await find('kubernetes')).toEqual([]);
    expect((await list(u1, '?q=agent')).total).toBe(2);
  });

  it('filters: status, tags (all of them), author, mine', async () => {
    const f = async (q: string) => (await list(u1, q)).issues.map((i: any) => i.id).sort();
    expect(await f('?tag=agent')).toEqual([ids.grpc, ids.proxy].sort());
    expect(await f('?tag=agent&tag=network')).toEqual([ids.grpc]);
    expect(await f('?tags=agent,network')).toEqual([ids.grpc]);
    expect(await f(`?author_id=${u2.id}`)).toEqual([ids.resize, ids.proxy].sort());
    expect((await list(u2, '?mine=true')).total).toBe(2);
    const fix = (await api('POST', `/api/community/issues/${ids.otp}/fixes`, u2, { body: 'Check the SMTP relay.' })).body;
    await api('POST', `/api/community/issues/${ids.otp}/fixes/${fix.id}/accept`, u1);
    expect(await f('?status=solved')).toEqual([ids.otp]);
    expect((await list(u1, '?status=open')).total).toBe(24);
    expect(await f('?status=solved&q=code')).toEqual([ids.otp]);
  });

  it.each([
    ['?page=0', 'page: Too small: expected number to be >=1'],
    ['?page=abc', 'page: Expected number'],
    ['?limit=101', 'limit: Too big: expected number to be <=100'],
    ['?status=closed', 'status: Must be one of open, solved'],
    ['?sort=random', 'sort: Must be one of newest, oldest, updated'],
    ['?tag=%3Cscript%3E', 'tag.0: Tags are 1–32 of a–z 0–9 . _ + # -, starting with a letter or digit'],
    [`?q=${'x'.repeat(201)}`, 'q: At most 200 characters'],
  ])('bad query %s → 400', async (query, error) => {
    expect(await api('GET', `/api/community/issues${query}`, u1)).toMatchObject({ status: 400, body: { error } });
  });

  it('search input that is not a query is still harmless', async () => {
    for (const q of ['\'); DROP TABLE community.issues; --', '!!!', '&|:*', 'the']) {
      expect(await api('GET', `/api/community/issues?q=${encodeURIComponent(q)}`, u1)).toMatchObject({ status: 200 });
    }
    expect((await list(u1)).total).toBe(25);
  });
});

describe('fixes, likes, accepting', () => {
  it('post and list fixes: every field, the issue counts them, bad input 400, unknown issue 404', async () => {
    const issue = await newIssue(alice);
    const body = 'Run:\n\n```\nvsay-agent run --debug\n```\n<img src=x onerror=alert(1)>';
    const fix = await newFix(bob, issue.id, body);
    expect(fix).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/), issue_id: issue.id, body, author_id: bob.id, author_username: 'bob',
      likes: 0, liked_by_me: false, accepted: false, created_at: expect.stringMatching(ISO),
    });
    const listed = await api('GET', `/api/community/issues/${issue.id}/fixes`, alice);
    expect(listed).toMatchObject({ status: 200, body: { fixes: [fix], total: 1, page: 1, limit: 20 } });
    expect((await api('GET', `/api/community/issues/${issue.id}`, alice)).body.fixes_count).toBe(1);
    expect(await api('POST', `/api/community/issues/${issue.id}/fixes`, bob, {})).toMatchObject({ status: 400, body: { error: 'body: Required' } });
    expect(await api('POST', `/api/community/issues/${issue.id}/fixes`, bob, { body: 7 })).toMatchObject({ status: 400, body: { error: 'body: Expected string' } });
    expect((await api('POST', `/api/community/issues/${objectId()}/fixes`, bob, { body: 'x' })).status).toBe(404);
    expect((await api('GET', `/api/community/issues/${objectId()}/fixes`, bob)).status).toBe(404);
    expect(await api('GET', `/api/community/issues/${issue.id}/fixes?limit=0`, bob)).toMatchObject({ status: 400 });
  });

  it('like: once per person; twice is harmless; unlike; another person counts; unknown fix 404', async () => {
    const issue = await newIssue(alice);
    const fix = await newFix(bob, issue.id);
    const like = `/api/community/issues/${issue.id}/fixes/${fix.id}/like`;
    expect(await api('POST', like, alice)).toMatchObject({ status: 200, body: { id: fix.id, likes: 1, liked_by_me: true } });
    expect(await api('POST', like, alice)).toMatchObject({ status: 200, body: { likes: 1, liked_by_me: true } });
    expect(await api('POST', like, admin)).toMatchObject({ status: 200, body: { likes: 2, liked_by_me: true } });
    expect((await api('GET', `/api/community/issues/${issue.id}/fixes`, bob)).body.fixes[0]).toMatchObject({ likes: 2, liked_by_me: false });
    expect(await api('DELETE', like, alice)).toMatchObject({ status: 200, body: { likes: 1, liked_by_me: false } });
    expect(await api('DELETE', like, alice)).toMatchObject({ status: 200, body: { likes: 1, liked_by_me: false } });
    expect((await api('POST', `/api/community/issues/${issue.id}/fixes/${objectId()}/like`, alice)).status).toBe(404);
    expect((await api('DELETE', `/api/community/issues/${issue.id}/fixes/${objectId()}/like`, alice)).status).toBe(404);
    const elsewhere = await newIssue(alice);
    expect((await api('POST', `/api/community/issues/${elsewhere.id}/fixes/${fix.id}/like`, alice)).status).toBe(404);
  });

  it('50 parallel likes by one person count once; 50 people liking at once count 50', async () => {
    const issue = await newIssue(alice);
    const fix = await newFix(bob, issue.id);
    const like = `/api/community/issues/${issue.id}/fixes/${fix.id}/like`;
    const same = await Promise.all(Array.from({ length: 50 }, () => api('POST', like, alice)));
    expect(same.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(same.every((r) => r.body.liked_by_me === true)).toBe(true);
    expect((await api('GET', `/api/community/issues/${issue.id}/fixes`, bob)).body.fixes[0].likes).toBe(1);
    const people = Array.from({ length: 50 }, (_, i) => person(tenant, 'user', `fan${i}`));
    const many = await Promise.all(people.map((p) => api('POST', like, p)));
    expect(many.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect((await api('GET', `/api/community/issues/${issue.id}/fixes`, bob)).body.fixes[0].likes).toBe(51);
    // Likes and unlikes racing for the same person end in one of the two states, never a count off by one.
    await Promise.all(Array.from({ length: 40 }, (_, i) => api(i % 2 ? 'DELETE' : 'POST', like, alice)));
    const final = (await api('GET', `/api/community/issues/${issue.id}/fixes`, alice)).body.fixes[0];
    expect(final.likes).toBe(final.liked_by_me ? 51 : 50);
  });

  it('accept: the author or an admin; the issue becomes solved; another fix can replace it; reopening clears it', async () => {
    const issue = await newIssue(alice);
    const [f1, f2] = [await newFix(bob, issue.id, 'first'), await newFix(admin, issue.id, 'second')];
    const accept = (f: any, who: Person) => api('POST', `/api/community/issues/${issue.id}/fixes/${f.id}/accept`, who);
    expect(await accept(f1, bob)).toMatchObject({ status: 403, body: { error: 'Only the author or an admin may accept a fix' } });
    const r = await accept(f1, alice);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      message: 'Fix accepted', issue: { id: issue.id, status: 'solved', accepted_fix_id: f1.id, solved_at: expect.stringMatching(ISO) },
      fix: { id: f1.id, accepted: true },
    });
    expect((await accept(f1, alice)).status).toBe(200);
    const listed = (await api('GET', `/api/community/issues/${issue.id}/fixes`, bob)).body.fixes;
    expect(listed.map((f: any) => [f.id, f.accepted])).toEqual([[f1.id, true], [f2.id, false]]);
    expect((await accept(f2, admin)).body.issue).toMatchObject({ accepted_fix_id: f2.id, status: 'solved' });
    expect((await api('GET', `/api/community/issues/${issue.id}/fixes`, bob)).body.fixes[0]).toMatchObject({ id: f2.id, accepted: true });
    expect((await accept({ id: objectId() }, alice)).status).toBe(404);
    const other = await newIssue(bob);
    expect((await api('POST', `/api/community/issues/${other.id}/fixes/${f1.id}/accept`, bob)).status).toBe(404);
    const reopened = await api('PUT', `/api/community/issues/${issue.id}`, alice, { status: 'open' });
    expect(reopened.body).toMatchObject({ status: 'open', accepted_fix_id: null, solved_at: null });
    expect((await api('PUT', `/api/community/issues/${issue.id}`, alice, { status: 'solved' })).body).toMatchObject({ status: 'solved', accepted_fix_id: null });
  });
});

describe('tenancy: an organization’s board is its own', () => {
  it('another organization sees none of it and can change none of it (404), its own board is empty', async () => {
    const issue = await newIssue(alice, { title: 'Secret internal hostname db-17.corp' });
    const fix = await newFix(bob, issue.id);
    const p = `/api/community/issues/${issue.id}`;
    for (const [m, path, body] of [
      ['GET', p], ['PUT', p, { title: 'owned' }], ['DELETE', p], ['GET', `${p}/fixes`], ['POST', `${p}/fixes`, { body: 'x' }],
      ['POST', `${p}/fixes/${fix.id}/like`], ['DELETE', `${p}/fixes/${fix.id}/like`], ['POST', `${p}/fixes/${fix.id}/accept`],
    ] as const) {
      expect(await api(m, path, stranger, body)).toMatchObject({ status: 404 });
    }
    const theirs = await api('GET', '/api/community/issues?q=db-17', stranger);
    expect(theirs.body).toMatchObject({ issues: [], total: 0 });
    expect(JSON.stringify((await api('GET', '/api/community/issues', stranger)).body)).not.toContain(issue.id);
    const mine = await api('GET', p, alice);
    expect(mine.body).toMatchObject({ title: 'Secret internal hostname db-17.corp', fixes_count: 1, status: 'open' });
    expect((await api('GET', `${p}/fixes`, alice)).body.fixes[0]).toMatchObject({ likes: 0 });
  });

  it('a super_admin sees the board of the organization their token is for, no other', async () => {
    const issue = await newIssue(alice);
    const root = person(uniqueName('platform'), 'super_admin', 'root');
    expect((await api('GET', `/api/community/issues/${issue.id}`, root)).status).toBe(404);
    expect((await api('DELETE', `/api/community/issues/${issue.id}`, root)).status).toBe(404);
    const here = person(tenant, 'super_admin', 'root-here');
    expect((await api('PUT', `/api/community/issues/${issue.id}`, here, { status: 'solved' })).body).toMatchObject({ status: 'solved' });
  });
});
