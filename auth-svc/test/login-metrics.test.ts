import { ServiceMetrics, type AuditInput } from '@webxterm/kit';
import { sampleValue } from '@webxterm/testkit';
import { countingLogins, loginOutcome } from '../src/login-metrics';

const event = (action: string, result: AuditInput['result'], extra: Partial<AuditInput> = {}): AuditInput =>
  ({ action, result, client_ip: null, actor: { user_id: null, username: null, role: null }, ...extra });

const cases: [AuditInput, string | null][] = [
  [event('auth.login', 'success'), 'success'],
  [event('auth.login', 'success', { details: { stage: 'otp' } }), 'otp_sent'],
  [event('auth.login', 'success', { details: { stage: 'tenant_selection' } }), null],
  [event('auth.select_tenant', 'success'), 'success'],
  [event('auth.select_tenant', 'denied', { reason: 'not_a_member' }), 'failure'],
  [event('auth.login', 'failure', { reason: 'invalid_credentials' }), 'failure'],
  [event('auth.login', 'denied', { reason: 'too_many_attempts' }), 'locked'],
  [event('auth.otp.verified', 'success'), 'otp_success'],
  [event('auth.otp.failed', 'failure', { reason: 'wrong_code' }), 'otp_failure'],
  [event('auth.otp.sent', 'success'), null],
  [event('user.created', 'success'), null],
];
const label = (e: AuditInput) => [e.action, e.result, e.reason, e.details?.stage].filter(Boolean).join(' ');

test.each(cases.map(([e, outcome]) => [label(e), outcome, e] as const))('%s → %s', (_label, outcome, e) => {
  expect(loginOutcome(e)).toBe(outcome);
});

test('the counting sink counts outcomes and passes every event on unchanged', async () => {
  const metrics = new ServiceMetrics('auth-test');
  const seen: AuditInput[] = [];
  const sink = countingLogins({ record: (e) => seen.push(e) }, metrics);
  const events = [event('auth.login', 'failure'), event('auth.login', 'failure'), event('auth.login', 'success'), event('user.created', 'success')];
  for (const e of events) sink.record(e);
  expect(seen).toEqual(events);
  const text = await metrics.registry.metrics();
  expect(sampleValue(text, 'auth_logins_total', { outcome: 'failure' })).toBe(2);
  expect(sampleValue(text, 'auth_logins_total', { outcome: 'success' })).toBe(1);
  expect(sampleValue(text, 'auth_logins_total', { outcome: 'locked' })).toBeUndefined();
});
