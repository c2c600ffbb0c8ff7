import { ResolveApiKey } from '@webxterm/contracts';
import { Bus, connectNats, NatsConnection } from '@webxterm/kit';
import { BROWSER_UA, Harness, startHarness } from './harness';

let h: Harness;
let nc: NatsConnection;
let bus: Bus;
beforeAll(async () => { h = await startHarness(); nc = await connectNats(h.env.natsUrl, 'profile-test'); bus = new Bus(nc); });
afterAll(async () => { await nc.drain(); await h.close(); });

const get = (path: string, headers?: Record<string, string>) => h.call('GET', path, undefined, headers);
const resolves = async (apiKey: string) => (await bus.request(ResolveApiKey, { api_key: apiKey })).found;

describe('GET /api/profile', () => {
  it('answers the caller’s profile in the organization of their token, with the key masked', async () => {
    const a = await h.admin();
    const r = await get('/api/profile', a.headers);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: a.userId, username: a.username, email: a.email, first_name: 'Ada', last_name: 'Lovelace',
      role: 'company_admin', machine_role: '', groups: [], tenant_id: a.tenantId, tenant_name: 'Analytical Engines Ltd',
      organization: { tenant_id: a.tenantId, name: 'Analytical Engines Ltd' }, email_verified: false,
      api_key: expect.stringMatching(/^vsk_.{4}…$/), api_key_set: true, api_key_prefix: expect.stringMatching(/^vsk_.{4}$/),
      api_key_created_at: expect.any(String), avatar_url: null, created_at: expect.any(String),
    });
    expect(Date.parse(r.body.created_at)).toBeLessThanOrEqual(Date.now());
    // Nowhere a usable key: not in the profile, not in /api/users/me.
    expect(JSON.stringify(r.body)).not.toMatch(/vsk_[A-Za-z0-9_-]{20,}/);
    expect((await get('/api/users/me', a.headers)).body.api_key).toBe(r.body.api_key);
  });

  it('a user sees their own profile; without a valid token the answer is 401', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    expect((await get('/api/profile', m.headers)).body).toMatchObject({ id: m.userId, username: m.username, role: 'user', tenant_id: a.tenantId });
    expect(await get('/api/profile')).toMatchObject({ status: 401, body: { error: expect.any(String) } });
    expect((await get('/api/profile', { authorization: 'Bearer not-a-token' })).status).toBe(401);
  });

  it('a person in two organizations sees the membership of the organization they logged into', async () => {
    const a = await h.admin();
    const b = await h.admin();
    const userIdInB = await h.addToOrganization(a.email, b.tenantId, 'user');
    const picker = await h.login(a.email, a.password);
    expect(picker.body.requires_tenant_selection).toBe(true);
    const inB = await h.post('/api/auth/select-tenant', { session_token: picker.body.session_token, tenant_id: b.tenantId });
    const p = await get('/api/profile', h.bearer(inB.body.token));
    expect(p.body).toMatchObject({ id: userIdInB, role: 'user', tenant_id: b.tenantId, organization: { tenant_id: b.tenantId } });
    expect(JSON.stringify(p.body)).not.toContain(a.userId);
  });

  it('a removed user’s token gets 401, not someone else’s profile', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    await h.call('DELETE', `/api/users/${m.userId}`, undefined, a.headers);
    expect((await get('/api/profile', m.headers)).status).toBe(401);
  });
});

describe('API keys are kept as hashes', () => {
  it('the database holds a SHA-256 and a prefix, never the key; the login answer’s key resolves', async () => {
    const a = await h.admin();
    const login = await h.login(a.email, a.password);
    const key: string = login.body.user.api_key;
    expect(key).toMatch(/^vsk_[A-Za-z0-9_-]{43}$/);
    const { rows } = await h.pool.query('SELECT api_key_hash, api_key_prefix FROM auth.memberships WHERE id = $1', [a.userId]);
    expect(rows[0].api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].api_key_prefix).toMatch(/^vsk_.{4}$/);
    const all = JSON.stringify((await h.pool.query('SELECT * FROM auth.login_api_keys WHERE user_id = $1', [a.userId])).rows);
    expect(all).not.toContain(key);
    expect(await resolves(key)).toBe(true);
  });

  it('a login’s key stops working when that login ends (logout)', async () => {
    const a = await h.admin();
    const login = await h.login(a.email, a.password);
    expect(await resolves(login.body.user.api_key)).toBe(true);
    await h.post('/api/auth/logout', undefined, h.bearer(login.body.token));
    expect(await resolves(login.body.user.api_key)).toBe(false);
  });

  it('POST /api/profile/regenerate-api-key: a new key shown once; every earlier key stops working', async () => {
    const a = await h.admin();
    const loginKey = (await h.login(a.email, a.password)).body.user.api_key;
    const r = await h.post('/api/profile/regenerate-api-key', undefined, a.headers);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toEqual({
      message: expect.any(String), api_key: expect.stringMatching(/^vsk_[A-Za-z0-9_-]{43}$/),
      api_key_prefix: r.body.api_key.slice(0, 8), api_key_created_at: expect.any(String),
    });
    expect(await bus.request(ResolveApiKey, { api_key: r.body.api_key })).toEqual({
      found: true, user_id: a.userId, username: a.username, tenant_id: a.tenantId, role: 'company_admin',
    });
    expect(await resolves(loginKey)).toBe(false);
    const p = await get('/api/profile', a.headers);
    expect(p.body).toMatchObject({ api_key: `${r.body.api_key.slice(0, 8)}…`, api_key_created_at: r.body.api_key_created_at });
    const again = await h.post('/api/profile/regenerate-api-key', { ignored: true }, a.headers);
    expect(again.body.api_key).not.toBe(r.body.api_key);
    expect(await resolves(r.body.api_key)).toBe(false);
  });

  it('regenerating changes only the caller’s own key, in any role', async () => {
    const a = await h.admin();
    const m = await h.member(a.token);
    const adminKey = (await h.post('/api/profile/regenerate-api-key', undefined, a.headers)).body.api_key;
    const memberKey = (await h.post('/api/profile/regenerate-api-key', undefined, m.headers)).body.api_key;
    expect((await bus.request(ResolveApiKey, { api_key: memberKey }))).toMatchObject({ found: true, user_id: m.userId, role: 'user' });
    expect((await bus.request(ResolveApiKey, { api_key: adminKey }))).toMatchObject({ found: true, user_id: a.userId });
    expect((await h.post('/api/profile/regenerate-api-key')).status).toBe(401);
  });
});

describe('POST /api/profile/reset-password', () => {
  it('checks the current password, applies signup’s rules, and ends the person’s other logins (every organization)', async () => {
    const a = await h.admin();
    const b = await h.admin();
    await h.addToOrganization(a.email, b.tenantId, 'user');
    const picker = await h.login(a.email, a.password);
    const inB = (await h.post('/api/auth/select-tenant', { session_token: picker.body.session_token, tenant_id: b.tenantId })).body;
    const inA = (await h.post('/api/auth/select-tenant', { session_token: (await h.login(a.email, a.password)).body.session_token, tenant_id: a.tenantId })).body;
    const browser = await h.login(a.email, a.password, BROWSER_UA);
    const cur = await h.post('/api/auth/select-tenant', { session_token: browser.body.session_token, tenant_id: a.tenantId });
    const me = h.bearer(cur.body.token);

    const r = await h.post('/api/profile/reset-password', { current_password: a.password, new_password: 'a brand new password' }, me);
    expect(r).toMatchObject({ status: 200, body: { message: expect.any(String), other_logins_ended: expect.any(Number) } });
    expect(r.body.other_logins_ended).toBeGreaterThanOrEqual(2);
    expect((await get('/api/profile', me)).status).toBe(200);
    expect((await get('/api/profile', h.bearer(inA.token))).status).toBe(401);
    expect((await get('/api/profile', h.bearer(inB.token))).status).toBe(401);
    expect(await resolves(inA.user.api_key)).toBe(false);
    expect(await resolves(cur.body.user.api_key)).toBe(true);
    expect((await h.login(a.email, a.password)).status).toBe(401);
    expect((await h.login(a.email, 'a brand new password')).status).toBe(200);
  });

  it('a wrong current password is 401 and changes nothing', async () => {
    const a = await h.admin();
    const r = await h.post('/api/profile/reset-password', { current_password: 'not the password', new_password: 'new-password-1' }, a.headers);
    expect(r).toEqual(expect.objectContaining({ status: 401, body: { error: 'Current password is incorrect' } }));
    expect((await get('/api/profile', a.headers)).status).toBe(200);
    expect((await h.login(a.email, a.password)).status).toBe(200);
  });

  it.each([
    [{}, /current_password/],
    [{ current_password: 'x' }, /new_password/],
    [{ current_password: 'correct horse battery', new_password: 'short' }, /new_password: Must be at least 8 characters/],
    [{ current_password: 'correct horse battery', new_password: 'x'.repeat(257) }, /new_password: At most 256 characters/],
    [{ current_password: 12345678, new_password: 'new-password-1' }, /current_password/],
    [{ current_password: 'correct horse battery', new_password: ['new-password-1'] }, /new_password/],
    [{ current_password: 'correct horse battery', new_password: 'correct horse battery' }, /new_password: Must differ/],
  ])('bad input %j is 400 with the field named', async (body, message) => {
    const a = await h.admin();
    const r = await h.post('/api/profile/reset-password', body, a.headers);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
    expect((await h.login(a.email, a.password)).status).toBe(200);
  });

  it('a body that is not JSON is 400, a JSON body over the limit 413', async () => {
    const a = await h.admin();
    expect((await h.post('/api/profile/reset-password', '{"current_password":', a.headers)).status).toBe(400);
    const big = JSON.stringify({ current_password: 'x', new_password: 'y'.repeat(200_000) });
    expect((await h.post('/api/profile/reset-password', big, a.headers)).status).toBe(413);
  });

  it('guesses of the current password count against the login limits (429), so a stolen token does not help', async () => {
    const a = await h.admin();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await h.post('/api/profile/reset-password', { current_password: `guess-${i}`, new_password: 'new-password-1' }, a.headers)).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
