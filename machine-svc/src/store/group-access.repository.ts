import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@webxterm/kit';

/** The SQL of the group projection and of "which of these are our machines". */
export class GroupAccessRepository {
  constructor(private readonly pool: Pool) {}

  async replaceMembers(tenantId: string, groupId: string, userIds: string[]): Promise<string[]> {
    return this.tx(async (c) => {
      const before = (await c.query('DELETE FROM machines.group_members WHERE group_id = $1 RETURNING user_id', [groupId])).rows.map((r) => r.user_id);
      await c.query('INSERT INTO machines.group_members (tenant_id, group_id, user_id) SELECT $1, $2, unnest($3::text[])', [tenantId, groupId, userIds]);
      return [...new Set([...before, ...userIds])];
    });
  }

  /** Returns the group's members: their access may have changed. */
  async replaceMachines(tenantId: string, groupId: string, machineRefs: string[]): Promise<string[]> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM machines.group_machines WHERE group_id = $1', [groupId]);
      await c.query('INSERT INTO machines.group_machines (tenant_id, group_id, machine_ref) SELECT $1, $2, unnest($3::text[])', [tenantId, groupId, machineRefs]);
      return (await c.query('SELECT user_id FROM machines.group_members WHERE group_id = $1', [groupId])).rows.map((r) => r.user_id);
    });
  }

  async deleteGroup(groupId: string): Promise<string[]> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM machines.group_machines WHERE group_id = $1', [groupId]);
      return (await c.query('DELETE FROM machines.group_members WHERE group_id = $1 RETURNING user_id', [groupId])).rows.map((r) => r.user_id);
    });
  }

  /** A removed user loses their groups and their direct grants. */
  async removeUser(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM machines.group_members WHERE user_id = $1', [userId]);
    await this.pool.query('DELETE FROM machines.access_grants WHERE user_id = $1', [userId]);
  }

  async removeTenant(tenantId: string): Promise<void> {
    await this.pool.query('DELETE FROM machines.group_members WHERE tenant_id = $1', [tenantId]);
    await this.pool.query('DELETE FROM machines.group_machines WHERE tenant_id = $1', [tenantId]);
  }

  /** Which of `refs` (agent ids or ObjectIDs) are machines of `tenantId`. */
  async machinesOfTenant(tenantId: string, refs: string[]): Promise<string[]> {
    const r = await this.pool.query(
      `SELECT ref FROM unnest($2::text[]) AS ref
        WHERE EXISTS (SELECT 1 FROM machines.machines m WHERE m.tenant_id = $1 AND (m.agent_id = ref OR m.id = ref))`, [tenantId, refs]);
    return r.rows.map((x) => x.ref);
  }

  private tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }
}

/** SQL fragment: the user `$user` reaches machine `m` through a group. For the repository's access queries. */
export const VIA_GROUP = (m: string, user: string) => `EXISTS (
  SELECT 1 FROM machines.group_members gm JOIN machines.group_machines gx ON gx.group_id = gm.group_id
   WHERE gm.user_id = ${user} AND gm.tenant_id = ${m}.tenant_id AND (gx.machine_ref = ${m}.agent_id OR gx.machine_ref = ${m}.id))`;
