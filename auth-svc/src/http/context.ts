import type { Request } from 'express';
import { clientIp } from '@webxterm/kit';
import type { RequestContext } from '../domain/model';
import { clientSourceOf } from './client-source';

export function contextOf(req: Request): RequestContext {
  const ua = req.headers['user-agent'];
  return { clientIp: clientIp(req), userAgent: ua ? ua.slice(0, 512) : null, requestId: req.id ?? null, source: clientSourceOf(ua) };
}
