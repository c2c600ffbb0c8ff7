import { OrganizationCounts, ResolveApiKey } from '@webxterm/contracts';
import { NatsConnection, type Pool, serveRpc } from '@webxterm/kit';
import type { Logger } from 'pino';
import type { AccountRepository } from '../domain/ports';
import { organizationCounts } from '../store/organization-counts';

/** What auth-svc answers over NATS for other services. */
export function serveAuthRpc(nc: NatsConnection, repo: AccountRepository, pool: Pool, log: Logger) {
  const subs = [
    serveRpc(nc, ResolveApiKey, 'auth-svc', log, async ({ api_key }) => {
      const m = await repo.membershipByApiKey(api_key);
      if (!m) return { found: false as const };
      return { found: true as const, user_id: m.id, username: m.person.username, tenant_id: m.organization.tenantId, role: m.role };
    }),
    serveRpc(nc, OrganizationCounts, 'auth-svc', log, async ({ tenant_id }) => organizationCounts(pool, tenant_id)),
  ];
  return { stop: () => subs.forEach((s) => s.stop()) };
}
