// `npm run bench -- startup`: one service (the gateway: Redis and NATS, no database) started the way
// `npm start` runs it (tsx loading TypeScript) and the way the images run it (node on the esbuild
// bundle of scripts/build.mjs), in alternating rounds: time from spawn to the first 200 on /healthz,
// and resident memory (the whole process tree: tsx runs the service in a child process) once it has
// answered 200 requests. tsx keeps its transform cache under $TMPDIR: a new empty one before each
// cold start, as in a new pod (its /tmp is a fresh emptyDir), and a kept one for the warm starts
// (private to the bench, so nobody else's tsx cache is touched).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, machine } from './lib';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, '.stack/bench-build');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 5);

interface Sample { startMs: number; rssMiB: number }

/** Resident set of a process and its descendants, MiB. */
function treeRssMiB(pid: number): number {
  const kids = new Map<number, number[]>();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
    } catch { /* gone */ }
  }
  let kib = 0;
  const visit = (p: number) => {
    try { kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
    for (const k of kids.get(p) ?? []) visit(k);
  };
  visit(pid);
  return kib / 1024;
}

async function measure(cmd: string, args: string[], tmp = join(OUT, 'tmp-warm')): Promise<Sample> {
  mkdirSync(tmp, { recursive: true });
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(cmd, args, {
    cwd: ROOT, detached: true, stdio: 'ignore',
    env: { ...process.env, TMPDIR: tmp, PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', LOG_LEVEL: 'warn', JWT_SECRET: 'startup-bench-secret-0123456789abcdef', RATE_LIMIT_PREFIX: 'rlstartup' },
  });
  const url = `http://127.0.0.1:${port}`;
  let startMs = NaN;
  for (let i = 0; i < 3000 && Number.isNaN(startMs); i++) { // at most 30 s
    if (child.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited with ${child.exitCode}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) startMs = performance.now() - started;
    else await new Promise((r) => setTimeout(r, 10));
  }
  if (Number.isNaN(startMs)) throw new Error(`${cmd} did not answer /healthz within 30 s`);
  for (let i = 0; i < 200; i++) await (await fetch(`${url}/health`)).text();
  const rssMiB = treeRssMiB(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  return { startMs, rssMiB };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', OUT, 'gateway'], { stdio: 'inherit' });
  const runs = { 'tsx, cold cache (npm start; a new pod)': [] as Sample[], 'tsx, warm cache': [] as Sample[], 'node on the bundle (images)': [] as Sample[] };
  const tsx = [join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'gateway/src/main.ts')]] as const;
  await measure(process.execPath, [join(OUT, 'gateway/main.js')]); // warm the OS file cache for both
  for (let round = 0; round < ROUNDS; round++) {
    const cold = join(OUT, `tmp-cold-${round}`);
    runs['tsx, cold cache (npm start; a new pod)'].push(await measure(tsx[0], [...tsx[1]], cold));
    rmSync(cold, { recursive: true, force: true });
    runs['tsx, warm cache'].push(await measure(tsx[0], [...tsx[1]]));
    runs['node on the bundle (images)'].push(await measure(join(OUT, 'gateway/main.js'), [])); // runs itself, as the image runs it
  }
  rmSync(OUT, { recursive: true, force: true });
  console.log(`\nGateway start-up, median of ${ROUNDS} alternating rounds; ${machine()}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| how it runs | start to /healthz, ms | RSS after 200 requests, MiB |');
  console.log('|---|---:|---:|');
  for (const [label, samples] of Object.entries(runs)) {
    console.log(`| ${label} | ${median(samples.map((s) => s.startMs)).toFixed(0)} | ${median(samples.map((s) => s.rssMiB)).toFixed(0)} |`);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
