import type { SessionRecord } from '@webxterm/contracts';
import { tenantScoped, type Pool, type Queryable } from '@webxterm/kit';
import type { TerminalSize } from '../domain/asciicast';

function toRecord(r: any): SessionRecord {
  return {
    id: r.id, agent_id: r.agent_id, machine_id: r.machine_id, tenant_id: r.tenant_id, user_id: r.user_id, username: r.username,
    linux_user: r.linux_user, status: r.status, started_at: r.started_at.toISOString(), ended_at: r.ended_at?.toISOString() ?? null,
    exit_code: r.exit_code, bytes_out: Number(r.bytes_out), cols: r.cols, rows: r.rows,
  };
}

/** Session records (schema `terminal`). */
export class SessionRepository {
  constructor(private readonly root: Pool, private readonly pool: Queryable = root) {}

  /** The same queries, for a caller of `tenantId`: other organizations' sessions do not exist for them (migration 0002). */
  scoped(tenantId: string): SessionRepository {
    return new SessionRepository(this.root, tenantScoped(this.root, 'terminal_tenant', tenantId));
  }

  async create(s: Omit<SessionRecord, 'status' | 'started_at' | 'ended_at' | 'exit_code' | 'bytes_out'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO terminal.sessions (id, agent_id, machine_id, tenant_id, user_id, username, linux_user, cols, rows)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [s.id, s.agent_id, s.machine_id, s.tenant_id, s.user_id, s.username, s.linux_user, s.cols, s.rows]);
  }

  async get(id: string): Promise<SessionRecord | null> {
    const r = await this.pool.query('SELECT * FROM terminal.sessions WHERE id = $1', [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async listByMachine(tenantId: string, agentId: string, activeOnly: boolean): Promise<SessionRecord[]> {
    const r = await this.pool.query(
      `SELECT * FROM terminal.sessions WHERE tenant_id = $1 AND agent_id = $2 ${activeOnly ? "AND status = 'active'" : ''}
       ORDER BY started_at DESC LIMIT 500`, [tenantId, agentId]);
    return r.rows.map(toRecord);
  }

  /** Active sessions of a tenant, or of one user in it. */
  async listActive(tenantId: string, userId?: string): Promise<SessionRecord[]> {
    const r = await this.pool.query(
      `SELECT * FROM terminal.sessions WHERE tenant_id = $1 AND status = 'active' ${userId ? 'AND user_id = $2' : ''}
       ORDER BY started_at DESC LIMIT 500`, userId ? [tenantId, userId] : [tenantId]);
    return r.rows.map(toRecord);
  }

  /** Active sessions of an organization, on these machines only when given. */
  async countActiveOf(tenantId: string, agentIds: string[] | null): Promise<number> {
    const r = await this.pool.query(
      `SELECT count(*) FROM terminal.sessions WHERE tenant_id = $1 AND status = 'active' ${agentIds ? 'AND agent_id = ANY($2)' : ''}`,
      agentIds ? [tenantId, agentIds] : [tenantId]);
    return Number(r.rows[0].count);
  }

  /** Active sessions of one user (anywhere) and of one machine (anyone's). */
  async countActive(userId: string, agentId: string): Promise<{ ofUser: number; ofMachine: number }> {
    const r = await this.pool.query(
      `SELECT count(*) FILTER (WHERE user_id = $1) AS of_user, count(*) FILTER (WHERE agent_id = $2) AS of_machine
         FROM terminal.sessions WHERE status = 'active' AND (user_id = $1 OR agent_id = $2)`, [userId, agentId]);
    return { ofUser: Number(r.rows[0].of_user), ofMachine: Number(r.rows[0].of_machine) };
  }

  async addResize(sessionId: string, tenantId: string, r: TerminalSize): Promise<void> {
    await this.pool.query(
      'INSERT INTO terminal.session_resizes (session_id, tenant_id, at, cols, rows) VALUES ($1, $2, $3, $4, $5)',
      [sessionId, tenantId, new Date(r.at).toISOString(), r.cols, r.rows]);
  }

  /** The session's sizes after it opened, oldest first. */
  async resizesOf(sessionId: string): Promise<TerminalSize[]> {
    const r = await this.pool.query(
      'SELECT at, cols, rows FROM terminal.session_resizes WHERE session_id = $1 ORDER BY at LIMIT 100000', [sessionId]);
    return r.rows.map((x) => ({ at: x.at.getTime(), cols: x.cols, rows: x.rows }));
  }

  /** Closes the agent's active sessions opened before `before` that are not in `live`; returns them. */
  async closeLost(agentId: string, live: readonly string[], before: string): Promise<SessionRecord[]> {
    const r = await this.pool.query(
      `UPDATE terminal.sessions SET status = 'closed', ended_at = $3
        WHERE agent_id = $1 AND status = 'active' AND started_at < $3 AND NOT (id = ANY($2::text[])) RETURNING *`,
      [agentId, live, before]);
    return r.rows.map(toRecord);
  }

  /** The agent's connection `connectionId` opened or ended at `at` (reports may be handled out of order: the later time wins). */
  async agentSeen(agentId: string, state: 'online' | 'offline', at: string, connectionId: string): Promise<void> {
    const [time, conn] = state === 'online' ? ['online_at', 'online_connection'] : ['offline_at', 'offline_connection'];
    await this.pool.query(
      `INSERT INTO terminal.agent_presence AS p (agent_id, ${time}, ${conn}) VALUES ($1, $2, $3)
       ON CONFLICT (agent_id) DO UPDATE SET ${time} = EXCLUDED.${time}, ${conn} = EXCLUDED.${conn}
        WHERE p.${time} IS NULL OR p.${time} < EXCLUDED.${time}`, [agentId, at, connectionId]);
  }

  /** Closes the active sessions of agents whose latest connection ended before `before`; returns them. */
  async closeAbandoned(before: string): Promise<SessionRecord[]> {
    const r = await this.pool.query(
      `UPDATE terminal.sessions s SET status = 'closed', ended_at = p.offline_at
         FROM terminal.agent_presence p
        WHERE s.agent_id = p.agent_id AND s.status = 'active' AND p.offline_at < $1 AND p.offline_connection = p.online_connection
       RETURNING s.*`, [before]);
    return r.rows.map(toRecord);
  }

  /**
   * Records a session's end (the relay saw the exit, and the bridge's SessionEnded brings it again).
   * Returns the session when this call ended it, null when it had ended already or does not exist.
   */
  async markEnded(id: string, e: { exitCode: number | null; bytes?: number; at: string }): Promise<SessionRecord | null> {
    const r = await this.pool.query(
      `UPDATE terminal.sessions s SET status = 'closed', ended_at = COALESCE(s.ended_at, $2), exit_code = COALESCE($3, s.exit_code),
              bytes_out = GREATEST(s.bytes_out, COALESCE($4, 0))
         FROM (SELECT id, status AS was FROM terminal.sessions WHERE id = $1 FOR UPDATE) before
        WHERE s.id = before.id RETURNING s.*, before.was`,
      [id, e.at, e.exitCode, e.bytes ?? null]);
    return r.rows[0]?.was === 'active' ? toRecord(r.rows[0]) : null;
  }
}
