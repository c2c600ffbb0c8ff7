import {
  AccessChanged, AUTH_EVENTS_STREAM, GroupDeleted, GroupMachinesChanged, GroupMembersChanged, MachinesOfTenant, OrganizationDeleted, UserRemoved,
} from '@webxterm/contracts';
import { type Bus, on } from '@webxterm/kit';
import type { GroupAccessRepository } from '../store/group-access.repository';

const DURABLE = 'machine-svc-groups';

/**
 * Keeps machine-svc's copy of auth-svc's groups (durable consumer, shared by the replicas) and,
 * after each change, tells every terminal-svc replica whose access may have changed, so open
 * terminals are re-checked at once.
 */
export async function projectGroups(bus: Bus, repo: GroupAccessRepository, onOrganizationDeleted: (tenantId: string) => Promise<unknown>) {
  await bus.ensureStream(AUTH_EVENTS_STREAM);
  const changed = (tenantId: string, userIds: string[] | null) => publishAccessChanged(bus, tenantId, userIds);
  return bus.consumeDurable(AUTH_EVENTS_STREAM, DURABLE, [
    on(GroupMembersChanged, async (e) => changed(e.tenant_id, await repo.replaceMembers(e.tenant_id, e.group_id, e.user_ids))),
    on(GroupMachinesChanged, async (e) => changed(e.tenant_id, await repo.replaceMachines(e.tenant_id, e.group_id, e.machine_ids))),
    on(GroupDeleted, async (e) => changed(e.tenant_id, await repo.deleteGroup(e.group_id))),
    on(UserRemoved, async (e) => {
      await repo.removeUser(e.user_id);
      changed(e.tenant_id, [e.user_id]);
    }),
    on(OrganizationDeleted, async (e) => {
      await repo.removeTenant(e.tenant_id);
      await onOrganizationDeleted(e.tenant_id);
      changed(e.tenant_id, null);
    }),
  ], { deliver: 'all' });
}

/** Tells every terminal-svc replica to re-check the open terminals of these users (all of the tenant's: null). */
export function publishAccessChanged(bus: Bus, tenantId: string, userIds: string[] | null): void {
  bus.publish(AccessChanged, { tenant_id: tenantId, user_ids: userIds, at: new Date().toISOString() });
}

/** Answers auth-svc: which of these ids are machines of that organization. */
export function serveMachinesOfTenant(bus: Bus, repo: GroupAccessRepository) {
  return bus.serve(MachinesOfTenant, { queue: 'machine-svc' }, async (r) => ({ known: await repo.machinesOfTenant(r.tenant_id, r.machine_ids) }));
}
