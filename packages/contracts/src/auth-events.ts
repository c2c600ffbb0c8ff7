import { z } from 'zod';
import { domainEvent, StreamDefinition, streamSubjects } from './events';

/** auth-svc's subject domain. */
const AUTH = 'auth';
const base = { tenant_id: z.string(), at: z.string().datetime() };

/**
 * Domain events of auth-svc, keyed by tenant. Group events carry the whole current set, so a
 * projection just replaces. Until release 0.3 they were published as `auth.evt.<name>.v1.<tenant>`:
 * the stream and the consumers still take those (`legacyFilters`) for one release.
 */
function authEvent<S extends z.ZodType<{ tenant_id: string }>>(name: string, schema: S) {
  return domainEvent({ domain: AUTH, name, schema, tokens: (e) => [e.tenant_id], legacyFilters: [`auth.evt.${name}.v1.>`] });
}

export const GroupMembersChanged = authEvent('group_members', z.object({ ...base, group_id: z.string(), user_ids: z.array(z.string()) }));
export const GroupMachinesChanged = authEvent('group_machines', z.object({ ...base, group_id: z.string(), machine_ids: z.array(z.string()) }));
export const GroupDeleted = authEvent('group_deleted', z.object({ ...base, group_id: z.string() }));
export const UserRemoved = authEvent('user_removed', z.object({ ...base, user_id: z.string() }));
export const OrganizationDeleted = authEvent('organization_deleted', z.object({ ...base }));

export const AUTH_EVENTS_STREAM: StreamDefinition = {
  name: 'AUTH_EVENTS',
  subjects: streamSubjects(GroupMembersChanged, GroupMachinesChanged, GroupDeleted, UserRemoved, OrganizationDeleted),
  duplicateWindowSec: 600,
  maxAgeDays: 7,
};

/**
 * A login was revoked (logout; or the person was removed, changed role, or lost their organization,
 * which revoke their logins). Core NATS, to every terminal-svc replica: each closes at once the
 * terminals opened with a token of that login.
 */
export const LoginRevoked = domainEvent({
  domain: AUTH, name: 'login_revoked',
  schema: z.object({ sid: z.string().max(128), at: z.string().datetime() }),
});
