import { z } from 'zod';
import { defineEvent, StreamDefinition } from './events';
import { subject } from './subjects';

export const AUDIT_STREAM: StreamDefinition = {
  name: 'AUDIT',
  subjects: ['audit.v1.>'],
  duplicateWindowSec: 600,
  maxAgeDays: 30,
  maxBytes: 4 * 1024 ** 3,
};

/** Tenant token used for events that belong to no organization (unknown user, platform-wide). */
export const PLATFORM_TENANT = '_platform';

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
  subjectFor: (e: AuditEvent) => subject('audit', 'v1', tenantToken(e.tenant_id), ...e.action.split('.')),
  filter: 'audit.v1.>',
  schema: AuditEventSchema,
});

function tenantToken(tenantId: string): string {
  return tenantId === '' ? PLATFORM_TENANT : tenantId;
}
