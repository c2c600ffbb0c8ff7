import type { AccessClaims, SessionRecord } from '@webxterm/contracts';
import { AppError, type AuditSink, objectId } from '@webxterm/kit';
import type { SessionRepository } from '../store/session.repository';

/** What the sessions need from outside: machine access (machine-svc) and the agent (agent-bridge). */
export interface MachinePort {
  check(claims: AccessClaims, agentId: string, permission: 'terminal:open' | 'sessions:watch'): Promise<{ machine_id: string; linux_user: string | null }>;
}
export interface AgentSessionPort {
  open(agentId: string, sessionId: string, cols: number, rows: number): Promise<void>;
  close(sessionId: string): void;
}

export const SessionNotFound = () => new AppError('not_found', 'session.not_found', 'Session not found');

export const TooManySessions = (who: 'user' | 'machine', max: number) => new AppError('rate_limited', 'session.too_many',
  `${who === 'user' ? 'You already have' : 'This machine already has'} ${max} open terminals; close one first`);

/** Open (not yet ended) sessions one person, and one machine, may have. */
export interface SessionLimits { perUser: number; perMachine: number }

/** How a session ended: its shell exited, someone ended it (End, or a closed tab), or its agent came back without it. */
export type SessionEnd = 'exited' | 'ended' | 'lost';

/** The audit event `terminal.end`: the actor is whoever ended it, else the session's owner. */
export function sessionEndAudit(s: SessionRecord, how: SessionEnd, by?: { claims: AccessClaims; clientIp: string | null }) {
  return {
    action: 'terminal.end', result: 'success' as const, tenant_id: s.tenant_id,
    actor: by
      ? { user_id: by.claims.user_id, username: by.claims.username, email: by.claims.email, role: by.claims.role }
      : { user_id: s.user_id, username: s.username, role: null },
    client_ip: by?.clientIp ?? null, resource: s.id,
    details: {
      agent_id: s.agent_id, linux_user: s.linux_user, how, exit_code: s.exit_code, bytes: s.bytes_out, owner_id: s.user_id,
      duration_ms: s.ended_at ? Date.parse(s.ended_at) - Date.parse(s.started_at) : null,
    },
  };
}

export class SessionService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly machines: MachinePort,
    private readonly agents: AgentSessionPort,
    private readonly audit: AuditSink,
    private readonly limits: SessionLimits = { perUser: 20, perMachine: 100 },
  ) {}

  /** The records as `claims` sees them: row-level security limits them to their organization. */
  private repoOf(claims: AccessClaims): SessionRepository {
    return claims.role === 'super_admin' ? this.repo : this.repo.scoped(claims.tenant_id);
  }

  /** A new PTY on the machine, recorded before it opens; `beforeAgentOpens` runs with its id just before the agent is asked. */
  async open(claims: AccessClaims, agentId: string, cols: number, rows: number, beforeAgentOpens: (sessionId: string) => void = () => undefined): Promise<SessionRecord> {
    const m = await this.machines.check(claims, agentId, 'terminal:open');
    const id = objectId();
    const repo = this.repoOf(claims);
    const open = await repo.countActive(claims.user_id, agentId);
    if (open.ofUser >= this.limits.perUser) throw TooManySessions('user', this.limits.perUser);
    if (open.ofMachine >= this.limits.perMachine) throw TooManySessions('machine', this.limits.perMachine);
    await repo.create({
      id, agent_id: agentId, machine_id: m.machine_id, tenant_id: claims.tenant_id, user_id: claims.user_id, username: claims.username,
      linux_user: m.linux_user, cols, rows,
    });
    try {
      beforeAgentOpens(id);
      await this.agents.open(agentId, id, cols, rows);
    } catch (e) {
      await repo.markEnded(id, { exitCode: null, at: new Date().toISOString() });
      throw e;
    }
    return (await repo.get(id))!;
  }

  /**
   * An existing session on this machine: its owner may resume it; anyone allowed to watch the
   * machine may join read-only. Another tenant's session does not exist.
   */
  async attach(claims: AccessClaims, agentId: string, sessionId: string, view: boolean): Promise<SessionRecord> {
    const s = /^[0-9a-f]{24}$/.test(sessionId) ? await this.repoOf(claims).get(sessionId) : null;
    if (!s || s.agent_id !== agentId || (s.tenant_id !== claims.tenant_id && claims.role !== 'super_admin')) throw SessionNotFound();
    if (!view && s.user_id !== claims.user_id) throw new AppError('forbidden', 'session.not_owner', 'Only the owner may type in this session; join with mode=view');
    await this.machines.check(claims, agentId, s.user_id === claims.user_id ? 'terminal:open' : 'sessions:watch');
    return s;
  }

  async listActive(claims: AccessClaims): Promise<SessionRecord[]> {
    const repo = this.repoOf(claims);
    return claims.role === 'user' ? repo.listActive(claims.tenant_id, claims.user_id) : repo.listActive(claims.tenant_id);
  }

  /** Closes the PTY wherever it runs; the record is closed now, the exit code arrives with the agent's exit. */
  async close(claims: AccessClaims, sessionId: string, clientIp: string | null): Promise<void> {
    const s = /^[0-9a-f]{24}$/.test(sessionId) ? await this.repoOf(claims).get(sessionId) : null;
    if (!s || (s.tenant_id !== claims.tenant_id && claims.role !== 'super_admin')) throw SessionNotFound();
    if (s.user_id !== claims.user_id && claims.role === 'user') throw SessionNotFound();
    this.agents.close(sessionId);
    const ended = await this.repoOf(claims).markEnded(sessionId, { exitCode: null, at: new Date().toISOString() });
    if (ended) this.audit.record(sessionEndAudit(ended, 'ended', { claims, clientIp }));
  }

  /** The shell exited (seen by a relay, or reported by the bridge): recorded, and audited once. */
  async exited(sessionId: string, e: { exitCode: number; bytes: number; at: string }): Promise<void> {
    const ended = await this.repo.markEnded(sessionId, e);
    if (ended) this.audit.record(sessionEndAudit(ended, 'exited'));
  }

  /** The agent connected holding only `live`: its other sessions opened before then are gone with its shells. */
  async lost(agentId: string, live: readonly string[], at: string): Promise<void> {
    for (const s of await this.repo.closeLost(agentId, live, at)) this.audit.record(sessionEndAudit(s, 'lost'));
  }

  /** Its bridge reported the agent's connection opened or ended at `at`. */
  agentSeen(agentId: string, state: 'online' | 'offline', at: string, connectionId: string): Promise<void> {
    return this.repo.agentSeen(agentId, state, at, connectionId);
  }

  /** Sessions of agents offline since before `before` and not back: gone with them (the machine was switched off, or removed). */
  async abandoned(before: Date): Promise<void> {
    for (const s of await this.repo.closeAbandoned(before.toISOString())) this.audit.record(sessionEndAudit(s, 'lost'));
  }

  async get(claims: AccessClaims, sessionId: string): Promise<SessionRecord> {
    const s = /^[0-9a-f]{24}$/.test(sessionId) ? await this.repoOf(claims).get(sessionId) : null;
    if (!s || (s.tenant_id !== claims.tenant_id && claims.role !== 'super_admin')) throw SessionNotFound();
    if (s.user_id !== claims.user_id) await this.machines.check(claims, s.agent_id, 'sessions:watch');
    return s;
  }
}
