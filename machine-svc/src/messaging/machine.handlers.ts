import {
  AgentConnected, AgentDisconnected, AgentsSeen, AuthenticateAgent, CheckMachineAccess, CountActiveSessions, DisconnectAgent, ExecCommand, forAgent,
  GetSession, ListMachineSessions, ListSessionCommands, MACHINE_STREAM, OrganizationCounts, TerminalCommand, UserInOrganization,
} from '@webxterm/contracts';
import { type Bus, type Logger, on } from '@webxterm/kit';
import type { MachineRepository } from '../store/machine.repository';
import type { DashboardPorts } from '../domain/dashboard.service';
import type { AgentPort, MachineService, PeoplePort, SessionPort } from '../domain/machine.service';

const QUEUE = 'machine-svc';

/** RPCs machine-svc answers: agent admission (for agent-bridge) and machine access (for terminal-svc). */
export function serveMachineRpc(bus: Bus, machines: MachineService) {
  const q = { queue: QUEUE };
  const subs = [
    bus.serve(AuthenticateAgent, q, async (r) => {
      const { machine: m, credential } = await machines.authenticateAgent(r);
      return { machine_id: m.id, agent_id: m.agentId, tenant_id: m.tenantId, name: m.name, credential };
    }),
    bus.serve(ListSessionCommands, q, async (r) => ({
      commands: (await machines.commandsOfSession(r.tenant_id, r.session_id)).map((c) => ({ command: c.command, seq: c.seq ?? 0, offset_ms: c.offsetMs ?? 0 })),
    })),
    bus.serve(CheckMachineAccess, q, async (r) => {
      const action = r.permission === 'terminal:open' ? 'terminal' : r.permission === 'commands:run' ? 'command'
        : r.permission === 'sessions:watch' ? 'watch' : 'read';
      const m = await machines.authorize(r.actor, r.agent_id, action);
      return {
        machine_id: m.id, agent_id: m.agentId, tenant_id: m.tenantId, name: m.name, status: machines.status(m), linux_user: m.info.linux_user ?? null,
      };
    }),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}

/**
 * Online/offline events from the bridges (durable consumer shared by the replicas) and the bridges'
 * periodic "seen" lists (core NATS, one replica each through the queue group).
 */
export async function consumeMachineEvents(bus: Bus, repo: MachineRepository, machines: MachineService, log: Logger) {
  const events = await bus.consumeDurable(MACHINE_STREAM, QUEUE, [
    on(AgentConnected, (e) => repo.markOnline({ agentId: e.agent_id, connectionId: e.connection_id, bridgeId: e.bridge_id, at: e.at, info: e.info })),
    on(AgentDisconnected, (e) => repo.markOffline(e.agent_id, e.connection_id)),
    on(TerminalCommand, (e) => machines.recordTerminalCommand(e)),
  ], { deliver: 'new' });
  const seen = bus.subscribe(AgentsSeen, { queue: QUEUE }, (e) =>
    repo.markSeen(e.agent_ids).catch((err: Error) => log.warn({ err: err.message }, 'seen update failed')));
  return { stop: () => { events.stop(); seen.stop(); } };
}

export function natsAgentPort(bus: Bus): AgentPort {
  return {
    exec: (agentId, command, timeoutMs, maxOutput) => bus.request(forAgent(ExecCommand, agentId),
      { command, timeout_ms: timeoutMs, max_output_bytes: maxOutput }, { timeoutMs: timeoutMs + 5000 }),
    disconnect: async (agentId, reason) => { await bus.request(forAgent(DisconnectAgent, agentId), { reason, forget: true }); },
  };
}

export function natsSessionPort(bus: Bus): SessionPort {
  return {
    list: async (tenantId, agentId, activeOnly) => (await bus.request(ListMachineSessions, { tenant_id: tenantId, agent_id: agentId, active_only: activeOnly })).sessions,
    get: async (tenantId, sessionId) => (await bus.request(GetSession, { tenant_id: tenantId, session_id: sessionId })).session,
  };
}

export function natsPeoplePort(bus: Bus): PeoplePort {
  return {
    member: async (tenantId, userId) => {
      const r = await bus.request(UserInOrganization, { tenant_id: tenantId, user_id: userId });
      return r.member ? { username: r.username } : null;
    },
  };
}

export function natsDashboardPorts(bus: Bus): DashboardPorts {
  return {
    organizationCounts: (tenantId) => bus.request(OrganizationCounts, { tenant_id: tenantId }),
    activeSessions: async (tenantId, agentIds) => (await bus.request(CountActiveSessions, { tenant_id: tenantId, agent_ids: agentIds })).active,
  };
}
