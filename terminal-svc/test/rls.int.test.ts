import { join } from 'node:path';
import { createPool, objectId, runMigrations, tenantScoped } from '@webxterm/kit';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { SessionRepository } from '../src/store/session.repository';

const pool = createPool(testEnv().databaseUrl, 2);
const repo = new SessionRepository(pool);
const [a, b] = [uniqueName('rls-a-'), uniqueName('rls-b-')];

const session = async (tenantId: string) => {
  const id = objectId();
  await repo.create({ id, agent_id: 'ag_x', machine_id: objectId(), tenant_id: tenantId, user_id: 'u', username: 'u', linux_user: null, cols: 80, rows: 24 });
  return id;
};

beforeAll(async () => { await runMigrations(pool, 'terminal', join(__dirname, '../src/store/migrations')); });
afterAll(async () => { await pool.end(); });

describe('row-level security in terminal-svc', () => {
  it('a query without any WHERE clause, in one tenant’s scope, sees only that tenant’s sessions; nor can it touch or forge another’s', async () => {
    const [sa, sb] = [await session(a), await session(b)];
    const tenants = (await tenantScoped(pool, 'terminal_tenant', a).query('SELECT DISTINCT tenant_id FROM terminal.sessions')).rows.map((r) => r.tenant_id);
    expect(tenants).toEqual([a]);
    expect((await repo.scoped(a).get(sa))?.id).toBe(sa);
    expect(await repo.scoped(a).get(sb)).toBeNull();
    await repo.scoped(a).markEnded(sb, { exitCode: 9, at: new Date().toISOString() });
    expect((await repo.get(sb))?.status).toBe('active');
    await expect(repo.scoped(a).create({ id: objectId(), agent_id: 'ag_x', machine_id: objectId(), tenant_id: b, user_id: 'u', username: 'u', linux_user: null, cols: 80, rows: 24 }))
      .rejects.toThrow(/row-level security/);
  });
});
