import { createHash, randomInt } from 'node:crypto';
import { AppError, type AuditInput, type AuditSink } from '@webxterm/kit';
import {
  InvalidCredentials, InvalidOtp, MailUnavailable, NoOrganization, NotAMember, OtpBurnt,
} from './auth.errors';
import type { LoginSession, Membership, Person, RequestContext } from './model';
import type { CredentialStore, LoginThrottle, Mailer, OtpStore, Repositories, Store } from './ports';
import { IssuedToken, Sessions } from './sessions';

/** What a login step ends in: a token, an emailed-code challenge, or a workspace picker. */
export type LoginOutcome =
  | { kind: 'token'; issued: IssuedToken; membership: Membership; sessionToken: string; available: Membership[]; apiKey: string }
  | { kind: 'otp'; username: string; tenants: Membership[]; sessionToken: string; ttlMin: number }
  | { kind: 'select'; tenants: Membership[]; sessionToken: string };

export interface OtpPolicy { ttlMin: number; maxAttempts: number }

export class LoginService {
  constructor(
    private readonly store: Store,
    private readonly credentials: CredentialStore,
    private readonly sessions: Sessions,
    private readonly otp: OtpStore,
    private readonly mailer: Mailer,
    private readonly audit: AuditSink,
    private readonly otpPolicy: OtpPolicy,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Logins come before any caller's organization is known: no scope limits them. */
  private get db(): Repositories {
    return this.store.unscoped;
  }

  /**
   * Checks the password; unknown people take as long as known ones and fail the same way. Guesses
   * are limited per account, whichever name was typed, and per source (LoginThrottle).
   */
  async authenticate(person: Person | null, password: string, ctx: RequestContext, attempted: string): Promise<Person> {
    const account = loginAccount(person, attempted);
    const source = ctx.clientIp ?? 'unknown';
    try {
      await this.throttle.admit(account, source);
    } catch (e) {
      if (e instanceof AppError && e.kind === 'rate_limited') {
        this.record(ctx, 'auth.login', 'denied', person ? await this.firstMembership(person) : null,
          { reason: 'too_many_attempts', details: { attempted } }, person);
      }
      throw e;
    }
    const ok = await this.credentials.verify(person?.id ?? null, password);
    if (!person || !ok) {
      await this.throttle.failed(account, source);
      this.record(ctx, 'auth.login', 'failure', person ? await this.firstMembership(person) : null,
        { reason: 'invalid_credentials', details: { attempted } }, person);
      throw InvalidCredentials();
    }
    await this.throttle.succeeded(account, source);
    return person;
  }

  /** `POST /api/auth/login`: document 002's three scenarios. */
  async login(email: string, password: string, ctx: RequestContext): Promise<LoginOutcome> {
    const person = await this.authenticate(await this.db.persons.byEmail(email), password, ctx, email);
    const memberships = await this.db.users.membershipsOf(person.id);
    if (memberships.length === 0) throw NoOrganization();
    const { session, sessionToken } = await this.sessions.open(person.id, ctx.source, ctx);
    if (memberships.length > 1) {
      this.record(ctx, 'auth.login', 'success', null, { details: { stage: 'tenant_selection' } }, person);
      return { kind: 'select', tenants: memberships, sessionToken };
    }
    return this.enter(memberships[0], session, sessionToken, memberships, ctx, 'auth.login');
  }

  /** `POST /api/auth/select-tenant`. */
  async selectTenant(sessionToken: unknown, tenantId: string, ctx: RequestContext): Promise<LoginOutcome> {
    const session = await this.sessions.resume(sessionToken);
    const memberships = await this.db.users.membershipsOf(session.personId);
    const chosen = memberships.find((m) => m.organization.tenantId === tenantId);
    if (!chosen) {
      this.record({ ...ctx, source: session.source }, 'auth.select_tenant', 'denied', null, { reason: 'not_a_member', details: { tenant: tenantId } });
      throw NotAMember();
    }
    return this.enter(chosen, session, this.sessions.sessionTokenFor(session), memberships, { ...ctx, source: session.source }, 'auth.select_tenant');
  }

  /** `POST /api/auth/verify-otp`: single use, expires, burnt after too many wrong tries. */
  async verifyOtp(username: string, code: string, ctx: RequestContext): Promise<LoginOutcome> {
    const r = await this.otp.attempt(username.toLowerCase(), code, this.otpPolicy.maxAttempts);
    if (r.result !== 'ok') {
      const person = await this.db.persons.byUsername(username);
      this.record(ctx, 'auth.otp.failed', 'failure', person ? await this.firstMembership(person) : null,
        { reason: r.result === 'burnt' ? 'burnt' : r.result === 'wrong' ? 'wrong_code' : 'no_code' }, person);
      throw r.result === 'burnt' ? OtpBurnt() : InvalidOtp();
    }
    const m = await this.db.users.membership(r.pending.userId);
    const session = await this.db.loginSessions.get(r.pending.sid);
    if (!m || !session || session.revokedAt) throw InvalidOtp();
    const issued = await this.sessions.mint(m, session);
    this.record({ ...ctx, source: session.source }, 'auth.otp.verified', 'success', m);
    const available = await this.db.users.membershipsOf(m.person.id);
    const apiKey = await this.sessions.loginApiKey(m.id, session.sid);
    return { kind: 'token', issued, membership: m, sessionToken: this.sessions.sessionTokenFor(session), available, apiKey };
  }

  /** Into one organization: a token, or first an emailed code when the organization asks for one from browsers. */
  async enter(m: Membership, session: LoginSession, sessionToken: string, all: Membership[], ctx: RequestContext, action: string): Promise<LoginOutcome> {
    if (m.organization.otpEnabled && session.source === 'ui') {
      await this.sendOtp(m, session, ctx);
      this.record(ctx, action, 'success', m, { details: { stage: 'otp' } });
      return { kind: 'otp', username: m.person.username, tenants: all, sessionToken, ttlMin: this.otpPolicy.ttlMin };
    }
    const issued = await this.sessions.mint(m, session);
    const apiKey = await this.sessions.loginApiKey(m.id, session.sid);
    this.record(ctx, action, 'success', m);
    return { kind: 'token', issued, membership: m, sessionToken, available: all, apiKey };
  }

  private async sendOtp(m: Membership, session: LoginSession, ctx: RequestContext): Promise<void> {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const key = m.person.username.toLowerCase();
    await this.otp.issue(key, code, { userId: m.id, sid: session.sid, source: session.source }, this.otpPolicy.ttlMin * 60);
    try {
      await this.mailer.sendOtp(m.person.email, m.person.username, code, this.otpPolicy.ttlMin);
    } catch {
      await this.otp.discard(key);
      throw MailUnavailable();
    }
    this.record(ctx, 'auth.otp.sent', 'success', m,
      { details: { channel: 'email' } });
  }

  private async firstMembership(p: Person): Promise<Membership | null> {
    return (await this.db.users.membershipsOf(p.id))[0] ?? null;
  }

  record(ctx: RequestContext, action: string, result: AuditInput['result'], m: Membership | null,
    extra: Partial<AuditInput> = {}, person?: Person | null): void {
    const who = m?.person ?? person ?? null;
    this.audit.record({
      action, result, tenant_id: m?.organization.tenantId ?? null,
      actor: { user_id: m?.id ?? null, username: who?.username ?? null, email: who?.email ?? null, role: m?.role ?? null },
      client_ip: ctx.clientIp, user_agent: ctx.userAgent, request_id: ctx.requestId,
      ...extra, details: { source: ctx.source, ...(extra.details ?? {}) },
    });
  }
}

/**
 * The account a login names: the person, however they were named (email, username,
 * username@organization); a name that matches nobody is its own account, so unknown names are
 * limited exactly like known ones and the limits reveal nothing.
 */
export function loginAccount(person: Person | null, attempted: string): string {
  return person ? `person:${person.id}` : `name:${createHash('sha256').update(attempted.trim().toLowerCase()).digest('base64url')}`;
}
