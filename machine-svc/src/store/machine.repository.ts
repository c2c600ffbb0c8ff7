import type { MachineInfo, MachineRole } from '@webxterm/contracts';
import { tenantScoped, type Pool, type Queryable } from '@webxterm/kit';
import { VIA_GROUP } from './group-access.repository';
import type { CommandLog, Grant, Machine } from '../domain/model';

const COLUMNS = `id, agent_id, tenant_id, name, created_by, created_at, registered_at, hostname, os, kernel, arch, ips,
  agent_version, linux_user, connected, last_seen_at`;

function toMachine(r: any): Machine {
  return {
    id: r.id, agentId: r.agent_id, tenantId: r.tenant_id, name: r.name, createdBy: r.created_by, createdAt: r.created_at,
    registeredAt: r.registered_at, connected: r.connected, lastSeenAt: r.last_seen_at,
    info: {
      hostname: r.hostname ?? undefined, os: r.os ?? undefined, kernel: r.kernel ?? undefined, arch: r.arch ?? undefined,
      ips: r.ips ?? [], agent_version: r.agent_version ?? undefined, linux_user: r.linux_user ?? undefined,
    },
  };
}

function toLog(r: any): CommandLog {
  return {
    id: r.id, agentId: r.agent_id, userId: r.user_id, username: r.username, command: r.command,
    output: r.output_bytes ? (r.output_bytes as Buffer).toString('utf8') : r.output,
    exitCode: r.exit_code, durationMs: r.duration_ms, timedOut: r.timed_out, truncated: r.truncated, createdAt: r.created_at,
    source: r.source, sessionId: r.session_id, cwd: r.cwd, seq: r.seq === null ? null : Number(r.seq), offsetMs: r.offset_ms === null ? null : Number(r.offset_ms),
  };
}

/** The SQL of machine-svc; everything lives in the `machines` schema. */
export class MachineRepository {
  constructor(private readonly root: Pool, private readonly pool: Queryable = root) {}

  /** The same queries, for a caller of `tenantId`: other organizations' rows do not exist for them (migration 0004). */
  scoped(tenantId: string): MachineRepository {
    return new MachineRepository(this.root, tenantScoped(this.root, 'machines_tenant', tenantId));
  }

  /** `linuxUser`: the one the registration command names, until the agent reports its own. */
  async create(m: {
    id: string; agentId: string; tenantId: string; name: string; createdBy: string; tokenHash: string | null; credentialHash: string | null; linuxUser?: string;
  }): Promise<Machine> {
    const r = await this.pool.query(
      `INSERT INTO machines.machines (id, agent_id, tenant_id, name, created_by, registration_token_hash, credential_hash, registered_at, linux_user)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::text IS NOT NULL THEN now() END, $8) RETURNING ${COLUMNS}`,
      [m.id, m.agentId, m.tenantId, m.name, m.createdBy, m.tokenHash, m.credentialHash, m.linuxUser ?? null]);
    return toMachine(r.rows[0]);
  }

  async byAgentId(agentId: string): Promise<Machine | null> {
    const r = await this.pool.query(`SELECT ${COLUMNS} FROM machines.machines WHERE agent_id = $1`, [agentId]);
    return r.rows[0] ? toMachine(r.rows[0]) : null;
  }

  async byId(id: string): Promise<Machine | null> {
    const r = await this.pool.query(`SELECT ${COLUMNS} FROM machines.machines WHERE id = $1`, [id]);
    return r.rows[0] ? toMachine(r.rows[0]) : null;
  }

  /** Machines of a tenant; with `grantedTo`, only those that user reaches by a grant or a group. */
  async list(tenantId: string, grantedTo?: string): Promise<Machine[]> {
    const r = grantedTo
      ? await this.pool.query(`SELECT ${COLUMNS} FROM machines.machines m WHERE tenant_id = $1
          AND (EXISTS (SELECT 1 FROM machines.access_grants g WHERE g.agent_id = m.agent_id AND g.user_id = $2) OR ${VIA_GROUP('m', '$2')})
          ORDER BY created_at DESC`, [tenantId, grantedTo])
      : await this.pool.query(`SELECT ${COLUMNS} FROM machines.machines WHERE tenant_id = $1 ORDER BY created_at DESC`, [tenantId]);
    return r.rows.map(toMachine);
  }

  /**
   * Registers the pending machine a registration token belongs to and stores its new credential. The
   * same token may register again for `graceSec` after the first time (an agent that died before
   * saving its configuration), which replaces the credential.
   */
  async register(tenantId: string, tokenHash: string, credentialHash: string, graceSec: number): Promise<Machine | null> {
    const r = await this.pool.query(
      `UPDATE machines.machines SET registered_at = COALESCE(registered_at, now()), credential_hash = $3
       WHERE tenant_id = $1 AND registration_token_hash = $2
         AND (registered_at IS NULL OR registered_at > now() - make_interval(secs => $4)) RETURNING ${COLUMNS}`,
      [tenantId, tokenHash, credentialHash, graceSec]);
    return r.rows[0] ? toMachine(r.rows[0]) : null;
  }

  /** The registered machine whose agent holds this credential, if it is `agentId`. */
  async byCredential(agentId: string, credentialHash: string): Promise<Machine | null> {
    const r = await this.pool.query(
      `SELECT ${COLUMNS} FROM machines.machines WHERE agent_id = $1 AND credential_hash = $2 AND registered_at IS NOT NULL`,
      [agentId, credentialHash]);
    return r.rows[0] ? toMachine(r.rows[0]) : null;
  }

  /** Gives a registered machine that predates credentials (none stored) its first one. */
  async issueCredential(agentId: string, credentialHash: string): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE machines.machines SET credential_hash = $2 WHERE agent_id = $1 AND credential_hash IS NULL AND registered_at IS NOT NULL',
      [agentId, credentialHash]);
    return r.rowCount! > 0;
  }

  async delete(agentId: string): Promise<void> {
    await this.pool.query('DELETE FROM machines.machines WHERE agent_id = $1', [agentId]);
  }

  async markOnline(e: { agentId: string; connectionId: string; bridgeId: string; at: string; info: MachineInfo }): Promise<void> {
    const i = e.info;
    await this.pool.query(
      `UPDATE machines.machines SET connected = true, connection_id = $2, bridge_id = $3, online_at = $4, last_seen_at = now(),
         hostname = $5, os = $6, kernel = $7, arch = $8, ips = $9, agent_version = $10, linux_user = $11
       WHERE agent_id = $1 AND (online_at IS NULL OR online_at <= $4)`,
      [e.agentId, e.connectionId, e.bridgeId, e.at, i.hostname, i.os, i.kernel, i.arch, JSON.stringify(i.ips), i.agent_version, i.linux_user]);
  }

  async markOffline(agentId: string, connectionId: string): Promise<void> {
    await this.pool.query('UPDATE machines.machines SET connected = false WHERE agent_id = $1 AND connection_id = $2', [agentId, connectionId]);
  }

  async markSeen(agentIds: string[]): Promise<void> {
    if (agentIds.length) await this.pool.query('UPDATE machines.machines SET last_seen_at = now() WHERE agent_id = ANY($1)', [agentIds]);
  }

  /** The user's role on the machine: their direct grant's, else operator through a group, else none. */
  async machineRole(agentId: string, userId: string): Promise<MachineRole | null> {
    const r = await this.pool.query(
      `SELECT (SELECT g.role FROM machines.access_grants g WHERE g.agent_id = m.agent_id AND g.user_id = $2) AS direct,
              ${VIA_GROUP('m', '$2')} AS via_group
         FROM machines.machines m WHERE m.agent_id = $1`, [agentId, userId]);
    const row = r.rows[0];
    if (!row) return null;
    return row.direct ?? (row.via_group ? 'operator' : null);
  }

  async grants(agentId: string): Promise<Grant[]> {
    const r = await this.pool.query('SELECT * FROM machines.access_grants WHERE agent_id = $1 ORDER BY granted_at', [agentId]);
    return r.rows.map((g) => ({ userId: g.user_id, username: g.username, role: g.role, grantedBy: g.granted_by, grantedAt: g.granted_at }));
  }

  async grant(agentId: string, userId: string, username: string | null, by: string, role: MachineRole): Promise<void> {
    await this.pool.query(
      `INSERT INTO machines.access_grants (agent_id, user_id, username, granted_by, role) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agent_id, user_id) DO UPDATE SET username = COALESCE(EXCLUDED.username, machines.access_grants.username), role = EXCLUDED.role`,
      [agentId, userId, username, by, role]);
  }

  async revoke(agentId: string, userId: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM machines.access_grants WHERE agent_id = $1 AND user_id = $2', [agentId, userId]);
    return r.rowCount! > 0;
  }

  async addLog(l: CommandLog & { tenantId: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, output_bytes, exit_code, duration_ms, timed_out, truncated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      // The text copy is for search only: a text column refuses NUL (migration 0006).
      [l.id, l.agentId, l.tenantId, l.userId, l.username, l.command, l.output.replace(/\u0000/g, '\uFFFD'), Buffer.from(l.output, 'utf8'),
        l.exitCode, l.durationMs, l.timedOut, l.truncated]);
  }

  /** A command typed in a terminal; the same report twice (an agent's replay) is stored once. */
  async addTerminalCommand(c: {
    id: string; agentId: string; tenantId: string; userId: string; username: string; sessionId: string; command: string; cwd: string;
    exitCode: number; seq: number; startedAt: string; endedAt: string; offsetMs: number;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, exit_code, duration_ms, source,
         session_id, cwd, seq, offset_ms, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, '', $7, GREATEST(0, (extract(epoch FROM $9::timestamptz - $8::timestamptz) * 1000)::int), 'terminal',
         $10, $11, $12, $13, $8)
       ON CONFLICT (id) DO NOTHING`,
      [c.id, c.agentId, c.tenantId, c.userId, c.username, c.command.replace(/\u0000/g, '\uFFFD'), c.exitCode, c.startedAt, c.endedAt,
        c.sessionId, c.cwd.replace(/\u0000/g, '\uFFFD'), c.seq, c.offsetMs]);
  }

  /** The commands of one session, in the order they ran. */
  async sessionCommands(sessionId: string): Promise<CommandLog[]> {
    const r = await this.pool.query(
      "SELECT * FROM machines.command_logs WHERE session_id = $1 AND source = 'terminal' ORDER BY created_at, seq LIMIT 10000", [sessionId]);
    return r.rows.map(toLog);
  }

  /**
   * A page of a machine's command log, newest first; `query` is full-text (websearch syntax),
   * searched by the functions of migrations 0011–0012 so that the full-text index serves it in scope.
   */
  async logs(agentId: string, page: { limit: number; offset: number; query?: string }): Promise<{ total: number; items: CommandLog[] }> {
    if (page.query) {
      const total = Number((await this.pool.query('SELECT machines.count_logs_matching($1, $2) AS count', [agentId, page.query])).rows[0].count);
      const r = await this.pool.query('SELECT * FROM machines.search_logs($1, $2, $3, $4)', [agentId, page.query, page.limit, page.offset]);
      return { total, items: r.rows.map(toLog) };
    }
    const total = Number((await this.pool.query('SELECT count(*) FROM machines.command_logs WHERE agent_id = $1', [agentId])).rows[0].count);
    const r = await this.pool.query(
      'SELECT * FROM machines.command_logs WHERE agent_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3', [agentId, page.limit, page.offset]);
    return { total, items: r.rows.map(toLog) };
  }
}
