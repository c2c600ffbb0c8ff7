/**
 * One release after the subject layout changed (docs/events.md, "Old subjects"): an organization
 * deletion published by an auth-svc of the previous release, on the old subject, still empties the
 * board — the stream takes the old subject and the durable dispatches it to the same handler.
 */
import { AUTH_EVENTS_STREAM, OrganizationDeleted } from '@webxterm/contracts';
import { Bus, connectNats, type NatsConnection } from '@webxterm/kit';
import { uniqueName, waitUntil } from '@webxterm/testkit';
import type { RunningCommunityService } from '../src/main';
import { api, env, person, startService } from './lib/harness';

/** The subject the previous release published on: the contract's old filter with the tenant as its last token. */
function oldSubject(tenantId: string): string {
  const [filter] = OrganizationDeleted.legacyFilters ?? [];
  if (!filter?.endsWith('.>')) throw new Error('OrganizationDeleted has no old subject any more: remove this test');
  return `${filter.slice(0, -1)}${tenantId}`;
}

let svc: RunningCommunityService;
let nc: NatsConnection;
beforeAll(async () => { svc = await startService(); nc = await connectNats(env.natsUrl, 'community-legacy-test'); await new Bus(nc).ensureStream(AUTH_EVENTS_STREAM); });
afterAll(async () => { await svc.close(); await nc.close(); });

it('an organization deletion on the old subject still takes the board with it', async () => {
  const base = `http://127.0.0.1:${svc.port}`;
  const gone = uniqueName('oldgone');
  const g = person(gone, 'user');
  expect((await api(base, 'POST', '/api/community/issues', g, { title: 'x', body: 'y' })).status).toBe(201);
  const bus = new Bus(nc);
  const event = OrganizationDeleted.schema.parse({ tenant_id: gone, at: new Date().toISOString() });
  await bus.js.publish(oldSubject(gone), JSON.stringify(event), { msgID: `org-deleted-old-${gone}` });
  await waitUntil(async () => (await api(base, 'GET', '/api/community/issues', g)).body.total === 0, 10_000, 'the board emptied');
});
