/** Shapes of the public API (docs/api/000_*.txt and what our services answer). */

export type PortalRole = 'user' | 'company_admin' | 'super_admin';

export interface User {
  id: string;
  username: string;
  email: string;
  first_name?: string;
  last_name?: string;
  tenant_id: string;
  tenant_name?: string;
  role: PortalRole;
  machine_role?: string;
  groups?: string[];
  api_key?: string;
  created_at?: string;
}

export interface Tenant { tenant_id: string; tenant_name: string; username: string; user_id: string }

/** POST /api/auth/login, /select-tenant, /verify-otp: one of three answers. */
export interface LoginAnswer {
  token?: string;
  user?: User;
  expires_in?: number;
  session_token?: string;
  available_tenants?: Tenant[];
  requires_otp?: boolean;
  requires_tenant_selection?: boolean;
  username?: string;
  tenants?: Tenant[];
  otp_expires_in_min?: number;
  message?: string;
}

export type MachineStatus = 'pending' | 'online' | 'offline';

export interface Machine {
  id: string;
  machine_id: string;
  agent_id: string;
  name: string;
  status: MachineStatus;
  tenant_id: string;
  hostname: string | null;
  os: string | null;
  kernel: string | null;
  arch: string | null;
  ip_addresses: string[];
  agent_version: string | null;
  linux_user: string | null;
  created_by: string;
  created_at: string;
  registered_at: string | null;
  last_seen: string | null;
}

export interface CreatedMachine extends Machine { registration_token: string; command: string }

export interface CommandLog {
  id: string;
  agent_id: string;
  user_id: string;
  username: string;
  command: string;
  output: string;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  truncated: boolean;
  created_at: string;
  /** 'api' (POST /command) or 'terminal' (a command typed in a session). */
  source?: string;
  session_id?: string | null;
  cwd?: string | null;
  /** The seq of the output chunk where a typed command starts. */
  seq?: number | null;
  /** Where the command starts in its session's recording. */
  offset_ms?: number | null;
}

export interface SessionRecord {
  id: string;
  agent_id: string;
  machine_id: string;
  tenant_id: string;
  user_id: string;
  username: string;
  linux_user: string | null;
  status: 'active' | 'closed';
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
  bytes_out: number;
  cols: number;
  rows: number;
}

export interface Grant { user_id: string; username: string | null; role: string; granted_by: string; granted_at: string }

export interface Group { id: string; tenant_id: string; name: string; description?: string | null; member_count: number; machine_count: number; created_at: string }

export interface Organization { id: string; tenant_id: string; name: string; otp_enabled: boolean; created_at: string }

export interface Role { name: string; description?: string; level?: string; [k: string]: unknown }

export interface AuditEvent {
  id: string;
  at: string;
  source: string;
  action: string;
  result: 'success' | 'failure' | 'denied';
  tenant_id: string;
  actor: { user_id: string | null; username: string | null; email?: string | null; role: string | null };
  client_ip: string | null;
  resource?: string | null;
  status?: number;
  reason?: string;
}

export interface AuditPage { events: AuditEvent[]; next_cursor: string | null }

export interface ChainVerification { tenant_id: string; ok: boolean; checked: number; first_broken: unknown }
