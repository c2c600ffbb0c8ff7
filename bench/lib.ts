import { ChildProcess, spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const ROOT = join(__dirname, '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A service as its own process, the way `npm start` runs it; resolves once /healthz answers. */
export async function startService(name: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, name, 'src/main.ts')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).ok) return child;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become healthy`);
}

export interface Figures { label: string; rps: number; p50: number; p99: number; errors: number }

/** A fixed-duration load run; non-2xx answers count as errors. */
export async function load(label: string, o: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ duration: 5, ...o });
  return {
    label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

export function printTable(title: string, rows: Figures[]): void {
  console.log(`\n${title}`);
  console.log('| run | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`);
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}
