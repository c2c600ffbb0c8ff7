import { Router } from 'express';
import { z } from 'zod';
import { AuditResult } from '@webxterm/contracts';
import { AccessTokenVerifier, isoTimestamp, parseInput, safeString } from '@webxterm/kit';
import { auditScope } from '../domain/access';
import { TenantRequired } from '../domain/audit.errors';
import { decodeCursor, textMatch } from '../domain/query';
import type { EventReader } from '../store/event-reader';

const text = safeString(512).pipe(z.string().min(1, 'Required'));
/** Years 0001–9999 only: PostgreSQL refuses year 0, which ISO-8601 allows. */
const isoTime = isoTimestamp();

const ListQuery = z.object({
  user: text.optional(),
  action: text.optional(),
  resource: text.optional(),
  result: AuditResult.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  tenant_id: text.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
});

const TenantQuery = z.object({ tenant_id: text.optional() });

/**
 * `GET /api/audit`, `/api/audit/tenants`, `/api/audit/verify`: verify the token, decide the scope
 * (domain/access.ts), read (store/event-reader.ts). A repeated query parameter is a 400.
 */
export function auditRoutes(d: { verifier: AccessTokenVerifier; reader: EventReader }): Router {
  const r = Router();

  r.get('/api/audit', async (req, res) => {
    const claims = await d.verifier.verifyRequest(req);
    const q = parseInput(ListQuery, req.query);
    const scope = auditScope(claims, q.tenant_id);
    const page = await d.reader.page(scope, {
      user: q.user,
      action: q.action === undefined ? undefined : textMatch(q.action),
      resource: q.resource === undefined ? undefined : textMatch(q.resource),
      result: q.result,
      from: q.from,
      to: q.to,
    }, q.limit, q.cursor === undefined ? null : decodeCursor(q.cursor));
    res.json(page);
  });

  r.get('/api/audit/tenants', async (req, res) => {
    const claims = await d.verifier.verifyRequest(req);
    const scope = auditScope(claims);
    const tenants = await d.reader.tenants(scope);
    // A company_admin always sees their own organization, even before its first event.
    if (scope !== '*' && tenants.length === 0) tenants.push({ tenant_id: scope, events: 0, last_event_at: null });
    res.json({ tenants });
  });

  r.get('/api/audit/verify', async (req, res) => {
    const claims = await d.verifier.verifyRequest(req);
    const q = parseInput(TenantQuery, req.query);
    const scope = auditScope(claims, q.tenant_id);
    if (scope === '*') throw TenantRequired();
    res.json(await d.reader.verify(scope));
  });

  return r;
}
