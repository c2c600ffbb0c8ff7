import { OrganizationCounts, ResolveApiKey, UserInOrganization } from '@webxterm/contracts';
import type { Bus } from '@webxterm/kit';
import type { Repositories } from '../domain/ports';

/** What auth-svc answers over NATS for other services, as auth-svc itself (`Store.unscoped`). */
export function serveAuthRpc(bus: Bus, repos: Pick<Repositories, 'users' | 'organizations'>) {
  const q = { queue: 'auth-svc' };
  const subs = [
    bus.serve(ResolveApiKey, q, async ({ api_key }) => {
      const m = await repos.users.membershipByApiKey(api_key);
      if (!m) return { found: false as const };
      return { found: true as const, user_id: m.id, username: m.person.username, tenant_id: m.organization.tenantId, role: m.role };
    }),
    bus.serve(OrganizationCounts, q, async ({ tenant_id }) => repos.organizations.counts(tenant_id)),
    bus.serve(UserInOrganization, q, async ({ tenant_id, user_id }) => {
      const u = await repos.users.get(user_id);
      return u && u.tenantId === tenant_id ? { member: true as const, username: u.username } : { member: false as const };
    }),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}
