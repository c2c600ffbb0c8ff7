// npm dependencies: installed when node_modules is missing or older than package-lock.json.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './config.mjs';
import { info, ok, StackError } from './log.mjs';

function mtimeMs(path) {
  try { return statSync(path).mtimeMs; } catch { return null; }
}

export function npmDepsAreStale() {
  const installed = mtimeMs(join(ROOT, 'node_modules', '.package-lock.json'));
  const lock = mtimeMs(join(ROOT, 'package-lock.json'));
  return installed === null || (lock !== null && installed < lock);
}

/** Runs npm with its stdout on the console; its stderr is kept and shown only when the caller fails. */
function npm(args) {
  const result = spawnSync('npm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (result.error) throw new StackError(`could not run npm: ${result.error.message}`);
  return { status: result.status, stderr: result.stderr ?? '' };
}

function failWith(step, stderr) {
  process.stderr.write(stderr);
  throw new StackError(`${step} failed (see the output above)`);
}

export function ensureNpmDeps() {
  if (!npmDepsAreStale()) return;
  info('installing npm dependencies (npm ci)…');
  const ci = npm(['ci', '--no-audit', '--no-fund']);
  if (ci.status !== 0) failWith('npm ci', ci.stderr);
  ok('npm dependencies installed');
}
