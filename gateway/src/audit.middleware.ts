import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { AuditInput, ConfirmingAuditSink } from '@webxterm/kit';
import { contextOf } from './context';
import { pathOf } from './routes';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DENIED = new Set([401, 403, 429]);
/** Status recorded when the client hung up before a response was sent (nginx's convention). */
export const CLIENT_CLOSED = 499;

export function isDenial(status: number): boolean {
  return DENIED.has(status);
}

/** How long an audited answer waits for its event to be stored (JetStream unreachable): then it leaves, and the event stays queued. */
export const AUDIT_CONFIRM_WAIT_MS = 2000;

/**
 * Records every mutating request and every denial (the gateway's own or an upstream's). Its answer
 * leaves only once the event is stored (or after AUDIT_CONFIRM_WAIT_MS), so a gateway killed at
 * any moment has answered no audited request whose event is lost. A client that goes away before
 * its answer is recorded with status 499.
 */
export function auditRequests(sink: ConfirmingAuditSink): RequestHandler {
  return (req, res, next) => {
    let recorded = false;
    holdAnswer(res, (status) => {
      if (recorded || (!MUTATING.has(req.method) && !isDenial(status))) return null;
      recorded = true;
      return sink.stored(auditEvent(req, status, contextOf(req).clientIp ?? null), AUDIT_CONFIRM_WAIT_MS);
    });
    res.once('close', () => {
      if (recorded || res.writableFinished || !MUTATING.has(req.method)) return;
      recorded = true;
      sink.record(auditEvent(req, CLIENT_CLOSED, contextOf(req).clientIp ?? null, 'client closed request'));
    });
    next();
  };
}

/**
 * Holds the response — its head and every write — until `confirm(status)` settles; when it returns
 * null the response goes on untouched. The status is the one of `writeHead`, or of the first write
 * (Node's implicit head). The wrappers stay in place once decided and pass calls through: a
 * middleware after this one (compression) has wrapped them in turn, and putting the response's own
 * methods back would cut it out.
 */
function holdAnswer(res: ServerResponse, confirm: (status: number) => Promise<unknown> | null): void {
  const own = { writeHead: res.writeHead, write: res.write, end: res.end };
  let held: (() => void)[] | null = null;
  let decided = false;
  const hold = (status: number, call: () => void): boolean => {
    if (!decided) {
      decided = true;
      const wait = confirm(status);
      if (wait) {
        held = [];
        void wait.then(() => {
          const calls = held!;
          held = null;
          for (const c of calls) c();
        });
      }
    }
    if (!held) return false;
    held.push(call);
    return true;
  };
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    return hold(args[0] as number, () => (own.writeHead as Function).apply(res, args)) ? res : (own.writeHead as Function).apply(this, args);
  } as typeof res.writeHead;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    return hold(res.statusCode, () => (own.write as Function).apply(res, args)) ? true : (own.write as Function).apply(this, args);
  } as typeof res.write;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    return hold(res.statusCode, () => (own.end as Function).apply(res, args)) ? res : (own.end as Function).apply(this, args);
  } as typeof res.end;
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
