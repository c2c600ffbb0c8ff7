import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import {
  AGENT_ID, AGENT_MD, AgentMessage, AuthenticateAgent, BridgeMessage, DisconnectAgent, ExecCommand, forAgent, Hello,
  MachineOffline, MachineOnline, OpenSession, ResolveApiKey, SessionEnded,
} from '@webxterm/contracts';
import { AppError, callRpc, JetStreamClient, NatsConnection, publishDurable, serveRpc, type Logger } from '@webxterm/kit';
import { AgentLink } from './agent-link';
import { AgentWriter } from './agent-writer';

type Call = grpc.ServerDuplexStream<AgentMessage, BridgeMessage>;

export interface AgentServerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  bridgeId: string;
  heartbeatMs: number;
  openTimeoutMs: number;
  log: Logger;
}

const HELLO_TIMEOUT_MS = 10_000;

function fail(call: Call, code: grpc.status, details: string): void {
  call.emit('error', { code, details, message: details });
}

/** The agents this replica holds, and the Connect handler that admits them. */
export class AgentServer {
  readonly links = new Map<string, AgentLink>();
  /** Each link's NATS request handlers, stopped as soon as the link is replaced or gone. */
  private readonly handlers = new Map<AgentLink, { stop(): void }[]>();

  constructor(private readonly d: AgentServerDeps) {}

  /** gRPC `Connect`: authenticate, wait for hello, register, then relay until the stream ends. */
  connect = (call: Call): void => {
    void this.admit(call).catch((e: Error) => {
      const code = e instanceof AppError && e.kind === 'unauthenticated' ? status.UNAUTHENTICATED
        : e instanceof AppError && e.kind === 'not_found' ? status.PERMISSION_DENIED : status.UNAVAILABLE;
      if (!(e instanceof AppError)) this.d.log.error({ err: e }, 'agent admission failed');
      fail(call, code, e.message);
    });
  };

  private async admit(call: Call): Promise<void> {
    const md = call.metadata;
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(md.get('authorization')[0] ?? ''))?.[1];
    const agentId = String(md.get(AGENT_MD.agentId)[0] ?? '');
    const registration = md.get(AGENT_MD.registrationToken)[0];
    if (!bearer) throw new AppError('unauthenticated', 'agent.key_missing', 'missing API key');
    if (!AGENT_ID.test(agentId)) throw new AppError('unauthenticated', 'agent.id_invalid', 'missing or invalid agent id');
    const hello = this.waitForHello(call);
    const owner = await callRpc(this.d.nc, ResolveApiKey, { api_key: bearer.slice(0, 200) });
    if (!owner.found) throw new AppError('unauthenticated', 'agent.key_invalid', 'invalid API key');
    const machine = await callRpc(this.d.nc, AuthenticateAgent, {
      agent_id: agentId, tenant_id: owner.tenant_id, user_id: owner.user_id,
      registration_token: registration === undefined ? undefined : String(registration),
    });
    const h = await hello;
    this.register(call, machine.agent_id, owner.tenant_id, machine.machine_id, h);
  }

  private waitForHello(call: Call): Promise<Hello> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new AppError('invalid', 'agent.no_hello', 'no hello from the agent')), HELLO_TIMEOUT_MS);
      call.once('data', (m: AgentMessage) => {
        clearTimeout(timer);
        if (m.kind === 'hello' && m.hello) resolve(m.hello);
        else reject(new AppError('invalid', 'agent.no_hello', 'the first message must be hello'));
      });
      call.once('error', () => { clearTimeout(timer); reject(new AppError('unavailable', 'agent.gone', 'stream ended')); });
    });
  }

  private register(call: Call, agentId: string, tenantId: string, machineId: string, hello: Hello): void {
    const { log, nc, js } = this.d;
    const previous = this.links.get(agentId);
    if (previous) this.drop(previous, 'replaced by a new stream');
    const link = new AgentLink(agentId, tenantId, new AgentWriter(call), nc, log);
    const rpcs = this.serveAgentRpc(link, call);
    this.handlers.set(link, rpcs);
    this.links.set(agentId, link);
    for (const s of hello.sessions) link.watchSession(s.session_id);
    link.send({ welcome: { machine_id: machineId, heartbeat_interval_ms: this.d.heartbeatMs, agent_id: agentId } });
    const info = {
      hostname: hello.hostname, os: hello.os, kernel: hello.kernel, arch: hello.arch, ips: hello.ips,
      agent_version: hello.agent_version, linux_user: hello.linux_user,
    };
    void publishDurable(js, MachineOnline, {
      agent_id: agentId, tenant_id: tenantId, connection_id: link.connectionId, bridge_id: this.d.bridgeId, at: new Date().toISOString(), info,
    }, `online:${link.connectionId}`).catch((e) => log.warn({ err: (e as Error).message }, 'online event not published'));
    log.info({ agent_id: agentId, sessions: hello.sessions.length }, 'agent connected');

    const beat = setInterval(() => {
      if (Date.now() - link.lastHeard > this.d.heartbeatMs * 3) fail(call, status.UNAVAILABLE, 'missed heartbeats');
      else link.send({ heartbeat: { sent_at_ms: Date.now() } });
    }, this.d.heartbeatMs);
    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      clearInterval(beat);
      for (const r of rpcs) r.stop();
      this.handlers.delete(link);
      link.close();
      if (this.links.get(agentId) === link) this.links.delete(agentId);
      void publishDurable(js, MachineOffline, {
        agent_id: agentId, tenant_id: tenantId, connection_id: link.connectionId, at: new Date().toISOString(), reason,
      }, `offline:${link.connectionId}`).catch((e) => log.warn({ err: (e as Error).message }, 'offline event not published'));
      log.info({ agent_id: agentId, reason }, 'agent disconnected');
    };
    call.on('data', (m: AgentMessage) => link.onAgentMessage(m, (e) => {
      void publishDurable(js, SessionEnded, {
        session_id: e.session_id, agent_id: agentId, exit_code: e.exit_code, signal: e.signal, bytes: e.bytes, at: new Date().toISOString(),
      }, `ended:${e.session_id}`).catch((err) => log.warn({ err: (err as Error).message }, 'session end not published'));
    }));
    call.on('end', () => { call.end(); onGone('stream ended'); });
    call.on('error', (e: Error) => onGone(e.message));
    call.on('cancelled', () => onGone('cancelled'));
    call.on('close', () => onGone('closed'));
  }

  /** NATS requests addressed to this agent; only the replica holding the stream subscribes. */
  private serveAgentRpc(link: AgentLink, call: Call) {
    const { nc, log } = this.d;
    const q = 'agent-bridge';
    return [
      serveRpc(nc, forAgent(OpenSession, link.agentId), q, log, async (r) => ({
        pid: await link.openSession(r.session_id, r.cols, r.rows, r.window_bytes, this.d.openTimeoutMs),
      })),
      serveRpc(nc, forAgent(ExecCommand, link.agentId), q, log, async (r) => {
        const res = await link.exec(r.command, r.timeout_ms, r.max_output_bytes);
        return {
          exit_code: res.exit_code, output: res.output.toString('utf8'), duration_ms: res.duration_ms,
          timed_out: res.timed_out, truncated: res.truncated,
        };
      }),
      serveRpc(nc, forAgent(DisconnectAgent, link.agentId), q, log, async (r) => {
        link.send({ disconnect: { reason: r.reason, forget: r.forget } });
        setTimeout(() => fail(call, r.forget ? status.PERMISSION_DENIED : status.UNAVAILABLE, r.reason), 200);
        return { disconnected: true };
      }),
    ];
  }

  private drop(link: AgentLink, reason: string): void {
    for (const r of this.handlers.get(link) ?? []) r.stop();
    this.handlers.delete(link);
    link.close();
    this.d.log.info({ agent_id: link.agentId, reason }, 'dropping stale link');
  }

  /** Agents held, for the periodic "seen" list. */
  agentIds(): string[] {
    return [...this.links.keys()];
  }
}
