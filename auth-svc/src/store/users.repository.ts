import type { PortalRole } from '@webxterm/contracts';
import type { Queryable } from '@webxterm/kit';
import { apiKeyPrefix, hashApiKey } from '../domain/api-keys';
import { AlreadyMember } from '../domain/auth.errors';
import type { Membership, UserRow } from '../domain/model';
import type { NewMembership, ProfileExtras, UsersRepository } from '../domain/ports';

/**
 * The one SELECT of a membership row. An invited person (pending) is shown as the admin typed
 * them, never with their own names; for an accepted membership the names are the person's.
 */
const USER_SELECT = `
  SELECT m.id, m.role, m.machine_role, m.api_key_prefix, m.created_at, m.person_id, m.pending, p.email, p.keycloak_id,
         CASE WHEN m.pending THEN m.invited_username ELSE p.username END AS username,
         CASE WHEN m.pending THEN m.invited_first_name ELSE p.first_name END AS first_name,
         CASE WHEN m.pending THEN m.invited_last_name ELSE p.last_name END AS last_name,
         p.email_verified AND NOT m.pending AS email_verified,
         o.id AS organization_id, o.tenant_id, o.name AS organization_name, o.otp_enabled, o.created_at AS organization_created_at,
         coalesce((SELECT array_agg(g.name ORDER BY g.name) FROM auth.group_members gm JOIN auth.groups g ON g.id = gm.group_id
                    WHERE gm.user_id = m.id), '{}') AS groups
    FROM auth.memberships m
    JOIN auth.persons p ON p.id = m.person_id
    JOIN auth.organizations o ON o.id = m.organization_id`;

type Row = Record<string, any>;

const toUser = (r: Row): UserRow => ({
  id: r.id, personId: r.person_id, pending: r.pending, username: r.username, email: r.email, firstName: r.first_name, lastName: r.last_name,
  role: r.role, machineRole: r.machine_role, apiKeyPrefix: r.api_key_prefix, emailVerified: r.email_verified, groups: r.groups,
  tenantId: r.tenant_id, organizationName: r.organization_name, organizationId: r.organization_id, createdAt: r.created_at,
});

/** Only for accepted rows (the queries below say `NOT m.pending`), whose names are the person's own. */
const toMembership = (r: Row): Membership => ({
  id: r.id, role: r.role, machineRole: r.machine_role, apiKeyPrefix: r.api_key_prefix, groups: r.groups,
  person: {
    id: r.person_id, email: r.email, username: r.username, firstName: r.first_name, lastName: r.last_name,
    emailVerified: r.email_verified, keycloakId: r.keycloak_id,
  },
  organization: { id: r.organization_id, tenantId: r.tenant_id, name: r.organization_name, otpEnabled: r.otp_enabled, createdAt: r.organization_created_at },
});

export class PgUsersRepository implements UsersRepository {
  constructor(private readonly db: Queryable) {}

  async list(organizationId: string | null): Promise<UserRow[]> {
    const r = organizationId
      ? await this.db.query(`${USER_SELECT} WHERE m.organization_id = $1 ORDER BY m.created_at, m.id`, [organizationId])
      : await this.db.query(`${USER_SELECT} ORDER BY m.created_at, m.id`);
    return r.rows.map(toUser);
  }

  async listOfGroup(groupId: string): Promise<UserRow[]> {
    const r = await this.db.query(`${USER_SELECT} JOIN auth.group_members x ON x.user_id = m.id WHERE x.group_id = $1 ORDER BY username`, [groupId]);
    return r.rows.map(toUser);
  }

  async get(userId: string): Promise<UserRow | null> {
    const r = await this.db.query(`${USER_SELECT} WHERE m.id = $1`, [userId]);
    return r.rows[0] ? toUser(r.rows[0]) : null;
  }

  async membership(userId: string): Promise<Membership | null> {
    const r = await this.db.query(`${USER_SELECT} WHERE m.id = $1 AND NOT m.pending`, [userId]);
    return r.rows[0] ? toMembership(r.rows[0]) : null;
  }

  async membershipsOf(personId: string): Promise<Membership[]> {
    const r = await this.db.query(`${USER_SELECT} WHERE m.person_id = $1 AND NOT m.pending ORDER BY m.created_at, m.id`, [personId]);
    return r.rows.map(toMembership);
  }

  async membershipByApiKey(apiKey: string): Promise<Membership | null> {
    const r = await this.db.query(`${USER_SELECT}
       WHERE NOT m.pending AND (m.api_key_hash = $1 OR m.id = (
         SELECT k.user_id FROM auth.login_api_keys k JOIN auth.sessions s ON s.sid = k.sid
          WHERE k.key_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()))`, [hashApiKey(apiKey)]);
    return r.rows[0] ? toMembership(r.rows[0]) : null;
  }

  async isMemberOrInvited(personId: string, organizationId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM auth.memberships WHERE person_id = $1 AND organization_id = $2', [personId, organizationId]);
    return (r.rowCount ?? 0) > 0;
  }

  async idsOfOrganization(organizationId: string): Promise<string[]> {
    return (await this.db.query('SELECT id FROM auth.memberships WHERE organization_id = $1', [organizationId])).rows.map((r) => r.id);
  }

  async insert(m: NewMembership): Promise<void> {
    const i = m.invited;
    await this.db.query(
      `INSERT INTO auth.memberships (id, person_id, organization_id, role, machine_role, api_key_hash, api_key_prefix, pending, invited_username, invited_first_name, invited_last_name, invited_by)
       VALUES ($1, $2, $3, $4, $5, $6, $12, $7, $8, $9, $10, $11)`,
      [m.id, m.personId, m.organizationId, m.role, m.machineRole, hashApiKey(m.apiKey), Boolean(i), i?.username ?? null, i?.firstName ?? null, i?.lastName ?? null, i?.by ?? null, apiKeyPrefix(m.apiKey)],
    ).catch(mapMembershipConflict);
  }

  async updateInvitedNames(userId: string, f: { firstName?: string; lastName?: string }): Promise<void> {
    await this.db.query(`UPDATE auth.memberships SET invited_first_name = coalesce($2, invited_first_name), invited_last_name = coalesce($3, invited_last_name)
                    WHERE id = $1 AND pending`, [userId, f.firstName ?? null, f.lastName ?? null]);
  }

  async updateRoles(userId: string, f: { role?: PortalRole; machineRole?: string }): Promise<void> {
    await this.db.query('UPDATE auth.memberships SET role = coalesce($2, role), machine_role = coalesce($3, machine_role) WHERE id = $1',
      [userId, f.role ?? null, f.machineRole ?? null]);
  }

  async remove(userId: string): Promise<void> {
    await this.db.query('DELETE FROM auth.memberships WHERE id = $1', [userId]);
  }

  async profileExtras(userId: string): Promise<ProfileExtras | null> {
    const r = await this.db.query(`
      SELECT m.created_at, m.api_key_created_at, a.id AS avatar_id
        FROM auth.memberships m LEFT JOIN auth.avatars a ON a.user_id = m.id
       WHERE m.id = $1 AND NOT m.pending`, [userId]);
    const x = r.rows[0];
    return x ? { memberSince: x.created_at, apiKeyCreatedAt: x.api_key_created_at, avatarId: x.avatar_id ?? null } : null;
  }
}

/** The same person added to one organization twice at once: the database decides, the loser gets 409. */
function mapMembershipConflict(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505' && e.constraint === 'memberships_person_id_organization_id_key') throw AlreadyMember();
  throw e;
}
