import { ACCESS_TOKEN_TTL_SEC, AccessClaims, ClientSource } from '@webxterm/contracts';
import type { AuditSink } from '@webxterm/kit';
import { InvalidSessionToken, SessionExpired } from './auth.errors';
import type { LoginSession, Membership, RequestContext } from './model';
import type { LoginSessionsRepository, RevocationList, Store } from './ports';
import { TokenIssuer } from './token-issuer';
import { newApiKey } from './api-keys';

export interface IssuedToken { token: string; claims: AccessClaims; expiresIn: number }

/**
 * Login sessions: one per successful password check, named by `sid`. Every token minted from that
 * login (tenant switch, OTP, refresh) carries the same sid, so one logout ends them all.
 */
export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly revocations: RevocationList,
    private readonly tokens: TokenIssuer,
    private readonly audit: AuditSink,
    private readonly maxDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logins are the person's, not an organization's: no caller scope limits them. */
  private get logins(): LoginSessionsRepository {
    return this.store.unscoped.loginSessions;
  }

  async open(personId: string, source: ClientSource, ctx: RequestContext): Promise<{ session: LoginSession; sessionToken: string }> {
    const session: LoginSession = {
      sid: this.tokens.newSid(), personId, source,
      createdAt: new Date(this.now()), expiresAt: new Date(this.now() + ACCESS_TOKEN_TTL_SEC * 1000),
    };
    await this.logins.create({ ...session, clientIp: ctx.clientIp });
    return { session, sessionToken: this.tokens.session({ sid: session.sid, person_id: personId, source }, session.expiresAt) };
  }

  /** The live login behind a session token, or 401. */
  async resume(sessionToken: unknown): Promise<LoginSession> {
    const claims = this.tokens.readSession(sessionToken);
    const s = await this.logins.get(claims.sid);
    if (!s || s.revokedAt || s.personId !== claims.person_id || (await this.revocations.isRevoked(s.sid))) throw InvalidSessionToken();
    return s;
  }

  sessionTokenFor(s: LoginSession): string {
    return this.tokens.session({ sid: s.sid, person_id: s.personId, source: s.source }, s.expiresAt);
  }

  /** An access token for one membership; the login remembers it, so removing the user can revoke it. */
  async mint(m: Membership, s: Pick<LoginSession, 'sid' | 'source'>): Promise<IssuedToken> {
    await this.logins.linkUser(s.sid, m.id);
    const { token, claims } = this.tokens.access(m, s.sid, s.source);
    return { token, claims, expiresIn: ACCESS_TOKEN_TTL_SEC };
  }

  /**
   * The API key a login answer shows (docs/decisions.md, "API keys are hashed"): new for this
   * login and membership, kept as a hash, refused once the login is revoked or expired.
   */
  async loginApiKey(userId: string, sid: string): Promise<string> {
    const key = newApiKey();
    await this.store.unscoped.apiKeys.addLoginKey(key, userId, sid);
    return key;
  }

  /** Ends every other login of a person (a password change), at once; returns how many. */
  async revokePersonExcept(personId: string, keepSid: string): Promise<number> {
    return this.revokeAll(await this.logins.revokeOfPerson(personId, keepSid));
  }

  /** Revokes every login that minted a token for one of these memberships, at once. */
  async revokeUsers(userIds: string[]): Promise<number> {
    return this.revokeAll(await this.logins.revokeOfUsers(userIds));
  }

  private async revokeAll(live: LoginSession[]): Promise<number> {
    for (const s of live) {
      await this.revocations.revoke(s.sid, Math.max(1, Math.ceil((s.expiresAt.getTime() - this.now()) / 1000) + 60));
    }
    return live.length;
  }

  /**
   * A fresh token for a still-valid one, re-reading the membership so role changes apply. A login
   * can be kept alive this way for at most `maxDays`.
   */
  async refresh(current: AccessClaims, ctx: RequestContext): Promise<IssuedToken> {
    const s = await this.logins.get(current.sid);
    if (!s || s.revokedAt) throw InvalidSessionToken();
    if (this.now() - s.createdAt.getTime() > this.maxDays * 86_400_000) throw SessionExpired();
    const m = await this.store.unscoped.users.membership(current.user_id);
    if (!m) throw InvalidSessionToken();
    const issued = await this.mint(m, { sid: s.sid, source: current.source });
    await this.logins.extend(s.sid, new Date(issued.claims.exp * 1000));
    this.audit.record({
      action: 'auth.refresh', result: 'success', tenant_id: m.organization.tenantId,
      actor: { user_id: m.id, username: m.person.username, email: m.person.email, role: m.role },
      client_ip: ctx.clientIp, user_agent: ctx.userAgent, request_id: ctx.requestId,
    });
    return issued;
  }

  /** Revokes the login everywhere until the last token it produced would have expired anyway. */
  async logout(current: AccessClaims, ctx: RequestContext): Promise<void> {
    const s = await this.logins.markRevoked(current.sid);
    const until = Math.max(s?.expiresAt.getTime() ?? 0, current.exp * 1000);
    await this.revocations.revoke(current.sid, Math.max(1, Math.ceil((until - this.now()) / 1000) + 60));
    this.audit.record({
      action: 'auth.logout', result: 'success', tenant_id: current.tenant_id,
      actor: { user_id: current.user_id, username: current.username, email: current.email, role: current.role },
      client_ip: ctx.clientIp, user_agent: ctx.userAgent, request_id: ctx.requestId,
    });
  }
}
