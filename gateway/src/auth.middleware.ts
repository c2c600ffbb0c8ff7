import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { AccessClaims } from '@webxterm/contracts';
import { AccessTokenVerifier, AppError } from '@webxterm/kit';
import { contextOf } from './context';

/**
 * Verifies the access token on protected routes (public ones pass). The claims are kept for the
 * audit event; the original Authorization / X-Access-Token headers travel on untouched, so the
 * owning service verifies again. A failure leaves its code on the context and becomes 401 (or 503
 * when revocation cannot be checked) through the kit error handler.
 */
export function requireToken(verifier: AccessTokenVerifier): RequestHandler {
  return async (req, _res, next) => {
    const ctx = contextOf(req);
    if (!ctx.route || ctx.route.access === 'public') return next();
    ctx.claims = await remember(req, verifier.verifyRequest(req));
    next();
  };
}

/**
 * Verifies a WebSocket upgrade. Browsers cannot set headers on a WebSocket, so `?token=` comes
 * first; the headers of `extractToken` (Bearer, or X-Access-Token + X-Key) are accepted too.
 */
export async function verifyUpgrade(verifier: AccessTokenVerifier, req: IncomingMessage, url: URL): Promise<AccessClaims> {
  const token = url.searchParams.get('token');
  const claims = token ? verifier.verify(token) : verifier.verifyRequest(req);
  const verified = await remember(req, claims);
  contextOf(req).claims = verified;
  return verified;
}

async function remember(req: IncomingMessage, p: Promise<AccessClaims>): Promise<AccessClaims> {
  try {
    return await p;
  } catch (e) {
    contextOf(req).denial = e instanceof AppError ? e.code : 'auth.token_invalid';
    throw e;
  }
}
