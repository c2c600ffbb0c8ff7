import { createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import { AccessClaims, revokedSessionKey, TOKEN_ISSUER } from '@webxterm/contracts';
import type Redis from 'ioredis';
import { AppError } from './errors';

/** Where a caller's access token is: `Authorization: Bearer`, or `X-Access-Token` with its `X-Key`. */
export function extractToken(req: IncomingMessage): { token: string; key?: string } | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? { token: m[1] } : null;
  }
  const xat = req.headers['x-access-token'];
  if (typeof xat === 'string' && xat.length > 0) {
    const key = req.headers['x-key'];
    return { token: xat, key: typeof key === 'string' ? key : '' };
  }
  return null;
}

/**
 * Checks access tokens: HS256 only, issuer `vsay-auth`, unexpired, claims complete, and the session
 * key not revoked. Revocation lives in Redis; if Redis cannot answer, the token is refused (fail closed).
 */
export class AccessTokenVerifier {
  // A key object, made once: given a string, jsonwebtoken first tries (and fails) to parse it as a public key on every call.
  private readonly secret: KeyObject;

  constructor(secret: string, private readonly redis: Redis) {
    this.secret = createSecretKey(Buffer.from(secret));
  }

  /** Signature, expiry and shape only; no revocation check. */
  decode(token: string): AccessClaims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: TOKEN_ISSUER });
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new AppError('unauthenticated', expired ? 'auth.token_expired' : 'auth.token_invalid',
        expired ? 'Token expired' : 'Invalid token');
    }
    const claims = AccessClaims.safeParse(payload);
    if (!claims.success) throw new AppError('unauthenticated', 'auth.token_invalid', 'Invalid token');
    return claims.data;
  }

  async verify(token: string, key?: string): Promise<AccessClaims> {
    const claims = this.decode(token);
    if (key !== undefined && key !== claims.sid) {
      throw new AppError('unauthenticated', 'auth.token_invalid', 'X-Key does not match the token');
    }
    let revoked: number;
    try {
      revoked = await this.redis.exists(revokedSessionKey(claims.sid));
    } catch {
      throw new AppError('unavailable', 'auth.revocation_unavailable', 'Token check unavailable, try again');
    }
    if (revoked) throw new AppError('unauthenticated', 'auth.token_revoked', 'Token has been revoked');
    return claims;
  }

  async verifyRequest(req: IncomingMessage): Promise<AccessClaims> {
    const found = extractToken(req);
    if (!found) throw new AppError('unauthenticated', 'auth.token_missing', 'Missing or malformed authorization token');
    return this.verify(found.token, found.key);
  }
}
