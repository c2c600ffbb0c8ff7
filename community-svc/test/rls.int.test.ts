/** Tenant isolation in PostgreSQL itself, and an organization's deletion taking its board along. */
import { join } from 'node:path';
import { AUTH_EVENTS_STREAM, OrganizationDeleted } from '@webxterm/contracts';
import { Bus, connectNats, createPool, ensureStream, objectId, runMigrations, type NatsConnection } from '@webxterm/kit';
import { waitUntil } from '@webxterm/testkit';
import { uniqueName } from '@webxterm/testkit';
import { BoardRepository } from '../src/store/board.repository';
import { ImageRepository } from '../src/store/image.repository';
import type { RunningCommunityService } from '../src/main';
import { api, env, person, startService } from './lib/harness';

const pool = createPool(env.databaseUrl, 2);
const boards = new BoardRepository(pool);
const [a, b] = [uniqueName('rls-a-'), uniqueName('rls-b-')];
const author = { userId: 'u1', username: 'ann' };

beforeAll(async () => { await runMigrations(pool, 'community', join(__dirname, '../src/store/migrations')); });
afterAll(async () => { await pool.end(); });

async function issueIn(tenant: string) {
  const issue = await boards.forTenant(tenant).createIssue({ id: objectId(), title: 't', body: 'b', tags: ['x'], author });
  const fix = (await boards.forTenant(tenant).createFix({ id: objectId(), issueId: issue.id, body: 'f', author }))!;
  await boards.forTenant(tenant).like(issue.id, fix.id, 'u2');
  return { issue, fix };
}

describe('row-level security in community-svc', () => {
  it('a query without any WHERE clause, in one tenant’s scope, sees only that tenant’s rows', async () => {
    const [ia, ib] = [await issueIn(a), await issueIn(b)];
    const seen = await boards.forTenant(a).tx(async (c) => ({
      issues: (await c.query('SELECT DISTINCT tenant_id FROM community.issues')).rows.map((r) => r.tenant_id),
      fixes: (await c.query('SELECT DISTINCT tenant_id FROM community.fixes')).rows.map((r) => r.tenant_id),
      likes: (await c.query('SELECT DISTINCT tenant_id FROM community.fix_likes')).rows.map((r) => r.tenant_id),
      images: (await c.query('SELECT DISTINCT tenant_id FROM community.images')).rows.map((r) => r.tenant_id),
    }));
    expect(seen.issues).toEqual([a]);
    expect(seen.fixes).toEqual([a]);
    expect(seen.likes).toEqual([a]);
    expect(seen.images.every((t) => t === a)).toBe(true);
    expect(await boards.forTenant(a).issue(ib.issue.id)).toBeNull();
    expect((await boards.forTenant(a).issue(ia.issue.id))?.id).toBe(ia.issue.id);
  });

  it('and cannot write into another tenant: not through a query, not through a foreign key', async () => {
    const { issue, fix } = await issueIn(b);
    const boardA = boards.forTenant(a);
    expect(await boardA.deleteIssue(issue.id)).toBe(false);
    expect(await boardA.updateIssue(issue.id, { title: 'owned' })).toBeNull();
    expect(await boardA.createFix({ id: objectId(), issueId: issue.id, body: 'x', author })).toBeNull();
    expect(await boardA.like(issue.id, fix.id, 'intruder')).toBeNull();
    expect(await boardA.accept(issue.id, fix.id)).toBeNull();
    await expect(boardA.tx((c) => c.query(
      "INSERT INTO community.issues (id, tenant_id, title, body, author_id, author_username) VALUES ($1, $2, 't', 'b', 'u', 'u')", [objectId(), b])))
      .rejects.toThrow(/row-level security/);
    await expect(boardA.tx((c) => c.query(
      "INSERT INTO community.fixes (id, tenant_id, issue_id, body, author_id, author_username) VALUES ($1, $2, $3, 'x', 'u', 'u')", [objectId(), a, issue.id])))
      .rejects.toThrow(/foreign key/);
    await expect(new ImageRepository(pool).forTenant(a).create({
      id: objectId(), tenantId: b, uploadedBy: 'u', contentType: 'image/png', width: 1, height: 1, size: 1, sha256: 'x', data: Buffer.from([1]),
    })).rejects.toThrow(/row-level security/);
    const still = await boards.forTenant(b).fix(issue.id, fix.id, 'u2');
    expect(still).toMatchObject({ likes: 1, likedByMe: true });
    expect((await boards.forTenant(b).issue(issue.id))?.title).toBe('t');
  });
});

describe('an organization deleted in auth-svc', () => {
  let svc: RunningCommunityService;
  let nc: NatsConnection;
  beforeAll(async () => { svc = await startService(); nc = await connectNats(env.natsUrl, 'community-test'); await ensureStream(nc, AUTH_EVENTS_STREAM); });
  afterAll(async () => { await svc.close(); await nc.close(); });

  it('takes its board with it; other boards stay', async () => {
    const base = `http://127.0.0.1:${svc.port}`;
    const [gone, kept] = [uniqueName('gone'), uniqueName('kept')];
    const [g, k] = [person(gone, 'user'), person(kept, 'user')];
    for (const p of [g, k]) expect((await api(base, 'POST', '/api/community/issues', p, { title: 'x', body: 'y' })).status).toBe(201);
    await new Bus(nc).publishDurable(OrganizationDeleted, { tenant_id: gone, at: new Date().toISOString() }, `org-deleted-${gone}`);
    await waitUntil(async () => (await api(base, 'GET', '/api/community/issues', g)).body.total === 0, 10_000, 'the deleted organization\'s board emptied');
    expect((await api(base, 'GET', '/api/community/issues', k)).body.total).toBe(1);
  });
});
