import { tenantScoped, type Pool, type Queryable } from '@webxterm/kit';

/** Which machines a dashboard counts: the organization's, or those one `user` reaches by grant or group. */
export interface Visibility { tenantId: string; grantedTo?: string }

/**
 * The agent ids user `$2` of organization `$1` reaches, found from their own grants and groups (a
 * few index lookups), never by testing each of the organization's machines. A group names its
 * machines by agent id or by ObjectID: the names are taken as agent ids as they are (an ObjectID
 * matches none), and the ObjectIDs are looked up.
 */
const REACHABLE = `
  SELECT g.agent_id FROM machines.access_grants g WHERE g.user_id = $2
  UNION
  SELECT gx.machine_ref FROM machines.group_members gm JOIN machines.group_machines gx ON gx.group_id = gm.group_id
   WHERE gm.user_id = $2 AND gm.tenant_id = $1
  UNION
  SELECT m.agent_id FROM machines.group_members gm JOIN machines.group_machines gx ON gx.group_id = gm.group_id
    JOIN machines.machines m ON m.id = gx.machine_ref WHERE gm.user_id = $2 AND gm.tenant_id = $1`;

const visibleMachines = (v: Visibility, m = 'm') => v.grantedTo
  ? `${m}.tenant_id = $1 AND ${m}.agent_id IN (${REACHABLE})`
  : `${m}.tenant_id = $1`;
const params = (v: Visibility, ...rest: unknown[]) => (v.grantedTo ? [v.tenantId, v.grantedTo, ...rest] : [v.tenantId, ...rest]);
const next = (v: Visibility) => (v.grantedTo ? 3 : 2);

export interface RecentActivity {
  id: string; agentId: string; machineName: string; userId: string; username: string; command: string;
  exitCode: number | null; durationMs: number; createdAt: Date; source: 'api' | 'terminal'; sessionId: string | null;
}

/** The dashboard's SQL; every query runs scoped to the caller's organization (row-level security). */
export class DashboardRepository {
  constructor(private readonly root: Pool) {}

  private pool(tenantId: string): Queryable { return tenantScoped(this.root, 'machines_tenant', tenantId); }

  async machineCounts(v: Visibility, offlineAfterMs: number): Promise<{ total: number; online: number; offline: number; pending: number; agentIds: string[] | null }> {
    const n = next(v);
    const r = await this.pool(v.tenantId).query(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE registered_at IS NULL) AS pending,
              count(*) FILTER (WHERE registered_at IS NOT NULL AND connected AND last_seen_at > now() - make_interval(secs => $${n})) AS online
              ${v.grantedTo ? ', array_agg(agent_id) AS agent_ids' : ''}
         FROM machines.machines m WHERE ${visibleMachines(v)}`, params(v, offlineAfterMs / 1000));
    const row = r.rows[0];
    const [total, pending, online] = [Number(row.total), Number(row.pending), Number(row.online)];
    return { total, pending, online, offline: total - pending - online, agentIds: v.grantedTo ? (row.agent_ids ?? []) : null };
  }

  /**
   * An organization's from its hourly counts (migration 0009: whole hours, so "24 h" reaches back to
   * the start of the hour 24 h ago); a `user`'s from the logs of the machines they see (`visibleAgentIds`).
   */
  async commandCounts(v: Visibility, visibleAgentIds: string[] | null): Promise<{ last24h: number; last7d: number }> {
    const r = v.grantedTo
      ? await this.pool(v.tenantId).query(
        `SELECT count(*) FILTER (WHERE created_at > now() - interval '24 hours') AS day, count(*) AS week
           FROM machines.command_logs WHERE tenant_id = $1 AND agent_id = ANY($2) AND created_at > now() - interval '7 days'`,
        [v.tenantId, visibleAgentIds ?? []])
      : await this.pool(v.tenantId).query(
        `SELECT COALESCE(sum(n) FILTER (WHERE hour > date_trunc('hour', now() - interval '24 hours')), 0) AS day, COALESCE(sum(n), 0) AS week
           FROM machines.command_counts WHERE tenant_id = $1 AND hour > date_trunc('hour', now() - interval '7 days')`, [v.tenantId]);
    return { last24h: Number(r.rows[0].day), last7d: Number(r.rows[0].week) };
  }

  /** Agent ids of the last `limit` machines seen. */
  async recentMachines(v: Visibility, limit: number): Promise<string[]> {
    const r = await this.pool(v.tenantId).query(
      `SELECT agent_id FROM machines.machines m WHERE ${visibleMachines(v)} AND last_seen_at IS NOT NULL
        ORDER BY last_seen_at DESC LIMIT $${next(v)}`, params(v, limit));
    return r.rows.map((x) => x.agent_id);
  }

  async recentActivity(v: Visibility, limit: number): Promise<RecentActivity[]> {
    const columns = 'l.id, l.agent_id, m.name AS machine_name, l.user_id, l.username, l.command, l.exit_code, l.duration_ms, l.created_at, l.source, l.session_id';
    // A user's: the newest few of each machine they reach (an index range each), then the newest of those.
    const r = await this.pool(v.tenantId).query(v.grantedTo
      ? `SELECT ${columns} FROM machines.machines m
           CROSS JOIN LATERAL (SELECT * FROM machines.command_logs l WHERE l.agent_id = m.agent_id AND l.tenant_id = $1
                                ORDER BY l.created_at DESC LIMIT $3) l
          WHERE ${visibleMachines(v)}
          ORDER BY l.created_at DESC LIMIT $3`
      : `SELECT ${columns} FROM machines.command_logs l JOIN machines.machines m ON m.agent_id = l.agent_id
          WHERE l.tenant_id = $1 AND ${visibleMachines(v)}
          ORDER BY l.created_at DESC LIMIT $2`, params(v, limit));
    return r.rows.map((x) => ({
      id: x.id, agentId: x.agent_id, machineName: x.machine_name, userId: x.user_id, username: x.username, command: x.command,
      exitCode: x.exit_code, durationMs: x.duration_ms, createdAt: x.created_at, source: x.source, sessionId: x.session_id,
    }));
  }
}
