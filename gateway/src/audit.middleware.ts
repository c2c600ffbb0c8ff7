import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { AuditInput, AuditSink } from '@webxterm/kit';
import { contextOf } from './context';
import { pathOf } from './routes';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DENIED = new Set([401, 403, 429]);
/** Status recorded when the client hung up before a response was sent (nginx's convention). */
export const CLIENT_CLOSED = 499;

export function isDenial(status: number): boolean {
  return DENIED.has(status);
}

/**
 * Records every mutating request and every denial (the gateway's own or an upstream's) once its
 * response is done, or once the client has gone away mid-request. `record` never blocks the
 * request: the publisher queues and retries on its own.
 */
export function auditRequests(sink: AuditSink): RequestHandler {
  return (req, res, next) => {
    let done = false;
    const emit = () => {
      if (done) return;
      done = true;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      if (!MUTATING.has(req.method) && !isDenial(status)) return;
      sink.record(auditEvent(req, status, contextOf(req).clientIp ?? null, status === CLIENT_CLOSED ? 'client closed request' : undefined));
    };
    res.once('finish', emit);
    res.once('close', emit);
    next();
  };
}

/**
 * The event for one request. Only the method and the path (never the query string, which may
 * carry `?token=`), no body and no credential.
 */
export function auditEvent(req: IncomingMessage, status: number, ip: string | null, reason?: string): AuditInput {
  const ctx = contextOf(req);
  const c = ctx.claims;
  const denied = isDenial(status);
  const result = denied ? 'denied' : status < 400 ? 'success' : 'failure';
  const event: AuditInput = {
    action: denied ? 'http.denied' : 'http.request',
    result,
    status,
    resource: `${req.method ?? 'GET'} ${pathOf(req.url === undefined ? undefined : originalUrl(req))}`.slice(0, 512),
    tenant_id: c?.tenant_id ?? '',
    actor: c
      ? { user_id: c.user_id, username: c.username, email: c.email, role: c.role }
      : { user_id: null, username: null, email: null, role: null },
    client_ip: ip,
    user_agent: truncate(req.headers['user-agent'], 256),
    request_id: req.id ?? null,
  };
  const why = reason ?? (denied ? ctx.denial : undefined);
  if (why) event.reason = why;
  return event;
}

function originalUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

function truncate(v: string | undefined, max: number): string | null {
  return v === undefined ? null : v.slice(0, max);
}
