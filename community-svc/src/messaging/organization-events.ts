import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { AUTH_EVENTS_STREAM, OrganizationDeleted } from '@webxterm/contracts';
import { ensureStream, jetstream, NatsConnection, type Logger } from '@webxterm/kit';

const DURABLE = 'community-svc-organizations';

/**
 * An organization deleted in auth-svc takes its board with it. One durable consumer shared by the
 * replicas, so each deletion is handled once and none is missed while community-svc is down.
 */
export async function removeBoardsOfDeletedOrganizations(
  nc: NatsConnection, removeTenant: (tenantId: string) => Promise<unknown>, log: Logger,
): Promise<{ stop(): void }> {
  await ensureStream(nc, AUTH_EVENTS_STREAM);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(AUTH_EVENTS_STREAM.name, {
    durable_name: DURABLE, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), deliver_policy: DeliverPolicy.All,
    filter_subject: OrganizationDeleted.filter,
  }).catch(() => undefined);
  const messages = await (await jetstream(nc).consumers.get(AUTH_EVENTS_STREAM.name, DURABLE)).consume({ max_messages: 50 });
  void (async () => {
    for await (const m of messages) {
      try {
        const e = OrganizationDeleted.schema.parse(m.json());
        await removeTenant(e.tenant_id);
        log.info({ tenant: e.tenant_id }, 'organization deleted: its board removed');
        m.ack();
      } catch (e) {
        log.warn({ err: (e as Error).message, subject: m.subject }, 'organization event failed; retrying');
        m.nak(1000);
      }
    }
  })();
  return { stop: () => messages.stop() };
}
