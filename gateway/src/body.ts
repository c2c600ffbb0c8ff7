import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import { AppError } from '@webxterm/kit';
import { contextOf } from './context';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** '1mb' → 1048576, with the 1024-based units body-parser uses. */
export function parseByteLimit(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) throw new Error(`invalid byte limit: ${limit}`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
}

/**
 * Bodies of routed requests. A declared Content-Length over the limit (the route's own `bodyLimit`,
 * e.g. an upload's, or else `limit`) is refused with 413 whatever the type (bodies that are not JSON
 * are streamed to the service, not parsed); JSON is parsed with `limit` and its exact bytes kept for
 * forwarding. Malformed JSON → 400 via the kit.
 */
export function routedBodies(limit: string): RequestHandler[] {
  const max = parseByteLimit(limit);
  const json = express.json({
    limit: max,
    type: ['application/json', 'application/*+json'],
    verify: (req, _res, buf) => { contextOf(req).rawBody = buf; },
  });
  const declaredSize: RequestHandler = (req, _res, next) => {
    const route = contextOf(req).route;
    if (!route) return next();
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > (route.bodyLimit ? parseByteLimit(route.bodyLimit) : max)) throw new AppError('too_large', 'request.too_large', 'Request body too large');
    next();
  };
  const parse: RequestHandler = (req, res, next) => (contextOf(req).route ? json(req, res, next) : next());
  return [declaredSize, parse];
}

/** Up to this much of an unread body is read and discarded after an early answer, so the client finishes sending and reads the answer. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

/**
 * On an error answered before the request body was read: a body of known size up to
 * DRAIN_MAX_BYTES is drained by Node after the answer (a client still writing it would otherwise
 * fail with EPIPE instead of reading the 413); anything larger, or of unknown size, closes the
 * connection after the answer instead of reading a possibly huge upload.
 */
export const closeIfBodyUnread: ErrorRequestHandler = (err, req, res, next) => {
  const declared = Number(req.headers['content-length']);
  const drainable = Number.isFinite(declared) && declared <= DRAIN_MAX_BYTES;
  if (!req.complete && !res.headersSent && !drainable) res.setHeader('connection', 'close');
  next(err);
};
