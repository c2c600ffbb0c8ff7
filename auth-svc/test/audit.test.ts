import { NO_ORGANIZATION_TENANT, type AuditEvent } from '@webxterm/contracts';
import { readAuditEvents } from '@webxterm/testkit';
import { BROWSER_UA, Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

const IP = '203.0.113.7';

describe('audit events reach JetStream', () => {
  it('for signup, login success and failure, OTP sent/verified/failed, refresh and logout — with who, what, when, tenant, IP and result', async () => {
    const started = Date.now();
    const a = await h.signup();
    const xff = { 'x-forwarded-for': IP, 'user-agent': BROWSER_UA };
    await h.post('/api/auth/login', { email: a.email, password: 'wrong-password' }, xff);
    await h.setOtp(a.tenantId, true);
    await h.post('/api/auth/login', { email: a.email, password: a.password }, xff);
    const code = await h.otpFromMail(a.email);
    await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code === '999999' ? '999998' : '999999' }, xff);
    const { token } = (await h.post('/api/auth/verify-otp', { username: a.username, otp_code: code }, xff)).body;
    const refreshed = (await h.post('/api/auth/refresh', { token }, xff)).body.token;
    await h.post('/api/auth/logout', undefined, { ...xff, authorization: `Bearer ${refreshed}` });

    const events = await readAuditEvents(h.env.natsUrl, (e: AuditEvent) => e.actor.username === a.username, { expect: 8, tenant: a.tenantId });
    const seen = events.map((e) => `${e.action}:${e.result}`);
    expect(seen).toEqual(expect.arrayContaining([
      'auth.signup:success', 'auth.login:failure', 'auth.login:success', 'auth.otp.sent:success',
      'auth.otp.failed:failure', 'auth.otp.verified:success', 'auth.refresh:success', 'auth.logout:success',
    ]));
    for (const e of events) {
      expect(e.tenant_id).toBe(a.tenantId);
      expect(e.source).toBe('auth-svc');
      expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(e.actor).toMatchObject({ username: a.username, email: a.email });
      if (e.action !== 'auth.signup') expect(e.client_ip).toBe(IP);
      expect(JSON.stringify(e)).not.toContain(a.password);
      expect(JSON.stringify(e)).not.toContain(code);
    }
    const failure = events.find((e) => e.action === 'auth.login' && e.result === 'failure')!;
    expect(failure.reason).toBe('invalid_credentials');
    expect(events.find((e) => e.action === 'auth.logout')!.actor.user_id).toBe(a.userId);
  });

  it('a failed login for an unknown email is recorded under the tenant of no organization', async () => {
    const ghost = `ghost-${Date.now()}@example.com`;
    await h.post('/api/auth/login', { email: ghost, password: 'whatever-pass' });
    const [e] = await readAuditEvents(h.env.natsUrl, (x: AuditEvent) => (x.details as any)?.attempted === ghost, { expect: 1, tenant: NO_ORGANIZATION_TENANT });
    expect(e).toMatchObject({ action: 'auth.login', result: 'failure', tenant_id: NO_ORGANIZATION_TENANT, actor: { user_id: null } });
  });
});
