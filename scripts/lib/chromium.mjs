// Debian's Chromium for the browser tests (e2e/console*.test.ts drive it with playwright-core).
// Installed with apt when missing, never downloaded any other way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { info, ok, StackError } from './log.mjs';

export const CHROMIUM = '/usr/bin/chromium';

function apt(args) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { status: r.error ? -1 : r.status, stderr: r.stderr ?? r.error?.message ?? '' };
}

/** `apt-get install -y chromium`, with `apt-get update` first when the package lists are too old to find it. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new StackError(`${CHROMIUM} is missing and only root can install it: sudo apt-get install -y chromium`);
  info('installing chromium for the browser tests (apt-get install -y chromium)…');
  let r = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (r.status !== 0 || !existsSync(CHROMIUM)) {
    process.stderr.write(r.stderr);
    throw new StackError('could not install chromium with apt-get (see the output above)');
  }
  ok('chromium installed');
}
