// Debian's programs the tests need: Chromium for the browser tests (e2e/console*.test.ts drive it with
// playwright-core), zsh for the shell integration. Installed with apt when missing, never downloaded any other way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { info, ok, StackError } from './log.mjs';

export const CHROMIUM = '/usr/bin/chromium';

function apt(args) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { status: r.error ? -1 : r.status, stderr: r.stderr ?? r.error?.message ?? '' };
}

/** A program of Debian's the tests need: installed with `apt-get install -y <pkg>` when `path` is missing (`apt-get update` first if needed). */
export function ensureDebianTool(path, pkg, why) {
  if (existsSync(path)) return;
  if (process.getuid?.() !== 0) throw new StackError(`${path} is missing and only root can install it: sudo apt-get install -y ${pkg}`);
  info(`installing ${pkg} for ${why} (apt-get install -y ${pkg})…`);
  let r = apt(['install', '-y', '--no-install-recommends', pkg]);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', pkg]);
  }
  if (r.status !== 0 || !existsSync(path)) {
    process.stderr.write(r.stderr);
    throw new StackError(`could not install ${pkg} with apt-get (see the output above)`);
  }
  ok(`${pkg} installed`);
}

export function ensureChromium() {
  ensureDebianTool(CHROMIUM, 'chromium', 'the browser tests');
}
