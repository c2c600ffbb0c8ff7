import { createHash, randomBytes } from 'node:crypto';
import { decide, type Actor, type SessionRecord } from '@webxterm/contracts';
import { AppError, objectId } from '@webxterm/kit';
import type { MachineRepository } from '../store/machine.repository';
import type { MachineRole } from '@webxterm/contracts';
import { MachineAction, machineAccess } from './access';
import {
  CommandTimedOut, CredentialRequired, InvalidCredential, InvalidRegistration, MachineForbidden, MachineNotFound, MachinePending, RegistrationForbidden, RegistrationRequired, UserNotFound,
} from './machine.errors';
import { CommandLog, Machine, machineStatus } from './model';

/** What the domain needs from the agents (agent-bridge over NATS in production). */
export interface AgentPort {
  exec(agentId: string, command: string, timeoutMs: number, maxOutput: number): Promise<{
    exit_code: number; output: string; duration_ms: number; timed_out: boolean; truncated: boolean;
  }>;
  disconnect(agentId: string, reason: string): Promise<void>;
}

/** Session records live in terminal-svc. */
export interface SessionPort {
  list(tenantId: string, agentId: string, activeOnly: boolean): Promise<SessionRecord[]>;
  get(tenantId: string, sessionId: string): Promise<SessionRecord | null>;
}

/** People live in auth-svc: whether an id is one of the organization's, and the name it shows. */
export interface PeoplePort {
  member(tenantId: string, userId: string): Promise<{ username: string } | null>;
}

export interface MachineSettings {
  publicUrl: string; registrationGraceSec: number; offlineAfterMs: number; commandTimeoutMs: number; commandMaxTimeoutMs: number; maxOutput: number }

export const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

export class MachineService {
  constructor(
    private readonly repo: MachineRepository,
    private readonly agents: AgentPort,
    private readonly sessions: SessionPort,
    private readonly people: PeoplePort,
    private readonly s: MachineSettings,
    /** Told whenever someone may have lost access, so open terminals are re-checked at once. */
    private readonly accessChanged: (tenantId: string, userIds: string[]) => void = () => undefined,
  ) {}

  status(m: Machine) { return machineStatus(m, Date.now(), this.s.offlineAfterMs); }

  /** The repository as `actor` sees it: row-level security limits it to their organization. */
  private repoOf(actor: Actor): MachineRepository {
    return actor.role === 'super_admin' ? this.repo : this.repo.scoped(actor.tenant_id);
  }

  /** A machine the actor may `action`, by agent id; 404 when it is not theirs to see. */
  async authorize(actor: Actor, agentId: string, action: MachineAction): Promise<Machine> {
    const m = await this.repoOf(actor).byAgentId(agentId);
    return this.check(actor, m, action);
  }

  async authorizeById(actor: Actor, id: string, action: MachineAction): Promise<Machine> {
    return this.check(actor, await this.repoOf(actor).byId(id), action);
  }

  private async check(actor: Actor, m: Machine | null, action: MachineAction): Promise<Machine> {
    if (!m) throw MachineNotFound();
    const role = actor.role === 'user' && m.tenantId === actor.tenant_id ? await this.repoOf(actor).machineRole(m.agentId, actor.user_id) : null;
    const d = machineAccess(actor, m, action, role);
    if (d === 'not_found') throw MachineNotFound();
    if (d === 'forbidden') throw MachineForbidden();
    return m;
  }

  async create(actor: Actor, name: string | undefined, linuxUser: string) {
    if (decide(actor, 'machines:manage', actor.tenant_id) !== 'allow') throw MachineForbidden();
    const token = `vrt_${randomBytes(24).toString('hex')}`;
    const agentId = `ag_${randomBytes(10).toString('hex')}`;
    const m = await this.repoOf(actor).create({
      id: objectId(), agentId, tenantId: actor.tenant_id, name: name ?? agentId, createdBy: actor.user_id, tokenHash: hashToken(token), credentialHash: null, linuxUser,
    });
    const command = `sudo vsay-agent configure --token YOUR_API_KEY --host ${this.s.publicUrl} --linux-user ${linuxUser} --registration-token ${token}`;
    return { machine: m, registrationToken: token, command };
  }

  list(actor: Actor): Promise<Machine[]> {
    const repo = this.repoOf(actor);
    return actor.role === 'user' ? repo.list(actor.tenant_id, actor.user_id) : repo.list(actor.tenant_id);
  }

  async remove(actor: Actor, agentId: string): Promise<void> {
    const m = await this.authorize(actor, agentId, 'manage');
    await this.repoOf(actor).delete(m.agentId);
    await this.agents.disconnect(m.agentId, 'machine deleted').catch(() => undefined);
  }

  /** An organization was deleted: its machines go too, and their agents are told to stop. */
  async removeTenant(tenantId: string): Promise<number> {
    const all = await this.repo.list(tenantId);
    for (const m of all) {
      await this.repo.delete(m.agentId);
      await this.agents.disconnect(m.agentId, 'organization deleted').catch(() => undefined);
    }
    return all.length;
  }

  async runCommand(actor: Actor & { username: string }, agentId: string, command: string, timeoutMs?: number) {
    const m = await this.authorize(actor, agentId, 'command');
    const st = this.status(m);
    if (st === 'pending') throw MachinePending();
    const timeout = Math.min(timeoutMs ?? this.s.commandTimeoutMs, this.s.commandMaxTimeoutMs);
    // An agent that is not connected fails with `machine.offline` (the contract's "no responders").
    const r = await this.agents.exec(m.agentId, command, timeout, this.s.maxOutput);
    const log: CommandLog = {
      id: objectId(), agentId: m.agentId, userId: actor.user_id, username: actor.username, command, output: r.output,
      exitCode: r.timed_out ? null : r.exit_code, durationMs: r.duration_ms, timedOut: r.timed_out, truncated: r.truncated, createdAt: new Date(),
    };
    await this.repoOf(actor).addLog({ ...log, tenantId: m.tenantId });
    if (r.timed_out) throw CommandTimedOut();
    return log;
  }

  async logs(actor: Actor, agentId: string, page: { limit: number; offset: number; query?: string }) {
    const m = await this.authorize(actor, agentId, 'read');
    return this.repoOf(actor).logs(m.agentId, page);
  }

  async sessionsOf(actor: Actor, agentId: string, activeOnly: boolean) {
    const m = await this.authorize(actor, agentId, 'read');
    return this.sessions.list(m.tenantId, m.agentId, activeOnly);
  }

  /** One session, if the actor may see the machine it ran on (or it was theirs). */
  async session(actor: Actor, sessionId: string) {
    const s = await this.sessions.get(actor.tenant_id, sessionId);
    if (!s) throw new AppError('not_found', 'session.not_found', 'Session not found');
    if (s.user_id !== actor.user_id) await this.authorize(actor, s.agent_id, 'watch');
    return s;
  }

  /** One session with the commands typed in it (the shell integration's), for whoever may see the session. */
  async sessionWithCommands(actor: Actor, sessionId: string) {
    const session = await this.session(actor, sessionId);
    return { session, commands: await this.repoOf(actor).sessionCommands(session.id) };
  }

  /** The commands of a session of `tenantId` (for the recording's markers; terminal-svc has checked the caller). */
  commandsOfSession(tenantId: string, sessionId: string) {
    return this.repo.scoped(tenantId).sessionCommands(sessionId);
  }

  /** A command the agent's shell integration reported: logged for the session's owner, at its place in the recording. */
  async recordTerminalCommand(e: {
    agent_id: string; tenant_id: string; session_id: string; command: string; cwd: string; exit_code: number; seq: number; started_at: string; ended_at: string;
  }): Promise<void> {
    const s = await this.sessions.get(e.tenant_id, e.session_id);
    if (!s || s.agent_id !== e.agent_id) return; // not a session of this machine: nothing to log
    await this.repo.addTerminalCommand({
      id: createHash('sha256').update(`${e.session_id}:${e.seq}:${e.started_at}`).digest('hex').slice(0, 24),
      agentId: e.agent_id, tenantId: e.tenant_id, userId: s.user_id, username: s.username, sessionId: e.session_id, command: e.command,
      cwd: e.cwd, exitCode: e.exit_code, seq: e.seq, startedAt: e.started_at, endedAt: e.ended_at,
      offsetMs: Math.max(0, Date.parse(e.started_at) - Date.parse(s.started_at)),
    });
  }

  async accessUsers(actor: Actor, agentId: string) {
    const m = await this.authorize(actor, agentId, 'manage');
    return this.repoOf(actor).grants(m.agentId);
  }

  /** Only to a member of the machine's organization (an invitation counts); any other id is refused and nothing is stored. */
  async grant(actor: Actor, agentId: string, userId: string, role: MachineRole = 'operator') {
    const m = await this.authorize(actor, agentId, 'manage');
    const member = await this.people.member(m.tenantId, userId);
    if (!member) throw UserNotFound();
    await this.repoOf(actor).grant(m.agentId, userId, member.username, actor.user_id, role);
    this.accessChanged(m.tenantId, [userId]);
  }

  async revoke(actor: Actor, agentId: string, userId: string): Promise<boolean> {
    const m = await this.authorize(actor, agentId, 'manage');
    const removed = await this.repoOf(actor).revoke(m.agentId, userId);
    if (removed) this.accessChanged(m.tenantId, [userId]);
    return removed;
  }

  /**
   * May an agent connect as `agentId`? With its machine's credential, yes. Otherwise an API key's
   * owner registers: the pending machine of a registration token (in the key's organization), or a
   * new machine under a fresh id, which needs the right of `POST /api/machines`. A registered machine
   * is never taken over with an API key; one that predates credentials gets its first from an owner
   * who may manage machines.
   */
  async authenticateAgent(r: {
    agent_id: string; credential?: string; owner?: { tenant_id: string; user_id: string; role: Actor['role'] }; registration_token?: string;
  }): Promise<{ machine: Machine; credential?: string }> {
    if (r.credential) {
      const m = await this.repo.byCredential(r.agent_id, hashToken(r.credential));
      if (!m) throw InvalidCredential();
      return { machine: m };
    }
    if (!r.owner) throw InvalidCredential();
    const owner = r.owner;
    const credential = newCredential();
    if (r.registration_token) {
      const m = await this.repo.register(owner.tenant_id, hashToken(r.registration_token), hashToken(credential), this.s.registrationGraceSec);
      if (!m) throw InvalidRegistration();
      return { machine: m, credential };
    }
    if (decide(owner, 'machines:manage', owner.tenant_id) !== 'allow') throw RegistrationForbidden();
    const known = await this.repo.byAgentId(r.agent_id);
    if (!known) {
      const m = await this.repo.create({
        id: objectId(), agentId: r.agent_id, tenantId: owner.tenant_id, name: r.agent_id, createdBy: owner.user_id,
        tokenHash: null, credentialHash: hashToken(credential),
      });
      return { machine: m, credential };
    }
    if (known.tenantId !== owner.tenant_id) throw new AppError('not_found', 'agent.unknown', 'Unknown machine');
    if (!known.registeredAt) throw RegistrationRequired();
    if (!(await this.repo.issueCredential(known.agentId, hashToken(credential)))) throw CredentialRequired();
    return { machine: known, credential };
  }
}

const newCredential = () => `vmc_${randomBytes(24).toString('hex')}`;
