import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  HeartbeatWatch, SILENT_TICKS,
  AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, AgentMessage, BATCHES_FEATURE, BridgeMessage,
} from '@webxterm/contracts';
import { reconnectDelay } from './backoff';
import type { AgentConfig } from './config-file';
import { BridgeAddress } from './bridge-address';
import { runCommand } from './exec';
import type { LinuxUser } from './linux-user';
import { machineInfo } from './machine-info';
import { SessionTable } from './sessions';
import { StreamSender } from './stream-sender';

type Stream = grpc.ClientDuplexStream<AgentMessage, BridgeMessage>;
type Log = (msg: string, extra?: Record<string, unknown>) => void;

/**
 * The agent's side of the stream: connects, says hello (with the sessions that survived), answers
 * the bridge, and reconnects with jittered exponential backoff whenever the stream ends.
 */
export class AgentConnection {
  private clients: (grpc.Client & { Connect: (md: grpc.Metadata) => Stream })[];
  private next = 0;
  private stream: Stream | null = null;
  private attempt = 0;
  private stopped = false;
  private heartbeat: HeartbeatWatch | null = null;

  constructor(
    private config: AgentConfig,
    bridge: BridgeAddress,
    private readonly user: LinuxUser,
    private readonly sessions: SessionTable,
    private readonly saveConfig: (c: AgentConfig) => void,
    private readonly log: Log,
  ) {
    const def = protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as any;
    const creds = bridge.tls ? grpc.credentials.createSsl(config.ca_file ? readFileSync(config.ca_file) : null) : grpc.credentials.createInsecure();
    this.clients = bridge.addresses.map((a) => new pkg.webxterm.agent.v1.AgentGateway(a, creds, {
      'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 10_000,
    }));
  }

  start(): void { this.open(); }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.stream?.cancel();
    for (const c of this.clients) c.close();
  }

  private open(): void {
    if (this.stopped) return;
    // Without waitForReady a dead address fails fast, and the next attempt tries the next address.
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.config.machine_credential ?? this.config.api_key}`);
    md.set(AGENT_MD.agentId, this.config.agent_id);
    if (this.config.registration_token && !this.config.machine_credential) md.set(AGENT_MD.registrationToken, this.config.registration_token);
    const client = this.clients[this.next++ % this.clients.length];
    const stream = client.Connect(md);
    this.stream = stream;
    let ended = false;
    const onEnd = (why: string, code?: number) => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = null;
      this.clearTimers();
      this.sessions.detach();
      if (this.stopped) return;
      if (code === grpc.status.PERMISSION_DENIED) { this.log('the platform forgot this machine; stopping', { why }); this.stop(); process.exitCode = 2; return; }
      const delay = reconnectDelay(this.attempt++);
      // grpc-js ends "connection refused" with an empty ". Resolution note: ".
      this.log('stream ended; reconnecting', { why: why.replace(/\. Resolution note: $/, ''), code, in_ms: Math.round(delay) });
      setTimeout(() => this.open(), delay);
    };
    const handle = (m: BridgeMessage) => {
      // One bad message (a size the PTY refuses, an unknown session) must not end the stream or the agent.
      try {
        this.onMessage(stream, m);
      } catch (e) {
        this.log('message refused', { kind: m.kind, err: (e as Error).message });
        this.sender.send({ error: { code: 'agent.message_refused', message: (e as Error).message.slice(0, 500), session_id: '' } });
      }
    };
    // Messages are handled in order, but the event loop gets a turn after each session opened:
    // forking a PTY blocks it for up to a few hundred ms on a busy machine, and gRPC hands over a
    // burst of messages in one chain of microtasks, so 40 opens in a row would starve heartbeats,
    // timers and output for seconds. What arrives meanwhile waits in the inbox.
    const inbox: BridgeMessage[] = [];
    let waiting = false;
    const drain = () => {
      waiting = false;
      while (inbox.length && !ended) {
        const m = inbox.shift()!;
        handle(m);
        if (m.kind === 'open') { waiting = true; setImmediate(drain); return; }
      }
    };
    stream.on('data', (m: BridgeMessage) => {
      this.heartbeat?.heard();
      inbox.push(m);
      if (!waiting) drain();
    });
    stream.on('error', (e: grpc.ServiceError) => onEnd(e.details || e.message, e.code));
    stream.on('end', () => onEnd('server ended the stream'));
    stream.on('status', (s: grpc.StatusObject) => onEnd(s.details, s.code));
    this.sender = new StreamSender((m) => { if (!ended) stream.write(m); });
    this.sender.send({ hello: { ...machineInfo(this.config.linux_user), sessions: this.sessions.live(), features: [BATCHES_FEATURE] } });
  }

  private sender = new StreamSender(() => {});

  private onMessage(stream: Stream, m: BridgeMessage): void {
    const { send } = this.sender;
    switch (m.kind) {
      case 'welcome': {
        this.attempt = 0;
        const w = m.welcome!;
        this.sender.batches = (w.features ?? []).includes(BATCHES_FEATURE);
        this.log('connected', { machine_id: w.machine_id, agent_id: w.agent_id });
        if (w.machine_credential) {
          this.config = { ...this.config, agent_id: w.agent_id || this.config.agent_id, machine_credential: w.machine_credential, registration_token: undefined };
          this.saveConfig(this.config);
        }
        // A second welcome replaces the first's timers; an absurd interval is held to 1–60 s.
        this.clearTimers();
        const every = Math.min(60_000, Math.max(1000, w.heartbeat_interval_ms || 5000));
        this.heartbeat = new HeartbeatWatch(every, SILENT_TICKS, {
          onTick: () => send({ heartbeat: { sent_at_ms: Date.now() } }),
          onSilent: () => stream.cancel(),
        });
        this.sessions.attach(send);
        return;
      }
      case 'heartbeat': return;
      case 'open': {
        const o = m.open!;
        try {
          send({ opened: { session_id: o.session_id, pid: this.sessions.open(o), error: '' } });
        } catch (e) {
          send({ opened: { session_id: o.session_id, pid: 0, error: (e as Error).message } });
        }
        return;
      }
      case 'input': this.sessions.get(m.input!.session_id)?.input(m.input!); return;
      case 'inputs': for (const c of m.inputs!.chunks) this.sessions.get(c.session_id)?.input(c); return;
      case 'resize': this.sessions.get(m.resize!.session_id)?.resize(m.resize!.cols, m.resize!.rows); return;
      case 'close': this.sessions.get(m.close!.session_id)?.close(); return;
      case 'credit': this.sessions.get(m.credit!.session_id)?.credit(m.credit!.acked_seq); return;
      case 'resend': this.sessions.get(m.resend!.session_id)?.resend(m.resend!.after_seq); return;
      case 'exec':
        void runCommand(m.exec!, this.user, this.config.allow_root).then(
          (r) => send({ exec_result: r }),
          (e: Error) => send({ exec_result: {
            request_id: m.exec!.request_id, exit_code: -1, output: Buffer.alloc(0), duration_ms: 0, timed_out: false, truncated: false, error: e.message,
          } }),
        );
        return;
      case 'disconnect':
        this.log('the platform asked us to disconnect', { reason: m.disconnect!.reason });
        if (m.disconnect!.forget) { this.sessions.closeAll(); this.stop(); }
        return;
    }
  }

  private clearTimers(): void {
    this.heartbeat?.stop();
    this.heartbeat = null;
  }
}
