import { AuditEvent, AuditEventSchema, subjectToken } from '@webxterm/contracts';

export type ParsedMessage = { ok: true; event: AuditEvent } | { ok: false; reason: string };

/**
 * Turns one message body into an event that can be stored, or says why it never can be. A message
 * refused here is terminated (never redelivered), so the reasons must be permanent: bad JSON, a
 * schema violation, a tenant id that is no valid subject token, or text PostgreSQL's jsonb cannot
 * hold (NUL characters and unpaired UTF-16 surrogates).
 */
export function parseAuditMessage(body: string): ParsedMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = AuditEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || 'event'}: ${issue.message}` };
  }
  try {
    subjectToken(parsed.data.tenant_id);
  } catch {
    return { ok: false, reason: 'tenant_id: not a valid tenant token' };
  }
  const bad = findUnstorableText(parsed.data);
  if (bad) return { ok: false, reason: `${bad}: contains a NUL character or an unpaired surrogate` };
  return { ok: true, event: parsed.data };
}

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (key or value) jsonb would refuse, or null. */
export function findUnstorableText(value: unknown, path = 'event'): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k)) return `${path}.<key>`;
    const found = findUnstorableText(v, `${path}.${k}`);
    if (found) return found;
  }
  return null;
}
