import jwt from 'jsonwebtoken';
import { signToken, waitUntil } from '@webxterm/testkit';
import { BROWSER_UA, Harness, SECRET, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

const CLAIMS = ['user_id', 'username', 'email', 'tenant_id', 'tenant_name', 'role', 'machine_role', 'groups', 'keycloak_id', 'source', 'iss', 'exp', 'iat', 'sid'];

describe('POST /api/auth/login — scenario A, direct token', () => {
  it('returns token, user, expires_in, session_token and available_tenants', async () => {
    const a = await h.signup();
    const r = await h.login(a.email, a.password);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      token: expect.any(String), expires_in: 86400, session_token: expect.any(String),
      user: {
        id: a.userId, username: a.username, email: a.email, first_name: 'Ada', last_name: 'Lovelace', tenant_id: a.tenantId,
        tenant_name: 'Analytical Engines Ltd', role: 'company_admin', machine_role: '', groups: [], email_verified: false,
        api_key: expect.stringMatching(/^vsk_[A-Za-z0-9_-]{43}$/),
      },
      available_tenants: [{ tenant_id: a.tenantId, tenant_name: 'Analytical Engines Ltd', username: a.username, user_id: a.userId }],
    });
  });

  it('signs an HS256 token with exactly the documented claims plus sid, expiring in 24 h', async () => {
    const a = await h.signup();
    const { token } = (await h.login(a.email, a.password)).body;
    expect(jwt.decode(token, { complete: true })!.header.alg).toBe('HS256');
    const claims = jwt.verify(token, SECRET, { algorithms: ['HS256'] }) as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual([...CLAIMS].sort());
    expect(claims).toMatchObject({ iss: 'vsay-auth', user_id: a.userId, tenant_id: a.tenantId, role: 'company_admin', source: 'cli' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(86400);
  });

  it.each([
    ['Mozilla/5.0 (Windows NT 10.0) Firefox/140.0', 'ui'],
    ['Mozilla/5.0 (X11) Code/1.99 Chrome/130 Electron/34 VSCode/1.99', 'vscode'],
    ['vscode-webxterm/2.1', 'vscode'],
    ['curl/8.5.0', 'cli'],
    ['vsay-cli/1.0', 'cli'],
  ])('detects the client from User-Agent %s → %s', async (ua, source) => {
    const a = await h.signup();
    const { token } = (await h.login(a.email, a.password, ua)).body;
    expect((jwt.decode(token) as any).source).toBe(source);
  });

  it('401 with one message for a wrong password and an unknown email', async () => {
    const a = await h.signup();
    const wrong = await h.login(a.email, 'not the password');
    const unknown = await h.login(`nobody-${a.username}@example.com`, 'whatever-password');
    expect(wrong).toMatchObject({ status: 401, body: { error: 'Invalid email or password' } });
    expect(unknown).toMatchObject({ status: 401, body: { error: 'Invalid email or password' } });
  });

  it('takes as long for an unknown email as for a wrong password (argon2 runs either way)', async () => {
    const a = await h.signup();
    const time = async (email: string) => {
      const t = process.hrtime.bigint();
      await h.login(email, 'not the password');
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const known: number[] = []; const unknown: number[] = [];
    for (let i = 0; i < 8; i++) { known.push(await time(a.email)); unknown.push(await time(`ghost${i}-${a.email}`)); }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
    // A skipped hash would answer in well under a millisecond; a 19 MiB argon2id takes tens.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    expect(median(unknown)).toBeLessThan(median(known) * 2);
  });

  it.each([
    [{ email: 'a@b.co' }, /^password: /],
    [{ password: 'x' }, /^email: /],
    [{ email: 42, password: 'x' }, /^email: /],
    [{ email: 'a@b.co', password: ['x'] }, /^password: /],
    [{ email: "' OR 1=1 --", password: 'x' }, /^email: /],
    [{ email: 'a@b.co', password: 'x'.repeat(300) }, /^password: /],
  ])('400 on bad input %j', async (body, message) => {
    const r = await h.post('/api/auth/login', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
  });
});

describe('POST /api/auth/login — scenario B, OTP', () => {
  it('browser + OTP on: challenge, code by email, verify-otp gives the token; CLI and VS Code skip it', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    const cli = await h.login(a.email, a.password, 'curl/8.5.0');
    expect(cli.body.token).toEqual(expect.any(String));
    const vscode = await h.login(a.email, a.password, 'vscode-webxterm/2.1');
    expect(vscode.body.token).toEqual(expect.any(String));

    const r = await h.login(a.email, a.password, BROWSER_UA);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      message: 'OTP sent to your email', requires_otp: true, username: a.username, otp_expires_in_min: 10,
      tenants: [expect.objectContaining({ tenant_id: a.tenantId, user_id: a.userId })], session_token: expect.any(String),
    });
    expect(r.body.token).toBeUndefined();
    const code = await h.otpFromMail(a.email);
    const v = await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code }, { 'user-agent': BROWSER_UA });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ token: expect.any(String), expires_in: 86400, user: { id: a.userId }, session_token: expect.any(String) });
    expect((jwt.decode(v.body.token) as any).source).toBe('ui');
  });

  it('a code works once', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    await h.login(a.email, a.password, BROWSER_UA);
    const code = await h.otpFromMail(a.email);
    expect((await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code })).status).toBe(200);
    const again = await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code });
    expect(again).toMatchObject({ status: 401, body: { error: 'Invalid or expired code' } });
  });

  it('concurrent tries with the right code: exactly one wins', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    await h.login(a.email, a.password, BROWSER_UA);
    const code = await h.otpFromMail(a.email);
    const replies = await Promise.all([0, 1, 2, 3].map(() => h.post('/api/auth/verify-otp', { username: a.username, otp_code: code })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('brute force: 5 wrong codes burn it, and the right code no longer works', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    await h.login(a.email, a.password, BROWSER_UA);
    const code = await h.otpFromMail(a.email);
    const wrong = code === '000000' ? '000001' : '000000';
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.post('/api/auth/verify-otp', { username: a.username, otp_code: wrong })).body.error);
    expect(statuses.slice(0, 4)).toEqual(Array(4).fill('Invalid or expired code'));
    expect(statuses[4]).toBe('Too many wrong codes; log in again to get a new one');
    const right = await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code });
    expect(right.status).toBe(401);
    // A new login sends a new code that works.
    await h.login(a.email, a.password, BROWSER_UA);
    const fresh = await h.otpFromMail(a.email, 2);
    expect((await h.post('/api/auth/verify-otp', { username: a.username, otp_code: fresh })).status).toBe(200);
  });

  it('a code expires after its time (10 minutes, kept as a Redis TTL)', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    await h.login(a.email, a.password, BROWSER_UA);
    const code = await h.otpFromMail(a.email);
    const key = `auth:otp:${a.username.toLowerCase()}`;
    const ttl = await h.redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    await h.redis.pexpire(key, 1);
    await waitUntil(async () => (await h.redis.exists(key)) === 0, 5000, 'the code gone from Redis');
    expect((await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code })).status).toBe(401);
  });

  it('stores no plain code in Redis', async () => {
    const a = await h.signup();
    await h.setOtp(a.tenantId, true);
    await h.login(a.email, a.password, BROWSER_UA);
    const code = await h.otpFromMail(a.email);
    const stored = await h.redis.hgetall(`auth:otp:${a.username.toLowerCase()}`);
    expect(JSON.stringify(stored)).not.toContain(code);
  });

  it.each([
    [{ username: 'x', otp_code: '12345' }], [{ username: 'x', otp_code: '1234567' }], [{ username: 'x', otp_code: 'abcdef' }],
    [{ username: 'x', otp_code: 123456 }], [{ otp_code: '123456' }], [{ username: 'x' }],
  ])('400 on malformed verify-otp %j', async (body) => {
    expect((await h.post('/api/auth/verify-otp', body)).status).toBe(400);
  });

  it('401 for an unknown username with no pending code', async () => {
    expect((await h.post('/api/auth/verify-otp', { username: 'nobody-here', otp_code: '123456' })).status).toBe(401);
  });
});

describe('scenario C, tenant selection', () => {
  async function twoTenants() {
    const a = await h.signup();
    const b = await h.signup();
    const secondUserId = await h.addToOrganization(a.email, b.tenantId);
    return { a, b, secondUserId };
  }

  it('lists both workspaces, and select-tenant gives a token for the chosen one', async () => {
    const { a, b, secondUserId } = await twoTenants();
    const r = await h.login(a.email, a.password);
    expect(r.body).toEqual({
      requires_tenant_selection: true, session_token: expect.any(String),
      tenants: [
        { tenant_id: a.tenantId, tenant_name: 'Analytical Engines Ltd', username: a.username, user_id: a.userId },
        { tenant_id: b.tenantId, tenant_name: 'Analytical Engines Ltd', username: a.username, user_id: secondUserId },
      ],
    });
    const s = await h.post('/api/auth/select-tenant', { session_token: r.body.session_token, tenant_id: b.tenantId });
    expect(s.status).toBe(200);
    expect(s.body.user).toMatchObject({ id: secondUserId, tenant_id: b.tenantId, role: 'user' });
    expect(s.body.available_tenants).toHaveLength(2);
    expect((jwt.decode(s.body.token) as any)).toMatchObject({ tenant_id: b.tenantId, user_id: secondUserId });
  });

  it('select-tenant into an OTP organization from a browser asks for the code first', async () => {
    const { a, b } = await twoTenants();
    await h.setOtp(b.tenantId, true);
    const r = await h.login(a.email, a.password, BROWSER_UA);
    const s = await h.post('/api/auth/select-tenant', { session_token: r.body.session_token, tenant_id: b.tenantId });
    expect(s.body).toEqual({ message: 'OTP sent to your email', requires_otp: true, username: a.username, otp_expires_in_min: 10 });
    const v = await h.post('/api/auth/verify-otp', { username: a.username, otp_code: await h.otpFromMail(a.email) });
    expect(v.status).toBe(200);
    expect(v.body.user.tenant_id).toBe(b.tenantId);
  });

  it('403 for an organization the person is not in; 401 for a bad session token', async () => {
    const { a } = await twoTenants();
    const other = await h.signup();
    const r = await h.login(a.email, a.password);
    const s = await h.post('/api/auth/select-tenant', { session_token: r.body.session_token, tenant_id: other.tenantId });
    expect(s).toMatchObject({ status: 403, body: { error: 'You do not belong to this organization' } });
    const forged = signToken({ sid: 'x', person_id: 'y', source: 'cli', typ: 'session', iss: 'vsay-auth' }, SECRET);
    for (const token of [forged, 'garbage', r.body.session_token.slice(0, -3) + 'abc']) {
      expect((await h.post('/api/auth/select-tenant', { session_token: token, tenant_id: a.tenantId })).status).toBe(401);
    }
  });

  it('a session token is never accepted as an access token', async () => {
    const a = await h.signup();
    const r = await h.login(a.email, a.password);
    const me = await h.call('GET', '/api/users/me', undefined, { authorization: `Bearer ${r.body.session_token}` });
    expect(me.status).toBe(401);
  });
});
