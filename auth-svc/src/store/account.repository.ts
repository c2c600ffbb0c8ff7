import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@webxterm/kit';
import { apiKeyPrefix, hashApiKey } from '../domain/api-keys';
import { EmailTaken, OrganizationTaken, UsernameTaken } from '../domain/auth.errors';
import type { LoginSession, Membership, Organization, Person } from '../domain/model';
import type { AccountRepository, Invitation, NewAccount } from '../domain/ports';

const MEMBERSHIP_SELECT = `
  SELECT m.id, m.role, m.machine_role, m.api_key_prefix, m.created_at,
         p.id AS person_id, p.email, p.username, p.first_name, p.last_name, p.email_verified, p.keycloak_id,
         o.id AS org_id, o.tenant_id, o.name AS org_name, o.otp_enabled,
         coalesce((SELECT array_agg(g.name ORDER BY g.name) FROM auth.group_members gm JOIN auth.groups g ON g.id = gm.group_id
                    WHERE gm.user_id = m.id), '{}') AS groups
    FROM auth.memberships m
    JOIN auth.persons p ON p.id = m.person_id
    JOIN auth.organizations o ON o.id = m.organization_id`;

const PERSON_SELECT = 'SELECT id, email, username, first_name, last_name, email_verified, keycloak_id FROM auth.persons';

export class PgAccountRepository implements AccountRepository {
  constructor(private readonly pool: Pool) {}

  async createAccount(a: NewAccount): Promise<void> {
    await this.tx(async (c) => {
      let orgId: string;
      if ('existingId' in a.organization) orgId = a.organization.existingId;
      else {
        orgId = a.organization.id;
        await c.query('INSERT INTO auth.organizations (id, tenant_id, name) VALUES ($1, $2, $3)', [orgId, a.organization.tenantId, a.organization.name]);
      }
      const p = a.person;
      await c.query('INSERT INTO auth.persons (id, email, username, first_name, last_name) VALUES ($1, $2, $3, $4, $5)',
        [p.id, p.email, p.username, p.firstName, p.lastName]);
      await c.query('INSERT INTO auth.credentials (person_id, password_hash) VALUES ($1, $2)', [p.id, a.passwordHash]);
      await c.query('INSERT INTO auth.memberships (id, person_id, organization_id, role, api_key_hash, api_key_prefix) VALUES ($1, $2, $3, $4, $5, $6)',
        [a.membership.id, p.id, orgId, a.membership.role, hashApiKey(a.membership.apiKey), apiKeyPrefix(a.membership.apiKey)]);
    }).catch(mapUniqueViolation);
  }

  async tenantIdTaken(tenantId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM auth.organizations WHERE tenant_id = $1', [tenantId])).rowCount! > 0;
  }

  async findPersonByEmail(email: string): Promise<Person | null> {
    const r = await this.pool.query(`${PERSON_SELECT} WHERE lower(email) = lower($1)`, [email]);
    return r.rows[0] ? toPerson(r.rows[0]) : null;
  }

  async findPersonByUsername(username: string): Promise<Person | null> {
    const r = await this.pool.query(`${PERSON_SELECT} WHERE lower(username) = lower($1)`, [username]);
    return r.rows[0] ? toPerson(r.rows[0]) : null;
  }

  async membershipsOf(personId: string): Promise<Membership[]> {
    const r = await this.pool.query(`${MEMBERSHIP_SELECT} WHERE m.person_id = $1 AND NOT m.pending ORDER BY m.created_at, m.id`, [personId]);
    return r.rows.map(toMembership);
  }

  async membershipById(userId: string): Promise<Membership | null> {
    const r = await this.pool.query(`${MEMBERSHIP_SELECT} WHERE m.id = $1 AND NOT m.pending`, [userId]);
    return r.rows[0] ? toMembership(r.rows[0]) : null;
  }

  async createSession(s: LoginSession & { clientIp: string | null }): Promise<void> {
    await this.pool.query(
      'INSERT INTO auth.sessions (sid, person_id, source, client_ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.sid, s.personId, s.source, s.clientIp, s.createdAt, s.expiresAt]);
  }

  async findSession(sid: string): Promise<(LoginSession & { revokedAt: Date | null }) | null> {
    const r = await this.pool.query('SELECT * FROM auth.sessions WHERE sid = $1', [sid]);
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async extendSession(sid: string, expiresAt: Date): Promise<void> {
    await this.pool.query('UPDATE auth.sessions SET expires_at = greatest(expires_at, $2) WHERE sid = $1', [sid, expiresAt]);
  }

  async markSessionRevoked(sid: string): Promise<LoginSession | null> {
    const r = await this.pool.query('UPDATE auth.sessions SET revoked_at = coalesce(revoked_at, now()) WHERE sid = $1 RETURNING *', [sid]);
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async linkSessionUser(sid: string, userId: string): Promise<void> {
    await this.pool.query('INSERT INTO auth.session_users (sid, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sid, userId]);
  }

  async revokeSessionsOfUsers(userIds: string[]): Promise<LoginSession[]> {
    const r = await this.pool.query(`
      UPDATE auth.sessions s SET revoked_at = now()
       WHERE s.revoked_at IS NULL AND s.expires_at > now()
         AND s.sid IN (SELECT sid FROM auth.session_users WHERE user_id = ANY($1))
      RETURNING s.*`, [userIds]);
    return r.rows.map(toSession);
  }

  async userIdsOfOrganization(organizationId: string): Promise<string[]> {
    return (await this.pool.query('SELECT id FROM auth.memberships WHERE organization_id = $1', [organizationId])).rows.map((r) => r.id);
  }

  async deleteOrphanPersons(): Promise<number> {
    const r = await this.pool.query('DELETE FROM auth.persons p WHERE NOT EXISTS (SELECT 1 FROM auth.memberships m WHERE m.person_id = p.id)');
    return r.rowCount ?? 0;
  }

  /** The membership's own key, or the key of one of its logins while that login lives. */
  async membershipByApiKey(apiKey: string): Promise<Membership | null> {
    const hash = hashApiKey(apiKey);
    const r = await this.pool.query(`${MEMBERSHIP_SELECT}
       WHERE NOT m.pending AND (m.api_key_hash = $1 OR m.id = (
         SELECT k.user_id FROM auth.login_api_keys k JOIN auth.sessions s ON s.sid = k.sid
          WHERE k.key_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()))`, [hash]);
    return r.rows[0] ? toMembership(r.rows[0]) : null;
  }

  async addLoginApiKey(apiKey: string, userId: string, sid: string): Promise<void> {
    await this.pool.query('INSERT INTO auth.login_api_keys (key_hash, user_id, sid) VALUES ($1, $2, $3)', [hashApiKey(apiKey), userId, sid]);
  }

  async revokeSessionsOfPerson(personId: string, exceptSid: string | null): Promise<LoginSession[]> {
    const r = await this.pool.query(`
      UPDATE auth.sessions SET revoked_at = now()
       WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > now() AND sid IS DISTINCT FROM $2::uuid
      RETURNING *`, [personId, exceptSid]);
    return r.rows.map(toSession);
  }

  async isMemberOrInvited(personId: string, organizationId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM auth.memberships WHERE person_id = $1 AND organization_id = $2', [personId, organizationId])).rowCount! > 0;
  }

  async invitationsOf(personId: string): Promise<Invitation[]> {
    const r = await this.pool.query(`
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

  async acceptInvitation(personId: string, userId: string): Promise<Membership | null> {
    const r = await this.pool.query(`UPDATE auth.memberships SET pending = false, invited_username = NULL, invited_first_name = NULL,
        invited_last_name = NULL WHERE id = $1 AND person_id = $2 AND pending RETURNING id`, [userId, personId]);
    return r.rowCount ? this.membershipById(userId) : null;
  }

  async declineInvitation(personId: string, userId: string): Promise<{ tenantId: string } | null> {
    const r = await this.pool.query(`DELETE FROM auth.memberships m USING auth.organizations o
       WHERE m.id = $1 AND m.person_id = $2 AND m.pending AND o.id = m.organization_id RETURNING o.tenant_id`, [userId, personId]);
    return r.rows[0] ? { tenantId: r.rows[0].tenant_id } : null;
  }

  async findOrganizationByTenant(tenantId: string): Promise<Organization | null> {
    const r = await this.pool.query('SELECT id, tenant_id, name, otp_enabled FROM auth.organizations WHERE tenant_id = $1', [tenantId]);
    const o = r.rows[0];
    return o ? { id: o.id, tenantId: o.tenant_id, name: o.name, otpEnabled: o.otp_enabled } : null;
  }

  private tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }
}

/** Two signups racing for one name: the database decides, the loser gets the same 409 as a late one. */
function mapUniqueViolation(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505') {
    if (e.constraint === 'persons_username_key') throw UsernameTaken();
    if (e.constraint === 'persons_email_key') throw EmailTaken();
    if (e.constraint === 'organizations_tenant_id_key') throw OrganizationTaken();
  }
  throw e;
}

type Row = Record<string, any>;

function toPerson(r: Row): Person {
  return {
    id: r.id ?? r.person_id, email: r.email, username: r.username, firstName: r.first_name, lastName: r.last_name,
    emailVerified: r.email_verified, keycloakId: r.keycloak_id,
  };
}

function toMembership(r: Row): Membership {
  return {
    id: r.id, role: r.role, machineRole: r.machine_role, apiKeyPrefix: r.api_key_prefix, groups: r.groups ?? [],
    person: toPerson({ ...r, id: r.person_id }),
    organization: { id: r.org_id, tenantId: r.tenant_id, name: r.org_name, otpEnabled: r.otp_enabled },
  };
}

function toSession(r: Row): LoginSession & { revokedAt: Date | null } {
  return { sid: r.sid, personId: r.person_id, source: r.source, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at };
}
