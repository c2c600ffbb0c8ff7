import { z } from 'zod';
import { defineEvent, StreamDefinition } from './events';
import { defineRpc } from './rpc';
import { PORTAL_ROLES } from './roles';
import { subject } from './subjects';

/** Machine lifecycle events (agent-bridge → machine-svc), durable so a restart of machine-svc loses none. */
export const MACHINE_STREAM: StreamDefinition = {
  name: 'MACHINES',
  subjects: ['machine.v1.evt.>'],
  duplicateWindowSec: 120,
  maxAgeDays: 7,
};

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

/** An agent's stream was accepted by a bridge replica. `connection_id` names this one stream. */
export const MachineOnline = defineEvent({
  subjectFor: (e: { agent_id: string }) => subject('machine', 'v1', 'evt', 'online', e.agent_id),
  filter: 'machine.v1.evt.online.>',
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), connection_id: z.string(), bridge_id: z.string(),
    at: z.string().datetime(), info: MachineInfo,
  }),
});

/** An agent's stream ended (or its heartbeats stopped). Ignored when a newer connection exists. */
export const MachineOffline = defineEvent({
  subjectFor: (e: { agent_id: string }) => subject('machine', 'v1', 'evt', 'offline', e.agent_id),
  filter: 'machine.v1.evt.offline.>',
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), connection_id: z.string(), at: z.string().datetime(), reason: z.string(),
  }),
});

/**
 * Core NATS, not durable: every few seconds each bridge replica lists the agents it holds. A
 * machine whose last sighting is older than a few intervals is offline even if its bridge died
 * before it could say so.
 */
export const AgentsSeen = defineEvent({
  subjectFor: () => subject('machine', 'v1', 'seen'),
  filter: 'machine.v1.seen',
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
  subject: 'machine.rpc.agent.authenticate.v1',
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
export const TerminalCommand = defineEvent({
  subjectFor: (e: { agent_id: string }) => subject('machine', 'v1', 'evt', 'command', e.agent_id),
  filter: 'machine.v1.evt.command.>',
  schema: z.object({
    agent_id: z.string(), tenant_id: z.string(), session_id: z.string(), command: z.string().max(64 * 1024), cwd: z.string().max(4096),
    exit_code: z.number().int(), seq: z.number().int().min(0), started_at: z.string().datetime(), ended_at: z.string().datetime(),
  }),
});

/** The commands typed in one session, in order (terminal-svc asks for the recording's markers). */
export const ListSessionCommands = defineRpc({
  subject: 'machine.rpc.session_commands.list.v1',
  request: z.object({ tenant_id: z.string(), session_id: z.string().max(64) }),
  response: z.object({ commands: z.array(z.object({ command: z.string(), seq: z.number().int(), offset_ms: z.number().int() })) }),
});

export const MACHINE_PERMISSIONS = ['machine:read', 'terminal:open', 'commands:run', 'sessions:watch'] as const;

/** May this person use this machine for that? One answer for every service (terminal-svc asks). */
export const CheckMachineAccess = defineRpc({
  subject: 'machine.rpc.access.check.v1',
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
