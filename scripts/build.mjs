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
import { cpSync, existsSync, rmSync } from 'node:fs';
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

const common = {
  bundle: true, platform: 'node', target: NODE_TARGET, format: 'cjs', sourcemap: 'linked',
  logLevel: 'warning', legalComments: 'none', tsconfig: join(ROOT, 'tsconfig.base.json'),
};

export async function buildService(name, out = join(ROOT, name, 'dist')) {
  const dir = join(ROOT, name);
  rmSync(out, { recursive: true, force: true });
  await build({ ...common, entryPoints: [join(dir, 'src/main.ts')], outfile: join(out, 'main.js'), external: EXTERNAL });
  const migrations = join(dir, 'src/store/migrations');
  if (existsSync(migrations)) cpSync(migrations, join(out, 'store/migrations'), { recursive: true });
  cpSync(join(ROOT, 'proto/agent.proto'), join(out, 'agent.proto'));
  return join(out, 'main.js');
}

export async function buildAgent(out = join(ROOT, 'agent/dist')) {
  rmSync(out, { recursive: true, force: true });
  await build({
    ...common, entryPoints: [join(ROOT, 'agent/src/main.ts')], outfile: join(out, 'vsay-agent.js'),
    external: EXTERNAL, banner: { js: '#!/usr/bin/env node' },
  });
  cpSync(join(ROOT, 'proto/agent.proto'), join(out, 'agent.proto'));
  cpSync(join(ROOT, 'agent/shell'), join(out, 'shell'), { recursive: true });
  return join(out, 'vsay-agent.js');
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
