import type { AccessClaims, SessionRecord } from '@webxterm/contracts';
import { AppError, objectId } from '@webxterm/kit';
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

export class SessionService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly machines: MachinePort,
    private readonly agents: AgentSessionPort,
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
  async close(claims: AccessClaims, sessionId: string): Promise<void> {
    const s = /^[0-9a-f]{24}$/.test(sessionId) ? await this.repoOf(claims).get(sessionId) : null;
    if (!s || (s.tenant_id !== claims.tenant_id && claims.role !== 'super_admin')) throw SessionNotFound();
    if (s.user_id !== claims.user_id && claims.role === 'user') throw SessionNotFound();
    this.agents.close(sessionId);
    await this.repoOf(claims).markEnded(sessionId, { exitCode: null, at: new Date().toISOString() });
  }

  async get(claims: AccessClaims, sessionId: string): Promise<SessionRecord> {
    const s = /^[0-9a-f]{24}$/.test(sessionId) ? await this.repoOf(claims).get(sessionId) : null;
    if (!s || (s.tenant_id !== claims.tenant_id && claims.role !== 'super_admin')) throw SessionNotFound();
    if (s.user_id !== claims.user_id) await this.machines.check(claims, s.agent_id, 'sessions:watch');
    return s;
  }
}
