import type { Request } from 'express';

/** The caller's address as Express resolved it under the configured `trust proxy`. */
export function clientIp(req: Request): string | null {
  const ip = req.ip ?? req.socket.remoteAddress ?? null;
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
}
