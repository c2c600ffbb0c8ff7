import type { Pool } from '@webxterm/kit';

/** The username an organization shows for one of its memberships (an invitation's as typed), or null when the id is not one of its own. */
export async function organizationMember(pool: Pool, tenantId: string, userId: string): Promise<{ username: string } | null> {
  const r = await pool.query(
    `SELECT CASE WHEN m.pending THEN m.invited_username ELSE p.username END AS username
       FROM auth.memberships m
       JOIN auth.organizations o ON o.id = m.organization_id
       JOIN auth.persons p ON p.id = m.person_id
      WHERE m.id = $1 AND o.tenant_id = $2`, [userId, tenantId]);
  return r.rows[0] ? { username: r.rows[0].username } : null;
}
