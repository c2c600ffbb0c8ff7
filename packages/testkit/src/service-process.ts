import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitUntil } from './wait';

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** The environment it was started with (beside the inherited one): start it again with this. */
  env: Record<string, string>;
  /** What the service wrote to stderr/stdout, for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'node_modules', '.bin', 'tsx'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('node_modules/.bin/tsx not found: run `npm install` at the repository root');
}

/**
 * A service as its own process, exactly as `npm start` runs it (`tsx <service>/src/main.ts`), or as
 * its image runs it (`<compiledDir>/<service>/main.js`, which runs itself with its node flags, built by
 * `node scripts/build.mjs --out <compiledDir> <service>`); resolves once its /healthz answers. `env.PORT` must be set.
 */
export async function startServiceProcess(name: string, env: Record<string, string>, timeoutMs = 30_000, compiledDir?: string): Promise<ServiceProcess> {
  const root = repoRoot();
  const port = Number(env.PORT);
  const [command, args] = compiledDir
    ? [join(compiledDir, name, 'main.js'), []]
    : [join(root, 'node_modules/.bin/tsx'), [join(root, name, 'src/main.ts')]];
  const child = spawn(command, args, {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx runs the service as a child, and a signal must reach both.
    detached: true,
  });
  let out = '';
  const keep = (b: Buffer) => { out = (out + b.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => { try { process.kill(-child.pid!, signal); } catch { /* already gone */ } };
  // A catchable signal goes to tsx, which relays it and exits with the service's own code; SIGKILL
  // cannot be relayed, so it goes to the whole group, as does the fallback after 8 s.
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) { signalGroup('SIGKILL'); return; }
    if (signal === 'SIGKILL') signalGroup('SIGKILL');
    else child.kill(signal);
    const timer = setTimeout(() => signalGroup('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
    signalGroup('SIGKILL'); // anything of the group still around (normally nothing)
  };
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${out}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok; // null: not listening yet
    }, timeoutMs, () => `${name} to become healthy; its output:\n${out}`);
  } catch (e) {
    await stop('SIGKILL');
    throw e;
  }
  return { name, port, url: `http://127.0.0.1:${port}`, child, env, output: () => out, stop };
}
