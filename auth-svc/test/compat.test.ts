import jwt from 'jsonwebtoken';
import { uniqueName } from '@webxterm/testkit';
import { BROWSER_UA, Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

describe('Community Edition aliases (documents 001 and 003)', () => {
  it('POST /api/signup creates a personal workspace and answers message, token and user with api_key', async () => {
    const n = uniqueName('ce');
    const r = await h.post('/api/signup', { username: n, email: `${n}@example.com`, password: 'longenough' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      message: 'User registered successfully', token: expect.any(String),
      user: { id: expect.stringMatching(/^[0-9a-f]{24}$/), username: n, email: `${n}@example.com`, api_key: expect.stringMatching(/^vsk_/) },
    });
    expect(jwt.decode(r.body.token)).toMatchObject({ role: 'company_admin', tenant_id: n });
  });

  it('POST /api/signup applies the Enterprise rules (8-character password) and 409 on duplicates', async () => {
    const n = uniqueName('ce');
    expect((await h.post('/api/signup', { username: n, email: `${n}@example.com`, password: 'short6' })).status).toBe(400);
    expect((await h.post('/api/signup', { username: n, email: `${n}@example.com`, password: 'longenough' })).status).toBe(201);
    expect((await h.post('/api/signup', { username: n, email: `x${n}@example.com`, password: 'longenough' })).status).toBe(409);
  });

  it('POST /api/login answers message, token and the slim user', async () => {
    const a = await h.signup();
    const r = await h.post('/api/login', { email: a.email, password: a.password });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      message: 'Login successful', token: expect.any(String),
      user: { id: a.userId, username: a.username, email: a.email, api_key: expect.stringMatching(/^vsk_/) },
    });
    expect((await h.post('/api/login', { email: a.email, password: 'wrong-password' })).status).toBe(401);
  });

  it('POST /api/login never skips the emailed code a browser must enter', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    const r = await h.post('/api/login', { email: a.email, password: a.password }, { 'user-agent': BROWSER_UA });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/\/api\/auth\/login/);
  });

  it('POST /api/login into a person of several organizations lands in the first one joined', async () => {
    const a = await h.signup();
    const b = await h.signup();
    await h.addToOrganization(a.email, b.tenantId);
    const r = await h.post('/api/login', { email: a.email, password: a.password });
    expect(jwt.decode(r.body.token)).toMatchObject({ tenant_id: a.tenantId });
  });
});

describe('token API of document 004: POST /login and POST /logout', () => {
  it('logs in with user@organization and answers key, token, expires (epoch ms), role, roleName and the ACL', async () => {
    const a = await h.signup();
    const r = await h.post('/login', { username: `${a.username}@${a.tenantId}`, password: a.password });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      key: expect.stringMatching(/^[0-9a-f-]{36}$/), username: a.username, token: expect.any(String),
      expires: expect.any(Number), role: 2, roleName: 'company_admin', acl: expect.objectContaining({ users: ['read_self', 'read', 'manage'], audit: ['read'] }),
    });
    const claims = jwt.decode(r.body.token) as Record<string, any>;
    expect(r.body.expires).toBe(claims.exp * 1000);
    expect(r.body.key).toBe(claims.sid);
  });

  it('picks the organization named after @ for a person in several', async () => {
    const a = await h.signup();
    const b = await h.signup();
    await h.addToOrganization(a.email, b.tenantId);
    const r = await h.post('/login', { username: `${a.username}@${b.tenantId}`, password: a.password });
    expect(r.body).toMatchObject({ role: 1, roleName: 'user' });
    expect(jwt.decode(r.body.token)).toMatchObject({ tenant_id: b.tenantId });
    const plain = await h.post('/login', { username: a.username, password: a.password });
    expect(plain.status).toBe(400);
  });

  it('also takes an email address or a plain username', async () => {
    const a = await h.signup();
    expect((await h.post('/login', { username: a.email, password: a.password })).status).toBe(200);
    expect((await h.post('/login', { username: a.username, password: a.password })).status).toBe(200);
  });

  it('400 without username, 401 for bad credentials or an organization the person is not in', async () => {
    const a = await h.signup();
    const other = await h.signup();
    expect(await h.post('/login', { password: 'x' })).toMatchObject({ status: 400, body: { error: 'username: User name is required' } });
    expect((await h.post('/login', { username: a.username, password: 'wrong-password' })).status).toBe(401);
    expect((await h.post('/login', { username: `${a.username}@${other.tenantId}`, password: a.password })).status).toBe(401);
    expect((await h.post('/login', { username: 'nobody@nowhere', password: 'whatever' })).status).toBe(401);
  });

  it('POST /logout revokes the pair given in X-Access-Token and X-Key', async () => {
    const a = await h.signup();
    const { key, token } = (await h.post('/login', { username: a.username, password: a.password })).body;
    expect((await h.post('/logout', undefined, { 'x-access-token': token, 'x-key': 'not-the-key' })).status).toBe(401);
    expect((await h.post('/logout', undefined, { 'x-access-token': token })).status).toBe(401);
    const out = await h.post('/logout', undefined, { 'x-access-token': token, 'x-key': key });
    expect(out).toMatchObject({ status: 200, body: { status: 'OK', info: 'Successful logout.' } });
    expect((await h.call('GET', '/api/users/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('X-Access-Token with its X-Key works wherever a Bearer token does', async () => {
    const a = await h.signup();
    const { key, token } = (await h.post('/login', { username: a.username, password: a.password })).body;
    expect((await h.call('GET', '/api/users/me', undefined, { 'x-access-token': token, 'x-key': key })).status).toBe(200);
  });
});
