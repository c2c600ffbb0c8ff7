import { OtpRequired, TenantRequired, InvalidCredentials } from './auth.errors';
import type { LoginService } from './login.service';
import type { Membership, Person, RequestContext } from './model';
import type { Repositories, Store } from './ports';
import type { IssuedToken, Sessions } from './sessions';

/** Which organization a one-step login lands in when the person is in several. */
export type TenantChoice = { tenantId: string } | 'first-joined' | 'must-be-unique';

/**
 * One-step logins for clients that know no workspace picker: the Community Edition's
 * `POST /api/login` and document 004's `POST /login`. They never skip an emailed code: when the
 * organization wants one from this client, they refuse and point to `/api/auth/login`.
 */
export class DirectLoginService {
  constructor(
    private readonly store: Store,
    private readonly login: LoginService,
    private readonly sessions: Sessions,
  ) {}

  private get db(): Repositories {
    return this.store.unscoped;
  }

  async withEmail(email: string, password: string, ctx: RequestContext): Promise<{ issued: IssuedToken; membership: Membership }> {
    const person = await this.db.persons.byEmail(email);
    return this.complete(await this.login.authenticate(person, password, ctx, email), 'first-joined', ctx);
  }

  /** Document 004's `username`: `user@organization`, an email address, or a plain username. */
  async withUsername(username: string, password: string, ctx: RequestContext): Promise<{ issued: IssuedToken; membership: Membership }> {
    const at = username.lastIndexOf('@');
    if (at > 0) {
      const [user, tenantId] = [username.slice(0, at), username.slice(at + 1).toLowerCase()];
      const person = await this.db.persons.byUsername(user);
      if (person && (await this.db.users.membershipsOf(person.id)).some((m) => m.organization.tenantId === tenantId)) {
        return this.complete(await this.login.authenticate(person, password, ctx, username), { tenantId }, ctx);
      }
      const byEmail = await this.db.persons.byEmail(username);
      return this.complete(await this.login.authenticate(byEmail, password, ctx, username), 'must-be-unique', ctx);
    }
    const person = await this.db.persons.byUsername(username);
    return this.complete(await this.login.authenticate(person, password, ctx, username), 'must-be-unique', ctx);
  }

  private async complete(person: Person, choice: TenantChoice, ctx: RequestContext) {
    const all = await this.db.users.membershipsOf(person.id);
    const chosen = typeof choice === 'object'
      ? all.find((m) => m.organization.tenantId === choice.tenantId)
      : choice === 'first-joined' || all.length === 1 ? all[0] : undefined;
    if (!chosen) {
      if (all.length > 1 && choice === 'must-be-unique') throw TenantRequired();
      throw InvalidCredentials();
    }
    if (chosen.organization.otpEnabled && ctx.source === 'ui') {
      this.login.record(ctx, 'auth.login', 'denied', chosen, { reason: 'otp_required' });
      throw OtpRequired();
    }
    const { session } = await this.sessions.open(person.id, ctx.source, ctx);
    const issued = await this.sessions.mint(chosen, session);
    this.login.record(ctx, 'auth.login', 'success', chosen);
    return { issued, membership: chosen };
  }
}
