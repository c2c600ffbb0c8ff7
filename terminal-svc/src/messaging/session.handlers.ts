import {
  AccessClaims, AgentConnected, AgentDisconnected, AgentPing, CheckMachineAccess, CountActiveSessions, forAgent, GetSession, ListMachineSessions, MACHINE_STREAM, OpenSession, SessionEnded, TERMINAL_STREAM,
  MACHINE_OFFLINE, TermControl, termControlSubject,
} from '@webxterm/contracts';
import { AppError, type Bus, on } from '@webxterm/kit';
import type { AgentSessionPort, MachinePort, SessionService } from '../domain/session.service';
import type { SessionRepository } from '../store/session.repository';

const QUEUE = 'terminal-svc';

/** Session records for machine-svc (GET /api/machines/:id/sessions, GET /api/sessions/:id). */
export function serveSessionRpc(bus: Bus, repo: SessionRepository) {
  const q = { queue: QUEUE };
  const subs = [
    bus.serve(ListMachineSessions, q, async (r) => ({ sessions: await repo.listByMachine(r.tenant_id, r.agent_id, r.active_only) })),
    bus.serve(CountActiveSessions, q, async (r) => ({ active: await repo.countActiveOf(r.tenant_id, r.agent_ids) })),
    bus.serve(GetSession, q, async (r) => {
      const s = await repo.get(r.session_id);
      return { session: s && s.tenant_id === r.tenant_id ? s : null };
    }),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}

/** Exit codes and byte counts from the bridges' durable SessionEnded events. */
export function consumeSessionEnds(bus: Bus, sessions: SessionService) {
  return bus.consumeDurable(TERMINAL_STREAM, QUEUE, [
    on(SessionEnded, (e) => sessions.exited(e.session_id, { exitCode: e.exit_code, bytes: e.bytes, at: e.at })),
  ], { deliver: 'new' });
}

/**
 * Sessions an agent no longer holds when it connects (it restarted, its machine rebooted) are closed:
 * otherwise they would stay "active" for good, as no exit will ever come for them. When agents come
 * and go is kept for the sweep of sessions whose agent never came back (`SessionService.abandoned`).
 */
export function consumeAgentConnections(bus: Bus, sessions: SessionService) {
  return bus.consumeDurable(MACHINE_STREAM, QUEUE, [
    on(AgentConnected, async (e) => {
      if (e.live_sessions) await sessions.lost(e.agent_id, e.live_sessions, e.live_sessions_at ?? e.at);
      await sessions.agentSeen(e.agent_id, 'online', e.at, e.connection_id);
    }),
    on(AgentDisconnected, (e) => sessions.agentSeen(e.agent_id, 'offline', e.at, e.connection_id)),
  ], { deliver: 'new' });
}

export function natsMachinePort(bus: Bus): MachinePort {
  return {
    check: async (claims: AccessClaims, agentId, permission) => bus.request(CheckMachineAccess, {
      actor: { user_id: claims.user_id, tenant_id: claims.tenant_id, role: claims.role }, agent_id: agentId, permission,
    }),
  };
}

export function natsAgentSessionPort(bus: Bus, windowBytes: number, openTimeoutMs: number): AgentSessionPort {
  return {
    // An agent that is not connected fails with `machine.offline` (the contract's "no responders").
    open: async (agentId, sessionId, cols, rows) => {
      await bus.request(forAgent(OpenSession, agentId), { session_id: sessionId, cols, rows, window_bytes: windowBytes }, { timeoutMs: openTimeoutMs });
    },
    close: (sessionId) => bus.nc.publish(termControlSubject(sessionId), JSON.stringify({ type: 'close' } satisfies TermControl)),
  };
}

/** Whether a bridge holds the agent's stream right now: "no responders" is no; a timeout (a busy bridge) counts as yes. */
export function natsAgentConnected(bus: Bus): (agentId: string) => Promise<boolean> {
  return (agentId) => bus.request(forAgent(AgentPing, agentId), {}, { timeoutMs: 2000 })
    .then(() => true, (e) => !(e instanceof AppError && e.code === MACHINE_OFFLINE.code));
}
