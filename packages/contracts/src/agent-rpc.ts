import { z } from 'zod';
import { domainEvent } from './events';
import { RpcContract, RpcError } from './rpc';
import { platformSubject } from './subjects';

/** The subject domain of requests to agents and of the bridges' claims on them. */
const AGENT = 'agent';

/**
 * The failure "the machine's agent is not connected": the one wire error for it, answered when a
 * request to an agent finds no responder (only the bridge replica holding the agent's stream
 * subscribes to its subjects) and when a stream ends under a pending request.
 */
export const MACHINE_OFFLINE: RpcError = { kind: 'unavailable', code: 'machine.offline', message: 'Machine is offline' };

/** A request to one agent, answered by the bridge replica that holds its stream; addressed with `forAgent`. */
export interface AgentRpc<Req extends z.ZodType, Res extends z.ZodType> {
  name: string;
  request: Req;
  response: Res;
}

function defineAgentRpc<Req extends z.ZodType, Res extends z.ZodType>(c: AgentRpc<Req, Res>): AgentRpc<Req, Res> {
  return c;
}

/** The contract addressed to one agent: `agent.v1.rpc.<name>.<agent>`; no responder = `MACHINE_OFFLINE`. */
export function forAgent<Req extends z.ZodType, Res extends z.ZodType>(rpc: AgentRpc<Req, Res>, agentId: string): RpcContract<Req, Res> {
  return { subject: platformSubject(AGENT, 'rpc', rpc.name, agentId), request: rpc.request, response: rpc.response, noResponders: MACHINE_OFFLINE };
}

export const OpenSession = defineAgentRpc({
  name: 'open',
  request: z.object({
    session_id: z.string().regex(/^[0-9a-f]{24}$/),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
    window_bytes: z.number().int().min(4096).max(16 << 20),
  }),
  response: z.object({ pid: z.number().int() }),
});

export const ExecCommand = defineAgentRpc({
  name: 'exec',
  request: z.object({
    command: z.string().min(1).max(64 * 1024),
    timeout_ms: z.number().int().min(100).max(600_000),
    max_output_bytes: z.number().int().min(1).max(512 * 1024),
  }),
  response: z.object({
    exit_code: z.number().int(), output: z.string(), duration_ms: z.number().int(), timed_out: z.boolean(), truncated: z.boolean(),
  }),
});

/** Is the agent connected to a bridge right now? Answered by the replica holding its stream; no responder = no. */
export const AgentPing = defineAgentRpc({
  name: 'ping',
  request: z.object({}),
  response: z.object({ connected: z.literal(true) }),
});

export const DisconnectAgent = defineAgentRpc({
  name: 'disconnect',
  request: z.object({ reason: z.string().max(200), forget: z.boolean() }),
  response: z.object({ disconnected: z.boolean() }),
});

/**
 * Published (core NATS) by the bridge replica that admits an agent, after it subscribed to the
 * agent's sessions: any other replica still holding an older stream of that agent (another
 * `connection_id`) ends it, and terminal-svc sends the owners' recent keystrokes again.
 */
export const AgentClaimed = domainEvent({
  domain: AGENT, name: 'claimed', tokens: (e) => [e.agent_id],
  schema: z.object({ agent_id: z.string(), connection_id: z.string() }),
});
