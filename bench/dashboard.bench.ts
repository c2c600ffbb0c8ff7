/**
 * The dashboard and command-log search at scale: one organization with BENCH_MACHINES machines
 * (10,000) and BENCH_LOGS command logs (1,000,000; set 10000000 for the 10 M figure), generated in
 * PostgreSQL. Times machine-svc's repository (row-level security, the caller's scope) against the
 * plain SQL of the same question without it, in the same run; p50/p95 over BENCH_ROUNDS rounds.
 *   npm run bench -- dashboard          (a fresh webxterm_bench database, dropped again at the end)
 * It needs a database of its own (its name ends in "bench"): it rebuilds the log table's indexes and
 * drops the schema when done (BENCH_KEEP=1 keeps it for another run with the same figures).
 */
import { Pool, PoolClient } from 'pg';
import { runMigrations } from '@webxterm/kit';
import { join } from 'node:path';
import { DashboardRepository } from '../machine-svc/src/store/dashboard.repository';
import { MachineRepository } from '../machine-svc/src/store/machine.repository';
import { machine } from './lib';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/webxterm_bench';
const MACHINES = Number(process.env.BENCH_MACHINES ?? 10_000);
const LOGS = Number(process.env.BENCH_LOGS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/** Machines a `user` reaches through one group (besides the user with 3 direct grants). */
const GROUP_MACHINES = Math.min(1000, MACHINES);
const TENANT = 'bench-org';

const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** The machine that holds a tenth of all the logs (the others share the rest evenly). */
const BUSY = `ag_bench${MACHINES}`;

/**
 * The organization, generated inside PostgreSQL in one INSERT … SELECT generate_series per table;
 * every machine runs each of ten commands in turn. The log table is the production one (same columns, generated tsvector, indexes, trigger, row-level
 * security) but unlogged, which changes no query plan, only the WAL; its secondary indexes are built
 * after the rows, and the hourly counts its trigger keeps are computed once, as migration 0009 does.
 */
async function seed(c: PoolClient): Promise<void> {
  const count = async (sql: string) => Number((await c.query(sql)).rows[0].count);
  if (await count('SELECT count(*) FROM machines.machines') === MACHINES && await count('SELECT count(*) FROM machines.command_logs') === LOGS) {
    console.log(`reusing ${MACHINES} machines and ${LOGS} command logs`);
    return;
  }
  const t0 = Date.now();
  await c.query('TRUNCATE machines.command_logs, machines.command_counts, machines.access_grants, machines.group_members, machines.group_machines, machines.machines');
  await c.query('ALTER TABLE machines.command_logs SET UNLOGGED');
  const indexes = (await c.query(`SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'machines' AND tablename = 'command_logs' AND indexname <> 'command_logs_pkey'`)).rows as { indexname: string; indexdef: string }[];
  for (const i of indexes) await c.query(`DROP INDEX machines.${i.indexname}`);
  await c.query('ALTER TABLE machines.command_logs DISABLE TRIGGER command_logs_count');

  await c.query(`INSERT INTO machines.machines (id, agent_id, tenant_id, name, created_by, registered_at, connected, last_seen_at)
    SELECT lpad(to_hex(i), 24, '0'), 'ag_bench' || i, $1, 'host-' || i, 'u', now(), i % 3 = 0, now() - make_interval(secs => i % 600)
      FROM generate_series(1, $2) i`, [TENANT, MACHINES]);
  const words = ['systemctl status nginx', 'journalctl -u api --since today', 'df -h', 'uptime', 'docker ps', 'tail -n 100 /var/log/syslog',
    'apt list --upgradable', 'kubectl get pods', 'free -m', 'ls -la /etc'];
  await c.query(`INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, exit_code, duration_ms, created_at, source)
    SELECT 'e' || lpad(to_hex(i), 23, '0'), 'ag_bench' || CASE WHEN i % 10 = 0 THEN $3 ELSE 1 + i % $3 END, $1, 'u' || (i % 50), 'user' || (i % 50),
           ($2::text[])[1 + (i / $3) % 10] || ' #' || i, 'ok ' || md5(i::text), i % 7, 10 + i % 900,
           now() - make_interval(secs => i % (30 * 86400)), CASE WHEN i % 2 = 0 THEN 'api' ELSE 'terminal' END
      FROM generate_series(1, $4) i`, [TENANT, words, MACHINES, LOGS]);
  const inserted = Date.now();
  await c.query(`INSERT INTO machines.command_counts (tenant_id, hour, n)
    SELECT tenant_id, date_trunc('hour', created_at), count(*) FROM machines.command_logs GROUP BY 1, 2`);
  await c.query('ALTER TABLE machines.command_logs ENABLE TRIGGER command_logs_count');
  await c.query("SET maintenance_work_mem = '1GB'");
  for (const i of indexes) await c.query(i.indexdef);
  const indexed = Date.now();

  await c.query(`INSERT INTO machines.access_grants (agent_id, user_id, username, granted_by, role)
    SELECT 'ag_bench' || i, 'u-bench', 'bench', 'u', 'operator' FROM generate_series(1, 3) i`);
  await c.query(`INSERT INTO machines.group_members (tenant_id, group_id, user_id) VALUES ($1, 'g-bench', 'u-group')`, [TENANT]);
  await c.query(`INSERT INTO machines.group_machines (tenant_id, group_id, machine_ref)
    SELECT $1, 'g-bench', 'ag_bench' || (i * ($2 / $3)) FROM generate_series(1, $3) i`, [TENANT, MACHINES, GROUP_MACHINES]);
  await c.query('VACUUM ANALYZE machines.command_logs');
  await c.query('ANALYZE machines.machines; ANALYZE machines.command_counts; ANALYZE machines.access_grants; ANALYZE machines.group_machines');
  console.log(`seeded ${MACHINES} machines and ${LOGS} command logs in ${seconds(t0)} (rows ${((inserted - t0) / 1000).toFixed(0)} s, `
    + `indexes ${((indexed - inserted) / 1000).toFixed(0)} s, vacuum and analyze ${seconds(indexed)})`);
}

async function time(f: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) { const t = performance.now(); await f(); ms.push(performance.now() - t); }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)], p95: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))] };
}

async function main(): Promise<void> {
  const database = new URL(DATABASE_URL).pathname.slice(1);
  if (!database.endsWith('bench')) throw new Error(`the dashboard bench rebuilds and drops tables: give it a database of its own (a name ending in "bench"), not ${database}`);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  await runMigrations(pool, 'machines', join(__dirname, '../machine-svc/src/store/migrations'));
  const seeder = await pool.connect();
  try { await seed(seeder); } finally { seeder.release(); }
  const dash = new DashboardRepository(pool);
  const machines = new MachineRepository(pool).scoped(TENANT);
  const admin = { tenantId: TENANT };
  const rows: [string, { p50: number; p95: number }, { p50: number; p95: number }][] = [];
  rows.push([`machines by status (${MACHINES.toLocaleString('en')})`, await time(() => dash.machineCounts(admin, 15_000)),
    await time(() => pool.query(`SELECT count(*), count(*) FILTER (WHERE registered_at IS NULL), count(*) FILTER (WHERE connected AND last_seen_at > now() - interval '15 seconds')
      FROM machines.machines WHERE tenant_id = $1`, [TENANT]))]);
  rows.push(['commands in 24 h and 7 days', await time(() => dash.commandCounts(admin, null)),
    await time(() => pool.query(`SELECT count(*) FILTER (WHERE created_at > now() - interval '24 hours'), count(*) FROM machines.command_logs
      WHERE tenant_id = $1 AND created_at > now() - interval '7 days'`, [TENANT]))]);
  rows.push(["commands in 24 h and 7 days, a user's 3 machines", await time(async () => {
    const user = { tenantId: TENANT, grantedTo: 'u-bench' };
    return dash.commandCounts(user, (await dash.machineCounts(user, 15_000)).agentIds);
  }),
    await time(() => pool.query(`SELECT count(*) FILTER (WHERE created_at > now() - interval '24 hours'), count(*) FROM machines.command_logs
      WHERE agent_id = ANY($1) AND created_at > now() - interval '7 days'`, [['ag_bench1', 'ag_bench2', 'ag_bench3']]))]);
  rows.push(['last 10 command activities', await time(() => dash.recentActivity(admin, 10)),
    await time(() => pool.query(`SELECT l.*, m.name FROM machines.command_logs l JOIN machines.machines m ON m.agent_id = l.agent_id
      WHERE l.tenant_id = $1 ORDER BY l.created_at DESC LIMIT 10`, [TENANT]))]);
  rows.push(['last 5 machines seen', await time(() => dash.recentMachines(admin, 5)),
    await time(() => pool.query('SELECT agent_id FROM machines.machines WHERE tenant_id = $1 AND last_seen_at IS NOT NULL ORDER BY last_seen_at DESC LIMIT 5', [TENANT]))]);
  for (const [who, user, ids] of [
    ["a user's 3 machines (grants)", 'u-bench', [1, 2, 3].map((i) => `ag_bench${i}`)],
    [`a user's ${GROUP_MACHINES.toLocaleString('en')} machines (a group)`, 'u-group', Array.from({ length: GROUP_MACHINES }, (_, i) => `ag_bench${(i + 1) * Math.floor(MACHINES / GROUP_MACHINES)}`)],
  ] as const) {
    const v = { tenantId: TENANT, grantedTo: user };
    rows.push([`machines by status, ${who}`, await time(() => dash.machineCounts(v, 15_000)),
      await time(() => pool.query(`SELECT count(*), count(*) FILTER (WHERE registered_at IS NULL), count(*) FILTER (WHERE connected AND last_seen_at > now() - interval '15 seconds')
        FROM machines.machines WHERE agent_id = ANY($1)`, [ids]))]);
    // The plain query of the same shape, ids known: `agent_id = ANY(ids) ORDER BY created_at DESC LIMIT 10`
    // sorts every log of those machines (7.9 s for 1,000 machines at 10 M logs, one round).
    rows.push([`last 10 command activities, ${who}`, await time(() => dash.recentActivity(v, 10)),
      await time(() => pool.query(`SELECT l.*, m.name FROM machines.machines m
        CROSS JOIN LATERAL (SELECT * FROM machines.command_logs l WHERE l.agent_id = m.agent_id ORDER BY l.created_at DESC LIMIT 10) l
        WHERE m.agent_id = ANY($1) ORDER BY l.created_at DESC LIMIT 10`, [ids]))]);
    rows.push([`last 5 machines seen, ${who}`, await time(() => dash.recentMachines(v, 5)),
      await time(() => pool.query('SELECT agent_id FROM machines.machines WHERE agent_id = ANY($1) AND last_seen_at IS NOT NULL ORDER BY last_seen_at DESC LIMIT 5', [ids]))]);
  }
  // The repository answers a page and the total; so does the plain SQL.
  const plainLogs = (agentId: string, query?: string) => {
    const where = query ? `agent_id = $1 AND search @@ websearch_to_tsquery('simple', $2)` : 'agent_id = $1';
    const params = query ? [agentId, query] : [agentId];
    return Promise.all([pool.query(`SELECT count(*) FROM machines.command_logs WHERE ${where}`, params),
      pool.query(`SELECT * FROM machines.command_logs WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 50`, params)]);
  };
  const perMachine = Math.round(LOGS * 0.9 / MACHINES).toLocaleString('en');
  const busy = Math.round(LOGS / 10).toLocaleString('en');
  for (const [label, agentId] of [[`one machine (${perMachine} logs)`, 'ag_bench7'], [`the busiest machine (${busy} logs)`, BUSY]]) {
    rows.push([`log search "nginx" on ${label}, page 1 and total`, await time(() => machines.logs(agentId, { limit: 50, offset: 0, query: 'nginx' })),
      await time(() => plainLogs(agentId, 'nginx'))]);
    rows.push([`log search "nginx kubectl" (no match) on ${label}`, await time(() => machines.logs(agentId, { limit: 50, offset: 0, query: 'nginx kubectl' })),
      await time(() => plainLogs(agentId, 'nginx kubectl'))]);
    rows.push([`machine log page 1 (newest 50) and total, ${label}`, await time(() => machines.logs(agentId, { limit: 50, offset: 0 })),
      await time(() => plainLogs(agentId))]);
  }
  console.log(`\nmachine: ${machine()}; ${MACHINES} machines, ${LOGS} command logs in one organization; ${ROUNDS} rounds`);
  console.log('| question | machine-svc p50 / p95 ms | plain SQL p50 / p95 ms | ratio p50 |');
  console.log('|---|---:|---:|---:|');
  for (const [q, a, b] of rows) console.log(`| ${q} | ${a.p50.toFixed(1)} / ${a.p95.toFixed(1)} | ${b.p50.toFixed(1)} / ${b.p95.toFixed(1)} | ${(a.p50 / b.p50).toFixed(2)}× |`);
  if (!process.env.BENCH_KEEP) await pool.query('DROP SCHEMA machines CASCADE');
  await pool.end();
}

main().catch((e) => { console.error(e); process.exit(1); });
