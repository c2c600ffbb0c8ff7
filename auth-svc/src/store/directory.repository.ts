import type { PoolClient } from 'pg';
import type { PortalRole } from '@webxterm/contracts';
import { apiKeyPrefix, hashApiKey } from '../domain/api-keys';
import { AlreadyMember, EmailTaken, GroupNameTaken, UsernameTaken } from '../domain/auth.errors';
import type { Group, OrganizationRow, UserRow } from '../domain/directory.model';

/**
 * The SQL of users, groups and organizations as seen by one caller. Every function takes a client
 * from `withTenant`, so row-level security limits it to the caller's organization.
 */
const USER_SELECT = `
  SELECT m.id, m.role, m.machine_role, m.api_key_prefix, m.created_at, m.person_id, m.pending, p.email,
         -- An invited person (pending) is shown as the admin typed them, never with their own names.
         CASE WHEN m.pending THEN m.invited_username ELSE p.username END AS username,
         CASE WHEN m.pending THEN m.invited_first_name ELSE p.first_name END AS first_name,
         CASE WHEN m.pending THEN m.invited_last_name ELSE p.last_name END AS last_name,
         p.email_verified AND NOT m.pending AS email_verified,
         o.tenant_id, o.name AS tenant_name, o.id AS organization_id,
         coalesce((SELECT array_agg(g.name ORDER BY g.name) FROM auth.group_members gm JOIN auth.groups g ON g.id = gm.group_id
                    WHERE gm.user_id = m.id), '{}') AS groups
    FROM auth.memberships m
    JOIN auth.persons p ON p.id = m.person_id
    JOIN auth.organizations o ON o.id = m.organization_id`;

const toUser = (r: Record<string, any>): UserRow => ({
  id: r.id, personId: r.person_id, pending: r.pending, username: r.username, email: r.email, firstName: r.first_name, lastName: r.last_name,
  role: r.role, machineRole: r.machine_role, apiKeyPrefix: r.api_key_prefix, emailVerified: r.email_verified, groups: r.groups,
  tenantId: r.tenant_id, tenantName: r.tenant_name, organizationId: r.organization_id, createdAt: r.created_at,
});

const toGroup = (r: Record<string, any>): Group => ({
  id: r.id, organizationId: r.organization_id, tenantId: r.tenant_id, name: r.name, description: r.description,
  memberCount: Number(r.member_count ?? 0), machineCount: Number(r.machine_count ?? 0), createdAt: r.created_at,
});

const toOrg = (r: Record<string, any>): OrganizationRow => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, otpEnabled: r.otp_enabled, createdAt: r.created_at,
});

export const users = {
  async list(c: PoolClient, organizationId: string | null): Promise<UserRow[]> {
    const r = organizationId
      ? await c.query(`${USER_SELECT} WHERE m.organization_id = $1 ORDER BY m.created_at, m.id`, [organizationId])
      : await c.query(`${USER_SELECT} ORDER BY m.created_at, m.id`);
    return r.rows.map(toUser);
  },
  async get(c: PoolClient, userId: string): Promise<UserRow | null> {
    const r = await c.query(`${USER_SELECT} WHERE m.id = $1`, [userId]);
    return r.rows[0] ? toUser(r.rows[0]) : null;
  },
  async insertPerson(c: PoolClient, p: { id: string; email: string; username: string; firstName: string; lastName: string }, hash: string) {
    await c.query('INSERT INTO auth.persons (id, email, username, first_name, last_name) VALUES ($1, $2, $3, $4, $5)',
      [p.id, p.email, p.username, p.firstName, p.lastName]).catch(mapPersonConflict);
    await c.query('INSERT INTO auth.credentials (person_id, password_hash) VALUES ($1, $2)', [p.id, hash]);
  },
  /** With `invited`, the membership is pending until the person accepts it (migration 0003). */
  async insertMembership(c: PoolClient, m: {
    id: string; personId: string; organizationId: string; role: PortalRole; machineRole: string; apiKey: string;
    invited?: { username: string; firstName: string; lastName: string; by: string };
  }) {
    const i = m.invited;
    await c.query(
      `INSERT INTO auth.memberships (id, person_id, organization_id, role, machine_role, api_key_hash, api_key_prefix, pending, invited_username, invited_first_name, invited_last_name, invited_by)
       VALUES ($1, $2, $3, $4, $5, $6, $12, $7, $8, $9, $10, $11)`,
      [m.id, m.personId, m.organizationId, m.role, m.machineRole, hashApiKey(m.apiKey), Boolean(i), i?.username ?? null, i?.firstName ?? null, i?.lastName ?? null, i?.by ?? null, apiKeyPrefix(m.apiKey)],
    ).catch(mapMembershipConflict);
  },
  /** The names an organization shows for a person it invited (they keep their own). */
  async updateInvitedNames(c: PoolClient, userId: string, f: { firstName?: string; lastName?: string }) {
    await c.query(`UPDATE auth.memberships SET invited_first_name = coalesce($2, invited_first_name), invited_last_name = coalesce($3, invited_last_name)
                    WHERE id = $1 AND pending`, [userId, f.firstName ?? null, f.lastName ?? null]);
  },
  async updateMembership(c: PoolClient, userId: string, f: { role?: PortalRole; machineRole?: string }) {
    await c.query('UPDATE auth.memberships SET role = coalesce($2, role), machine_role = coalesce($3, machine_role) WHERE id = $1',
      [userId, f.role ?? null, f.machineRole ?? null]);
  },
  async updatePersonNames(c: PoolClient, personId: string, f: { firstName?: string; lastName?: string }) {
    await c.query('UPDATE auth.persons SET first_name = coalesce($2, first_name), last_name = coalesce($3, last_name) WHERE id = $1',
      [personId, f.firstName ?? null, f.lastName ?? null]);
  },
  async deleteMembership(c: PoolClient, userId: string): Promise<void> {
    await c.query('DELETE FROM auth.memberships WHERE id = $1', [userId]);
  },
};

export const groups = {
  async list(c: PoolClient, organizationId: string | null): Promise<Group[]> {
    const where = organizationId ? 'WHERE g.organization_id = $1' : '';
    const r = await c.query(`
      SELECT g.*, o.tenant_id,
             (SELECT count(*) FROM auth.group_members gm WHERE gm.group_id = g.id) AS member_count,
             (SELECT count(*) FROM auth.group_machines gx WHERE gx.group_id = g.id) AS machine_count
        FROM auth.groups g JOIN auth.organizations o ON o.id = g.organization_id ${where} ORDER BY g.name`,
      organizationId ? [organizationId] : []);
    return r.rows.map(toGroup);
  },
  async get(c: PoolClient, groupId: string): Promise<Group | null> {
    const r = await c.query(`
      SELECT g.*, o.tenant_id,
             (SELECT count(*) FROM auth.group_members gm WHERE gm.group_id = g.id) AS member_count,
             (SELECT count(*) FROM auth.group_machines gx WHERE gx.group_id = g.id) AS machine_count
        FROM auth.groups g JOIN auth.organizations o ON o.id = g.organization_id WHERE g.id = $1`, [groupId]);
    return r.rows[0] ? toGroup(r.rows[0]) : null;
  },
  async insert(c: PoolClient, g: { id: string; organizationId: string; name: string; description: string }) {
    await c.query('INSERT INTO auth.groups (id, organization_id, name, description) VALUES ($1, $2, $3, $4)',
      [g.id, g.organizationId, g.name, g.description]).catch(mapGroupConflict);
  },
  async update(c: PoolClient, groupId: string, f: { name?: string; description?: string }) {
    await c.query('UPDATE auth.groups SET name = coalesce($2, name), description = coalesce($3, description) WHERE id = $1',
      [groupId, f.name ?? null, f.description ?? null]).catch(mapGroupConflict);
  },
  async remove(c: PoolClient, groupId: string) {
    await c.query('DELETE FROM auth.groups WHERE id = $1', [groupId]);
  },
  async members(c: PoolClient, groupId: string): Promise<UserRow[]> {
    const r = await c.query(`${USER_SELECT} JOIN auth.group_members x ON x.user_id = m.id WHERE x.group_id = $1 ORDER BY username`, [groupId]);
    return r.rows.map(toUser);
  },
  async addMember(c: PoolClient, g: Group, userId: string) {
    await c.query('INSERT INTO auth.group_members (group_id, user_id, organization_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [g.id, userId, g.organizationId]);
  },
  async removeMember(c: PoolClient, groupId: string, userId: string): Promise<boolean> {
    return ((await c.query('DELETE FROM auth.group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId])).rowCount ?? 0) > 0;
  },
  async machines(c: PoolClient, groupId: string): Promise<string[]> {
    return (await c.query('SELECT machine_id FROM auth.group_machines WHERE group_id = $1 ORDER BY added_at, machine_id', [groupId]))
      .rows.map((r) => r.machine_id);
  },
  async addMachines(c: PoolClient, g: Group, machineIds: string[]) {
    await c.query(`INSERT INTO auth.group_machines (group_id, machine_id, organization_id)
                   SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`, [g.id, machineIds, g.organizationId]);
  },
  async removeMachine(c: PoolClient, groupId: string, machineId: string): Promise<boolean> {
    return ((await c.query('DELETE FROM auth.group_machines WHERE group_id = $1 AND machine_id = $2', [groupId, machineId])).rowCount ?? 0) > 0;
  },
  async memberIds(c: PoolClient, groupId: string): Promise<string[]> {
    return (await c.query('SELECT user_id FROM auth.group_members WHERE group_id = $1 ORDER BY user_id', [groupId])).rows.map((r) => r.user_id);
  },
};

export const organizations = {
  async list(c: PoolClient): Promise<OrganizationRow[]> {
    return (await c.query('SELECT * FROM auth.organizations ORDER BY created_at, id')).rows.map(toOrg);
  },
  async get(c: PoolClient, idOrTenant: string): Promise<OrganizationRow | null> {
    const r = await c.query('SELECT * FROM auth.organizations WHERE id = $1 OR tenant_id = $1', [idOrTenant]);
    return r.rows[0] ? toOrg(r.rows[0]) : null;
  },
  async insert(c: PoolClient, o: { id: string; tenantId: string; name: string; otpEnabled: boolean }) {
    await c.query('INSERT INTO auth.organizations (id, tenant_id, name, otp_enabled) VALUES ($1, $2, $3, $4)',
      [o.id, o.tenantId, o.name, o.otpEnabled]);
  },
  async update(c: PoolClient, id: string, f: { name?: string; otpEnabled?: boolean }) {
    await c.query('UPDATE auth.organizations SET name = coalesce($2, name), otp_enabled = coalesce($3, otp_enabled) WHERE id = $1',
      [id, f.name ?? null, f.otpEnabled ?? null]);
  },
  async remove(c: PoolClient, id: string) {
    await c.query('DELETE FROM auth.organizations WHERE id = $1', [id]);
  },
  async stats(c: PoolClient, id: string) {
    const r = await c.query(`
      SELECT (SELECT count(*) FROM auth.memberships WHERE organization_id = $1)::int AS users,
             (SELECT count(*) FROM auth.memberships WHERE organization_id = $1 AND role = 'company_admin')::int AS admins,
             (SELECT count(*) FROM auth.groups WHERE organization_id = $1)::int AS groups,
             (SELECT count(DISTINCT machine_id) FROM auth.group_machines WHERE organization_id = $1)::int AS grouped_machines`, [id]);
    return r.rows[0] as { users: number; admins: number; groups: number; grouped_machines: number };
  },
};

function mapPersonConflict(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505' && e.constraint === 'persons_username_key') throw UsernameTaken();
  if (e.code === '23505' && e.constraint === 'persons_email_key') throw EmailTaken();
  throw e;
}

/** The same person added to one organization twice at once: the database decides, the loser gets 409. */
function mapMembershipConflict(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505' && e.constraint === 'memberships_person_id_organization_id_key') throw AlreadyMember();
  throw e;
}

function mapGroupConflict(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505') throw GroupNameTaken();
  throw e;
}
