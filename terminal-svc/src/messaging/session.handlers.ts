import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  AccessClaims, CheckMachineAccess, CountActiveSessions, forAgent, GetSession, ListMachineSessions, OpenSession, SessionEnded, TERMINAL_STREAM,
  TermControl, termControlSubject,
} from '@webxterm/contracts';
import { AppError, callRpc, jetstream, NatsConnection, serveRpc, type Logger } from '@webxterm/kit';
import type { AgentSessionPort, MachinePort } from '../domain/session.service';
import type { SessionRepository } from '../store/session.repository';

const QUEUE = 'terminal-svc';

/** Session records for machine-svc (GET /api/machines/:id/sessions, GET /api/sessions/:id). */
export function serveSessionRpc(nc: NatsConnection, repo: SessionRepository, log: Logger) {
  const subs = [
    serveRpc(nc, ListMachineSessions, QUEUE, log, async (r) => ({ sessions: await repo.listByMachine(r.tenant_id, r.agent_id, r.active_only) })),
    serveRpc(nc, CountActiveSessions, QUEUE, log, async (r) => ({ active: await repo.countActiveOf(r.tenant_id, r.agent_ids) })),
    serveRpc(nc, GetSession, QUEUE, log, async (r) => {
      const s = await repo.get(r.session_id);
      return { session: s && s.tenant_id === r.tenant_id ? s : null };
    }),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}

/** Exit codes and byte counts from the bridges' durable SessionEnded events. */
export async function consumeSessionEnds(nc: NatsConnection, repo: SessionRepository, log: Logger) {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(TERMINAL_STREAM.name, {
    durable_name: QUEUE, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), deliver_policy: DeliverPolicy.New,
    filter_subject: SessionEnded.filter,
  }).catch(() => undefined);
  const messages = await (await jetstream(nc).consumers.get(TERMINAL_STREAM.name, QUEUE)).consume({ max_messages: 100 });
  void (async () => {
    for await (const m of messages) {
      try {
        const e = SessionEnded.schema.parse(m.json());
        await repo.markEnded(e.session_id, { exitCode: e.exit_code, bytes: e.bytes, at: e.at });
        m.ack();
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'session end not recorded; retrying');
        m.nak(1000);
      }
    }
  })();
  return { stop: () => messages.stop() };
}

export function natsMachinePort(nc: NatsConnection): MachinePort {
  return {
    check: async (claims: AccessClaims, agentId, permission) => callRpc(nc, CheckMachineAccess, {
      actor: { user_id: claims.user_id, tenant_id: claims.tenant_id, role: claims.role }, agent_id: agentId, permission,
    }),
  };
}

export function natsAgentSessionPort(nc: NatsConnection, windowBytes: number, openTimeoutMs: number): AgentSessionPort {
  return {
    open: async (agentId, sessionId, cols, rows) => {
      try {
        await callRpc(nc, forAgent(OpenSession, agentId), { session_id: sessionId, cols, rows, window_bytes: windowBytes }, { timeoutMs: openTimeoutMs });
      } catch (e) {
        if (e instanceof AppError && e.code === 'rpc.no_responders') throw new AppError('unavailable', 'machine.offline', 'Machine is offline');
        throw e;
      }
    },
    close: (sessionId) => nc.publish(termControlSubject(sessionId), JSON.stringify({ type: 'close' } satisfies TermControl)),
  };
}
