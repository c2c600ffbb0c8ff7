import { z } from 'zod';
import { domainEvent, StreamDefinition, streamSubjects } from './events';
import { defineRpc } from './rpc';
import { PORTAL_ROLES } from './roles';

/** machine-svc's subject domain (and the bridges' events about machines). */
const MACHINE = 'machine';

export const MachineInfo = z.object({
  hostname: z.string().max(255),
  os: z.string().max(255),
  kernel: z.string().max(255),
  arch: z.string().max(64),
  ips: z.array(z.string().max(64)).max(64),
  agent_version: z.string().max(64),
  linux_user: z.string().max(64),
});
export type MachineInfo = z.infer<typeof MachineInfo>;

/** Agent ids are subject tokens: letters, digits, `_` and `-`. */
export const AGENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * An agent's stream was accepted by a bridge replica. `connection_id` names this one stream.
 * (The machine then shows as online; "machine offline" is the error `MACHINE_OFFLINE`, agent-rpc.ts.)
 */
export const AgentConnected = domainEvent({
  domain: MACHINE, name: 'online', tokens: (e) => [e.agent_id],
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), connection_id: z.string(), bridge_id: z.string(),
    at: z.string().datetime(), info: MachineInfo,
    /**
     * The sessions the agent still holds as it connects (its hello, received at `live_sessions_at`).
     * Any other session of this agent opened before then is gone — the agent restarted, or its machine
     * rebooted — and terminal-svc closes it. Absent from older bridges: then nothing is closed.
     */
    live_sessions: z.array(z.string().max(64)).max(10_000).optional(),
    /** When the hello came (`at` is when the stream was accepted, after admission); older bridges: `at`. */
    live_sessions_at: z.string().datetime().optional(),
  }),
});

/** An agent's stream ended (or its heartbeats stopped). Ignored when a newer connection exists. */
export const AgentDisconnected = domainEvent({
  domain: MACHINE, name: 'offline', tokens: (e) => [e.agent_id],
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), connection_id: z.string(), at: z.string().datetime(), reason: z.string(),
  }),
});

/**
 * Core NATS, not durable: every few seconds each bridge replica lists the agents it holds. A
 * machine whose last sighting is older than a few intervals is offline even if its bridge died
 * before it could say so.
 */
export const AgentsSeen = domainEvent({
  domain: MACHINE, name: 'agents_seen',
  schema: z.object({ bridge_id: z.string(), agent_ids: z.array(z.string()), interval_ms: z.number().int().positive() }),
});

/** A machine's own credential, held by its agent: `vmc_` and 48 hex digits. */
export const MACHINE_CREDENTIAL = /^vmc_[0-9a-f]{48}$/;

/**
 * A connecting agent. A registered machine's agent proves itself with its own `credential`. Without
 * one, the API key's `owner` registers a machine: the pending machine of `registration_token`, or a
 * new one (which needs the right to create machines). A registration answers a new `credential`.
 */
export const AuthenticateAgent = defineRpc({
  domain: MACHINE, name: 'agent_authenticate',
  request: z.object({
    agent_id: z.string().regex(AGENT_ID),
    credential: z.string().regex(MACHINE_CREDENTIAL).optional(),
    owner: z.object({ tenant_id: z.string(), user_id: z.string(), role: z.enum(PORTAL_ROLES) }).optional(),
    registration_token: z.string().max(200).optional(),
  }),
  response: z.object({
    machine_id: z.string(), agent_id: z.string(), tenant_id: z.string(), name: z.string(), credential: z.string().optional(),
  }),
});

/** A command typed in a terminal, as the agent's shell integration reported it (durable: machine-svc logs it). */
export const TerminalCommand = domainEvent({
  domain: MACHINE, name: 'command', tokens: (e) => [e.agent_id],
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), session_id: z.string(), command: z.string().max(64 * 1024), cwd: z.string().max(4096),
    exit_code: z.number().int(), seq: z.number().int().min(0), started_at: z.string().datetime(), ended_at: z.string().datetime(),
  }),
});

/** The commands typed in one session, in order (terminal-svc asks for the recording's markers). */
export const ListSessionCommands = defineRpc({
  domain: MACHINE, name: 'session_commands_list',
  request: z.object({ tenant_id: z.string(), session_id: z.string().max(64) }),
  response: z.object({ commands: z.array(z.object({ command: z.string(), seq: z.number().int(), offset_ms: z.number().int() })) }),
});

export const MACHINE_PERMISSIONS = ['machine:read', 'terminal:open', 'commands:run', 'sessions:watch'] as const;

/** May this person use this machine for that? One answer for every service (terminal-svc asks). */
export const CheckMachineAccess = defineRpc({
  domain: MACHINE, name: 'access_check',
  request: z.object({
    actor: z.object({ user_id: z.string(), tenant_id: z.string(), role: z.enum(PORTAL_ROLES) }),
    agent_id: z.string().max(64),
    permission: z.enum(MACHINE_PERMISSIONS),
  }),
  response: z.object({
    machine_id: z.string(), agent_id: z.string(), tenant_id: z.string(), name: z.string(),
    status: z.enum(['pending', 'online', 'offline']), linux_user: z.string().nullable(),
  }),
});

/** Machine lifecycle events and typed commands (agent-bridge → machine-svc), durable so a restart of machine-svc loses none. */
export const MACHINE_STREAM: StreamDefinition = {
  name: 'MACHINES',
  subjects: streamSubjects(AgentConnected, AgentDisconnected, TerminalCommand),
  duplicateWindowSec: 120,
  maxAgeDays: 7,
};

/**
 * Which of these ids are machines of this organization (agent ids or ObjectIDs). Answered by
 * machine-svc; auth-svc asks before putting machines into a group.
 */
export const MachinesOfTenant = defineRpc({
  domain: MACHINE, name: 'machines_of_tenant',
  request: z.object({ tenant_id: z.string(), machine_ids: z.array(z.string().max(100)).max(500) }),
  response: z.object({ known: z.array(z.string()) }),
});

/**
 * Someone's access to machines may have changed (group, grant, removal). Core NATS, published by
 * machine-svc to every terminal-svc replica: each re-checks the open terminals of these users (all
 * of the tenant's when null).
 */
export const AccessChanged = domainEvent({
  domain: MACHINE, name: 'access_changed', tokens: (e) => [e.tenant_id],
  schema: z.object({ tenant_id: z.string(), at: z.string().datetime(), user_ids: z.array(z.string()).nullable() }),
});
