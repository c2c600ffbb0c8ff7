import { Counter, type AuditInput, type AuditSink, type ServiceMetrics } from '@webxterm/kit';

/**
 * What one audited login step says about how a login went, or null for other events:
 * `success` (a token; a right password that leads to the workspace picker counts when a workspace
 * is picked), `failure` (wrong name or
 * password), `locked` (too many attempts: throttled), `otp_sent` (a right password, an emailed code
 * next), `otp_success`, `otp_failure`.
 */
export function loginOutcome(e: AuditInput): string | null {
  const stage = e.details?.stage;
  switch (e.action) {
    case 'auth.login':
    case 'auth.select_tenant':
      if (e.result === 'success') return stage === 'otp' ? 'otp_sent' : stage === 'tenant_selection' ? null : 'success';
      return e.reason === 'too_many_attempts' ? 'locked' : 'failure';
    case 'auth.otp.verified': return 'otp_success';
    case 'auth.otp.failed': return 'otp_failure';
    default: return null;
  }
}

/**
 * Counts `auth_logins_total{outcome}` from the audit events the login flows record anyway, so the
 * figure and the audit log can never disagree and the domain knows nothing of metrics.
 */
export function countingLogins(sink: AuditSink, metrics: ServiceMetrics): AuditSink {
  const logins = new Counter({
    name: 'auth_logins_total', help: 'Login steps by outcome: success, failure, locked, otp_sent, otp_success, otp_failure',
    labelNames: ['outcome'], registers: [metrics.registry],
  });
  return {
    record(e: AuditInput): void {
      const outcome = loginOutcome(e);
      if (outcome) logins.inc({ outcome });
      sink.record(e);
    },
  };
}
