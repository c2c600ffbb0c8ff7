import { tenantScoped, type Pool, type Queryable } from '@webxterm/kit';

/** Recording retention per organization, and the ended sessions whose recording it has expired (schema `terminal`). */
export class RecordingPolicyRepository {
  constructor(private readonly root: Pool, private readonly pool: Queryable = root) {}

  scoped(tenantId: string): RecordingPolicyRepository {
    return new RecordingPolicyRepository(this.root, tenantScoped(this.root, 'terminal_tenant', tenantId));
  }

  async get(tenantId: string): Promise<{ retention_days: number; updated_at: string } | null> {
    const r = await this.pool.query('SELECT retention_days, updated_at FROM terminal.recording_policies WHERE tenant_id = $1', [tenantId]);
    return r.rows[0] ? { retention_days: r.rows[0].retention_days, updated_at: r.rows[0].updated_at.toISOString() } : null;
  }

  async set(tenantId: string, days: number, by: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO terminal.recording_policies (tenant_id, retention_days, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET retention_days = EXCLUDED.retention_days, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [tenantId, days, by]);
  }

  /** Ended sessions, of organizations with a policy, whose recording is older than it allows (all organizations: the sweeper's query). */
  async expired(limit: number): Promise<string[]> {
    const r = await this.root.query(
      `SELECT s.id FROM terminal.sessions s JOIN terminal.recording_policies p USING (tenant_id)
        WHERE s.recording_deleted_at IS NULL AND s.ended_at < now() - make_interval(days => p.retention_days)
        ORDER BY s.ended_at LIMIT $1`, [limit]);
    return r.rows.map((row) => row.id);
  }

  async markDeleted(sessionIds: string[]): Promise<void> {
    await this.root.query('UPDATE terminal.sessions SET recording_deleted_at = now() WHERE id = ANY($1)', [sessionIds]);
  }

  async isDeleted(sessionId: string): Promise<boolean> {
    const r = await this.pool.query('SELECT recording_deleted_at IS NOT NULL AS deleted FROM terminal.sessions WHERE id = $1', [sessionId]);
    return Boolean(r.rows[0]?.deleted);
  }
}
