/**
 * Credentials as the services accept them, for tests that stand in for auth-svc or machine-svc:
 * access tokens (HS256 JWTs with the claims of document 002), agent API keys, machine credentials.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AccessClaims, TOKEN_ISSUER } from '@webxterm/contracts';
import { uniqueName } from './names';

/** How long a test's access token lives unless told otherwise. */
const TEST_TOKEN_TTL_SEC = 3600;

/** A 24-hex ObjectID-shaped id, as the API shows user ids. */
const objectIdLike = () => randomBytes(12).toString('hex');

/**
 * Complete access-token claims for a fresh user and session: role `user` in a new organization,
 * valid for an hour from now. `over` replaces any of them.
 */
export function accessClaims(over: Partial<AccessClaims> = {}): AccessClaims {
  const username = uniqueName('u');
  const tenant = over.tenant_id ?? uniqueName('org-');
  const now = Math.floor(Date.now() / 1000);
  return {
    user_id: objectIdLike(), username, email: `${username}@example.com`,
    tenant_id: tenant, tenant_name: tenant, role: 'user', machine_role: '', groups: [], keycloak_id: '',
    source: 'cli', sid: randomUUID(), iss: TOKEN_ISSUER, iat: now, exp: now + TEST_TOKEN_TTL_SEC,
    ...over,
  };
}

/** An access token as auth-svc signs it (HS256 with `secret`), from `accessClaims(over)`. */
export function accessToken(secret: string, over: Partial<AccessClaims> = {}): string {
  return signToken(accessClaims(over), secret);
}

/**
 * Signs a payload as given (jsonwebtoken adds `iat` only where it is missing): for the tokens a
 * service must refuse (another algorithm, a claim missing or wrong, an expiry in the past).
 */
export function signToken(payload: object, key: string, algorithm: jwt.Algorithm = 'HS256'): string {
  return jwt.sign(payload, key, { algorithm });
}

/** A well-formed agent API key that no one was issued: `vsk_` and 32 random bytes, as auth-svc makes them. */
export function apiKey(): string {
  return `vsk_${randomBytes(32).toString('base64url')}`;
}

/** A well-formed machine credential that no machine holds: `vmc_` and 48 hex digits. */
export function machineCredential(): string {
  return `vmc_${randomBytes(24).toString('hex')}`;
}

/** A fresh signing secret (64 hex digits), long enough for every service's config. */
export function jwtSecret(): string {
  return randomBytes(32).toString('hex');
}
