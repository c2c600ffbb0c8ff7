import { z } from 'zod';
// The request schemas auth-svc and community-svc validate with (AuthApi, CommunityApi), so the
// description is generated from the very schemas that check the requests. machine-svc,
// terminal-svc and audit-svc keep theirs private to their route files; their shapes are repeated
// below from those files.
import { AuditResult, AuthApi as auth, CommunityApi as community, type Permission } from '@webxterm/contracts';

/** One operation of the public API, as the gateway exposes it. */
export interface EndpointDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path (`:id`), as in docs/api/000 and the route table. */
  path: string;
  summary: string;
  tag: string;
  /** The permission the policy asks for (packages/contracts/src/roles.ts); the roles holding it are derived. */
  permission?: Permission;
  body?: z.ZodType;
  /** multipart/form-data upload instead of JSON. */
  upload?: true;
  query?: z.ZodObject;
  /** Status and schema of the success answer (200 and a JSON object when absent). */
  status?: number;
  response?: z.ZodType;
  /** A WebSocket upgrade (GET with `Upgrade: websocket`, answered 101). */
  websocket?: true;
  /** Refusals of this operation beyond those the route and the permission imply, with what they mean. */
  errors?: Record<number, string>;
}

const Message = z.object({ message: z.string() });
const Tenant = z.object({ tenant_id: z.string(), tenant_name: z.string(), username: z.string(), user_id: z.string() }).loose();
const User = z.object({ id: z.string(), username: z.string(), email: z.string(), role: z.string() }).loose();
const LoginAnswer = z.union([
  z.object({ token: z.string(), user: User, expires_in: z.number(), session_token: z.string().optional(), available_tenants: z.array(Tenant).optional() }),
  z.object({ requires_otp: z.literal(true), message: z.string(), username: z.string(), tenants: z.array(Tenant), session_token: z.string(), otp_expires_in_min: z.number() }),
  z.object({ requires_tenant_selection: z.literal(true), tenants: z.array(Tenant), session_token: z.string() }),
]);
const SignupAnswer = z.object({ message: z.string(), user_id: z.string(), username: z.string(), organization: z.unknown() });
const Machine = z.object({ agent_id: z.string(), name: z.string(), status: z.enum(['pending', 'online', 'offline']) }).loose();
const CreatedMachine = Machine.extend({ registration_token: z.string(), command: z.string() }).loose();
const CommandAnswer = z.object({ exit_code: z.number().nullable(), output: z.string() }).loose();
const Paged = z.object({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(200).default(50) });

// machine-svc's request shapes (machine-svc/src/http/machines.routes.ts).
const CreateMachine = z.object({ name: z.string().min(1).max(100).optional(), linux_user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).default('ubuntu') });
const RunCommand = z.object({ command: z.string().min(1).max(64 * 1024), timeout: z.number().int().min(1).max(600).optional() });
const RecordingRetention = z.object({ retention_days: z.number().int(), max_days: z.number().int(), custom: z.boolean(), updated_at: z.string().nullable() });
const UserRef = z.object({ user_id: z.string().regex(/^[0-9a-f]{24}$/), username: z.string().max(100).optional() });
const Grant = UserRef.extend({ role: z.enum(['viewer', 'operator', 'admin']).optional() });
// audit-svc's filters (audit-svc/src/http/audit.routes.ts).
const AuditQuery = z.object({
  user: z.string().optional(), action: z.string().optional(), resource: z.string().optional(), result: AuditResult.optional(),
  from: z.iso.datetime().optional(), to: z.iso.datetime().optional(), tenant_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(1024).optional(),
});

type Row = [EndpointDoc['method'], string, string, Permission | undefined, Partial<EndpointDoc>?];
const group = (tag: string, rows: Row[]): EndpointDoc[] =>
  rows.map(([method, path, summary, permission, extra]) => ({ method, path, summary, tag, permission, ...extra }));

/** Every operation of the public API. gateway/test/openapi.test.ts checks it covers the route table and docs/api/000. */
export const API_CATALOGUE: EndpointDoc[] = [
  ...group('Authentication', [
    ['post', '/api/auth/signup', 'Create an account and its organization (you become its company_admin)', undefined, { body: auth.SignupBody, status: 201, response: SignupAnswer }],
    ['post', '/api/auth/login', 'Log in: a token, an emailed OTP challenge, or a choice of organization', undefined, { body: auth.LoginBody, response: LoginAnswer }],
    ['post', '/api/auth/select-tenant', 'Pick the organization of a multi-organization login', undefined, { body: auth.SelectTenantBody, response: LoginAnswer }],
    ['post', '/api/auth/verify-otp', 'Trade the emailed 6-digit code for a token', undefined, { body: auth.VerifyOtpBody, response: LoginAnswer }],
    ['post', '/api/auth/refresh', 'A fresh token for the same login', undefined, { body: auth.RefreshBody, response: z.object({ token: z.string(), expires_in: z.number() }) }],
    ['post', '/api/auth/logout', 'Log out: this token and every token of the same login are refused from now on', undefined, { response: Message }],
    ['post', '/api/signup', 'Community Edition signup (document 001)', undefined, { body: auth.CommunitySignupBody, status: 201 }],
    ['post', '/api/login', 'Community Edition login (document 001)', undefined, { body: auth.LoginBody }],
    ['post', '/login', 'Token API login as user@organization with the ACL of the role (document 004)', undefined, { body: auth.TokenApiLoginBody }],
    ['post', '/logout', 'Token API logout (X-Access-Token and X-Key headers, document 004)', undefined, { response: Message }],
  ]),
  ...group('Users', [
    ['get', '/api/users/me', 'The caller', 'users:read_self', { response: User }],
    ['get', '/api/users', 'People of the organization', 'users:read', { query: auth.UserListQuery }],
    ['post', '/api/users', 'Add a person to the organization', 'users:manage', { body: auth.CreateUserBody, status: 201 }],
    ['get', '/api/users/:id', 'One person', 'users:read'],
    ['put', '/api/users/:id', 'Change a person’s names or role', 'users:manage', { body: auth.UpdateUserBody }],
    ['delete', '/api/users/:id', 'Remove a person from the organization', 'users:manage'],
    ['get', '/api/users/:id/roles', 'A person’s portal and machine roles', 'users:read'],
    ['post', '/api/users/:id/roles', 'Assign a person’s role', 'users:manage', { body: auth.AssignRolesBody }],
  ]),
  ...group('Profile', [
    ['get', '/api/profile', 'The caller’s profile', 'profile:read'],
    ['post', '/api/profile/regenerate-api-key', 'A new API key for the caller (the old one stops working)', 'profile:update'],
    ['post', '/api/profile/reset-password', 'Change the caller’s password (their other logins end)', 'profile:update', { body: auth.ChangePasswordBody }],
    ['post', '/api/profile/upload-avatar', 'Change the caller’s avatar (an image up to 2 MB; re-encoded)', 'profile:update', { upload: true }],
    ['get', '/api/profile/avatar/:id', 'An avatar image', 'profile:read', { response: z.string() }],
    ['get', '/api/users/me/invitations', 'Organizations that invited the caller', 'users:read_self'],
    ['post', '/api/users/me/invitations/:id/accept', 'Accept an invitation: the organization joins the caller’s logins', 'users:read_self'],
    ['delete', '/api/users/me/invitations/:id', 'Decline an invitation', 'users:read_self'],
  ]),
  ...group('Roles', [
    ['get', '/api/roles', 'Every role and what it may do', 'roles:read'],
    ['get', '/api/roles/portal', 'Portal roles', 'roles:read'],
    ['get', '/api/roles/machine', 'Machine roles', 'roles:read'],
  ]),
  ...group('Groups', [
    ['get', '/api/groups', 'Groups of the organization', 'groups:read'],
    ['post', '/api/groups', 'Create a group', 'groups:manage', { body: auth.GroupBody, status: 201 }],
    ['get', '/api/groups/:id', 'One group', 'groups:read'],
    ['put', '/api/groups/:id', 'Rename or describe a group', 'groups:manage', { body: auth.GroupUpdateBody }],
    ['delete', '/api/groups/:id', 'Delete a group', 'groups:manage'],
    ['get', '/api/groups/:id/members', 'Members of a group', 'groups:read'],
    ['post', '/api/groups/:id/members', 'Add a member', 'groups:manage', { body: auth.MemberBody }],
    ['delete', '/api/groups/:id/members', 'Remove a member', 'groups:manage', { body: auth.MemberBody }],
    ['get', '/api/groups/:id/machines', 'Machines of a group', 'groups:read'],
    ['post', '/api/groups/:id/machines', 'Give a group machines', 'groups:manage', { body: auth.MachinesBody }],
    ['delete', '/api/groups/:id/machines/:machine_id', 'Take a machine from a group', 'groups:manage'],
  ]),
  ...group('Organizations', [
    ['get', '/api/organization', 'The caller’s organization', 'organization:read'],
    ['put', '/api/organization', 'Change the organization (company name, OTP)', 'organization:update', { body: auth.UpdateOrganizationBody }],
    ['get', '/api/admin/organizations', 'Every organization (super_admin)', 'organizations:manage'],
    ['post', '/api/admin/organizations', 'Create an organization (super_admin)', 'organizations:manage', { body: auth.CreateOrganizationBody, status: 201 }],
    ['get', '/api/admin/organizations/:id', 'One organization (super_admin)', 'organizations:manage'],
    ['put', '/api/admin/organizations/:id', 'Change an organization (super_admin)', 'organizations:manage', { body: auth.UpdateOrganizationBody }],
    ['delete', '/api/admin/organizations/:id', 'Delete an organization and everything in it (super_admin)', 'organizations:manage'],
    ['get', '/api/admin/organizations/:id/stats', 'Counts of an organization (super_admin)', 'organizations:manage'],
    ['get', '/api/admin/organizations/:id/users', 'People of an organization (super_admin)', 'organizations:manage'],
    ['get', '/api/admin/organizations/:id/groups', 'Groups of an organization (super_admin)', 'organizations:manage'],
  ]),
  ...group('Audit', [
    ['get', '/api/audit', 'The audit log, newest first, filtered, in cursor pages', 'audit:read', { query: AuditQuery }],
    ['get', '/api/audit/tenants', 'Organizations in the caller’s audit scope', 'audit:read'],
    ['get', '/api/audit/verify', 'Check the hash chain of an organization’s audit log', 'audit:read'],
  ]),
  ...group('Machines', [
    ['get', '/api/agent/bootstrap', 'Where agents dial (agent-bridge addresses); agents hold no token', undefined],
    ['get', '/api/machines', 'Machines the caller may use', 'machines:read', { response: z.object({ machines: z.array(Machine), total: z.number() }) }],
    ['post', '/api/machines', 'Create a pending machine: its registration token and the agent command', 'machines:manage', { body: CreateMachine, status: 201, response: CreatedMachine }],
    ['get', '/api/machines/by-id/:machine_id', 'A machine by its ObjectID', 'machines:read', { response: Machine }],
    ['get', '/api/machines/:agent_id', 'A machine by its agent id', 'machines:read', { response: Machine }],
    ['delete', '/api/machines/:agent_id', 'Delete a machine (its agent is disconnected)', 'machines:manage'],
    ['post', '/api/machines/:agent_id/command', 'Run a command on the machine (504 on timeout, 503 offline)', 'commands:run', {
      body: RunCommand, response: CommandAnswer,
      errors: {
        403: 'The caller may see the machine but not run commands on it (a viewer grant)', 409: 'The machine has not connected yet',
        429: 'The machine runs MAX_COMMANDS_PER_MACHINE commands already', 504: 'The machine did not answer in time',
      },
    }],
    ['get', '/api/machines/:agent_id/logs', 'Command logs, in pages', 'machines:read', { query: Paged }],
    ['get', '/api/machines/:agent_id/logs/search', 'Full-text search of the command logs', 'machines:read', { query: Paged.extend({ q: z.string().max(500) }) }],
    ['get', '/api/machines/:agent_id/sessions', 'Terminal sessions of the machine', 'sessions:read'],
    ['get', '/api/machines/:agent_id/sessions/active', 'Open terminal sessions of the machine', 'sessions:read'],
    ['get', '/api/machines/:agent_id/access/users', 'Who may use the machine, with their machine role', 'machines:read'],
    ['post', '/api/machines/:agent_id/access/grant', 'Grant a person a machine role', 'machines:manage', { body: Grant }],
    ['post', '/api/machines/:agent_id/access/revoke', 'Revoke a person’s access', 'machines:manage', { body: UserRef }],
    ['get', '/api/sessions/:session_id', 'A terminal session and its command log', 'sessions:read'],
    ['get', '/api/dashboard/stats', 'Counts for the dashboard', 'dashboard:read'],
    ['get', '/api/dashboard/recent-machines', 'The last 5 active machines', 'dashboard:read'],
    ['get', '/api/dashboard/recent-activity', 'The last 10 commands', 'dashboard:read'],
  ]),
  ...group('Terminal', [
    ['get', '/api/terminal/:agent_id/ws', 'The browser terminal: binary frames are bytes, text frames JSON control (docs/terminal-protocol.md); the token may come as ?token=', 'terminal:open', { websocket: true }],
    ['get', '/api/terminal/sessions', 'The caller’s open terminal sessions', 'sessions:read'],
    ['get', '/api/terminal/sessions/:session_id', 'One terminal session', 'sessions:read'],
    ['get', '/api/terminal/sessions/:session_id/recording', 'The session’s recording (asciicast v2)', 'sessions:read', { response: z.string() }],
    ['delete', '/api/terminal/sessions/:session_id', 'Close a terminal session', 'sessions:read'],
    ['get', '/api/terminal/recording-retention', 'How long the organization keeps terminal recordings', 'sessions:read', { response: RecordingRetention }],
    ['put', '/api/terminal/recording-retention', 'Set how long the organization keeps terminal recordings (company_admin; 1 … max_days)', 'organization:update', {
      body: z.object({ retention_days: z.number().int().min(1) }).strict(), response: RecordingRetention,
    }],
  ]),
  ...group('Community', [
    ['get', '/api/community/issues', 'Issues of the organization’s board: search, filters, pages', 'community:read', { query: community.ListIssues }],
    ['post', '/api/community/issues', 'Open an issue (Markdown body, tags)', 'community:write', { body: community.CreateIssue, status: 201 }],
    ['get', '/api/community/issues/:id', 'One issue', 'community:read'],
    ['put', '/api/community/issues/:id', 'Change an issue (its author or a company_admin)', 'community:write', { body: community.UpdateIssue }],
    ['delete', '/api/community/issues/:id', 'Delete an issue (its author or a company_admin)', 'community:write'],
    ['get', '/api/community/issues/:id/fixes', 'Fixes proposed for an issue', 'community:read', { query: community.Paging }],
    ['post', '/api/community/issues/:id/fixes', 'Propose a fix', 'community:write', { body: community.CreateFix, status: 201 }],
    ['post', '/api/community/issues/:id/fixes/:fix_id/like', 'Like a fix (once per person)', 'community:write'],
    ['delete', '/api/community/issues/:id/fixes/:fix_id/like', 'Take a like back', 'community:write'],
    ['post', '/api/community/issues/:id/fixes/:fix_id/accept', 'Accept a fix: the issue is solved', 'community:write'],
    ['post', '/api/community/upload', 'Upload an image (PNG, JPEG or WebP up to 5 MB; re-encoded)', 'community:write', { upload: true, status: 201 }],
    ['get', '/api/community/images/:id', 'An uploaded image', 'community:read', { response: z.string() }],
  ]),
];
