import type { CommandLog, Grant, Machine, MachineStatus } from '../domain/model';

export function presentMachine(m: Machine, status: MachineStatus) {
  return {
    id: m.id, machine_id: m.id, agent_id: m.agentId, name: m.name, status, tenant_id: m.tenantId,
    hostname: m.info.hostname ?? null, os: m.info.os ?? null, kernel: m.info.kernel ?? null, arch: m.info.arch ?? null,
    ip_addresses: m.info.ips ?? [], agent_version: m.info.agent_version ?? null, linux_user: m.info.linux_user ?? null,
    created_by: m.createdBy, created_at: m.createdAt.toISOString(), registered_at: m.registeredAt?.toISOString() ?? null,
    last_seen: m.lastSeenAt?.toISOString() ?? null,
  };
}

export function presentLog(l: CommandLog) {
  return {
    id: l.id, agent_id: l.agentId, user_id: l.userId, username: l.username, command: l.command, output: l.output,
    exit_code: l.exitCode, duration_ms: l.durationMs, timed_out: l.timedOut, truncated: l.truncated, created_at: l.createdAt.toISOString(),
    source: l.source ?? 'api', session_id: l.sessionId ?? null, cwd: l.cwd ?? null, seq: l.seq ?? null, offset_ms: l.offsetMs ?? null,
  };
}

export function presentGrant(g: Grant) {
  return { user_id: g.userId, username: g.username, role: g.role, granted_by: g.grantedBy, granted_at: g.grantedAt.toISOString() };
}
