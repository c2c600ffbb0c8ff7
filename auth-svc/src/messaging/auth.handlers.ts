import { OrganizationCounts, ResolveApiKey, UserInOrganization } from '@webxterm/contracts';
import type { Bus, Pool } from '@webxterm/kit';
import type { AccountRepository } from '../domain/ports';
import { organizationCounts } from '../store/organization-counts';
import { organizationMember } from '../store/organization-member';

/** What auth-svc answers over NATS for other services. */
export function serveAuthRpc(bus: Bus, repo: AccountRepository, pool: Pool) {
  const q = { queue: 'auth-svc' };
  const subs = [
    bus.serve(ResolveApiKey, q, async ({ api_key }) => {
      const m = await repo.membershipByApiKey(api_key);
      if (!m) return { found: false as const };
      return { found: true as const, user_id: m.id, username: m.person.username, tenant_id: m.organization.tenantId, role: m.role };
    }),
    bus.serve(OrganizationCounts, q, async ({ tenant_id }) => organizationCounts(pool, tenant_id)),
    bus.serve(UserInOrganization, q, async ({ tenant_id, user_id }) => {
      const m = await organizationMember(pool, tenant_id, user_id);
      return m ? { member: true as const, username: m.username } : { member: false as const };
    }),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}
