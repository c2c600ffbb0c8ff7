import type { AccessClaims } from '@webxterm/contracts';
import type { AuditSink } from '@webxterm/kit';
import { type AuditContext, recordChange } from './access';
import { InvitationNotFound, UserNotFound } from './auth.errors';
import type { Invitation, Membership } from './model';
import type { Store } from './ports';

/**
 * The invited person's side: the invitations to their person (whichever organization they are
 * logged into), and accepting or declining one. Accepted, it is an ordinary membership: their next
 * login offers that organization too.
 */
export class InvitationsService {
  constructor(private readonly store: Store, private readonly audit: AuditSink) {}

  async list(actor: AccessClaims): Promise<Invitation[]> {
    return this.store.unscoped.invitations.of(await this.personOf(actor));
  }

  async accept(actor: AccessClaims, invitationId: string, ctx: AuditContext): Promise<Membership> {
    const db = this.store.unscoped;
    if (!(await db.invitations.accept(await this.personOf(actor), invitationId))) throw InvitationNotFound();
    const m = await db.users.membership(invitationId);
    if (!m) throw InvitationNotFound();
    recordChange(this.audit, actor, ctx, 'users.invitation.accepted', m.organization.tenantId, `user:${m.id}`);
    return m;
  }

  async decline(actor: AccessClaims, invitationId: string, ctx: AuditContext): Promise<void> {
    const gone = await this.store.unscoped.invitations.decline(await this.personOf(actor), invitationId);
    if (!gone) throw InvitationNotFound();
    recordChange(this.audit, actor, ctx, 'users.invitation.declined', gone.tenantId, `user:${invitationId}`);
  }

  private async personOf(actor: AccessClaims): Promise<string> {
    const me = await this.store.unscoped.users.membership(actor.user_id);
    if (!me) throw UserNotFound();
    return me.person.id;
  }
}
