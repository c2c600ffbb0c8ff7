import type { AccessClaims } from '@webxterm/contracts';
import type { AuditSink } from '@webxterm/kit';
import { type AuditContext, recordChange } from './access';
import { InvitationNotFound, UserNotFound } from './auth.errors';
import type { Membership } from './model';
import type { AccountRepository, Invitation } from './ports';

/**
 * The invited person's side: the invitations to their person (whichever organization they are
 * logged into), and accepting or declining one. Accepted, it is an ordinary membership: their next
 * login offers that organization too.
 */
export class InvitationsService {
  constructor(private readonly repo: AccountRepository, private readonly audit: AuditSink) {}

  async list(actor: AccessClaims): Promise<Invitation[]> {
    return this.repo.invitationsOf(await this.personOf(actor));
  }

  async accept(actor: AccessClaims, invitationId: string, ctx: AuditContext): Promise<Membership> {
    const m = await this.repo.acceptInvitation(await this.personOf(actor), invitationId);
    if (!m) throw InvitationNotFound();
    recordChange(this.audit, actor, ctx, 'users.invitation.accepted', m.organization.tenantId, `user:${m.id}`);
    return m;
  }

  async decline(actor: AccessClaims, invitationId: string, ctx: AuditContext): Promise<void> {
    const gone = await this.repo.declineInvitation(await this.personOf(actor), invitationId);
    if (!gone) throw InvitationNotFound();
    recordChange(this.audit, actor, ctx, 'users.invitation.declined', gone.tenantId, `user:${invitationId}`);
  }

  private async personOf(actor: AccessClaims): Promise<string> {
    const me = await this.repo.membershipById(actor.user_id);
    if (!me) throw UserNotFound();
    return me.person.id;
  }
}
