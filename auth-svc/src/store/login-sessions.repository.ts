import type { Queryable } from '@webxterm/kit';
import type { LoginSession } from '../domain/model';
import type { LoginSessionsRepository } from '../domain/ports';

const toSession = (r: Record<string, any>): LoginSession & { revokedAt: Date | null } =>
  ({ sid: r.sid, personId: r.person_id, source: r.source, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at });

const SESSION_COLUMNS = 'sid, person_id, source, created_at, expires_at, revoked_at';

export class PgLoginSessionsRepository implements LoginSessionsRepository {
  constructor(private readonly db: Queryable) {}

  async create(s: LoginSession & { clientIp: string | null }): Promise<void> {
    await this.db.query(
      'INSERT INTO auth.sessions (sid, person_id, source, client_ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.sid, s.personId, s.source, s.clientIp, s.createdAt, s.expiresAt]);
  }

  async get(sid: string): Promise<(LoginSession & { revokedAt: Date | null }) | null> {
    const r = await this.db.query(`SELECT ${SESSION_COLUMNS} FROM auth.sessions WHERE sid = $1`, [sid]);
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async extend(sid: string, expiresAt: Date): Promise<void> {
    await this.db.query('UPDATE auth.sessions SET expires_at = greatest(expires_at, $2) WHERE sid = $1', [sid, expiresAt]);
  }

  async markRevoked(sid: string): Promise<LoginSession | null> {
    const r = await this.db.query(`UPDATE auth.sessions SET revoked_at = coalesce(revoked_at, now()) WHERE sid = $1 RETURNING ${SESSION_COLUMNS}`, [sid]);
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async linkUser(sid: string, userId: string): Promise<void> {
    await this.db.query('INSERT INTO auth.session_users (sid, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sid, userId]);
  }

  async revokeOfUsers(userIds: string[]): Promise<LoginSession[]> {
    const r = await this.db.query(`
      UPDATE auth.sessions s SET revoked_at = now()
       WHERE s.revoked_at IS NULL AND s.expires_at > now()
         AND s.sid IN (SELECT sid FROM auth.session_users WHERE user_id = ANY($1))
      RETURNING ${SESSION_COLUMNS}`, [userIds]);
    return r.rows.map(toSession);
  }

  async revokeOfPerson(personId: string, exceptSid: string | null): Promise<LoginSession[]> {
    const r = await this.db.query(`
      UPDATE auth.sessions SET revoked_at = now()
       WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > now() AND sid IS DISTINCT FROM $2::uuid
      RETURNING ${SESSION_COLUMNS}`, [personId, exceptSid]);
    return r.rows.map(toSession);
  }
}
