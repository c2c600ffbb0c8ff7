import { uniqueName } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

function valid(over: Record<string, unknown> = {}) {
  const n = uniqueName('s');
  return {
    username: n, email: `${n}@example.com`, password: 'yourpassword', first_name: 'John', last_name: 'Doe',
    organization_name: uniqueName('org-'), company_name: 'My Company Inc', ...over,
  };
}

describe('POST /api/auth/signup', () => {
  it('creates the organization and its company_admin, 201 with the documented body', async () => {
    const input = valid({ organization_name: `My ${uniqueName('Org')}` });
    const r = await h.post('/api/auth/signup', input);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      message: 'User created successfully. Please check your email to verify your account.',
      user_id: expect.stringMatching(/^[0-9a-f]{24}$/), username: input.username, organization: 'My Company Inc',
    });
    const login = await h.login(input.email, input.password);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({
      id: r.body.user_id, role: 'company_admin', tenant_id: input.organization_name.toLowerCase().replace(/\s+/g, '-'),
      tenant_name: 'My Company Inc', first_name: 'John', last_name: 'Doe', email_verified: false,
    });
  });

  it('lowercases the organization name and turns spaces into hyphens', async () => {
    const suffix = uniqueName('');
    const input = valid({ organization_name: `Acme  Big Team ${suffix}` });
    expect((await h.post('/api/auth/signup', input)).status).toBe(201);
    const login = await h.login(input.email, input.password);
    expect(login.body.user.tenant_id).toBe(`acme-big-team-${suffix}`);
  });

  it('stores the email in lower case and logs in with any case', async () => {
    const input = valid();
    expect((await h.post('/api/auth/signup', { ...input, email: input.email.toUpperCase() })).status).toBe(201);
    expect((await h.login(input.email, input.password)).body.user.email).toBe(input.email);
  });

  it.each([
    ['duplicate organization', (a: any) => ({ organization_name: a.organization_name.toUpperCase() }), 'Organization already exists'],
    ['duplicate username, other case', (a: any) => ({ username: a.username.toUpperCase() }), 'Username already exists'],
    ['duplicate email', (a: any) => ({ email: a.email }), 'Email already registered'],
  ])('409 on %s', async (_name, change, message) => {
    const first = valid();
    expect((await h.post('/api/auth/signup', first)).status).toBe(201);
    const r = await h.post('/api/auth/signup', valid(change(first)));
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ error: message });
  });

  it('gives exactly one 201 when the same organization is claimed concurrently', async () => {
    const org = uniqueName('race-');
    const replies = await Promise.all([0, 1, 2, 3].map(() => h.post('/api/auth/signup', valid({ organization_name: org }))));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it.each([
    ['username too short', { username: 'ab' }, /^username: Must be 3–50 characters/],
    ['username too long', { username: 'a'.repeat(51) }, /^username: Must be 3–50 characters/],
    ['username with spaces', { username: 'john doe' }, /^username: /],
    ['username with SQL', { username: "x'; DROP TABLE auth.persons;--" }, /^username: /],
    ['unicode username', { username: 'jöhn' }, /^username: /],
    ['invalid email', { email: 'not-an-email' }, /^email: Invalid email address/],
    ['email with SQL', { email: "a@b.c' OR '1'='1" }, /^email: /],
    ['very long email', { email: `${'a'.repeat(300)}@example.com` }, /^email: /],
    ['password of 7', { password: '1234567' }, /^password: Must be at least 8 characters/],
    ['very long password', { password: 'p'.repeat(10_000) }, /^password: At most 256/],
    ['missing first_name', { first_name: undefined }, /^first_name: /],
    ['missing last_name', { last_name: undefined }, /^last_name: /],
    ['missing organization_name', { organization_name: undefined }, /^organization_name: /],
    ['missing company_name', { company_name: undefined }, /^company_name: /],
    ['blank first_name', { first_name: '   ' }, /^first_name: Required/],
    ['control characters in a name', { last_name: 'Doe\u0000\r\n' }, /^last_name: /],
    ['very long company name', { company_name: 'C'.repeat(100_000) }, /^company_name: At most 200/],
    ['unicode organization name', { organization_name: 'Équipe Ünïcode' }, /^organization_name: /],
    ['organization name with dots', { organization_name: 'my.org' }, /^organization_name: /],
    ['username as a number', { username: 12345 }, /^username: /],
    ['password as an object', { password: { $gt: '' } }, /^password: /],
    ['email as an array', { email: ['a@b.co'] }, /^email: /],
  ])('400 on %s', async (_name, change, message) => {
    const r = await h.post('/api/auth/signup', valid(change));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
  });

  it('keeps unicode in names and company', async () => {
    const input = valid({ first_name: 'Zoë 李', last_name: 'Ñúñez 🚀', company_name: 'Société Générale ✓' });
    expect((await h.post('/api/auth/signup', input)).status).toBe(201);
    const login = await h.login(input.email, input.password);
    expect(login.body.user).toMatchObject({ first_name: 'Zoë 李', last_name: 'Ñúñez 🚀', tenant_name: 'Société Générale ✓' });
  });

  it('refuses reserved organization names', async () => {
    const r = await h.post('/api/auth/signup', valid({ organization_name: 'Platform' }));
    expect(r.status).toBe(409);
  });

  it('ignores unknown fields, including an attempt to pick a role', async () => {
    const input = valid({ role: 'super_admin', is_admin: true });
    expect((await h.post('/api/auth/signup', input)).status).toBe(201);
    expect((await h.login(input.email, input.password)).body.user.role).toBe('company_admin');
  });

  it('400 on malformed JSON, a JSON array and an empty body', async () => {
    for (const body of ['{"username": "x",', '[1,2,3]', '', 'null']) {
      const r = await h.post('/api/auth/signup', body);
      expect(r.status).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
  });

  it('413 on a body over the limit', async () => {
    const r = await h.post('/api/auth/signup', valid({ company_name: 'x'.repeat(200_000) }));
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ error: 'Request body too large' });
  });

  it('stays up: health still answers after all of the above', async () => {
    expect((await h.call('GET', '/healthz')).status).toBe(200);
    expect((await h.call('GET', '/readyz')).body.deps).toEqual({ postgres: true, redis: true, nats: true });
  });
});
