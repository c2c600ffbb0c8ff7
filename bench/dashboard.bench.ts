/**
 * The dashboard and command-log search at scale: one organization with BENCH_MACHINES machines
 * (10,000) and BENCH_LOGS command logs (1,000,000; set 10000000 for the 10 M figure), generated in
 * PostgreSQL. Times machine-svc's repository (row-level security, the caller's scope) against the
 * plain SQL of the same question without it, in the same run; p50/p95 over BENCH_ROUNDS rounds.
 *   npm run bench -- dashboard
 */
import { Pool } from 'pg';
import { runMigrations } from '@webxterm/kit';
import { join } from 'node:path';
import { DashboardRepository } from '../machine-svc/src/store/dashboard.repository';
import { MachineRepository } from '../machine-svc/src/store/machine.repository';
import { machine } from './lib';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/webxterm_bench';
const MACHINES = Number(process.env.BENCH_MACHINES ?? 10_000);
const LOGS = Number(process.env.BENCH_LOGS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const TENANT = 'bench-org';

async function seed(pool: Pool): Promise<void> {
  const have = Number((await pool.query('SELECT count(*) FROM machines.command_logs WHERE tenant_id = $1', [TENANT])).rows[0].count);
  if (have >= LOGS) return;
  const t0 = Date.now();
  await pool.query('DELETE FROM machines.command_logs WHERE tenant_id = $1', [TENANT]);
  await pool.query('DELETE FROM machines.machines WHERE tenant_id = $1', [TENANT]);
  await pool.query(`INSERT INTO machines.machines (id, agent_id, tenant_id, name, created_by, registered_at, connected, last_seen_at)
    SELECT lpad(to_hex(i), 24, '0'), 'ag_bench' || i, $1, 'host-' || i, 'u', now(), i % 3 = 0, now() - make_interval(secs => i % 600)
      FROM generate_series(1, $2) i`, [TENANT, MACHINES]);
  const words = ['systemctl status nginx', 'journalctl -u api --since today', 'df -h', 'uptime', 'docker ps', 'tail -n 100 /var/log/syslog',
    'apt list --upgradable', 'kubectl get pods', 'free -m', 'ls -la /etc'];
  for (let done = 0; done < LOGS; done += 500_000) {
    const n = Math.min(500_000, LOGS - done);
    await pool.query(`INSERT INTO machines.command_logs (id, agent_id, tenant_id, user_id, username, command, output, exit_code, duration_ms, created_at, source)
      SELECT 'e' || lpad(to_hex($3 + i), 23, '0'), 'ag_bench' || (1 + i % $4), $1, 'u' || (i % 50), 'user' || (i % 50),
             ($2::text[])[1 + i % 10] || ' #' || i, 'ok ' || md5(i::text), i % 7, 10 + i % 900,
             now() - make_interval(secs => i % (30 * 86400)), CASE WHEN i % 2 = 0 THEN 'api' ELSE 'terminal' END
        FROM generate_series(1, $5) i`, [TENANT, words, done, MACHINES, n]);
  }
  await pool.query(`INSERT INTO machines.access_grants (agent_id, user_id, username, granted_by, role)
    SELECT 'ag_bench' || i, 'u-bench', 'bench', 'u', 'operator' FROM generate_series(1, 3) i`);
  await pool.query('ANALYZE machines.command_logs; ANALYZE machines.machines; ANALYZE machines.command_counts');
  console.log(`seeded ${MACHINES} machines and ${LOGS} command logs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

async function time(f: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) { const t = performance.now(); await f(); ms.push(performance.now() - t); }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)], p95: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))] };
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  await runMigrations(pool, 'machines', join(__dirname, '../machine-svc/src/store/migrations'));
  await seed(pool);
  const dash = new DashboardRepository(pool);
  const machines = new MachineRepository(pool).scoped(TENANT);
  const admin = { tenantId: TENANT };
  const rows: [string, { p50: number; p95: number }, { p50: number; p95: number }][] = [];
  rows.push(['machines by status (10,000)', await time(() => dash.machineCounts(admin, 15_000)),
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
  rows.push(['log search "nginx" on one machine, page 1', await time(() => machines.logs('ag_bench7', { limit: 50, offset: 0, query: 'nginx' })),
    await time(() => pool.query(`SELECT * FROM machines.command_logs WHERE agent_id = $1 AND search @@ websearch_to_tsquery('simple', $2)
      ORDER BY created_at DESC LIMIT 50`, ['ag_bench7', 'nginx']))]);
  rows.push(['machine log page 1 (newest 50)', await time(() => machines.logs('ag_bench7', { limit: 50, offset: 0 })),
    await time(() => pool.query('SELECT * FROM machines.command_logs WHERE agent_id = $1 ORDER BY created_at DESC LIMIT 50', ['ag_bench7']))]);

  console.log(`\nmachine: ${machine()}; ${MACHINES} machines, ${LOGS} command logs in one organization; ${ROUNDS} rounds`);
  console.log('| question | machine-svc p50 / p95 ms | plain SQL p50 / p95 ms | ratio p50 |');
  console.log('|---|---:|---:|---:|');
  for (const [q, a, b] of rows) console.log(`| ${q} | ${a.p50.toFixed(1)} / ${a.p95.toFixed(1)} | ${b.p50.toFixed(1)} / ${b.p95.toFixed(1)} | ${(a.p50 / b.p50).toFixed(2)}× |`);
  await pool.end();
}

main().catch((e) => { console.error(e); process.exit(1); });
