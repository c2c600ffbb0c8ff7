/** What services may know about each other: the names the other workspaces use, nothing more. */
export { commonFilter, subject, subjectMatches, subjectToken } from './subjects';
export { contractFilters, defineEvent, domainEvent, streamSubjects, type EventContract, type StreamDefinition } from './events';
export {
  AUDIT_STREAM, AuditEventSchema, AuditRecorded, AuditResult, auditSubject, auditTenantFilter, NO_ORGANIZATION_TENANT, type AuditEvent,
} from './audit';
export {
  aclForRole, decide, MACHINE_ROLE_DESCRIPTIONS, MACHINE_ROLE_PERMISSIONS, MACHINE_ROLES, mayAssignRole, PORTAL_ROLES, ROLE_DESCRIPTIONS,
  ROLE_PERMISSIONS, roleNumber, roleRank, type Actor, type Decision, type MachineRole, type Permission, type PortalRole,
} from './roles';
export { ACCESS_TOKEN_TTL_SEC, AccessClaims, ClientSource, revokedSessionKey, TOKEN_ISSUER } from './tokens';
export { defineRpc, RpcError, type RpcContract } from './rpc';
export { OrganizationCounts, ResolveApiKey, UserInOrganization } from './auth-rpc';
export {
  AccessChanged, AGENT_ID, AgentConnected, AgentDisconnected, AgentsSeen, AuthenticateAgent, CheckMachineAccess, ListSessionCommands,
  MACHINE_CREDENTIAL, MACHINE_STREAM, MachineInfo, MachinesOfTenant, TerminalCommand,
} from './machines';
export { AgentClaimed, AgentPing, DisconnectAgent, ExecCommand, forAgent, MACHINE_OFFLINE, OpenSession } from './agent-rpc';
export {
  CountActiveSessions, GetSession, ListMachineSessions, SessionEnded, SessionExit, SessionRecord, TermControl, termControlSubject,
  termInputSubject, TERMINAL_STREAM, termOutputSubject, termRecordSubject,
} from './terminal';
export { BATCH_HDR, decodeOutputBatch, encodeOutputBatch, packOutputRecords, type OutputRecord } from './output-batch';
export { type InputFrame, packInputFrame, unpackInputFrame } from './input-frame';
export {
  AUTH_EVENTS_STREAM, GroupDeleted, GroupMachinesChanged, GroupMembersChanged, LoginRevoked, OrganizationDeleted, UserRemoved,
} from './auth-events';
export {
  AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH, AGENT_SERVICE, type AgentMessage, type BridgeMessage, type CloseSessionMsg,
  type CommandRecord, type Credit, type DisconnectMsg, type ErrorReport, type ExecRequest, type ExecResult, type Heartbeat, type Hello,
  type InputBatch, type InputChunk, type OutputBatch, BATCHES_FEATURE, AGENT_BATCH_MAX_BYTES, type LiveSession, type OpenSessionMsg, type OutputChunk, type ResendMsg, type ResizeMsg, type SessionExited,
  type SessionOpened, type Welcome,
} from './agent-proto';
export { ChunkBatch } from './chunk-batch';
export * as AuthApi from './auth-api';
export * as CommunityApi from './community-api';
export { HeartbeatWatch, SILENT_TICKS } from './heartbeat-watch';
