import type { Pool } from '@webxterm/kit';

/** People and groups of one organization, by its tenant id. */
export async function organizationCounts(pool: Pool, tenantId: string): Promise<{ users: number; groups: number }> {
  const r = await pool.query(
    `SELECT (SELECT count(*) FROM auth.memberships m WHERE m.organization_id = o.id) AS users,
            (SELECT count(*) FROM auth.groups g WHERE g.organization_id = o.id) AS groups
       FROM auth.organizations o WHERE o.tenant_id = $1`, [tenantId]);
  return { users: Number(r.rows[0]?.users ?? 0), groups: Number(r.rows[0]?.groups ?? 0) };
}
