/**
 * Drift check between proto/agent.proto and the TypeScript mirror in packages/contracts: each sample
 * below is typed `Required<…>` with `satisfies`, so tsc fails when the interface gains or loses a
 * field, and the test fails when the .proto file does.
 */
import * as protoLoader from '@grpc/proto-loader';
import {
  AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, AGENT_SERVICE, AgentMessage, BridgeMessage, CloseSessionMsg, Credit, DisconnectMsg, ResendMsg, CommandRecord, ErrorReport,
  ExecRequest, ExecResult, Heartbeat, Hello, InputBatch, InputChunk, OutputBatch, LiveSession, OpenSessionMsg, OutputChunk, ResizeMsg, SessionExited,
  SessionOpened, Welcome,
} from '@webxterm/contracts';

const def = protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS);
const fieldsOf = (msg: string) => ((def[`webxterm.agent.v1.${msg}`] as any).type.field as { name: string }[]).map((f) => f.name).sort();
const b = Buffer.alloc(0);

const samples: Record<string, object> = {
  Hello: { agent_version: '', hostname: '', os: '', kernel: '', arch: '', ips: [], linux_user: '', sessions: [], features: [] } satisfies Required<Hello>,
  LiveSession: { session_id: '', next_seq: 0, acked_seq: 0 } satisfies Required<LiveSession>,
  Welcome: { machine_id: '', heartbeat_interval_ms: 0, agent_id: '', machine_credential: '', features: [] } satisfies Required<Welcome>,
  Heartbeat: { sent_at_ms: 0 } satisfies Required<Heartbeat>,
  OpenSession: { session_id: '', cols: 0, rows: 0, window_bytes: 0 } satisfies Required<OpenSessionMsg>,
  SessionOpened: { session_id: '', pid: 0, error: '' } satisfies Required<SessionOpened>,
  OutputChunk: { session_id: '', seq: 0, data: b, held_ms: 0 } satisfies Required<OutputChunk>,
  InputChunk: { session_id: '', data: b, writer: 0, seq: 0 } satisfies Required<InputChunk>,
  OutputBatch: { chunks: [] } satisfies Required<OutputBatch>,
  InputBatch: { chunks: [] } satisfies Required<InputBatch>,
  Resize: { session_id: '', cols: 0, rows: 0 } satisfies Required<ResizeMsg>,
  CloseSession: { session_id: '' } satisfies Required<CloseSessionMsg>,
  Credit: { session_id: '', acked_seq: 0 } satisfies Required<Credit>,
  SessionExited: { session_id: '', exit_code: 0, signal: 0, last_seq: 0, bytes: 0 } satisfies Required<SessionExited>,
  ExecRequest: { request_id: '', command: '', timeout_ms: 0, max_output_bytes: 0 } satisfies Required<ExecRequest>,
  ExecResult: { request_id: '', exit_code: 0, output: b, duration_ms: 0, timed_out: false, truncated: false, error: '' } satisfies Required<ExecResult>,
  ErrorReport: { code: '', message: '', session_id: '' } satisfies Required<ErrorReport>,
  Disconnect: { reason: '', forget: false } satisfies Required<DisconnectMsg>,
  Resend: { session_id: '', after_seq: 0 } satisfies Required<ResendMsg>,
  CommandRecord: { session_id: '', command: '', cwd: '', exit_code: 0, seq: 0, started_at_ms: 0, ended_at_ms: 0 } satisfies Required<CommandRecord>,
};
const oneofs: Record<string, string[]> = {
  AgentMessage: Object.keys({ hello: 0, heartbeat: 0, opened: 0, output: 0, exited: 0, exec_result: 0, error: 0, command: 0, outputs: 0 } satisfies Record<Exclude<keyof AgentMessage, 'kind'>, 0>),
  BridgeMessage: Object.keys({ welcome: 0, heartbeat: 0, open: 0, input: 0, resize: 0, close: 0, credit: 0, exec: 0, disconnect: 0, resend: 0, inputs: 0 } satisfies Record<Exclude<keyof BridgeMessage, 'kind'>, 0>),
};

describe('proto/agent.proto and its TypeScript mirror', () => {
  it.each(Object.keys(samples))('%s has the same fields', (msg) => {
    expect(fieldsOf(msg)).toEqual(Object.keys(samples[msg]).sort());
  });
  it.each(Object.keys(oneofs))('%s has the same variants', (msg) => {
    expect(fieldsOf(msg)).toEqual([...oneofs[msg]].sort());
  });
  it('the service is one bidirectional Connect stream', () => {
    const connect = (def[AGENT_SERVICE] as any).Connect;
    expect([connect.requestStream, connect.responseStream]).toEqual([true, true]);
  });
});
