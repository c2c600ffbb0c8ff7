import type { Queryable } from '@webxterm/kit';
import type { Invitation } from '../domain/model';
import type { InvitationsRepository } from '../domain/ports';

/** Pending memberships (migration 0003), as the invited person sees them. */
export class PgInvitationsRepository implements InvitationsRepository {
  constructor(private readonly db: Queryable) {}

  async of(personId: string): Promise<Invitation[]> {
    const r = await this.db.query(`
      SELECT m.id, m.role, m.created_at, o.tenant_id, o.name AS org_name, inviter.username AS invited_by
        FROM auth.memberships m
        JOIN auth.organizations o ON o.id = m.organization_id
        LEFT JOIN auth.memberships im ON im.id = m.invited_by
        LEFT JOIN auth.persons inviter ON inviter.id = im.person_id
       WHERE m.person_id = $1 AND m.pending ORDER BY m.created_at, m.id`, [personId]);
    return r.rows.map((x) => ({
      id: x.id, role: x.role, tenantId: x.tenant_id, organizationName: x.org_name, invitedBy: x.invited_by ?? null, createdAt: x.created_at,
    }));
  }

  async accept(personId: string, userId: string): Promise<boolean> {
    const r = await this.db.query(`UPDATE auth.memberships SET pending = false, invited_username = NULL, invited_first_name = NULL,
        invited_last_name = NULL WHERE id = $1 AND person_id = $2 AND pending`, [userId, personId]);
    return (r.rowCount ?? 0) > 0;
  }

  async decline(personId: string, userId: string): Promise<{ tenantId: string } | null> {
    const r = await this.db.query(`DELETE FROM auth.memberships m USING auth.organizations o
       WHERE m.id = $1 AND m.person_id = $2 AND m.pending AND o.id = m.organization_id RETURNING o.tenant_id`, [userId, personId]);
    return r.rows[0] ? { tenantId: r.rows[0].tenant_id } : null;
  }
}
