import type { AccessClaims } from '@webxterm/contracts';
import type { AuditInput, AuditSink } from '@webxterm/kit';
import { apiKeyPrefix, newApiKey } from './api-keys';
import { AvatarNotFound, InvalidSessionToken, SamePassword, WrongCurrentPassword } from './auth.errors';
import type { AvatarImages, CleanImage } from './avatar-image';
import { loginAccount } from './login.service';
import type { Membership } from './model';
import type { CredentialStore, LoginThrottle, ProfileExtras, Store } from './ports';
import type { Sessions } from './sessions';

export interface Profile extends ProfileExtras { membership: Membership }

export interface ProfileContext { clientIp: string | null; userAgent: string | null; requestId: string | null }

/**
 * `/api/profile`: the caller's own membership in the organization of their token. Nothing here
 * takes an id from the request but the avatar's, and that one is looked up in the caller's
 * organization only.
 */
export class ProfileService {
  constructor(
    private readonly store: Store,
    private readonly credentials: CredentialStore,
    private readonly sessions: Sessions,
    private readonly throttle: LoginThrottle,
    private readonly images: AvatarImages,
    private readonly audit: AuditSink,
  ) {}

  async get(claims: AccessClaims): Promise<Profile> {
    const membership = await this.self(claims);
    const extras = await this.store.unscoped.users.profileExtras(membership.id);
    if (!extras) throw InvalidSessionToken();
    return { membership, ...extras };
  }

  /** A new key for the membership, returned once; every earlier key of the membership stops working. */
  async regenerateApiKey(claims: AccessClaims, ctx: ProfileContext): Promise<{ apiKey: string; prefix: string; createdAt: Date }> {
    const m = await this.self(claims);
    const apiKey = newApiKey();
    const createdAt = await this.store.transaction((tx) => tx.apiKeys.replaceMembershipKey(m.id, apiKey));
    this.record(m, ctx, 'profile.api_key_regenerated', 'success', { details: { prefix: apiKeyPrefix(apiKey) } });
    return { apiKey, prefix: apiKeyPrefix(apiKey), createdAt };
  }

  /**
   * Changes the person's password after checking the current one (counted by the login limits, so
   * a stolen token is no way around them) and ends every other login of the person, in every
   * organization: the password is the person's, not the membership's.
   */
  async changePassword(claims: AccessClaims, current: string, next: string, ctx: ProfileContext): Promise<{ otherLoginsEnded: number }> {
    const m = await this.self(claims);
    const account = loginAccount(m.person, m.person.email);
    const source = ctx.clientIp ?? 'unknown';
    await this.throttle.admit(account, source);
    if (!(await this.credentials.verify(m.person.id, current))) {
      await this.throttle.failed(account, source);
      this.record(m, ctx, 'profile.password_changed', 'failure', { reason: 'wrong_current_password' });
      throw WrongCurrentPassword();
    }
    await this.throttle.succeeded(account, source);
    if (current === next) throw SamePassword();
    await this.credentials.replace(m.person.id, await this.credentials.prepare(next));
    const otherLoginsEnded = await this.sessions.revokePersonExcept(m.person.id, claims.sid);
    this.record(m, ctx, 'profile.password_changed', 'success', { details: { other_logins_ended: otherLoginsEnded } });
    return { otherLoginsEnded };
  }

  async uploadAvatar(claims: AccessClaims, upload: Buffer, ctx: ProfileContext): Promise<{ id: string; image: CleanImage }> {
    const m = await this.self(claims);
    const image = await this.images.clean(upload);
    const id = await this.store.inScope(m.organization.id, (tx) => tx.avatars.save(m.organization.id, m.id, image));
    this.record(m, ctx, 'profile.avatar_updated', 'success', { details: { avatar_id: id, content_type: image.contentType, bytes: image.data.length } });
    return { id, image };
  }

  /** An avatar of someone in the caller's organization (row-level security hides every other one); any other id is not found. */
  async avatar(claims: AccessClaims, id: string) {
    const m = await this.self(claims);
    const a = await this.store.inScope(m.organization.id, (tx) => tx.avatars.get(id));
    if (!a) throw AvatarNotFound();
    return a;
  }

  /** The membership the token names; gone (removed since) means the token is no longer good. */
  private async self(claims: AccessClaims): Promise<Membership> {
    const m = await this.store.unscoped.users.membership(claims.user_id);
    if (!m || m.organization.tenantId !== claims.tenant_id) throw InvalidSessionToken();
    return m;
  }

  private record(m: Membership, ctx: ProfileContext, action: string, result: AuditInput['result'], extra: Partial<AuditInput> = {}): void {
    this.audit.record({
      action, result, tenant_id: m.organization.tenantId,
      actor: { user_id: m.id, username: m.person.username, email: m.person.email, role: m.role },
      resource: `user:${m.id}`,
      client_ip: ctx.clientIp, user_agent: ctx.userAgent, request_id: ctx.requestId, ...extra,
    });
  }
}
