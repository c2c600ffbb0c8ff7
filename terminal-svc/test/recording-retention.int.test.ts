/** Recording retention per organization: who may set it, and the sweeper deleting stored output past it (real PostgreSQL and JetStream). */
import { join } from 'node:path';
import { headers } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { AccessClaims, BATCH_HDR, encodeOutputBatch, TERMINAL_STREAM, termRecordSubject } from '@webxterm/contracts';
import { connectNats, createLogger, createPool, ensureStream, jetstream, NatsConnection, objectId, runMigrations } from '@webxterm/kit';
import { testEnv, uniqueName } from '@webxterm/testkit';
import { deleteExpiredRecordings, RECORDING_MAX_DAYS, RecordingRetention } from '../src/domain/recording-retention';
import { RecordingPolicyRepository } from '../src/store/recording-policy.repository';
import { SessionRepository } from '../src/store/session.repository';

const pool = createPool(testEnv().databaseUrl, 2);
const sessions = new SessionRepository(pool);
const policies = new RecordingPolicyRepository(pool);
const retention = new RecordingRetention(policies);
let nc: NatsConnection;
const [a, b] = [uniqueName('ret-a-'), uniqueName('ret-b-')];
const claims = (tenant: string, role: AccessClaims['role']): AccessClaims =>
  ({ user_id: objectId(), username: 'u', email: 'u@example.com', tenant_id: tenant, tenant_name: tenant, role } as AccessClaims);

beforeAll(async () => {
  await runMigrations(pool, 'terminal', join(__dirname, '../src/store/migrations'));
  nc = await connectNats(testEnv().natsUrl, 'recording-retention-test');
  await ensureStream(nc, TERMINAL_STREAM);
});
afterAll(async () => { await nc.close(); await pool.end(); });

/** A session of `tenant` that ended `daysAgo` days ago, with one stored batch of output. */
async function endedSession(tenant: string, daysAgo: number): Promise<string> {
  const id = objectId();
  await sessions.create({ id, agent_id: 'ag_x', machine_id: objectId(), tenant_id: tenant, user_id: 'u', username: 'u', linux_user: null, cols: 80, rows: 24 });
  await pool.query(`UPDATE terminal.sessions SET status = 'closed', ended_at = now() - make_interval(days => $2) WHERE id = $1`, [id, daysAgo]);
  const { body } = await encodeOutputBatch([{ seq: 1, kind: 'data', at: Date.now(), data: Buffer.from('hello') }]);
  const h = headers();
  h.set(BATCH_HDR.first, '1');
  h.set(BATCH_HDR.last, '1');
  await jetstream(nc).publish(termRecordSubject(id), body, { headers: h });
  return id;
}

async function stored(id: string): Promise<boolean> {
  try {
    return Boolean(await (await jetstreamManager(nc)).streams.getMessage(TERMINAL_STREAM.name, { last_by_subj: termRecordSubject(id) }));
  } catch {
    return false;
  }
}

describe('recording retention', () => {
  it('defaults to the stream’s limit; a user reads it but only a company_admin sets it, within 1 … max; each organization its own', async () => {
    expect(await retention.get(claims(a, 'user'))).toEqual({ retention_days: RECORDING_MAX_DAYS, max_days: RECORDING_MAX_DAYS, custom: false, updated_at: null });
    await expect(retention.set(claims(a, 'user'), { retention_days: 7 })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(retention.set(claims(a, 'super_admin'), { retention_days: 7 })).rejects.toMatchObject({ kind: 'forbidden' });
    for (const bad of [{ retention_days: 0 }, { retention_days: RECORDING_MAX_DAYS + 1 }, { retention_days: '7' }, { retention_days: 7.5 }, { retention_days: 7, x: 1 }, null, []]) {
      await expect(retention.set(claims(a, 'company_admin'), bad)).rejects.toMatchObject({ kind: 'invalid' });
    }
    expect(await retention.set(claims(a, 'company_admin'), { retention_days: 7 })).toMatchObject({ retention_days: 7, custom: true });
    expect((await retention.get(claims(a, 'user'))).retention_days).toBe(7);
    expect((await retention.get(claims(b, 'company_admin'))).custom).toBe(false);
    await expect(policies.scoped(a).set(b, 1, 'x')).rejects.toThrow(/row-level security/);
  });

  it('the sweep deletes the stored output of sessions past their organization’s retention, and only those', async () => {
    await retention.set(claims(a, 'company_admin'), { retention_days: 7 });
    const [oldA, recentA, oldB] = [await endedSession(a, 10), await endedSession(a, 2), await endedSession(b, 10)];
    const purge = async (id: string) => { await (await jetstreamManager(nc)).streams.purge(TERMINAL_STREAM.name, { filter: termRecordSubject(id) }); };
    expect(await deleteExpiredRecordings(policies, purge, createLogger('test', 'silent'))).toBeGreaterThanOrEqual(1);
    expect([await stored(oldA), await stored(recentA), await stored(oldB)]).toEqual([false, true, true]);
    expect(await policies.scoped(a).isDeleted(oldA)).toBe(true);
    expect(await policies.scoped(a).isDeleted(recentA)).toBe(false);
    expect(await policies.expired(1000)).not.toContain(oldA);
  });
});
