import { z } from 'zod';
import { defineEvent, StreamDefinition } from './events';
import { subject, SUBJECT_VERSION } from './subjects';

/**
 * The audit subjects are the platform's public surface: `audit.v1.<tenant>.<action…>` (the one
 * exception to the `<domain>.v1.<kind>.<name>` layout, kept as outside consumers already use it).
 */
const AUDIT_ALL = 'audit.v1.>';

export const AUDIT_STREAM: StreamDefinition = {
  name: 'AUDIT',
  subjects: [AUDIT_ALL],
  duplicateWindowSec: 600,
  maxAgeDays: 30,
  maxBytes: 4 * 1024 ** 3,
};

/**
 * The audit tenant of events that belong to no organization (an unknown email's failed login, a
 * request without a token). Not an organization, nor the operator's (`platform`); not a valid slug,
 * so no organization can take it. Stored in audit chains and public subjects: the value stays.
 */
export const NO_ORGANIZATION_TENANT = '_platform';

export const AuditActor = z.object({
  user_id: z.string().nullable(),
  username: z.string().nullable(),
  email: z.string().nullable().optional(),
  role: z.string().nullable(),
});

export const AuditResult = z.enum(['success', 'failure', 'denied']);

/**
 * One audit event. Public schema (docs/events.md): outside consumers may subscribe to `audit.v1.>`.
 * `id` is unique and is also the JetStream message id, so a re-publish is de-duplicated.
 */
export const AuditEventSchema = z.object({
  id: z.string().uuid(),
  at: z.string().datetime(),
  source: z.string(),
  action: z.string(),
  result: AuditResult,
  tenant_id: z.string(),
  actor: AuditActor,
  client_ip: z.string().nullable(),
  user_agent: z.string().nullable().optional(),
  request_id: z.string().nullable().optional(),
  resource: z.string().nullable().optional(),
  status: z.number().int().optional(),
  reason: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditRecorded = defineEvent({
  name: 'audit.recorded',
  subjectFor: (e: AuditEvent) => auditSubject(e.tenant_id, e.action),
  filter: AUDIT_ALL,
  schema: AuditEventSchema,
});

/** `audit.v1.<tenant>.<action…>`: the action's dots become subject tokens. */
export function auditSubject(tenantId: string, action: string): string {
  return subject('audit', SUBJECT_VERSION, tenantToken(tenantId), ...action.split('.'));
}

/** The audit events of one tenant (a consumer, or a test on the shared stream, takes a part of it). */
export function auditTenantFilter(tenantId: string): string {
  return `${subject('audit', SUBJECT_VERSION, tenantToken(tenantId))}.>`;
}

function tenantToken(tenantId: string): string {
  return tenantId === '' ? NO_ORGANIZATION_TENANT : tenantId;
}
