import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import {
  HeartbeatWatch, SILENT_TICKS,
  AGENT_ID, AGENT_MD, AgentClaimed, AgentPing, AgentConnected, AgentDisconnected, AgentMessage, AuthenticateAgent, BATCHES_FEATURE, BridgeMessage, DisconnectAgent, ExecCommand,
  forAgent, GetSession, Hello, MACHINE_CREDENTIAL, OpenSession, ResolveApiKey, SessionEnded, TerminalCommand,
} from '@webxterm/contracts';
import { AppError, type Bus, type Logger } from '@webxterm/kit';
import { AgentLink } from './agent-link';
import { AgentWriter } from './agent-writer';

type Call = grpc.ServerDuplexStream<AgentMessage, BridgeMessage>;

export interface AgentServerDeps {
  bus: Bus;
  bridgeId: string;
  heartbeatMs: number;
  openTimeoutMs: number;
  /** Commands one machine may run at once; more are refused (429). */
  maxCommands: number;
  log: Logger;
}

const HELLO_TIMEOUT_MS = 10_000;
const SESSION_ID = /^[0-9a-f]{24}$/;
/**
 * A Hello lists at most this many surviving sessions: the most `AgentConnected.live_sessions` carries
 * (terminal-svc lets a machine hold up to MAX_SESSIONS_PER_MACHINE; it was 256 here, and an agent with
 * more that reconnected lost the rest, closed as gone).
 */
const MAX_RESUMED_SESSIONS = 10_000;

type AuthenticatedMachine = { machine_id: string; agent_id: string; tenant_id: string; credential?: string };

function fail(call: Call, code: grpc.status, details: string): void {
  call.emit('error', { code, details, message: details });
}

/** The agents this replica holds, and the Connect handler that admits them. */
export class AgentServer {
  readonly links = new Map<string, AgentLink>();
  /** Each link's NATS request handlers, stopped as soon as the link is replaced or gone. */
  private readonly handlers = new Map<AgentLink, { stop(): void }[]>();
  /** Ends each link's gRPC stream. */
  private readonly ends = new Map<AgentLink, (reason: string) => void>();
  private readonly claims: { stop(): void };

  constructor(private readonly d: AgentServerDeps) {
    this.claims = d.bus.subscribe(AgentClaimed, {}, (claim) => {
      const link = this.links.get(claim.agent_id);
      if (link && link.connectionId !== claim.connection_id) {
        this.links.delete(link.agentId);
        this.drop(link, 'the agent connected to another bridge');
      }
    });
  }

  stop(): void { this.claims.stop(); }

  /** gRPC `Connect`: authenticate, wait for hello, register, then relay until the stream ends. */
  connect = (call: Call): void => {
    void this.admit(call).catch((e: Error) => {
      const kind = e instanceof AppError ? e.kind : null;
      const code = kind === 'unauthenticated' ? status.UNAUTHENTICATED
        : kind === 'not_found' || kind === 'forbidden' ? status.PERMISSION_DENIED : kind === 'invalid' ? status.INVALID_ARGUMENT : status.UNAVAILABLE;
      if (!(e instanceof AppError)) this.d.log.error({ err: e }, 'agent admission failed');
      fail(call, code, e.message);
    });
  };

  private async admit(call: Call): Promise<void> {
    const md = call.metadata;
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(md.get('authorization')[0] ?? ''))?.[1];
    const agentId = String(md.get(AGENT_MD.agentId)[0] ?? '');
    const registration = md.get(AGENT_MD.registrationToken)[0];
    if (!bearer) throw new AppError('unauthenticated', 'agent.key_missing', 'missing credential');
    if (!AGENT_ID.test(agentId)) throw new AppError('unauthenticated', 'agent.id_invalid', 'missing or invalid agent id');
    const hello = this.waitForHello(call);
    hello.catch(() => undefined);
    const machine = await this.d.bus.request(AuthenticateAgent, await this.credentialsOf(agentId, bearer, registration));
    const h = await hello;
    const claimed = [...new Set(h.hello.sessions.map((s) => s.session_id))].filter((id) => SESSION_ID.test(id)).slice(0, MAX_RESUMED_SESSIONS);
    const sessions = await this.ownSessions(machine.tenant_id, machine.agent_id, claimed);
    this.register(call, machine, h.hello, sessions, { ids: claimed, at: h.at });
  }

  /** The machine's own credential, or an API key's owner who registers it. */
  private async credentialsOf(agentId: string, bearer: string, registration: unknown) {
    if (bearer.startsWith('vmc_')) {
      if (!MACHINE_CREDENTIAL.test(bearer)) throw new AppError('unauthenticated', 'agent.credential_invalid', 'Invalid machine credential');
      return { agent_id: agentId, credential: bearer };
    }
    const owner = await this.d.bus.request(ResolveApiKey, { api_key: bearer.slice(0, 200) });
    if (!owner.found) throw new AppError('unauthenticated', 'agent.key_invalid', 'invalid API key');
    return {
      agent_id: agentId, owner: { tenant_id: owner.tenant_id, user_id: owner.user_id, role: owner.role },
      registration_token: registration === undefined ? undefined : String(registration).slice(0, 200),
    };
  }

  /**
   * The sessions a reconnecting agent lists that really are its own: opened on this machine, in
   * its organization, not ended. Any other id is ignored, so an agent cannot join a stranger's terminal.
   */
  private async ownSessions(tenantId: string, agentId: string, ids: string[]): Promise<string[]> {
    const records = await Promise.all(ids.map((id) => this.d.bus.request(GetSession, { tenant_id: tenantId, session_id: id })
      .then((r) => r.session, () => null)));
    return ids.filter((id, i) => records[i]?.agent_id === agentId && !records[i]?.ended_at);
  }

  /** The agent's Hello, and when it came (the moment its list of sessions was true). */
  private waitForHello(call: Call): Promise<{ hello: Hello; at: Date }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new AppError('invalid', 'agent.no_hello', 'no hello from the agent')), HELLO_TIMEOUT_MS);
      call.once('data', (m: AgentMessage) => {
        clearTimeout(timer);
        if (m.kind === 'hello' && m.hello) resolve({ hello: m.hello, at: new Date() });
        else reject(new AppError('invalid', 'agent.no_hello', 'the first message must be hello'));
      });
      call.once('error', () => { clearTimeout(timer); reject(new AppError('unavailable', 'agent.gone', 'stream ended')); });
    });
  }

  /**
   * `sessions`: the ones the agent listed that are its own, relayed again; `listed`: everything it
   * listed, and when — terminal-svc closes its other sessions opened before then (a lookup that failed
   * under load must not close a live one; listing what it does not hold keeps nobody else's open).
   */
  private register(call: Call, machine: AuthenticatedMachine, hello: Hello, sessions: string[], listed: { ids: string[]; at: Date }): void {
    const { log, bus } = this.d;
    const { agent_id: agentId, tenant_id: tenantId } = machine;
    const previous = this.links.get(agentId);
    if (previous) this.drop(previous, 'replaced by a new stream');
    const link = new AgentLink(agentId, tenantId, new AgentWriter(call, (hello.features ?? []).includes(BATCHES_FEATURE)), bus.nc, log, { maxCommands: this.d.maxCommands });
    const rpcs = this.serveAgentRpc(link, call);
    this.handlers.set(link, rpcs);
    this.links.set(agentId, link);
    this.ends.set(link, (reason) => fail(call, status.ABORTED, reason));
    for (const id of sessions) link.watchSession(id);
    link.send({ welcome: {
      machine_id: machine.machine_id, heartbeat_interval_ms: this.d.heartbeatMs, agent_id: agentId, machine_credential: machine.credential ?? '', features: [BATCHES_FEATURE],
    } });
    bus.publish(AgentClaimed, { agent_id: agentId, connection_id: link.connectionId });
    const info = {
      hostname: hello.hostname, os: hello.os, kernel: hello.kernel, arch: hello.arch, ips: hello.ips,
      agent_version: hello.agent_version, linux_user: hello.linux_user,
    };
    void bus.publishDurable(AgentConnected, {
      agent_id: agentId, tenant_id: tenantId, connection_id: link.connectionId, bridge_id: this.d.bridgeId, at: new Date().toISOString(), info,
      live_sessions: listed.ids, live_sessions_at: listed.at.toISOString(),
    }, `online:${link.connectionId}`).catch((e) => log.warn({ err: (e as Error).message }, 'online event not published'));
    log.info({ agent_id: agentId, sessions: hello.sessions.length }, 'agent connected');

    const beat = new HeartbeatWatch(this.d.heartbeatMs, SILENT_TICKS, {
      onTick: () => link.send({ heartbeat: { sent_at_ms: Date.now() } }),
      onSilent: () => fail(call, status.UNAVAILABLE, 'missed heartbeats'),
    });
    link.watch = beat;
    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      beat.stop();
      for (const r of rpcs) r.stop();
      this.handlers.delete(link);
      this.ends.delete(link);
      link.close();
      if (this.links.get(agentId) === link) this.links.delete(agentId);
      void bus.publishDurable(AgentDisconnected, {
        agent_id: agentId, tenant_id: tenantId, connection_id: link.connectionId, at: new Date().toISOString(), reason,
      }, `offline:${link.connectionId}`).catch((e) => log.warn({ err: (e as Error).message }, 'offline event not published'));
      log.info({ agent_id: agentId, reason }, 'agent disconnected');
    };
    call.on('data', (m: AgentMessage) => link.onAgentMessage(m, (e) => {
      void bus.publishDurable(SessionEnded, {
        session_id: e.session_id, agent_id: agentId, exit_code: e.exit_code, signal: e.signal, bytes: e.bytes, at: new Date().toISOString(),
      }, `ended:${e.session_id}`).catch((err) => log.warn({ err: (err as Error).message }, 'session end not published'));
    }, (c) => {
      const at = (ms: number) => new Date(Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? ms : Date.now()).toISOString();
      void bus.publishDurable(TerminalCommand, {
        agent_id: agentId, tenant_id: tenantId, session_id: c.session_id, command: c.command.slice(0, 64 * 1024), cwd: c.cwd.slice(0, 4096),
        exit_code: c.exit_code, seq: c.seq, started_at: at(c.started_at_ms), ended_at: at(c.ended_at_ms),
      }, `command:${c.session_id}:${c.seq}:${c.started_at_ms}`).catch((err) => log.warn({ err: (err as Error).message }, 'command not published'));
    }));
    call.on('end', () => { call.end(); onGone('stream ended'); });
    call.on('error', (e: Error) => onGone(e.message));
    call.on('cancelled', () => onGone('cancelled'));
    call.on('close', () => onGone('closed'));
  }

  /** NATS requests addressed to this agent; only the replica holding the stream subscribes. */
  private serveAgentRpc(link: AgentLink, call: Call) {
    const { bus } = this.d;
    const q = { queue: 'agent-bridge' };
    return [
      bus.serve(forAgent(OpenSession, link.agentId), q, async (r) => ({
        pid: await link.openSession(r.session_id, r.cols, r.rows, r.window_bytes, this.d.openTimeoutMs),
      })),
      bus.serve(forAgent(ExecCommand, link.agentId), q, async (r) => {
        const res = await link.exec(r.command, r.timeout_ms, r.max_output_bytes);
        return {
          exit_code: res.exit_code, output: res.output.toString('utf8'), duration_ms: res.duration_ms,
          timed_out: res.timed_out, truncated: res.truncated,
        };
      }),
      bus.serve(forAgent(AgentPing, link.agentId), q, async () => ({ connected: true as const })),
      bus.serve(forAgent(DisconnectAgent, link.agentId), q, async (r) => {
        link.send({ disconnect: { reason: r.reason, forget: r.forget } });
        setTimeout(() => fail(call, r.forget ? status.PERMISSION_DENIED : status.UNAVAILABLE, r.reason), 200);
        return { disconnected: true };
      }),
    ];
  }

  /**
   * Ends a stream this replica holds for a machine whose agent connected again (here or on another
   * replica): only one stream per machine answers, and the agent of the old one reconnects.
   */
  private drop(link: AgentLink, reason: string): void {
    for (const r of this.handlers.get(link) ?? []) r.stop();
    this.handlers.delete(link);
    link.close();
    this.ends.get(link)?.(reason);
    this.ends.delete(link);
    this.d.log.info({ agent_id: link.agentId, reason }, 'dropping stale link');
  }

  /** Agents held, for the periodic "seen" list. */
  agentIds(): string[] {
    return [...this.links.keys()];
  }
}
