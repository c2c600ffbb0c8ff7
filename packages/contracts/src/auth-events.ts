import { z } from 'zod';
import { defineEvent, StreamDefinition } from './events';
import { defineRpc } from './rpc';
import { subject } from './subjects';

/** Domain events of auth-svc. Group events carry the whole current set, so a projection just replaces. */
export const AUTH_EVENTS_STREAM: StreamDefinition = { name: 'AUTH_EVENTS', subjects: ['auth.evt.>'], duplicateWindowSec: 600, maxAgeDays: 7 };

const base = { tenant_id: z.string(), at: z.string().datetime() };

export const GroupMembersChanged = defineEvent({
  subjectFor: (e) => subject('auth', 'evt', 'group_members', 'v1', e.tenant_id),
  filter: 'auth.evt.group_members.v1.>',
  schema: z.object({ ...base, group_id: z.string(), user_ids: z.array(z.string()) }),
});

export const GroupMachinesChanged = defineEvent({
  subjectFor: (e) => subject('auth', 'evt', 'group_machines', 'v1', e.tenant_id),
  filter: 'auth.evt.group_machines.v1.>',
  schema: z.object({ ...base, group_id: z.string(), machine_ids: z.array(z.string()) }),
});

export const GroupDeleted = defineEvent({
  subjectFor: (e) => subject('auth', 'evt', 'group_deleted', 'v1', e.tenant_id),
  filter: 'auth.evt.group_deleted.v1.>',
  schema: z.object({ ...base, group_id: z.string() }),
});

export const UserRemoved = defineEvent({
  subjectFor: (e) => subject('auth', 'evt', 'user_removed', 'v1', e.tenant_id),
  filter: 'auth.evt.user_removed.v1.>',
  schema: z.object({ ...base, user_id: z.string() }),
});

export const OrganizationDeleted = defineEvent({
  subjectFor: (e) => subject('auth', 'evt', 'organization_deleted', 'v1', e.tenant_id),
  filter: 'auth.evt.organization_deleted.v1.>',
  schema: z.object({ ...base }),
});

/**
 * Which of these ids are machines of this organization (agent ids or ObjectIDs). Answered by
 * machine-svc; auth-svc asks before putting machines into a group.
 */
export const MachinesOfTenant = defineRpc({
  subject: 'machines.rpc.of_tenant.v1',
  request: z.object({ tenant_id: z.string(), machine_ids: z.array(z.string().max(100)).max(500) }),
  response: z.object({ known: z.array(z.string()) }),
});

/**
 * Someone's access to machines may have changed (group, grant, removal). Core NATS, to every
 * terminal-svc replica: each re-checks the open terminals of these users (all of the tenant's when null).
 */
export const AccessChanged = defineEvent({
  subjectFor: (e) => subject('machines', 'evt', 'access_changed', 'v1', e.tenant_id),
  filter: 'machines.evt.access_changed.v1.>',
  schema: z.object({ ...base, user_ids: z.array(z.string()).nullable() }),
});

/**
 * A login was revoked (logout; or the person was removed, changed role, or lost their organization,
 * which revoke their logins). Core NATS, to every terminal-svc replica: each closes at once the
 * terminals opened with a token of that login.
 */
export const LoginRevoked = defineEvent({
  subjectFor: () => subject('auth', 'evt', 'login_revoked', 'v1'),
  filter: 'auth.evt.login_revoked.v1',
  schema: z.object({ sid: z.string().max(128), at: z.string().datetime() }),
});
