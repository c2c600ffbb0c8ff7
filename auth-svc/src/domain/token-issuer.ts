import { createHmac, createSecretKey, KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_TTL_SEC, AccessClaims, ClientSource, TOKEN_ISSUER } from '@webxterm/contracts';
import { InvalidSessionToken } from './auth.errors';
import type { Membership } from './model';

export interface SessionClaims { sid: string; person_id: string; source: ClientSource }

/**
 * Signs the two kinds of token. Access tokens carry document 002's claims plus `sid`. Session tokens
 * (the `session_token` of login responses) only let their holder pick a workspace; they are signed
 * with a key derived from the secret, so no verifier can ever take one for an access token.
 */
export class TokenIssuer {
  // Key objects, made once: given a string, jsonwebtoken first tries (and fails) to parse it as an asymmetric key on every call.
  private readonly secret: KeyObject;
  private readonly sessionKey: KeyObject;

  constructor(secret: string, private readonly now: () => number = Date.now) {
    this.secret = createSecretKey(Buffer.from(secret));
    this.sessionKey = createSecretKey(createHmac('sha256', secret).update('webxterm/session-token/v1').digest());
  }

  newSid(): string {
    return randomUUID();
  }

  access(m: Membership, sid: string, source: ClientSource): { token: string; claims: AccessClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: AccessClaims = {
      user_id: m.id,
      username: m.person.username,
      email: m.person.email,
      tenant_id: m.organization.tenantId,
      tenant_name: m.organization.name,
      role: m.role,
      machine_role: m.machineRole,
      groups: m.groups,
      keycloak_id: m.person.keycloakId,
      source,
      sid,
      iss: TOKEN_ISSUER,
      iat,
      exp: iat + ACCESS_TOKEN_TTL_SEC,
    };
    return { token: jwt.sign(claims, this.secret, { algorithm: 'HS256' }), claims };
  }

  session(s: SessionClaims, expiresAt: Date): string {
    return jwt.sign({ ...s, typ: 'session' }, this.sessionKey, {
      algorithm: 'HS256', issuer: TOKEN_ISSUER, expiresIn: Math.max(1, Math.floor((expiresAt.getTime() - this.now()) / 1000)),
    });
  }

  readSession(token: unknown): SessionClaims {
    if (typeof token !== 'string' || token.length === 0) throw InvalidSessionToken();
    try {
      const p = jwt.verify(token, this.sessionKey, { algorithms: ['HS256'], issuer: TOKEN_ISSUER }) as Record<string, unknown>;
      if (p.typ !== 'session' || typeof p.sid !== 'string' || typeof p.person_id !== 'string') throw new Error('shape');
      const source = ClientSource.parse(p.source);
      return { sid: p.sid, person_id: p.person_id, source };
    } catch {
      throw InvalidSessionToken();
    }
  }
}
