// The web console (web/): built with Vite into web/dist when the build is missing or older than
// any of its sources. The gateway serves web/dist at `/` (gateway/src/console.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './config.mjs';
import { info, ok, StackError } from './log.mjs';

export const WEB_DIR = join(ROOT, 'web');
export const CONSOLE_DIST = join(WEB_DIR, 'dist');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

/** Newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newestMtime(path) {
  let st;
  try { st = statSync(path); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function consoleBuildIsStale() {
  const built = newestMtime(join(CONSOLE_DIST, 'index.html'));
  if (built === 0) return true;
  return SOURCES.some((s) => newestMtime(join(WEB_DIR, s)) > built);
}

/** Builds the console when needed; `group` runs the build so Ctrl-C stops it. */
export async function ensureConsoleBuilt(group, { force = false } = {}) {
  if (!force && !consoleBuildIsStale()) return;
  info('building the web console (vite build)…');
  const code = await group.run('vite', BIN('vite'), ['build', '--logLevel', 'warn'], { cwd: WEB_DIR });
  if (code !== 0) throw new StackError(`the console build failed (exit code ${code})`);
  ok('web console built into web/dist');
}
