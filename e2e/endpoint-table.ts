/**
 * THE table of protected endpoints (document 000), with what each role of organization A must get
 * when it aims at organization B's resources. The isolation test walks it; a coverage test checks
 * that every endpoint of document 000 is here, so a new endpoint cannot be forgotten.
 */
export type Service = 'auth-svc' | 'audit-svc' | 'machine-svc' | 'terminal-svc' | 'community-svc';

/** Ids of organization B's resources that A must not reach. */
export interface Foreign {
  tenantId: string; orgId: string; userId: string; groupId: string; machineId: string; agentId: string;
  sessionId: string; issueId: string; fixId: string;
  /** An uploaded image (community-svc); only the isolation test needs one. */
  imageId?: string;
  /** An avatar of B's (auth-svc), when the test uploaded one. */
  avatarId?: string;
}

export interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'WS';
  /** As written in document 000. */
  path: string;
  service: Service;
  request: (b: Foreign) => { path: string; body?: unknown };
  /** Status for A's `user` and A's `company_admin`. */
  expect: { user: number; company_admin: number };
  /**
   * A list of A's own things: it must not contain any of B's ids — or, for the audit log, which
   * rightly records the ids A itself tried, nothing that names B's organization or people.
   */
  listsOwn?: boolean | 'names-only';
  /** Routed to a deployed service that does not implement it yet: it must answer 404 `Not found`. */
  notBuilt?: true;
}

const row = (method: Row['method'], path: string, service: Service, request: Row['request'], user: number, company_admin: number, listsOwn: Row['listsOwn'] = false): Row =>
  ({ method, path, service, request, expect: { user, company_admin }, listsOwn });
const at = (path: string, body?: unknown) => () => ({ path, body });

export const ENDPOINTS: Row[] = [
  // Users
  row('GET', '/api/users/me', 'auth-svc', at('/api/users/me'), 200, 200, true),
  row('GET', '/api/users', 'auth-svc', at('/api/users'), 403, 200, true),
  row('GET', '/api/users', 'auth-svc', (b) => ({ path: `/api/users?tenant_id=${b.tenantId}` }), 404, 404),
  row('GET', '/api/users/:id', 'auth-svc', (b) => ({ path: `/api/users/${b.userId}` }), 404, 404),
  row('POST', '/api/users', 'auth-svc', (b) => ({ path: '/api/users', body: { username: `in-${b.tenantId}`, email: `in-${b.tenantId}@example.com`, password: 'password-1', first_name: 'I', last_name: 'N' } }), 403, 201),
  row('PUT', '/api/users/:id', 'auth-svc', (b) => ({ path: `/api/users/${b.userId}`, body: { first_name: 'Owned' } }), 404, 404),
  row('DELETE', '/api/users/:id', 'auth-svc', (b) => ({ path: `/api/users/${b.userId}` }), 404, 404),
  row('GET', '/api/users/:id/roles', 'auth-svc', (b) => ({ path: `/api/users/${b.userId}/roles` }), 404, 404),
  row('POST', '/api/users/:id/roles', 'auth-svc', (b) => ({ path: `/api/users/${b.userId}/roles`, body: { role: 'user' } }), 404, 404),
  // Roles
  row('GET', '/api/roles', 'auth-svc', at('/api/roles'), 200, 200),
  row('GET', '/api/roles/portal', 'auth-svc', at('/api/roles/portal'), 200, 200),
  row('GET', '/api/roles/machine', 'auth-svc', at('/api/roles/machine'), 200, 200),
  // Groups
  row('GET', '/api/groups', 'auth-svc', at('/api/groups'), 200, 200, true),
  row('GET', '/api/groups/:id', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}` }), 404, 404),
  row('POST', '/api/groups', 'auth-svc', at('/api/groups', { name: 'a-side' }), 403, 201),
  row('PUT', '/api/groups/:id', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}`, body: { name: 'owned' } }), 404, 404),
  row('DELETE', '/api/groups/:id', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}` }), 404, 404),
  row('GET', '/api/groups/:id/members', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/members` }), 404, 404),
  row('POST', '/api/groups/:id/members', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/members`, body: { user_id: b.userId } }), 404, 404),
  row('DELETE', '/api/groups/:id/members', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/members`, body: { user_id: b.userId } }), 404, 404),
  row('GET', '/api/groups/:id/machines', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/machines` }), 404, 404),
  row('POST', '/api/groups/:id/machines', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/machines`, body: { machine_ids: [b.machineId] } }), 404, 404),
  row('DELETE', '/api/groups/:id/machines/:machine_id', 'auth-svc', (b) => ({ path: `/api/groups/${b.groupId}/machines/${b.machineId}` }), 404, 404),
  // Audit
  row('GET', '/api/audit', 'audit-svc', at('/api/audit'), 403, 200, 'names-only'),
  row('GET', '/api/audit', 'audit-svc', (b) => ({ path: `/api/audit?tenant_id=${b.tenantId}` }), 403, 404),
  row('GET', '/api/audit/tenants', 'audit-svc', at('/api/audit/tenants'), 403, 200, 'names-only'),
  // Admin — Organizations (super_admin only)
  row('GET', '/api/admin/organizations', 'auth-svc', at('/api/admin/organizations'), 403, 403),
  row('POST', '/api/admin/organizations', 'auth-svc', at('/api/admin/organizations', { organization_name: 'hostile', company_name: 'H' }), 403, 403),
  row('GET', '/api/admin/organizations/:id', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}` }), 403, 403),
  row('PUT', '/api/admin/organizations/:id', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}`, body: { otp_enabled: true } }), 403, 403),
  row('DELETE', '/api/admin/organizations/:id', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}` }), 403, 403),
  row('GET', '/api/admin/organizations/:id/stats', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}/stats` }), 403, 403),
  row('GET', '/api/admin/organizations/:id/users', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}/users` }), 403, 403),
  row('GET', '/api/admin/organizations/:id/groups', 'auth-svc', (b) => ({ path: `/api/admin/organizations/${b.orgId}/groups` }), 403, 403),
  // Machines
  row('GET', '/api/machines', 'machine-svc', at('/api/machines'), 200, 200, true),
  row('POST', '/api/machines', 'machine-svc', at('/api/machines', { name: 'a-box' }), 403, 201),
  row('GET', '/api/machines/by-id/:machine_id', 'machine-svc', (b) => ({ path: `/api/machines/by-id/${b.machineId}` }), 404, 404),
  row('GET', '/api/machines/:agent_id', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}` }), 404, 404),
  row('DELETE', '/api/machines/:agent_id', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}` }), 404, 404),
  row('POST', '/api/machines/:agent_id/command', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/command`, body: { command: 'id' } }), 404, 404),
  row('GET', '/api/machines/:agent_id/logs', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/logs` }), 404, 404),
  row('GET', '/api/machines/:agent_id/logs/search', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/logs/search?q=id` }), 404, 404),
  row('GET', '/api/machines/:agent_id/sessions', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/sessions` }), 404, 404),
  row('GET', '/api/machines/:agent_id/sessions/active', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/sessions/active` }), 404, 404),
  row('GET', '/api/machines/:agent_id/access/users', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/access/users` }), 404, 404),
  row('POST', '/api/machines/:agent_id/access/grant', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/access/grant`, body: { user_id: b.userId } }), 404, 404),
  row('POST', '/api/machines/:agent_id/access/revoke', 'machine-svc', (b) => ({ path: `/api/machines/${b.agentId}/access/revoke`, body: { user_id: b.userId } }), 404, 404),
  // Terminal and sessions
  row('WS', '/api/terminal/:agent_id/ws', 'terminal-svc', (b) => ({ path: `/api/terminal/${b.agentId}/ws` }), 404, 404),
  row('GET', '/api/terminal/sessions', 'terminal-svc', at('/api/terminal/sessions'), 200, 200, true),
  row('DELETE', '/api/terminal/sessions/:session_id', 'terminal-svc', (b) => ({ path: `/api/terminal/sessions/${b.sessionId}` }), 404, 404),
  // Not in document 000: how long the caller's own organization keeps recordings (a company_admin sets it).
  row('GET', '/api/terminal/recording-retention', 'terminal-svc', at('/api/terminal/recording-retention'), 200, 200),
  row('PUT', '/api/terminal/recording-retention', 'terminal-svc', at('/api/terminal/recording-retention', { retention_days: 30 }), 403, 200),
  row('GET', '/api/sessions/:session_id', 'machine-svc', (b) => ({ path: `/api/sessions/${b.sessionId}` }), 404, 404),
  // Dashboard and profile: the caller's own organization and self only
  row('GET', '/api/dashboard/stats', 'machine-svc', at('/api/dashboard/stats'), 200, 200, true),
  row('GET', '/api/dashboard/recent-machines', 'machine-svc', at('/api/dashboard/recent-machines'), 200, 200, true),
  row('GET', '/api/dashboard/recent-activity', 'machine-svc', at('/api/dashboard/recent-activity'), 200, 200, true),
  row('GET', '/api/profile', 'auth-svc', at('/api/profile'), 200, 200, true),
  row('POST', '/api/profile/regenerate-api-key', 'auth-svc', at('/api/profile/regenerate-api-key'), 200, 200),
  row('POST', '/api/profile/reset-password', 'auth-svc', at('/api/profile/reset-password', { current_password: 'wrong', new_password: 'new-password-1' }), 401, 401),
  row('POST', '/api/profile/upload-avatar', 'auth-svc', at('/api/profile/upload-avatar', {}), 400, 400),
  // Not in document 000: where the profile's avatar_url points; B's avatar (or, without one, B's user id) is not found.
  row('GET', '/api/profile/avatar/:id', 'auth-svc', (b) => ({ path: `/api/profile/avatar/${b.avatarId ?? b.userId}` }), 404, 404),
  // Community
  row('GET', '/api/community/issues', 'community-svc', at('/api/community/issues'), 200, 200, true),
  row('POST', '/api/community/issues', 'community-svc', at('/api/community/issues', { title: 'x', body: 'y' }), 201, 201),
  row('GET', '/api/community/issues/:id', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}` }), 404, 404),
  row('PUT', '/api/community/issues/:id', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}`, body: { title: 'owned' } }), 404, 404),
  row('DELETE', '/api/community/issues/:id', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}` }), 404, 404),
  row('GET', '/api/community/issues/:id/fixes', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}/fixes` }), 404, 404),
  row('POST', '/api/community/issues/:id/fixes', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}/fixes`, body: { body: 'x' } }), 404, 404),
  row('POST', '/api/community/issues/:id/fixes/:fix_id/like', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}/fixes/${b.fixId}/like` }), 404, 404),
  row('DELETE', '/api/community/issues/:id/fixes/:fix_id/like', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}/fixes/${b.fixId}/like` }), 404, 404),
  row('POST', '/api/community/issues/:id/fixes/:fix_id/accept', 'community-svc', (b) => ({ path: `/api/community/issues/${b.issueId}/fixes/${b.fixId}/accept` }), 404, 404),
  row('POST', '/api/community/upload', 'community-svc', at('/api/community/upload', {}), 400, 400),
  // Not in document 000: where an uploaded image is read back (the URL the upload answers with).
  row('GET', '/api/community/images/:id', 'community-svc', (b) => ({ path: `/api/community/images/${b.imageId}` }), 404, 404),
  // Last: it revokes the token it is called with.
  row('POST', '/api/auth/logout', 'auth-svc', at('/api/auth/logout'), 200, 200),
];
