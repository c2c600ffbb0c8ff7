import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers a client could use to pretend to be someone. The gateway never sends identity headers
 * of its own (services re-verify the token), and no client-supplied one may pass through.
 */
const IDENTITY_HEADER = /^(x-user|x-tenant|x-role|x-auth-|x-actor|x-claims|x-jwt|x-remote-user|remote-user|x-forwarded-(user|email|groups|preferred-username|access-token))/;

/** Small, safe defaults on what the gateway answers itself; an upstream's own values replace them. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/**
 * Prepares an incoming request for forwarding: drops identity headers, keeps only the part of
 * X-Forwarded-* that trusted hops wrote (http-proxy's `xfwd` then appends this hop), pins
 * `x-request-id` to the id the gateway uses, and drops `Expect` (the gateway already answered it).
 */
export function sanitizeIncomingHeaders(req: IncomingMessage, trustHops: number, requestId: string): void {
  for (const name of Object.keys(req.headers)) {
    if (IDENTITY_HEADER.test(name)) delete req.headers[name];
  }
  const xff = forwardedFor(req);
  if (trustHops > 0 && xff.length > 0) {
    req.headers['x-forwarded-for'] = xff.slice(-trustHops).join(', ');
    for (const h of ['x-forwarded-proto', 'x-forwarded-port'] as const) {
      const last = lastListValue(req.headers[h]);
      if (last) req.headers[h] = last; else delete req.headers[h];
    }
  } else {
    for (const h of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-host', 'forwarded']) {
      delete req.headers[h];
    }
  }
  req.headers['x-request-id'] = requestId;
  delete req.headers.expect;
}

/**
 * The caller's address for requests Express never sees (WebSocket upgrades), with the same rule
 * as Express's numeric `trust proxy`: skip `trustHops` addresses from the socket side.
 */
export function rawClientIp(req: IncomingMessage, trustHops: number): string | null {
  const chain = [req.socket.remoteAddress ?? null, ...forwardedFor(req).reverse()];
  const ip = chain[Math.min(trustHops, chain.length - 1)];
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function forwardedFor(req: IncomingMessage): string[] {
  const raw = req.headers['x-forwarded-for'];
  const joined = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  return joined.split(',').map((s) => s.trim()).filter(Boolean);
}

function lastListValue(v: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(v) ? v.join(',') : v;
  return joined?.split(',').map((s) => s.trim()).filter(Boolean).pop();
}
