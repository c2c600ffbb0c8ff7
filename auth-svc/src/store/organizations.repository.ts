import type { Queryable } from '@webxterm/kit';
import { OrganizationTaken } from '../domain/auth.errors';
import type { Organization } from '../domain/model';
import type { OrganizationStats, OrganizationsRepository } from '../domain/ports';

const ORGANIZATION_SELECT = 'SELECT id, tenant_id, name, otp_enabled, created_at FROM auth.organizations';

const toOrganization = (r: Record<string, any>): Organization => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, otpEnabled: r.otp_enabled, createdAt: r.created_at,
});

export class PgOrganizationsRepository implements OrganizationsRepository {
  constructor(private readonly db: Queryable) {}

  async list(): Promise<Organization[]> {
    return (await this.db.query(`${ORGANIZATION_SELECT} ORDER BY created_at, id`)).rows.map(toOrganization);
  }

  async get(idOrTenant: string): Promise<Organization | null> {
    const r = await this.db.query(`${ORGANIZATION_SELECT} WHERE id = $1 OR tenant_id = $1`, [idOrTenant]);
    return r.rows[0] ? toOrganization(r.rows[0]) : null;
  }

  async byTenant(tenantId: string): Promise<Organization | null> {
    const r = await this.db.query(`${ORGANIZATION_SELECT} WHERE tenant_id = $1`, [tenantId]);
    return r.rows[0] ? toOrganization(r.rows[0]) : null;
  }

  /** Two organizations racing for one tenant id: the database decides, the loser gets the same 409 as a late one. */
  async insert(o: { id: string; tenantId: string; name: string; otpEnabled: boolean }): Promise<void> {
    await this.db.query('INSERT INTO auth.organizations (id, tenant_id, name, otp_enabled) VALUES ($1, $2, $3, $4)',
      [o.id, o.tenantId, o.name, o.otpEnabled]).catch((e: { code?: string; constraint?: string }) => {
      if (e.code === '23505' && e.constraint === 'organizations_tenant_id_key') throw OrganizationTaken();
      throw e;
    });
  }

  async update(id: string, f: { name?: string; otpEnabled?: boolean }): Promise<void> {
    await this.db.query('UPDATE auth.organizations SET name = coalesce($2, name), otp_enabled = coalesce($3, otp_enabled) WHERE id = $1',
      [id, f.name ?? null, f.otpEnabled ?? null]);
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM auth.organizations WHERE id = $1', [id]);
  }

  async stats(id: string): Promise<OrganizationStats> {
    const r = await this.db.query(`
      SELECT (SELECT count(*) FROM auth.memberships WHERE organization_id = $1)::int AS users,
             (SELECT count(*) FROM auth.memberships WHERE organization_id = $1 AND role = 'company_admin')::int AS admins,
             (SELECT count(*) FROM auth.groups WHERE organization_id = $1)::int AS groups,
             (SELECT count(DISTINCT machine_id) FROM auth.group_machines WHERE organization_id = $1)::int AS grouped_machines`, [id]);
    return r.rows[0] as OrganizationStats;
  }

  async counts(tenantId: string): Promise<{ users: number; groups: number }> {
    const o = await this.byTenant(tenantId);
    if (!o) return { users: 0, groups: 0 };
    const s = await this.stats(o.id);
    return { users: s.users, groups: s.groups };
  }
}
