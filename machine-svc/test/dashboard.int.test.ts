/**
 * What a dashboard counts, against the real PostgreSQL: a `user` sees the machines granted to them
 * directly and through their groups (named by agent id or by ObjectID) in their own organization,
 * and nothing else; an admin the whole organization.
 */
import { join } from 'node:path';
import { createPool, objectId, runMigrations } from '@webxterm/kit';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { DashboardRepository } from '../src/store/dashboard.repository';
import { GroupAccessRepository } from '../src/store/group-access.repository';
import { MachineRepository } from '../src/store/machine.repository';

const pool = createPool(testEnv().databaseUrl, 2);
const repo = new MachineRepository(pool);
const dash = new DashboardRepository(pool);
const groups = new GroupAccessRepository(pool);
const [org, other] = [uniqueName('dash-a-'), uniqueName('dash-b-')];
const [user, colleague, loner] = [objectId(), objectId(), objectId()];
const m: { agentId: string; id: string }[] = [];

async function machine(tenantId: string, seenSecondsAgo: number) {
  const x = await repo.create({ id: objectId(), agentId: `ag_${uniqueName('')}`, tenantId, name: `box-${m.length}`, createdBy: 'u', tokenHash: null, credentialHash: `h${uniqueName('')}` });
  await pool.query(`UPDATE machines.machines SET registered_at = now(), connected = true, last_seen_at = now() - make_interval(secs => $2) WHERE agent_id = $1`, [x.agentId, seenSecondsAgo]);
  return { agentId: x.agentId, id: x.id };
}

async function log(tenantId: string, agentId: string, command: string, minutesAgo: number) {
  await pool.query(`INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, exit_code, duration_ms, created_at)
    VALUES ($1, $2, $3, 'u', 'someone', $4, '', 0, 1, now() - make_interval(mins => $5))`, [objectId(), agentId, tenantId, command, minutesAgo]);
}

beforeAll(async () => {
  await runMigrations(pool, 'machines', join(__dirname, '../src/store/migrations'));
  // m0: granted to the user; m1: in their group by agent id; m2: by ObjectID; m3: nobody's; m4: a colleague's; m5: another organization's.
  for (let i = 0; i < 5; i++) m.push(await machine(org, 10 * i));
  m.push(await machine(other, 1));
  await repo.grant(m[0].agentId, user, null, 'admin', 'operator');
  await repo.grant(m[4].agentId, colleague, null, 'admin', 'operator');
  const [g1, g2] = [uniqueName('g-'), uniqueName('g-')];
  await groups.replaceMembers(org, g1, [user, colleague]);
  await groups.replaceMachines(org, g1, [m[1].agentId, m[2].id, m[0].agentId]);
  // The user's membership of a group of another organization reaches nothing here, even when it names this organization's machine.
  await groups.replaceMembers(other, g2, [user]);
  await groups.replaceMachines(other, g2, [m[3].agentId, m[5].agentId]);
  for (const [i, x] of m.entries()) for (let k = 0; k < 4; k++) await log(i === 5 ? other : org, x.agentId, `cmd-${i}-${k}`, 10 * k + i);
});
afterAll(async () => { await pool.end(); });

describe('dashboard visibility', () => {
  const mine = () => [m[0].agentId, m[1].agentId, m[2].agentId];

  it("a user's machines are their grants and their groups' machines in their organization", async () => {
    const counts = await dash.machineCounts({ tenantId: org, grantedTo: user }, 15_000);
    expect(counts).toMatchObject({ total: 3, online: 2, offline: 1, pending: 0 });
    expect([...counts.agentIds!].sort()).toEqual([...mine()].sort());
    expect(await dash.recentMachines({ tenantId: org, grantedTo: user }, 5)).toEqual(mine());
    expect(await dash.recentMachines({ tenantId: org, grantedTo: user }, 2)).toEqual(mine().slice(0, 2));
    expect(await dash.commandCounts({ tenantId: org, grantedTo: user }, counts.agentIds)).toEqual({ last24h: 12, last7d: 12 });
  });

  it("a user's latest activities are the newest of their machines' only", async () => {
    const acts = await dash.recentActivity({ tenantId: org, grantedTo: user }, 10);
    expect(acts.map((a) => a.command)).toEqual(['cmd-0-0', 'cmd-1-0', 'cmd-2-0', 'cmd-0-1', 'cmd-1-1', 'cmd-2-1', 'cmd-0-2', 'cmd-1-2', 'cmd-2-2', 'cmd-0-3']);
    expect(acts[1]).toMatchObject({ agentId: m[1].agentId, machineName: 'box-1' });
    expect((await dash.recentActivity({ tenantId: org, grantedTo: user }, 2)).map((a) => a.command)).toEqual(['cmd-0-0', 'cmd-1-0']);
    expect((await dash.recentActivity({ tenantId: org, grantedTo: colleague }, 4)).map((a) => a.command)).toEqual(['cmd-0-0', 'cmd-1-0', 'cmd-2-0', 'cmd-4-0']);
  });

  it('a user with no grant and no group sees nothing; an admin sees the whole organization and nothing else', async () => {
    expect(await dash.machineCounts({ tenantId: org, grantedTo: loner }, 15_000)).toMatchObject({ total: 0, agentIds: [] });
    expect(await dash.recentMachines({ tenantId: org, grantedTo: loner }, 5)).toEqual([]);
    expect(await dash.recentActivity({ tenantId: org, grantedTo: loner }, 10)).toEqual([]);
    expect(await dash.machineCounts({ tenantId: org }, 15_000)).toMatchObject({ total: 5, online: 2, offline: 3, agentIds: null });
    expect((await dash.recentActivity({ tenantId: org }, 10)).map((a) => a.command).slice(0, 6)).toEqual(['cmd-0-0', 'cmd-1-0', 'cmd-2-0', 'cmd-3-0', 'cmd-4-0', 'cmd-0-1']);
    expect(await dash.recentMachines({ tenantId: org }, 10)).toEqual(m.slice(0, 5).map((x) => x.agentId));
  });
});
