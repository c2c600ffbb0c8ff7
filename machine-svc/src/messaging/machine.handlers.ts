import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  AgentsSeen, AuthenticateAgent, CheckMachineAccess, CountActiveSessions, OrganizationCounts, DisconnectAgent, ExecCommand, forAgent, GetSession, ListMachineSessions,
  ListSessionCommands, MACHINE_STREAM, MachineOffline, MachineOnline, TerminalCommand, UserInOrganization,
} from '@webxterm/contracts';
import { callRpc, jetstream, NatsConnection, serveRpc, type Logger } from '@webxterm/kit';
import type { MachineRepository } from '../store/machine.repository';
import type { DashboardPorts } from '../domain/dashboard.service';
import type { AgentPort, MachineService, PeoplePort, SessionPort } from '../domain/machine.service';

const QUEUE = 'machine-svc';

/** RPCs machine-svc answers: agent admission (for agent-bridge) and machine access (for terminal-svc). */
export function serveMachineRpc(nc: NatsConnection, machines: MachineService, log: Logger) {
  const subs = [
    serveRpc(nc, AuthenticateAgent, QUEUE, log, async (r) => {
      const { machine: m, credential } = await machines.authenticateAgent(r);
      return { machine_id: m.id, agent_id: m.agentId, tenant_id: m.tenantId, name: m.name, credential };
    }),
    serveRpc(nc, ListSessionCommands, QUEUE, log, async (r) => ({
      commands: (await machines.commandsOfSession(r.tenant_id, r.session_id)).map((c) => ({ command: c.command, seq: c.seq ?? 0, offset_ms: c.offsetMs ?? 0 })),
    })),
    serveRpc(nc, CheckMachineAccess, QUEUE, log, async (r) => {
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
export async function consumeMachineEvents(nc: NatsConnection, repo: MachineRepository, machines: MachineService, log: Logger) {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(MACHINE_STREAM.name, {
    durable_name: QUEUE, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), deliver_policy: DeliverPolicy.New,
    filter_subject: MACHINE_STREAM.subjects[0],
  }).catch(() => undefined);
  const consumer = await jetstream(nc).consumers.get(MACHINE_STREAM.name, QUEUE);
  const messages = await consumer.consume({ max_messages: 100 });
  void (async () => {
    for await (const m of messages) {
      try {
        const body = m.json();
        if (m.subject.startsWith('machine.v1.evt.online.')) {
          const e = MachineOnline.schema.parse(body);
          await repo.markOnline({ agentId: e.agent_id, connectionId: e.connection_id, bridgeId: e.bridge_id, at: e.at, info: e.info });
        } else if (m.subject.startsWith('machine.v1.evt.offline.')) {
          const e = MachineOffline.schema.parse(body);
          await repo.markOffline(e.agent_id, e.connection_id);
        } else if (m.subject.startsWith('machine.v1.evt.command.')) {
          await machines.recordTerminalCommand(TerminalCommand.schema.parse(body));
        }
        m.ack();
      } catch (e) {
        log.warn({ err: (e as Error).message, subject: m.subject }, 'machine event failed; retrying');
        m.nak(1000);
      }
    }
  })();
  const seen = nc.subscribe(AgentsSeen.filter, {
    queue: QUEUE,
    callback: (err, msg) => {
      if (err) return;
      try {
        void repo.markSeen(AgentsSeen.schema.parse(msg.json()).agent_ids).catch((e) => log.warn({ err: e.message }, 'seen update failed'));
      } catch { /* malformed */ }
    },
  });
  return { stop: () => { messages.stop(); seen.unsubscribe(); } };
}

export function natsAgentPort(nc: NatsConnection): AgentPort {
  return {
    exec: (agentId, command, timeoutMs, maxOutput) => callRpc(nc, forAgent(ExecCommand, agentId),
      { command, timeout_ms: timeoutMs, max_output_bytes: maxOutput }, { timeoutMs: timeoutMs + 5000 }),
    disconnect: async (agentId, reason) => { await callRpc(nc, forAgent(DisconnectAgent, agentId), { reason, forget: true }); },
  };
}

export function natsSessionPort(nc: NatsConnection): SessionPort {
  return {
    list: async (tenantId, agentId, activeOnly) => (await callRpc(nc, ListMachineSessions, { tenant_id: tenantId, agent_id: agentId, active_only: activeOnly })).sessions,
    get: async (tenantId, sessionId) => (await callRpc(nc, GetSession, { tenant_id: tenantId, session_id: sessionId })).session,
  };
}

export function natsPeoplePort(nc: NatsConnection): PeoplePort {
  return {
    member: async (tenantId, userId) => {
      const r = await callRpc(nc, UserInOrganization, { tenant_id: tenantId, user_id: userId });
      return r.member ? { username: r.username } : null;
    },
  };
}

export function natsDashboardPorts(nc: NatsConnection): DashboardPorts {
  return {
    organizationCounts: (tenantId) => callRpc(nc, OrganizationCounts, { tenant_id: tenantId }),
    activeSessions: async (tenantId, agentIds) => (await callRpc(nc, CountActiveSessions, { tenant_id: tenantId, agent_ids: agentIds })).active,
  };
}
