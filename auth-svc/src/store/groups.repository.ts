import type { Queryable } from '@webxterm/kit';
import { GroupNameTaken } from '../domain/auth.errors';
import type { Group } from '../domain/model';
import type { GroupsRepository } from '../domain/ports';

const GROUP_SELECT = `
  SELECT g.id, g.organization_id, g.name, g.description, g.created_at, o.tenant_id,
         (SELECT count(*) FROM auth.group_members gm WHERE gm.group_id = g.id) AS member_count,
         (SELECT count(*) FROM auth.group_machines gx WHERE gx.group_id = g.id) AS machine_count
    FROM auth.groups g JOIN auth.organizations o ON o.id = g.organization_id`;

const toGroup = (r: Record<string, any>): Group => ({
  id: r.id, organizationId: r.organization_id, tenantId: r.tenant_id, name: r.name, description: r.description,
  memberCount: Number(r.member_count ?? 0), machineCount: Number(r.machine_count ?? 0), createdAt: r.created_at,
});

/** Groups with their member and machine sets (their members as users: UsersRepository.listOfGroup). */
export class PgGroupsRepository implements GroupsRepository {
  constructor(private readonly db: Queryable) {}

  async list(organizationId: string | null): Promise<Group[]> {
    const r = organizationId
      ? await this.db.query(`${GROUP_SELECT} WHERE g.organization_id = $1 ORDER BY g.name`, [organizationId])
      : await this.db.query(`${GROUP_SELECT} ORDER BY g.name`);
    return r.rows.map(toGroup);
  }

  async get(groupId: string): Promise<Group | null> {
    const r = await this.db.query(`${GROUP_SELECT} WHERE g.id = $1`, [groupId]);
    return r.rows[0] ? toGroup(r.rows[0]) : null;
  }

  async insert(g: { id: string; organizationId: string; name: string; description: string }): Promise<void> {
    await this.db.query('INSERT INTO auth.groups (id, organization_id, name, description) VALUES ($1, $2, $3, $4)',
      [g.id, g.organizationId, g.name, g.description]).catch(mapGroupConflict);
  }

  async update(groupId: string, f: { name?: string; description?: string }): Promise<void> {
    await this.db.query('UPDATE auth.groups SET name = coalesce($2, name), description = coalesce($3, description) WHERE id = $1',
      [groupId, f.name ?? null, f.description ?? null]).catch(mapGroupConflict);
  }

  async remove(groupId: string): Promise<void> {
    await this.db.query('DELETE FROM auth.groups WHERE id = $1', [groupId]);
  }

  async addMember(g: Group, userId: string): Promise<void> {
    await this.db.query('INSERT INTO auth.group_members (group_id, user_id, organization_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [g.id, userId, g.organizationId]);
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM auth.group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId])).rowCount ?? 0) > 0;
  }

  async machines(groupId: string): Promise<string[]> {
    return (await this.db.query('SELECT machine_id FROM auth.group_machines WHERE group_id = $1 ORDER BY added_at, machine_id', [groupId]))
      .rows.map((r) => r.machine_id);
  }

  async addMachines(g: Group, machineIds: string[]): Promise<void> {
    await this.db.query(`INSERT INTO auth.group_machines (group_id, machine_id, organization_id)
                   SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`, [g.id, machineIds, g.organizationId]);
  }

  async removeMachine(groupId: string, machineId: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM auth.group_machines WHERE group_id = $1 AND machine_id = $2', [groupId, machineId])).rowCount ?? 0) > 0;
  }
}

function mapGroupConflict(e: { code?: string }): never {
  if (e.code === '23505') throw GroupNameTaken();
  throw e;
}
