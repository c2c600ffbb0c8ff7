// PostgreSQL, Redis and NATS for the local stack. Each one is, in this order: the server its URL
// variable names (checked), the one already answering on its local port (reused, never stopped),
// or one this script starts (installing its Debian package first when running as root).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { DATABASE_NAME, ROOT, STACK_DIR, STACK_PORTS, WAIT } from './config.mjs';
import { info, ok, StackError } from './log.mjs';
import { hostPort, isListening, pollUntil } from './net.mjs';
import { tailText } from './procs.mjs';

const isRoot = process.getuid?.() === 0;

const INFRA = [
  {
    key: 'postgres', title: 'PostgreSQL', urlVar: 'DATABASE_URL', defaultPort: 5432, aptPackage: 'postgresql',
    installed: () => findPostgresBinDir() !== null,
    localUrl: (port) => `postgres://postgres@127.0.0.1:${port}/${DATABASE_NAME}`,
    start: startPostgres,
  },
  {
    key: 'redis', title: 'Redis', urlVar: 'REDIS_URL', defaultPort: 6379, aptPackage: 'redis-server',
    installed: () => which('redis-server') !== null,
    localUrl: (port) => `redis://127.0.0.1:${port}`,
    start: (group, port) => startChildServer(group, 'redis', which('redis-server'), port, (dir) => [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir,
    ]),
  },
  {
    key: 'nats', title: 'NATS (JetStream)', urlVar: 'NATS_URL', defaultPort: 4222, aptPackage: 'nats-server',
    installed: () => which('nats-server') !== null,
    localUrl: (port) => `nats://127.0.0.1:${port}`,
    start: (group, port) => startChildServer(group, 'nats', which('nats-server'), port, (dir) => [
      '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir,
    ]),
  },
];

/** Returns { databaseUrl, redisUrl, natsUrl }; what it starts is registered on `group` to be stopped. */
export async function ensureInfra(group) {
  const urls = {};
  const toStart = [];
  for (const svc of INFRA) {
    const fromEnv = process.env[svc.urlVar];
    const port = STACK_PORTS[svc.key];
    if (fromEnv) {
      await assertReachable(svc, fromEnv);
      urls[svc.key] = fromEnv;
      ok(`${svc.title}: using ${svc.urlVar}=${redact(fromEnv)}`);
    } else if (await isListening(port)) {
      urls[svc.key] = svc.localUrl(port);
      ok(`${svc.title}: reusing the server on 127.0.0.1:${port}`);
    } else {
      toStart.push(svc);
    }
  }
  installMissing(toStart);
  for (const svc of toStart) {
    const port = STACK_PORTS[svc.key];
    info(`${svc.title}: starting one on 127.0.0.1:${port}…`);
    const dataDir = await svc.start(group, port);
    urls[svc.key] = svc.localUrl(port);
    ok(`${svc.title}: started on 127.0.0.1:${port} (data in ${relative(dataDir)})`);
  }
  return { databaseUrl: urls.postgres, redisUrl: urls.redis, natsUrl: urls.nats };
}

async function assertReachable(svc, url) {
  let target;
  try { target = hostPort(url, svc.defaultPort); } catch {
    throw new StackError(`${svc.urlVar} is not a valid URL: ${redact(url)}`);
  }
  const { value } = await pollUntil(() => isListening(target.port, target.host), { timeoutMs: 5000, intervalMs: 500 });
  if (!value) {
    throw new StackError(`${svc.title} at ${svc.urlVar}=${redact(url)} does not answer on ${target.host}:${target.port}.\n` +
      `  Start it, or unset ${svc.urlVar} to use (or start) a local one.`);
  }
}

function installMissing(services) {
  const missing = services.filter((svc) => !svc.installed());
  if (missing.length === 0) return;
  const packages = missing.map((svc) => svc.aptPackage);
  if (!isRoot) {
    const lines = missing.map((svc) => `  - ${svc.title}: nothing answers on 127.0.0.1:${STACK_PORTS[svc.key]} and it is not installed (or set ${svc.urlVar})`);
    throw new StackError(`missing local services:\n${lines.join('\n')}\n` +
      `Install them, e.g.: sudo apt-get install -y ${packages.join(' ')}\n(or run this as root and it installs them itself)`);
  }
  info(`installing ${packages.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new StackError(`apt-get ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ''}`);
  }
  const still = missing.filter((svc) => !svc.installed());
  if (still.length) throw new StackError(`still not installed after apt-get: ${still.map((s) => s.aptPackage).join(', ')}`);
}

// --- PostgreSQL: initdb + pg_ctl, run as the postgres user when we are root (it refuses root) -----

function findPostgresBinDir() {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(debian, v, 'bin', 'initdb'))) return join(debian, v, 'bin');
  }
  const initdb = which('initdb');
  return initdb ? dirname(initdb) : null;
}

/** .stack/postgres, unless the postgres user cannot reach the checkout (e.g. under /root). */
function postgresDataDir() {
  const local = stackPath('postgres');
  mkdirSync(STACK_DIR, { recursive: true });
  if (!isRoot || spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', STACK_DIR]).status === 0) return local;
  const id = createHash('sha1').update(ROOT).digest('hex').slice(0, 8);
  const dir = join(tmpdir(), `webxterm-stack-${id}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return join(dir, 'postgres');
}

function runPg(binDir, tool, args) {
  const command = [join(binDir, tool), ...args];
  const argv = isRoot ? ['runuser', '-u', 'postgres', '--', ...command] : command;
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: '/' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.trim() };
}

async function startPostgres(group, port) {
  const binDir = findPostgresBinDir();
  const dataDir = postgresDataDir();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (isRoot) spawnSync('chown', ['-R', 'postgres:postgres', dataDir]);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const init = runPg(binDir, 'initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
    if (!init.ok) throw new StackError(`initdb failed:\n${init.output}`);
  }
  const log = join(dataDir, 'server.log');
  // -k '' turns off the Unix socket (its path could exceed the 107-byte limit); TCP only.
  const options = `-p ${port} -k '' -c listen_addresses=127.0.0.1`;
  const start = runPg(binDir, 'pg_ctl', ['-D', dataDir, '-o', options, '-l', log, '-w', '-t', '30', 'start']);
  if (!start.ok) throw new StackError(`PostgreSQL did not start:\n${start.output}\n(see ${log})`);
  group.onStop('postgres', async () => {
    const stop = runPg(binDir, 'pg_ctl', ['-D', dataDir, 'stop', '-m', 'fast', '-w', '-t', '30']);
    if (!stop.ok) throw new Error(stop.output);
  });
  return dataDir;
}

// --- Redis and NATS: plain children of this script ------------------------------------------------

async function startChildServer(group, key, binary, port, argsFor) {
  const dir = stackPath(key);
  const logDir = stackPath('logs');
  mkdirSync(dir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const handle = group.spawn(key, binary, argsFor(dir), { logFile: join(logDir, `${key}.log`) });
  const { reason } = await pollUntil(() => isListening(port), {
    timeoutMs: WAIT.infraMs,
    abort: () => (handle.exited ? `it exited (${handle.exited})` : null),
  });
  if (reason) throw new StackError(`${key} did not start on 127.0.0.1:${port}: ${reason}\n${tailText(handle)}`);
  return dir;
}

// --- helpers --------------------------------------------------------------------------------------

function stackPath(name) {
  return join(STACK_DIR, name);
}

function relative(path) {
  return path.startsWith(ROOT) ? path.slice(ROOT.length).replace(/^\//, '') : path;
}

/** Finds an executable on PATH, plus the sbin folders a non-login root shell may lack. */
function which(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try { accessSync(join(dir, name), constants.X_OK); return join(dir, name); } catch { /* next */ }
  }
  return null;
}

/** A URL without its password, for messages. */
export function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
