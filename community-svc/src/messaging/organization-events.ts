import { AUTH_EVENTS_STREAM, OrganizationDeleted } from '@webxterm/contracts';
import { type Bus, on } from '@webxterm/kit';

const DURABLE = 'community-svc-organizations';

/**
 * An organization deleted in auth-svc takes its board with it. One durable consumer shared by the
 * replicas, so each deletion is handled once and none is missed while community-svc is down.
 */
export async function removeBoardsOfDeletedOrganizations(
  bus: Bus, removeTenant: (tenantId: string) => Promise<unknown>,
): Promise<{ stop(): void }> {
  await bus.ensureStream(AUTH_EVENTS_STREAM);
  return bus.consumeDurable(AUTH_EVENTS_STREAM, DURABLE, [
    on(OrganizationDeleted, async (e, ctx) => {
      await removeTenant(e.tenant_id);
      ctx.log.info({ tenant: e.tenant_id }, 'organization deleted: its board removed');
    }),
  ], { deliver: 'all', maxMessages: 50 });
}
