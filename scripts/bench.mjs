// `npm run bench [-- name]`: dependencies and PostgreSQL/Redis/NATS as for `npm test`, a fresh
// bench database, then every bench/*.bench.ts (or the ones whose name contains `name`), one by one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './lib/config.mjs';
import { ensureNpmDeps } from './lib/deps.mjs';
import { ensureInfra } from './lib/infra.mjs';
import { assertJetStream, recreateDatabase, withDatabase } from './lib/checks.mjs';
import { ProcessGroup, stopOnSignals } from './lib/procs.mjs';
import { info, reportFailure } from './lib/log.mjs';

const group = new ProcessGroup();
stopOnSignals(group);

async function runBenches() {
  ensureNpmDeps();
  const urls = await ensureInfra(group);
  const databaseUrl = withDatabase(urls.databaseUrl, 'webxterm_bench');
  await recreateDatabase(databaseUrl);
  await assertJetStream(urls.natsUrl);
  const env = { ...process.env, DATABASE_URL: databaseUrl, NATS_URL: urls.natsUrl, REDIS_URL: urls.redisUrl };
  const filter = process.argv[2] ?? '';
  const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
  let failed = 0;
  for (const file of benches) {
    info(`bench/${file}`);
    if ((await group.run(file, BIN('tsx'), [join('bench', file)], { env })) !== 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await runBenches();
} catch (err) {
  if (!group.stopping) reportFailure(err);
}
if (!group.stopping) {
  await group.stopAll();
  process.exit(exitCode);
}
