/**
 * A load generator for `bench/agents.bench.ts`, run as a child process (its CPU is not the bridge's):
 * many agents speaking the real agent protocol (proto/agent.proto, grpc-js, the agent's channel
 * options), each as the real agent does it (agent/src/connection.ts): call metadata with its API key
 * and id (registration) or its machine credential, Hello, heartbeats on the Welcome's interval with
 * the contracts' HeartbeatWatch, and on any end of the stream a reconnect after the agent's own
 * jittered backoff (agent/src/backoff.ts) to the next bridge address in turn. Agents share
 * `channels` HTTP/2 connections per bridge (a real agent has one of its own).
 *
 * Driven over IPC by the bench: `init`, `connect`, `stats` (or just `count`), `reset`, `close` (see SwarmCommand). Credentials
 * issued at registration are kept in the identities, so a later `connect` uses them.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, type AgentMessage, type BridgeMessage, HeartbeatWatch, SILENT_TICKS,
} from '@webxterm/contracts';
import { reconnectDelay } from '../agent/src/backoff';

export interface SwarmAgentIdentity { agentId: string; credential?: string }
export type SwarmCommand =
  | { cmd: 'init'; identities: SwarmAgentIdentity[] }
  | { cmd: 'connect'; addresses: string[]; channels: number; apiKey?: string; concurrency?: number }
  | { cmd: 'stats' } | { cmd: 'count' } | { cmd: 'reset' } | { cmd: 'close' };

/** What the swarm saw since the last `reset` (times are epoch ms, comparable across processes). */
export interface SwarmStats {
  agents: number;
  /** Agents whose current stream was welcomed, by the address that welcomed them. */
  connected: Record<string, number>;
  /** Connect call → Welcome, ms, for every welcomed attempt. */
  admissionMs: number[];
  /** Stream end (after a Welcome) → the next Welcome, ms. */
  reconnectMs: number[];
  lastWelcomeAt: number;
  /** Attempts that ended before a Welcome, by `address code details`. */
  refused: Record<string, number>;
  /** Welcomed streams that ended, by `code details`. */
  ended: Record<string, number>;
  beats: number;
  /** Bridge heartbeats that came more than half an interval late, and intervals with none at all. */
  lateBeats: number;
  missedBeats: number;
  /** The bridge's heartbeat `sent_at_ms` → its arrival, ms. */
  beatDelayMs: number[];
  rssMiB: number;
}

const HELLO = { agent_version: 'bench-swarm', hostname: 'bench', os: 'Linux', kernel: '', arch: 'x64', ips: ['127.0.0.1'], linux_user: 'nobody', sessions: [] };
type Client = grpc.Client & { Connect(md: grpc.Metadata): grpc.ClientDuplexStream<AgentMessage, BridgeMessage> };
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;

function newStats(agents: SwarmAgent[]): SwarmStats {
  return {
    agents: agents.length, connected: {}, admissionMs: [], reconnectMs: [], lastWelcomeAt: 0, refused: {}, ended: {},
    beats: 0, lateBeats: 0, missedBeats: 0, beatDelayMs: [], rssMiB: 0,
  };
}
let stats: SwarmStats;

class SwarmAgent {
  private attempt = 0;
  private next = 0;
  private stream: grpc.ClientDuplexStream<AgentMessage, BridgeMessage> | null = null;
  private heartbeat: HeartbeatWatch | null = null;
  private stopped = false;
  private lostAt = 0;
  welcomedBy: string | null = null;
  private firstWelcome: () => void = () => undefined;

  constructor(readonly id: SwarmAgentIdentity, private readonly clients: { address: string; client: Client }[], private readonly apiKey?: string) {}

  /** Resolves at the first Welcome, or when the agent gives up (for a bounded enrolment). */
  start(): Promise<void> {
    const welcomed = new Promise<void>((resolve) => { this.firstWelcome = resolve; });
    this.open();
    return welcomed;
  }

  stop(): void {
    this.stopped = true;
    this.heartbeat?.stop();
    this.stream?.cancel();
  }

  private open(): void {
    if (this.stopped) return;
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.id.credential ?? this.apiKey}`);
    md.set(AGENT_MD.agentId, this.id.agentId);
    const { address, client } = this.clients[this.next++ % this.clients.length];
    const startedAt = Date.now();
    const stream = client.Connect(md);
    this.stream = stream;
    let ended = false;
    let interval = 0;
    let lastBeat = 0;
    const onEnd = (code: number, details: string) => {
      if (ended) return;
      ended = true;
      this.heartbeat?.stop();
      this.heartbeat = null;
      // Without grpc-js's timestamps, so that equal reasons add up.
      const why = `${code} ${details.replace(/ \(\d{4}-[^)]*\)/g, '').replace(/\. Resolution note:.*$/, '').slice(0, 120)}`;
      if (this.welcomedBy) {
        stats.connected[this.welcomedBy]--;
        this.welcomedBy = null;
        if (!this.stopped) { stats.ended[why] = (stats.ended[why] ?? 0) + 1; this.lostAt = Date.now(); }
      } else if (!this.stopped) {
        stats.refused[`${address} ${why}`] = (stats.refused[`${address} ${why}`] ?? 0) + 1;
      }
      if (this.stopped) return;
      // As the real agent: the platform forgot this machine; nothing to wait for.
      if (code === grpc.status.PERMISSION_DENIED) { this.stopped = true; this.firstWelcome(); return; }
      setTimeout(() => this.open(), reconnectDelay(this.attempt++));
    };
    stream.on('data', (m: BridgeMessage) => {
      this.heartbeat?.heard();
      if (m.welcome) {
        const now = Date.now();
        this.attempt = 0;
        if (m.welcome.machine_credential) this.id.credential = m.welcome.machine_credential;
        this.welcomedBy = address;
        stats.connected[address] = (stats.connected[address] ?? 0) + 1;
        stats.admissionMs.push(now - startedAt);
        stats.lastWelcomeAt = now;
        if (this.lostAt) { stats.reconnectMs.push(now - this.lostAt); this.lostAt = 0; }
        this.firstWelcome();
        interval = Math.min(60_000, Math.max(1000, m.welcome.heartbeat_interval_ms || 5000));
        lastBeat = now;
        this.heartbeat?.stop();
        this.heartbeat = new HeartbeatWatch(interval, SILENT_TICKS, {
          onTick: () => { if (!ended) stream.write({ heartbeat: { sent_at_ms: Date.now() } }); },
          onSilent: () => stream.cancel(),
        });
      } else if (m.heartbeat) {
        const now = Date.now();
        const gap = now - lastBeat;
        lastBeat = now;
        stats.beats++;
        if (gap > 1.5 * interval) stats.lateBeats++;
        stats.missedBeats += Math.max(0, Math.round(gap / interval) - 1);
        stats.beatDelayMs.push(now - m.heartbeat.sent_at_ms);
      }
    });
    stream.on('error', (e: grpc.ServiceError) => onEnd(e.code, e.details || e.message));
    stream.on('status', (s: grpc.StatusObject) => onEnd(s.code, s.details));
    // After a moment, so that the status that follows names the reason.
    stream.on('end', () => setImmediate(() => onEnd(-1, 'server ended the stream')));
    stream.write({ hello: HELLO });
  }
}

/** `channels` connections per address; a local subchannel pool per client, so each really is its own TCP connection. */
function channelsTo(addresses: string[], channels: number): { address: string; client: Client }[][] {
  const options = {
    'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 10_000, 'grpc.use_local_subchannel_pool': 1,
  };
  return Array.from({ length: channels }, () => addresses.map((address) => ({
    address, client: new pkg.webxterm.agent.v1.AgentGateway(address, grpc.credentials.createInsecure(), options) as Client,
  })));
}

let identities: SwarmAgentIdentity[] = [];
let agents: SwarmAgent[] = [];
let channels: { address: string; client: Client }[][] = [];

async function connect(c: Extract<SwarmCommand, { cmd: 'connect' }>): Promise<void> {
  channels = channelsTo(c.addresses, c.channels);
  agents = identities.map((id, i) => new SwarmAgent(id, channels[i % channels.length], c.apiKey));
  stats = newStats(agents);
  const limit = c.concurrency ?? agents.length;
  let next = 0;
  // Up to `limit` agents waiting for their first Welcome at once; each starts the next when welcomed.
  const lane = async () => { while (next < agents.length) await agents[next++].start(); };
  await Promise.all(Array.from({ length: Math.min(limit, agents.length) }, lane));
}

function close(): void {
  for (const a of agents) a.stop();
  for (const pair of channels) for (const { client } of pair) client.close();
  agents = [];
  channels = [];
}

process.on('message', (m: SwarmCommand & { seq: number }) => {
  const reply = (body: unknown) => process.send!({ seq: m.seq, body });
  switch (m.cmd) {
    case 'init': identities = m.identities; reply('ready'); return;
    case 'connect': void connect(m); reply('started'); return;
    case 'stats':
      reply({ ...stats, rssMiB: process.memoryUsage().rss / 2 ** 20 });
      return;
    case 'count': reply({ connected: stats.connected, lastWelcomeAt: stats.lastWelcomeAt, refused: stats.refused }); return;
    case 'reset': {
      const connected = stats.connected;
      stats = { ...newStats(agents), connected };
      reply('reset');
      return;
    }
    case 'close': close(); reply('closed'); return;
  }
});
process.on('disconnect', () => process.exit(0));
stats = newStats([]);
