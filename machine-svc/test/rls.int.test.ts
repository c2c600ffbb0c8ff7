import { join } from 'node:path';
import { createPool, inTenantScope, objectId, runMigrations } from '@webxterm/kit';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { MachineRepository } from '../src/store/machine.repository';

const pool = createPool(testEnv().databaseUrl, 2);
const repo = new MachineRepository(pool);
const [a, b] = [uniqueName('rls-a-'), uniqueName('rls-b-')];

async function machine(tenantId: string) {
  return repo.create({ id: objectId(), agentId: `ag_${uniqueName('')}`, tenantId, name: 'box', createdBy: 'u', tokenHash: null, credentialHash: `h${uniqueName('')}` });
}

beforeAll(async () => { await runMigrations(pool, 'machines', join(__dirname, '../src/store/migrations')); });
afterAll(async () => { await pool.end(); });

describe('row-level security in machine-svc', () => {
  it('a query without any WHERE clause, in one tenant’s scope, sees only that tenant’s rows', async () => {
    const [ma, mb] = [await machine(a), await machine(b)];
    await repo.grant(mb.agentId, 'user-of-b', null, 'admin-of-b', 'operator');
    const seen = await inTenantScope(pool, { role: 'machines_tenant', tenant: a }, async (c) => ({
      machines: (await c.query('SELECT DISTINCT tenant_id FROM machines.machines')).rows.map((r) => r.tenant_id),
      grants: (await c.query('SELECT agent_id FROM machines.access_grants')).rows.map((r) => r.agent_id),
    }));
    expect(seen.machines).toEqual([a]);
    expect(seen.grants).not.toContain(mb.agentId);
    expect((await repo.scoped(a).byAgentId(ma.agentId))?.agentId).toBe(ma.agentId);
    expect(await repo.scoped(a).byAgentId(mb.agentId)).toBeNull();
    expect(await repo.scoped(a).grants(mb.agentId)).toEqual([]);
  });

  it('a log search in one tenant’s scope finds only that tenant’s logs, even given another’s machine', async () => {
    const [ma, mb] = [await machine(a), await machine(b)];
    for (const [m, t] of [[ma, a], [mb, b]] as const) {
      await repo.addLog({ id: objectId(), agentId: m.agentId, tenantId: t, userId: 'u', username: 'u', command: 'systemctl status nginx', output: 'active',
        exitCode: 0, durationMs: 1, timedOut: false, truncated: false, createdAt: new Date() });
    }
    expect(await repo.scoped(a).logs(ma.agentId, { limit: 10, offset: 0, query: 'nginx' })).toMatchObject({ total: 1, items: [{ agentId: ma.agentId }] });
    expect(await repo.scoped(a).logs(mb.agentId, { limit: 10, offset: 0, query: 'nginx' })).toEqual({ total: 0, items: [] });
    // Outside any scope a search finds nothing at all.
    expect(await repo.logs(mb.agentId, { limit: 10, offset: 0, query: 'nginx' })).toEqual({ total: 0, items: [] });
  });

  it('and cannot write into another tenant', async () => {
    const mb = await machine(b);
    await repo.scoped(a).delete(mb.agentId);
    expect(await repo.byAgentId(mb.agentId)).not.toBeNull();
    await expect(repo.scoped(a).create({ id: objectId(), agentId: `ag_${uniqueName('')}`, tenantId: b, name: 'x', createdBy: 'u', tokenHash: null, credentialHash: `h${uniqueName('')}` }))
      .rejects.toThrow(/row-level security/);
  });
});
