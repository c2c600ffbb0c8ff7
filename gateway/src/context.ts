import type { IncomingMessage } from 'node:http';
import type { AccessClaims } from '@webxterm/contracts';
import type { Route } from './routes';

/** What the gateway learned about one request, carried on the request object between its stages. */
export interface GatewayContext {
  /** The owning route, or null for paths outside the route table. */
  route: Route | null;
  /** Verified token claims on protected routes. */
  claims?: AccessClaims;
  /** Stable code of a denial the gateway produced (`auth.token_expired`, `rate_limit.ip` …), for the audit event. */
  denial?: string;
  /** The request body exactly as received (after content decoding), when the gateway parsed it. */
  rawBody?: Buffer;
  /**
   * The caller's address, resolved once on arrival: http-proxy's `xfwd` appends to the request's
   * X-Forwarded-For in place, so `req.ip` read after proxying would name the wrong hop.
   */
  clientIp?: string | null;
  /** Set when the upstream stopped answering, so the proxy error becomes a 504. */
  upstreamTimedOut?: boolean;
}

declare module 'http' {
  interface IncomingMessage {
    gateway?: GatewayContext;
  }
}

export function contextOf(req: IncomingMessage): GatewayContext {
  if (!req.gateway) req.gateway = { route: null };
  return req.gateway;
}
