import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The agent protocol's one source of truth is `proto/agent.proto`; both ends load it at run time
 * with @grpc/proto-loader using `AGENT_PROTO_OPTIONS`. The interfaces below mirror its messages as
 * proto-loader presents them with those options (snake_case fields, uint64 as number, bytes as
 * Buffer); test/agent-proto.test.ts checks they list the same fields as the file.
 */
export const AGENT_PROTO_PATH = agentProtoPath();

/** proto/agent.proto of the repository; a compiled bundle (scripts/build.mjs) carries its copy beside itself. */
function agentProtoPath(): string {
  const besideBundle = join(__dirname, 'agent.proto');
  return existsSync(besideBundle) ? besideBundle : join(__dirname, '..', '..', '..', 'proto', 'agent.proto');
}

export const AGENT_PROTO_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true } as const;
export const AGENT_SERVICE = 'webxterm.agent.v1.AgentGateway';

/** Call metadata the agent sends. */
export const AGENT_MD = { agentId: 'x-agent-id', registrationToken: 'x-registration-token' } as const;

export interface LiveSession { session_id: string; next_seq: number; acked_seq: number }
export interface Hello {
  agent_version: string; hostname: string; os: string; kernel: string; arch: string; ips: string[];
  linux_user: string; sessions: LiveSession[];
  /** Absent from older agents (read as []). */
  features?: string[];
}
export interface Welcome { machine_id: string; heartbeat_interval_ms: number; agent_id: string; machine_credential: string;
  /** Absent from older bridges (read as []). */
  features?: string[];
}
export interface Heartbeat { sent_at_ms: number }
export interface OpenSessionMsg { session_id: string; cols: number; rows: number; window_bytes: number }
export interface SessionOpened { session_id: string; pid: number; error: string }
export interface OutputChunk { session_id: string; seq: number; data: Buffer;
  /** Absent or 0 when live (and from older agents): how long the agent held a chunk it sends again. */
  held_ms?: number;
}
export interface InputChunk { session_id: string; data: Buffer;
  /** Absent or 0 from older bridges: no numbering, typed as it comes. */
  writer?: number; seq?: number;
}
export interface OutputBatch { chunks: OutputChunk[] }
export interface InputBatch { chunks: InputChunk[] }
/** A feature both ends name in hello and welcome: OutputBatch and InputBatch are understood. */
export const BATCHES_FEATURE = 'batches';
/**
 * A batch holds at most this many bytes of data (a chunk above it travels alone): far below the
 * 4 MiB a gRPC message may have (many sessions flooding at once would otherwise exceed it).
 */
export const AGENT_BATCH_MAX_BYTES = 1 << 20;
export interface ResizeMsg { session_id: string; cols: number; rows: number }
export interface CloseSessionMsg { session_id: string }
export interface ResendMsg { session_id: string; after_seq: number }
export interface Credit { session_id: string; acked_seq: number }
export interface SessionExited { session_id: string; exit_code: number; signal: number; last_seq: number; bytes: number }
export interface ExecRequest { request_id: string; command: string; timeout_ms: number; max_output_bytes: number }
export interface ExecResult {
  request_id: string; exit_code: number; output: Buffer; duration_ms: number; timed_out: boolean; truncated: boolean; error: string;
}
export interface ErrorReport { code: string; message: string; session_id: string }
export interface CommandRecord {
  session_id: string; command: string; cwd: string; exit_code: number; seq: number; started_at_ms: number; ended_at_ms: number;
}
export interface DisconnectMsg { reason: string; forget: boolean }

export interface AgentMessage {
  hello?: Hello; heartbeat?: Heartbeat; opened?: SessionOpened; output?: OutputChunk; exited?: SessionExited;
  exec_result?: ExecResult; error?: ErrorReport; command?: CommandRecord; outputs?: OutputBatch;
  kind?: 'hello' | 'heartbeat' | 'opened' | 'output' | 'exited' | 'exec_result' | 'error' | 'command' | 'outputs';
}
export interface BridgeMessage {
  welcome?: Welcome; heartbeat?: Heartbeat; open?: OpenSessionMsg; input?: InputChunk; resize?: ResizeMsg;
  close?: CloseSessionMsg; credit?: Credit; exec?: ExecRequest; disconnect?: DisconnectMsg; resend?: ResendMsg; inputs?: InputBatch;
  kind?: 'welcome' | 'heartbeat' | 'open' | 'input' | 'resize' | 'close' | 'credit' | 'exec' | 'disconnect' | 'resend' | 'inputs';
}
