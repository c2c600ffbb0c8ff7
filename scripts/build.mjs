// The production build: each service, and the agent, compiled to JavaScript with esbuild, so images
// and the agent package run `node`, not a TypeScript loader.
//
//   node scripts/build.mjs                 every service and the agent
//   node scripts/build.mjs gateway agent   only those
//   node scripts/build.mjs --out DIR ...   into DIR/<name>/ instead of <name>/dist/ (tests)
//
// A service becomes <service>/dist/main.js: its own code, packages/* (contracts, kit) and its
// pure-JavaScript dependencies in one file; native addons (argon2, sharp) and packages read from
// disk stay in node_modules (EXTERNAL below). Its SQL migrations are copied to dist/store/migrations
// and the agent protocol to dist/agent.proto, where the code looks for them beside itself. The agent becomes agent/dist/vsay-agent.js with every
// dependency inside except node-pty (a native addon shipped beside it by scripts/package-agent.mjs).
// Types are not checked here: `npm run typecheck` (and `npm test`) do that.
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
export const SERVICES = ['gateway', 'auth-svc', 'audit-svc', 'machine-svc', 'terminal-svc', 'agent-bridge', 'community-svc'];
const NODE_TARGET = 'node20';

/**
 * npm packages that stay outside the bundles, in node_modules: native addons (argon2, sharp,
 * node-pty), packages whose files are served or read from disk (swagger-ui-dist), and optional
 * native accelerators their users load only when present (pg-native, bufferutil, utf-8-validate).
 * Everything else — our packages/* and pure-JavaScript dependencies — is compiled into the bundle.
 */
export const EXTERNAL = ['argon2', 'sharp', 'node-pty', 'swagger-ui-dist', 'pg-native', 'bufferutil', 'utf-8-validate'];

/**
 * How every bundle runs: its first line, so that whatever starts one — the image, the agent's
 * systemd unit, the tests, the bench — executes the file itself and gets the same process. Chosen by
 * measuring idle and per-session RSS (docs/performance.md, Memory):
 * - --max-semi-space-size=2: V8's young generation otherwise grows to two 16 MB halves after a burst
 *   of allocation (opening sessions) and keeps them. At 2 MB the terminal path's CPU per key is the
 *   same; at 1 MB terminal-svc's was about 10 % higher.
 * Not MALLOC_TRIM_THRESHOLD_=131072: it gave back 5–8 MB per process, but then every brotli batch
 * of the recorder returned and re-faulted its buffers, and a flood of typical text (`ls -lR`) fell
 * from 5–6 to 0.9 MB/s at 1.5× the CPU per MB (bench/terminal.bench.ts, 3 December).
 * `env -S` needs coreutils 8.30, which every distribution able to run Node 20 (glibc 2.28) has.
 */
export const LAUNCH_LINE = '#!/usr/bin/env -S node --max-semi-space-size=2';

/**
 * pg asks whether it runs on Cloudflare Workers (lib/stream.js, isCloudflareRuntime); on Node 20,
 * which has no `navigator`, by constructing a `Response`, which loads node's whole fetch (undici)
 * into every service for good: about 5 MB private and 7 MB more of the node binary. A bundle built
 * for node never runs there. Should pg's code change, the build fails here rather than miss it.
 */
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const check = 'function isCloudflareRuntime() {';
      if (!source.includes(check)) throw new Error(`${path}: isCloudflareRuntime not found; see pgOnNode in scripts/build.mjs`);
      return { contents: source.replace(check, `${check}\n  return false // a node bundle (scripts/build.mjs, pgOnNode)`), loader: 'js' };
    });
  },
};

const common = {
  bundle: true, platform: 'node', target: NODE_TARGET, format: 'cjs', sourcemap: 'linked',
  logLevel: 'warning', legalComments: 'none', tsconfig: join(ROOT, 'tsconfig.base.json'), banner: { js: LAUNCH_LINE },
  plugins: [pgOnNode],
};

/**
 * esbuild escapes every non-ASCII character of the code but keeps some comments as written; one
 * `—` in a comment makes V8 hold the whole source (4 MB for a service) as two bytes per character.
 * Escaping those characters (only ever in comments) keeps it at one byte. The file is made executable.
 */
function finish(file) {
  const text = readFileSync(file, 'utf8');
  if (/[^\x00-\xff]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  chmodSync(file, 0o755);
  return file;
}

export async function buildService(name, out = join(ROOT, name, 'dist')) {
  const dir = join(ROOT, name);
  rmSync(out, { recursive: true, force: true });
  await build({ ...common, entryPoints: [join(dir, 'src/main.ts')], outfile: join(out, 'main.js'), external: EXTERNAL });
  const migrations = join(dir, 'src/store/migrations');
  if (existsSync(migrations)) cpSync(migrations, join(out, 'store/migrations'), { recursive: true });
  cpSync(join(ROOT, 'proto/agent.proto'), join(out, 'agent.proto'));
  return finish(join(out, 'main.js'));
}

export async function buildAgent(out = join(ROOT, 'agent/dist')) {
  rmSync(out, { recursive: true, force: true });
  await build({
    ...common, entryPoints: [join(ROOT, 'agent/src/main.ts')], outfile: join(out, 'vsay-agent.js'),
    external: EXTERNAL,
  });
  cpSync(join(ROOT, 'proto/agent.proto'), join(out, 'agent.proto'));
  cpSync(join(ROOT, 'agent/shell'), join(out, 'shell'), { recursive: true });
  return finish(join(out, 'vsay-agent.js'));
}

async function main(args) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  const wanted = positionals.length ? positionals : [...SERVICES, 'agent'];
  for (const name of wanted) {
    if (name !== 'agent' && !SERVICES.includes(name)) throw new Error(`unknown target ${name} (one of ${SERVICES.join(', ')}, agent)`);
    const out = values.out ? resolve(values.out, name) : undefined;
    const started = Date.now();
    const file = name === 'agent' ? await buildAgent(out) : await buildService(name, out);
    console.log(`built ${relative(ROOT, file)} in ${Date.now() - started} ms`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => { console.error(`build: ${e.message}`); process.exit(1); });
}
