import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  AccessChanged, AUTH_EVENTS_STREAM, GroupDeleted, GroupMachinesChanged, GroupMembersChanged, MachinesOfTenant,
  OrganizationDeleted, UserRemoved,
} from '@webxterm/contracts';
import { ensureStream, jetstream, NatsConnection, serveRpc, type Logger } from '@webxterm/kit';
import type { GroupAccessRepository } from '../store/group-access.repository';

const DURABLE = 'machine-svc-groups';

/**
 * Keeps machine-svc's copy of auth-svc's groups (durable consumer, shared by the replicas) and,
 * after each change, tells every terminal-svc replica whose access may have changed, so open
 * terminals are re-checked at once.
 */
export async function projectGroups(
  nc: NatsConnection, repo: GroupAccessRepository, log: Logger, onOrganizationDeleted: (tenantId: string) => Promise<unknown>,
) {
  await ensureStream(nc, AUTH_EVENTS_STREAM);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(AUTH_EVENTS_STREAM.name, {
    durable_name: DURABLE, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), deliver_policy: DeliverPolicy.All,
    filter_subject: 'auth.evt.>',
  }).catch(() => undefined);
  const messages = await (await jetstream(nc).consumers.get(AUTH_EVENTS_STREAM.name, DURABLE)).consume({ max_messages: 100 });
  const changed = (tenantId: string, userIds: string[] | null) => publishAccessChanged(nc, tenantId, userIds);

  void (async () => {
    for await (const m of messages) {
      try {
        const body = m.json();
        if (m.subject.startsWith('auth.evt.group_members.')) {
          const e = GroupMembersChanged.schema.parse(body);
          changed(e.tenant_id, await repo.replaceMembers(e.tenant_id, e.group_id, e.user_ids));
        } else if (m.subject.startsWith('auth.evt.group_machines.')) {
          const e = GroupMachinesChanged.schema.parse(body);
          changed(e.tenant_id, await repo.replaceMachines(e.tenant_id, e.group_id, e.machine_ids));
        } else if (m.subject.startsWith('auth.evt.group_deleted.')) {
          const e = GroupDeleted.schema.parse(body);
          changed(e.tenant_id, await repo.deleteGroup(e.group_id));
        } else if (m.subject.startsWith('auth.evt.user_removed.')) {
          const e = UserRemoved.schema.parse(body);
          await repo.removeUser(e.user_id);
          changed(e.tenant_id, [e.user_id]);
        } else if (m.subject.startsWith('auth.evt.organization_deleted.')) {
          const e = OrganizationDeleted.schema.parse(body);
          await repo.removeTenant(e.tenant_id);
          await onOrganizationDeleted(e.tenant_id);
          changed(e.tenant_id, null);
        }
        m.ack();
      } catch (e) {
        log.warn({ err: (e as Error).message, subject: m.subject }, 'group event failed; retrying');
        m.nak(1000);
      }
    }
  })();
  return { stop: () => messages.stop() };
}

/** Tells every terminal-svc replica to re-check the open terminals of these users (all of the tenant's: null). */
export function publishAccessChanged(nc: NatsConnection, tenantId: string, userIds: string[] | null): void {
  const e = AccessChanged.schema.parse({ tenant_id: tenantId, user_ids: userIds, at: new Date().toISOString() });
  nc.publish(AccessChanged.subjectFor(e), JSON.stringify(e));
}

/** Answers auth-svc: which of these ids are machines of that organization. */
export function serveMachinesOfTenant(nc: NatsConnection, repo: GroupAccessRepository, log: Logger) {
  return serveRpc(nc, MachinesOfTenant, 'machine-svc', log, async (r) => ({ known: await repo.machinesOfTenant(r.tenant_id, r.machine_ids) }));
}
