import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

/** The caller's address as Express resolved it under the configured `trust proxy`. */
export function clientIp(req: Request): string | null {
  return unmapped(req.ip ?? req.socket.remoteAddress ?? null);
}

/**
 * The same for a request Express never saw (a WebSocket upgrade), as Express's numeric `trust proxy`
 * resolves it: the address `trustHops` hops back along the socket and then X-Forwarded-For, right to left.
 */
export function forwardedClientIp(req: IncomingMessage, trustHops: number): string | null {
  const xff = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const chain = [req.socket.remoteAddress ?? null, ...forwarded.reverse()];
  return unmapped(chain[Math.min(trustHops, chain.length - 1)]);
}

function unmapped(ip: string | null): string | null {
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
}
