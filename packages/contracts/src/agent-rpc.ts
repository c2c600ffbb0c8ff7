import { z } from 'zod';
import { RpcContract, defineRpc } from './rpc';
import { subject } from './subjects';

/**
 * Requests to one agent, answered by the agent-bridge replica that holds its stream: that replica
 * alone subscribes to the agent's subjects, so "no responders" means "machine offline".
 */
export const AGENT_RPC_FILTER = 'agent.v1.rpc.*.*';

export const OpenSession = defineRpc({
  subject: 'agent.v1.rpc.AGENT.open',
  request: z.object({
    session_id: z.string().regex(/^[0-9a-f]{24}$/),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
    window_bytes: z.number().int().min(4096).max(16 << 20),
  }),
  response: z.object({ pid: z.number().int() }),
});

export const ExecCommand = defineRpc({
  subject: 'agent.v1.rpc.AGENT.exec',
  request: z.object({
    command: z.string().min(1).max(64 * 1024),
    timeout_ms: z.number().int().min(100).max(600_000),
    max_output_bytes: z.number().int().min(1).max(512 * 1024),
  }),
  response: z.object({
    exit_code: z.number().int(), output: z.string(), duration_ms: z.number().int(), timed_out: z.boolean(), truncated: z.boolean(),
  }),
});

export const DisconnectAgent = defineRpc({
  subject: 'agent.v1.rpc.AGENT.disconnect',
  request: z.object({ reason: z.string().max(200), forget: z.boolean() }),
  response: z.object({ disconnected: z.boolean() }),
});

/** The contract addressed to one agent: the same schemas, the agent id in the subject. */
export function forAgent<Req extends z.ZodType, Res extends z.ZodType>(rpc: RpcContract<Req, Res>, agentId: string): RpcContract<Req, Res> {
  const [a, v, r, , op] = rpc.subject.split('.');
  return { ...rpc, subject: subject(a, v, r, agentId, op) };
}

/**
 * Published by the bridge replica that admits an agent, with its connection id as the payload: any
 * other replica still holding an older stream of that agent ends it.
 */
export const AGENT_CLAIMED_FILTER = 'agent.v1.claimed.*';
export const agentClaimedSubject = (agentId: string): string => subject('agent', 'v1', 'claimed', agentId);
