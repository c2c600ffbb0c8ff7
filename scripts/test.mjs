// `npm test`: dependencies and PostgreSQL/Redis/NATS as for `npm start` (no services, no MailDev:
// the tests start what they need), a fresh test database, then the type check and Jest.
// Extra arguments go to Jest: `npm test -- gateway`.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, STACK_DIR, TEST_DATABASE_NAME } from './lib/config.mjs';
import { ensureNpmDeps } from './lib/deps.mjs';
import { ensureChromium, ensureDebianTool } from './lib/chromium.mjs';
import { ensureConsoleBuilt, WEB_DIR } from './lib/console.mjs';
import { ensureInfra } from './lib/infra.mjs';
import { assertJetStream, recreateDatabase, withDatabase } from './lib/checks.mjs';
import { ProcessGroup, stopOnSignals } from './lib/procs.mjs';
import { bold, info, reportFailure } from './lib/log.mjs';

const group = new ProcessGroup();
stopOnSignals(group);
const jestResults = join(STACK_DIR, 'jest-results.json');
const vitestResults = join(STACK_DIR, 'vitest-results.json');

/** `tests: N passed, N failed` from Jest's JSON report, or null when Jest wrote none. */
function jestSummary() {
  try {
    const r = JSON.parse(readFileSync(jestResults, 'utf8'));
    const skipped = r.numPendingTests + r.numTodoTests;
    return `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
  } catch {
    return null;
  }
}

/** Passed and failed counts of Jest's JSON report, or null. */
function jestCounts() {
  try {
    const r = JSON.parse(readFileSync(jestResults, 'utf8'));
    return { passed: r.numPassedTests, failed: r.numFailedTests };
  } catch {
    return null;
  }
}

/** Passed and failed counts of the console's Vitest run, or null when it wrote no report. */
function vitestCounts() {
  try {
    const r = JSON.parse(readFileSync(vitestResults, 'utf8'));
    return { passed: r.numPassedTests, failed: r.numFailedTests };
  } catch {
    return null;
  }
}

/** Returns the exit code: 0 when the type check and every test passed. */
async function runTests() {
  ensureNpmDeps();
  const urls = await ensureInfra(group);
  const databaseUrl = withDatabase(urls.databaseUrl, TEST_DATABASE_NAME);
  await recreateDatabase(databaseUrl);
  await assertJetStream(urls.natsUrl);
  const env = { ...process.env, DATABASE_URL: databaseUrl, NATS_URL: urls.natsUrl, REDIS_URL: urls.redisUrl };

  // The browser tests need Debian's Chromium and the console's production build.
  ensureChromium();
  ensureDebianTool('/usr/bin/zsh', 'zsh', 'the shell-integration tests');
  await ensureConsoleBuilt(group);

  info('type check: tsc -p tsconfig.json --noEmit, and web/');
  const typecheckApi = await group.run('tsc', BIN('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { env });
  const typecheckWeb = await group.run('tsc', BIN('tsc'), ['-p', join(WEB_DIR, 'tsconfig.json'), '--noEmit'], { env });
  const typecheck = typecheckApi === 0 && typecheckWeb === 0 ? 0 : 1;
  info(`jest ${process.argv.slice(2).join(' ')}`);
  mkdirSync(STACK_DIR, { recursive: true });
  rmSync(jestResults, { force: true });
  const jest = await group.run('jest', BIN('jest'), ['--json', `--outputFile=${jestResults}`, ...process.argv.slice(2)], { env });
  // The console's component tests (Vitest, jsdom) after Jest; skipped when a Jest subset was asked for.
  const subset = process.argv.slice(2);
  const runVitest = subset.length === 0 || subset.some((a) => a.includes('web'));
  rmSync(vitestResults, { force: true });
  let vitest = 0;
  if (runVitest) {
    info('vitest run (web/)');
    vitest = await group.run('vitest', BIN('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestResults}`], { env, cwd: WEB_DIR });
  }

  console.log(`\n${bold('type check')}: ${typecheck === 0 ? 'passed' : 'FAILED'}`);
  console.log(`${bold('jest')}: ${jest === 0 ? 'passed' : `FAILED (exit code ${jest})`}`);
  if (runVitest) console.log(`${bold('vitest')}: ${vitest === 0 ? 'passed' : `FAILED (exit code ${vitest})`}`);
  const summary = jestSummary();
  if (summary) console.log(summary);
  const v = vitestCounts();
  if (v) console.log(`web tests: ${v.passed} passed, ${v.failed} failed`);
  const j = jestCounts();
  if (j || v) console.log(`${(j?.passed ?? 0) + (v?.passed ?? 0)} passed, ${(j?.failed ?? 0) + (v?.failed ?? 0)} failed`);
  return typecheck === 0 && jest === 0 && vitest === 0 ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await runTests();
} catch (err) {
  if (!group.stopping) reportFailure(err);
}
// After Ctrl-C the signal handler is already stopping everything and exits by itself.
if (!group.stopping) {
  await group.stopAll();
  process.exit(exitCode);
}
