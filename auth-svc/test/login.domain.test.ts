import { CTX, domainWorld } from './fakes/world';

// Login's rules on in-memory fakes (test/fakes): no PostgreSQL, Redis or SMTP.

describe('LoginService (domain)', () => {
  it('one organization: a token for it, with the login recorded and the throttle told', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const o = await w.login.login(a.email, a.password, CTX);
    expect(o.kind).toBe('token');
    if (o.kind !== 'token') return;
    expect(o.membership.id).toBe(a.userId);
    expect(o.issued.claims).toMatchObject({ user_id: a.userId, tenant_id: a.tenantId, role: 'company_admin' });
    // The answer's API key resolves to the membership while the login lives, and not after logout.
    expect((await w.store.unscoped.users.membershipByApiKey(o.apiKey))?.id).toBe(a.userId);
    await w.sessions.logout(o.issued.claims, CTX);
    expect(await w.store.unscoped.users.membershipByApiKey(o.apiKey)).toBeNull();
    expect(w.throttle.calls.map((c) => c.kind)).toEqual(['admit', 'succeeded']);
  });

  it('a wrong password and an unknown email fail alike, each counted as a failure', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    await expect(w.login.login(a.email, 'wrong', CTX)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    await expect(w.login.login('nobody@example.com', 'wrong', CTX)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    expect(w.throttle.calls.filter((c) => c.kind === 'failed')).toHaveLength(2);
    expect(w.audit.events.slice(-2).map((e) => [e.result, e.tenant_id])).toEqual([['failure', a.tenantId], ['failure', null]]);
  });

  it('several organizations: a picker, then a token for the chosen one only', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const b = await w.admin('bob');
    await w.users.create(b.claims, { username: 'ada-at-bob', email: a.email, password: 'x'.repeat(12), first_name: 'A', last_name: 'B', role: 'user' }, {
      client_ip: null, request_id: null,
    });
    const invitation = (await w.invitations.list(a.claims))[0];
    await w.invitations.accept(a.claims, invitation.id, { client_ip: null, request_id: null });
    const o = await w.login.login(a.email, a.password, CTX);
    expect(o.kind).toBe('select');
    if (o.kind !== 'select') return;
    expect(o.tenants.map((m) => m.organization.tenantId)).toEqual([a.tenantId, b.tenantId]);
    await expect(w.login.selectTenant(o.sessionToken, 'elsewhere', CTX)).rejects.toMatchObject({ code: 'auth.not_a_member' });
    const chosen = await w.login.selectTenant(o.sessionToken, b.tenantId, CTX);
    expect(chosen.kind === 'token' && chosen.issued.claims.tenant_id).toBe(b.tenantId);
  });

  it('an organization with OTP: browsers get a mailed code first, which is single use', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    await w.store.unscoped.organizations.update((await w.store.unscoped.organizations.byTenant(a.tenantId))!.id, { otpEnabled: true });
    const browser = { ...CTX, source: 'ui' as const };
    const o = await w.login.login(a.email, a.password, browser);
    expect(o.kind).toBe('otp');
    const code = w.mailer.otps[0].code;
    await expect(w.login.verifyOtp('ada', code === '000000' ? '000001' : '000000', browser)).rejects.toMatchObject({ code: 'auth.otp_invalid' });
    const done = await w.login.verifyOtp('ada', code, browser);
    expect(done.kind === 'token' && done.membership.id).toBe(a.userId);
    await expect(w.login.verifyOtp('ada', code, browser)).rejects.toMatchObject({ code: 'auth.otp_invalid' });
    // The CLI is not asked for a code.
    expect((await w.login.login(a.email, a.password, CTX)).kind).toBe('token');
  });

  it('refresh re-reads the membership, so a role change shows in the next token', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const o = await w.login.login(a.email, a.password, CTX);
    if (o.kind !== 'token') throw new Error(o.kind);
    await w.store.unscoped.users.updateRoles(a.userId, { machineRole: 'ops' });
    const next = await w.sessions.refresh(o.issued.claims, CTX);
    expect(next.claims).toMatchObject({ sid: o.issued.claims.sid, machine_role: 'ops' });
  });
});
