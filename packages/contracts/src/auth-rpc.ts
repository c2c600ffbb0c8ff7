import { z } from 'zod';
import { defineRpc } from './rpc';
import { PORTAL_ROLES } from './roles';

/**
 * Who owns an agent API key (`vsk_…`). Asked by agent-bridge when an agent connects; answered by
 * auth-svc. `found: false` for an unknown key — the caller must not learn more than that.
 */
export const ResolveApiKey = defineRpc({
  domain: 'auth', name: 'apikey_resolve',
  request: z.object({ api_key: z.string().min(1).max(200) }),
  response: z.discriminatedUnion('found', [
    z.object({ found: z.literal(false) }),
    z.object({
      found: z.literal(true), user_id: z.string(), username: z.string(), tenant_id: z.string(), role: z.enum(PORTAL_ROLES),
    }),
  ]),
});

/** How many people and groups an organization has (the dashboard asks). */
export const OrganizationCounts = defineRpc({
  domain: 'auth', name: 'organization_counts',
  request: z.object({ tenant_id: z.string().max(128) }),
  response: z.object({ users: z.number().int(), groups: z.number().int() }),
});

/**
 * Whether `user_id` is a membership of the organization — accepted, or an invitation not yet
 * answered (a grant to it takes effect when accepted) — and the username the organization shows.
 * Asked by machine-svc before it stores a grant; an id of another organization is `member: false`,
 * exactly like an id that names nobody.
 */
export const UserInOrganization = defineRpc({
  domain: 'auth', name: 'organization_member',
  request: z.object({ tenant_id: z.string().max(128), user_id: z.string().regex(/^[0-9a-f]{24}$/) }),
  response: z.discriminatedUnion('member', [
    z.object({ member: z.literal(false) }),
    z.object({ member: z.literal(true), username: z.string() }),
  ]),
});
