import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AccessTokenVerifier, AuditSink, Logger } from '@webxterm/kit';
import { AppError, assertSafeUrl, describeError } from '@webxterm/kit';
import { auditEvent, isDenial } from './audit.middleware';
import { verifyUpgrade } from './auth.middleware';
import { contextOf } from './context';
import { rawClientIp, sanitizeIncomingHeaders } from './headers';
import { Upstreams, writeRawAndClose } from './proxy';
import { pathOf, RouteTable, SERVICE_NAMES } from './routes';

export interface UpgradeDeps {
  routes: RouteTable;
  verifier: AccessTokenVerifier;
  upstreams: Upstreams;
  audit: AuditSink;
  trustHops: number;
  log: Logger;
}

/**
 * The one `upgrade` listener. Express never sees upgrades, so the route, the token and the upstream
 * are checked here, in the same order as for HTTP: 404 off the WebSocket routes, then 401, then 503.
 * Returns the set of live client sockets, so shutdown can close them.
 */
export function handleUpgrades(server: Server, deps: UpgradeDeps): Set<Socket> {
  const live = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    live.add(socket);
    socket.once('close', () => live.delete(socket));
    // A client that hangs up mid-handshake or mid-session must never crash the gateway.
    socket.on('error', (e) => deps.log.debug({ err: e.message }, 'client socket error'));
    onUpgrade(deps, req, socket, head).catch((e: Error) => {
      deps.log.error({ err: e.message }, 'upgrade failed');
      writeRawAndClose(socket, 500, 'Internal server error');
    });
  });
  return live;
}

async function onUpgrade(deps: UpgradeDeps, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  const incoming = req.headers['x-request-id'];
  req.id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  const ctx = contextOf(req);
  ctx.clientIp = rawClientIp(req, deps.trustHops);
  // Routing uses the raw path, exactly like HTTP; URL parsing (which normalises `..`) only reads the query.
  ctx.route = deps.routes.resolve(pathOf(req.url));
  if (!ctx.route?.ws) return writeRawAndClose(socket, 404, 'Not found');
  let url: URL;
  try {
    assertSafeUrl(req.url ?? '/');
    url = new URL(req.url ?? '/', 'http://gateway.invalid');
  } catch (e) {
    return writeRawAndClose(socket, 400, e instanceof AppError ? e.message : 'Bad request');
  }
  try {
    await verifyUpgrade(deps.verifier, req, url);
  } catch (e) {
    const { status, message } = describeError(e);
    if (isDenial(status)) deps.audit.record(auditEvent(req, status, ctx.clientIp ?? null));
    return writeRawAndClose(socket, status, message);
  }
  if (socket.destroyed) return;
  const proxy = deps.upstreams.get(ctx.route.upstream);
  if (!proxy) return writeRawAndClose(socket, 503, `${SERVICE_NAMES[ctx.route.upstream]} is not available`);
  sanitizeIncomingHeaders(req, deps.trustHops, req.id);
  dropInputOnceEnded(socket);
  proxy.upgrade(req, socket, head);
}

/** How long a client may take to close after the service ended its socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * Once the service has ended a socket (its close frame and our FIN are sent), whatever the client
 * still sends has nowhere to go: it is read and dropped, and the socket is destroyed after
 * CLOSE_GRACE_MS. Otherwise a client in the middle of a large frame (one the service refused with
 * 1009) could not finish writing it into the stalled pipe, and would wait for its own close
 * timeout (30 s in ws) before it saw the close.
 */
function dropInputOnceEnded(socket: Socket): void {
  socket.once('finish', () => {
    socket.unpipe();
    socket.resume();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  });
}
