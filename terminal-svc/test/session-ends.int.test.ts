/** How sessions end in the store: once (the first report wins), and when their agent never comes back. */
import { join } from 'node:path';
import { createPool, objectId, runMigrations } from '@webxterm/kit';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { SessionRepository } from '../src/store/session.repository';

const pool = createPool(testEnv().databaseUrl, 2);
const repo = new SessionRepository(pool);
const tenant = uniqueName('ends-');

const session = async (agentId: string) => {
  const id = objectId();
  await repo.create({ id, agent_id: agentId, machine_id: objectId(), tenant_id: tenant, user_id: 'u', username: 'u', linux_user: null, cols: 80, rows: 24 });
  return id;
};
/** Times long past, so no other run's agents are before the cut. */
const at = (minutes: number) => new Date(Date.UTC(2000, 0, 1, 12, minutes)).toISOString();

beforeAll(async () => { await runMigrations(pool, 'terminal', join(__dirname, '../src/store/migrations')); });
afterAll(async () => { await pool.end(); });

describe('session ends', () => {
  it('markEnded returns the session only to the call that ended it: the relay and the bridge both report an exit, the audit counts one', async () => {
    const id = await session(uniqueName('ag_'));
    const first = await repo.markEnded(id, { exitCode: 3, bytes: 10, at: new Date().toISOString() });
    expect(first).toMatchObject({ id, status: 'closed', exit_code: 3, bytes_out: 10 });
    expect(await repo.markEnded(id, { exitCode: 3, bytes: 12, at: new Date().toISOString() })).toBeNull();
    expect(await repo.get(id)).toMatchObject({ exit_code: 3, bytes_out: 12 });
    expect(await repo.markEnded(objectId(), { exitCode: 0, at: new Date().toISOString() })).toBeNull();
  });

  it('closeAbandoned closes the sessions of agents whose latest connection ended before the cut, whatever order the reports came in', async () => {
    const [gone, back, replaced, recent, neverOff] = [uniqueName('ag_gone_'), uniqueName('ag_back_'), uniqueName('ag_repl_'), uniqueName('ag_recent_'), uniqueName('ag_on_')];
    const ids = { gone: await session(gone), back: await session(back), replaced: await session(replaced), recent: await session(recent), neverOff: await session(neverOff) };
    await repo.agentSeen(gone, 'online', at(5), 'c1');
    await repo.agentSeen(gone, 'offline', at(10), 'c1');
    await repo.agentSeen(gone, 'online', at(0), 'c0'); // an older connection's reports, handled late
    await repo.agentSeen(gone, 'offline', at(3), 'c0');
    await repo.agentSeen(back, 'offline', at(10), 'c1');
    await repo.agentSeen(back, 'online', at(11), 'c2');
    await repo.agentSeen(replaced, 'online', at(10), 'c2'); // a new stream, then the old one dropped
    await repo.agentSeen(replaced, 'offline', at(12), 'c1');
    await repo.agentSeen(recent, 'online', at(40), 'c1');
    await repo.agentSeen(recent, 'offline', at(50), 'c1');
    await repo.agentSeen(neverOff, 'online', at(1), 'c1');
    const ours = (ss: { id: string }[]) => ss.filter((s) => Object.values(ids).includes(s.id));
    const closed = ours(await repo.closeAbandoned(at(30)));
    expect(closed.map((s) => s.id)).toEqual([ids.gone]);
    expect(closed[0]).toMatchObject({ status: 'closed', ended_at: at(10), exit_code: null });
    for (const id of [ids.back, ids.replaced, ids.recent, ids.neverOff]) expect((await repo.get(id))?.status).toBe('active');
    expect(ours(await repo.closeAbandoned(at(30)))).toEqual([]);
  });
});
