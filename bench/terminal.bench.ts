/**
 * The terminal path (issue 11), through the gateway with the real agent compiled as shipped
 * (`node agent/dist/vsay-agent.js`), against the same workload on PTYs spawned in this process
 * (the floor), in the same run:
 *   0. opening a terminal, one after another (BENCH_OPENS, 30): from the WebSocket handshake to the
 *      session message and to the shell's first output, and the CPU one open costs per process;
 *   1. keystroke echo p50/p99: keys sent back to back, and with a 20 ms pause before each key;
 *   2. one session's flood (base64 in 76-column lines, and without newlines): MB/s, and the
 *      platform's CPU ms per MB per process;
 *   3. N sessions (BENCH_N, default 50,200,500,1000) running `cat`, each typing a key every 100 ms
 *      for BENCH_TYPE_SEC (10) s: p50/p99, % of keys late (the previous echo not back at the tick),
 *      CPU % of a core and CPU µs per echoed key per process;
 *   4. memory: RSS idle and per open session; the agent's RSS and process count;
 *   5. recording: bytes the TERMINAL stream grew by per GB of flood and per hour of typing.
 *
 *   npm run bench -- terminal
 * Knobs: BENCH_N, BENCH_TYPE_SEC, BENCH_KEYSTROKES (2000), BENCH_PAUSED_KEYS (300), BENCH_FLOOD_MB (40),
 * BENCH_PHASES (open,echo,flood,sessions), BENCH_OPENS (30), BENCH_PROFILE_DIR (every service and the agent are CPU-profiled
 * into it by bench/cpu-profile.cjs; the agent then runs from source so functions keep their file names; the
 * summary covers the typing of the largest N only).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import * as pty from 'node-pty';
import { processTreeOf, waitUntil } from '@webxterm/testkit';
import { TermClient } from '../e2e/lib/term-client';
import { TerminalStack } from '../e2e/lib/terminal-stack';
import { machine } from './lib';
import { f, loadAverage, nodePidOf, percentiles, ProcessSet, profileOf, progress, Sample, sleep, summariseProfile, Usage } from './terminal-lib';

const ROOT = join(__dirname, '..');
const N_LIST = (process.env.BENCH_N ?? '50,200,500,1000').split(',').map(Number);
const KEYS = Number(process.env.BENCH_KEYSTROKES ?? 2000);
const PAUSED_KEYS = Number(process.env.BENCH_PAUSED_KEYS ?? 300);
const FLOOD_BYTES = Number(process.env.BENCH_FLOOD_MB ?? 40) * 1e6;
const TYPE_SEC = Number(process.env.BENCH_TYPE_SEC ?? 10);
const PHASES = (process.env.BENCH_PHASES ?? 'open,echo,flood,sessions').split(',');
const OPENS = Number(process.env.BENCH_OPENS ?? 30);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const TICK_MS = 100;

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * A quiet shell that echoes each keystroke at once (no line buffering) and discards it; Ctrl-C ends
 * it (cat is the shell itself). It says READY first: a login shell may take seconds to start.
 */
const QUIET = 'stty -icanon; PS1=; echo RE""ADY; exec cat >/dev/null\r';
const FLOODS = {
  'base64, 76-column lines': (b: number) => `base64 /dev/urandom | head -c ${b}`,
  'base64, no newlines': (b: number) => `base64 -w0 /dev/urandom | head -c ${b}`,
  // /usr lists in about 10 MB here; repeated, beyond brotli's 4 MiB window, as many times as needed.
  'ls -lR /usr (typical text)': (b: number) => `for i in $(seq ${Math.ceil(b / 5e6)}); do ls -lR /usr; done 2>/dev/null | head -c ${b}`,
} as const;
type Flood = keyof typeof FLOODS;
const FLOOR_FLOODS: Flood[] = ['base64, 76-column lines', 'base64, no newlines'];

/** Anything that takes keystrokes and gives output: a socket through the platform, or a local PTY. */
interface Term { type(s: string): void; onData(f: (d: string) => void): void; close(): void }

function socketTerm(t: TermClient): Term {
  return {
    type: (s) => t.type(s),
    onData: (fn) => t.ws.on('message', (d: Buffer, bin: boolean) => { if (bin) fn(d.toString('latin1')); }),
    close: () => t.close(),
  };
}
function localTerm(): Term {
  const p = pty.spawn('/bin/bash', ['--norc'], { cols: 120, rows: 40, env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' } });
  return { type: (s) => p.write(s), onData: (fn) => p.onData(fn), close: () => p.kill() };
}

function waitText(t: Term, re: RegExp, timeoutMs: number): Promise<boolean> {
  let seen = '';
  return Promise.race([
    new Promise<boolean>((resolve) => t.onData((d) => { seen = (seen + d).slice(-200); if (re.test(seen)) resolve(true); })),
    sleep(timeoutMs).then(() => false),
  ]);
}

/**
 * Keys typed while the agent reconnects to a bridge reach no one and are lost (its output is not:
 * the agent's ledger replays it), and under the load of opening 1,000 shells an agent may miss its
 * heartbeats and reconnect; a shell may also just take that long to start. A shell not ready 30 s
 * after QUIET is told again, and the bench says how often.
 */
let quietRetyped = 0;
async function quiet(t: Term): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const ready = waitText(t, /[^"]READY/, 30_000);
    if (attempt > 0) quietRetyped++;
    t.type(QUIET);
    if (await ready) return;
  }
  throw new Error('a shell did not become ready');
}

/** Sequential keystrokes: send one, wait for its echo, repeat; `pauseMs` before each. */
async function echoLatency(label: string, t: Term, n: number, pauseMs: number): Promise<Sample> {
  let waiting: ((d: string) => void) | null = null;
  t.onData((d) => waiting?.(d));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    if (pauseMs) await sleep(pauseMs);
    const ch = String.fromCharCode(97 + (i % 26));
    const t0 = now();
    await new Promise<void>((resolve) => { waiting = (d) => { if (d.includes(ch)) { waiting = null; resolve(); } }; t.type(ch); });
    times.push(now() - t0);
  }
  return percentiles(label, times);
}

/** One flood on a fresh shell: MB/s of what arrives, from typing the command to the marker after it. */
async function flood(t: Term, kind: Flood, bytes: number): Promise<{ mbps: number; bytes: number; chunks: number }> {
  const ready = waitText(t, /[^"]READY/, 60_000);
  t.type('PS1=; stty -echo; echo RE""ADY\r');
  if (!(await ready)) throw new Error('flood shell not ready');
  let got = 0;
  let chunks = 0;
  t.onData((d) => { got += d.length; chunks++; });
  const done = waitText(t, /[^"]DONE/, 300_000);
  const t0 = now();
  t.type(`${FLOODS[kind](bytes)}; echo DO""NE\r`);
  if (!(await done)) throw new Error(`flood ${kind} did not finish`);
  return { mbps: got / 1e6 / ((now() - t0) / 1000), bytes: got, chunks };
}

interface Typing { sample: Sample; ticks: number; late: number; echoed: number; bytes: number; fromUs: number; toUs: number }

/**
 * Every terminal types one key per 100 ms tick for `seconds` (ticks spread over the 100 ms); a tick
 * whose previous key has not echoed yet is late and sends nothing.
 */
async function typing(label: string, terms: Term[], seconds: number, onStart = () => {}): Promise<Typing> {
  const times: number[] = [];
  let late = 0;
  let ticks = 0;
  let bytes = 0;
  const perTerm = Math.round((seconds * 1000) / TICK_MS);
  onStart();
  const start = now();
  const fromUs = start * 1000;
  await Promise.all(terms.map(async (t, i) => {
    let sentAt = 0;
    let expect = '';
    t.onData((d) => { bytes += d.length; if (expect && d.includes(expect)) { times.push(now() - sentAt); expect = ''; } });
    const first = start + (i * TICK_MS) / terms.length;
    for (let k = 0; k < perTerm; k++) {
      const wait = first + k * TICK_MS - now();
      if (wait > 0) await sleep(wait);
      ticks++;
      if (expect) { late++; continue; }
      expect = String.fromCharCode(97 + (k % 26));
      sentAt = now();
      t.type(expect);
    }
  }));
  const toUs = now() * 1000;
  return { sample: percentiles(label, times), ticks, late, echoed: times.length, bytes, fromUs, toUs };
}

class Recording {
  private constructor(private readonly jsm: Awaited<ReturnType<typeof jetstreamManager>>, private readonly close: () => Promise<void>) {}
  static async open(url: string): Promise<Recording> {
    const nc = await connect({ servers: url });
    return new Recording(await jetstreamManager(nc), () => nc.close());
  }
  /** Bytes the TERMINAL stream holds, once the bridge has stored what is pending (batches wait ≤ 1 s). */
  async bytes(): Promise<number> {
    await sleep(1500);
    return (await this.jsm.streams.info('TERMINAL')).state.bytes;
  }
  done(): Promise<void> { return this.close(); }
}

// ---- results ----
const R = {
  open: undefined as { floor: Sample; session: Sample; firstOutput: Sample; cpu: Record<string, number> } | undefined,
  echo: [] as { label: string; floor: Sample; platform: Sample }[],
  floodWindow: undefined as { fromUs: number; toUs: number } | undefined,
  floods: [] as { kind: Flood; floor?: number; platform: number; mb: number; chunks: number; cpu: Record<string, number>; stored: number; raw: number }[],
  sessions: [] as { n: number; floor?: Typing; platform: Typing; wall: number; cpu: Record<string, number>; rssOpen: Record<string, number>; stored: number }[],
  idle: {} as Record<string, number>,
  idleOwn: {} as Record<string, number>,
  idlePss: {} as Record<string, number>,
  agentProcesses: 0,
  loads: [] as string[],
};

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms); })])
    .finally(() => clearTimeout(timer));
}

/** The floor of opening a terminal: a bare bash (no rc files) on a PTY of this process, until its first output (the prompt). */
async function floorOpens(n: number): Promise<Sample> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const p = pty.spawn('/bin/bash', ['--norc'], { cols: 120, rows: 40, env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' } });
    const exited = new Promise<void>((resolve) => p.onExit(() => resolve()));
    const output = new Promise<boolean>((resolve) => { const d = p.onData(() => { d.dispose(); resolve(true); }); });
    if (!(await within(Promise.race([output, exited.then(() => false)]), 30_000, 'a local shell\'s first output'))) throw new Error('a local shell exited without output');
    times.push(now() - t0);
    // A hangup sent while bash is still starting can be lost: it is asked to exit as a user would.
    p.write('exit\r');
    await within(exited, 10_000, 'a local shell to exit').catch(() => p.kill('SIGKILL'));
  }
  return percentiles('floor open', times);
}

/** Opens `n` terminals one after another: until the session message, and until the shell's first output; each is exited before the next. */
async function platformOpens(n: number, url: () => string): Promise<{ session: Sample; firstOutput: Sample }> {
  const session: number[] = [];
  const firstOutput: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const c = await within(TermClient.open(url()), 30_000, 'a terminal to open');
    session.push(now() - t0);
    if (c.bytes === 0) await within(new Promise<void>((resolve) => c.ws.on('message', (_d: Buffer, bin: boolean) => { if (bin) resolve(); })), 30_000, 'the shell to say something');
    firstOutput.push(now() - t0);
    c.type('exit\r');
    await waitUntil(() => c.closed, 30_000, 'the opened shell exited');
  }
  return { session: percentiles('session', session), firstOutput: percentiles('first output', firstOutput) };
}

async function floorRuns(): Promise<{ open?: Sample; echo: Sample[]; floods: Partial<Record<Flood, number>>; sessions: Map<number, Typing> }> {
  const out = { open: undefined as Sample | undefined, echo: [] as Sample[], floods: {} as Partial<Record<Flood, number>>, sessions: new Map<number, Typing>() };
  if (PHASES.includes('open')) {
    progress(`floor: opening ${OPENS} shells`);
    out.open = await floorOpens(OPENS);
  }
  if (PHASES.includes('echo')) {
    progress('floor: echo back to back');
    let t = localTerm(); await quiet(t);
    out.echo.push(await echoLatency('floor', t, KEYS, 0)); t.close();
    progress('floor: echo with 20 ms pauses');
    t = localTerm(); await quiet(t);
    out.echo.push(await echoLatency('floor', t, PAUSED_KEYS, 20)); t.close();
  }
  if (PHASES.includes('flood')) {
    for (const kind of FLOOR_FLOODS) {
      progress(`floor: flood ${kind}`);
      const t = localTerm();
      out.floods[kind] = (await flood(t, kind, FLOOD_BYTES)).mbps;
      t.close();
    }
  }
  if (PHASES.includes('sessions')) {
    for (const n of N_LIST) {
      progress(`floor: ${n} PTYs typing`);
      const terms = Array.from({ length: n }, localTerm);
      await Promise.all(terms.map(quiet));
      out.sessions.set(n, await typing(`${n} floor`, terms, TYPE_SEC));
      terms.forEach((t) => t.close());
      await sleep(1000);
    }
  }
  return out;
}

async function main() {
  console.log(`machine: ${machine()}; load average at start ${loadAverage()}`);
  const floor = await floorRuns();

  // As shipped: the services and the agent compiled (one node process each, no TypeScript loader),
  // except when profiling, where tsx on the sources keeps each function's file for the summary.
  const compiled: { agent?: string; services?: string } = {};
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    process.env.CPU_PROFILE_DIR = PROFILE_DIR;
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'cpu-profile.cjs')}`.trim();
  } else {
    // Inside the repository, so the bundles find the native addons in node_modules as images do.
    const out = join(ROOT, '.stack/bench-build-terminal');
    const targets = ['gateway', 'auth-svc', 'machine-svc', 'terminal-svc', 'agent-bridge', 'agent'];
    progress(`building ${targets.join(', ')} (node scripts/build.mjs --out ${out})`);
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out, ...targets], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    Object.assign(compiled, { agent: join(out, 'agent/vsay-agent.js'), services: out });
  }
  const stack = new TerminalStack(
    { 'terminal-svc': { MAX_SESSIONS_PER_USER: '10000', MAX_SESSIONS_PER_MACHINE: '10000' } }, {}, compiled,
  );
  progress('starting the stack');
  await stack.start();
  const rec = await Recording.open(stack.nats.url);
  let stopped = false;
  try {
    const owner = await stack.signup();
    const created = await stack.api(0, 'POST', '/api/machines', { name: 'bench', linux_user: 'nobody' }, owner.token);
    const agent = await stack.startAgent(owner, created.body.registration_token);
    const agentId = created.body.agent_id;
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 120_000, 'online');
    // Under load the agent may be reconnecting to its bridge (503 machine offline) or machine-svc slow to answer (504).
    const openClient = () => waitUntil(() => TermClient.open(stack.wsUrl(0, agentId, owner.token, '&cols=120&rows=40')).catch((e) => {
      if (e.status !== 503 && e.status !== 504) throw e;
      return undefined;
    }), 60_000, 'a session opened');
    const open = async () => socketTerm(await openClient());

    // Both bridges, added up: under load the agent may miss heartbeats and reconnect to the other one.
    const agentPid = compiled.agent ? agent.child.pid! : nodePidOf(agent.child.pid!);
    const procs = new ProcessSet({
      gateway: nodePidOf(stack.gateways[0].child.pid!), 'terminal-svc': nodePidOf(stack.terminals[0].child.pid!),
      'agent-bridge': stack.bridges.map((b) => nodePidOf(b.child.pid!)), 'vsay-agent': agentPid, 'nats-server': stack.nats.pid(),
    });
    await sleep(3000);
    const idle = procs.snapshot();
    R.idle = ProcessSet.rss(idle);
    R.idleOwn = ProcessSet.rss(idle, 'ownMiB');
    R.idlePss = ProcessSet.rss(idle, 'pssMiB');
    R.agentProcesses = processTreeOf(agent.child.pid!).length;

    if (PHASES.includes('open')) {
      progress(`platform: opening ${OPENS} terminals`);
      // machine-svc too: every open asks it whether the caller may reach the machine.
      const opening = new ProcessSet({ ...procs.pids, 'machine-svc': nodePidOf(stack.machine.child.pid!) });
      await platformOpens(2, () => stack.wsUrl(0, agentId, owner.token)); // warm-up: first connections, JIT
      const before = opening.snapshot();
      const r = await platformOpens(OPENS, () => stack.wsUrl(0, agentId, owner.token, '&cols=120&rows=40'));
      R.open = { floor: floor.open!, ...r, cpu: ProcessSet.cpuBetween(before, opening.snapshot()) };
    }
    if (PHASES.includes('echo')) {
      progress('platform: echo back to back');
      let t = await open(); await quiet(t);
      R.echo.push({ label: `back to back (${KEYS} keys)`, floor: floor.echo[0], platform: await echoLatency('platform', t, KEYS, 0) });
      t.type('\x03');
      progress('platform: echo with 20 ms pauses');
      t = await open(); await quiet(t);
      R.echo.push({ label: `20 ms pause before each key (${PAUSED_KEYS} keys)`, floor: floor.echo[1], platform: await echoLatency('platform', t, PAUSED_KEYS, 20) });
      t.type('\x03');
    }
    if (PHASES.includes('flood')) {
      R.floodWindow = { fromUs: now() * 1000, toUs: Infinity };
      for (const kind of Object.keys(FLOODS) as Flood[]) {
        progress(`platform: flood ${kind}`);
        const t = await open();
        const stored0 = await rec.bytes();
        const before = procs.snapshot();
        const r = await flood(t, kind, FLOOD_BYTES);
        const cpu = ProcessSet.cpuBetween(before, procs.snapshot());
        const stored = (await rec.bytes()) - stored0;
        R.floods.push({ kind, floor: floor.floods[kind], platform: r.mbps, mb: r.bytes / 1e6, chunks: r.chunks, cpu, stored, raw: r.bytes });
        t.type('exit\r');
      }
      R.floodWindow.toUs = now() * 1000;
    }
    if (PHASES.includes('sessions')) {
      for (const n of N_LIST) {
        progress(`platform: opening ${n} sessions`);
        const clients: TermClient[] = [];
        while (clients.length < n) {
          const batch = Math.min(25, n - clients.length);
          clients.push(...await Promise.all(Array.from({ length: batch }, () => openClient())));
        }
        const terms = clients.map(socketTerm);
        quietRetyped = 0;
        await Promise.all(terms.map(quiet));
        if (quietRetyped) progress(`platform: ${quietRetyped} times a shell not ready 30 s after QUIET was told again (slow to start under this load, or its keys lost while the agent reconnected)`);
        await sleep(2000);
        const rssOpen = ProcessSet.rss(procs.snapshot());
        const stored0 = await rec.bytes();
        progress(`platform: ${n} sessions typing`);
        let before: Record<string, Usage> = {};
        let t0 = 0;
        const platform = await typing(`${n} platform`, terms, TYPE_SEC, () => { before = procs.snapshot(); t0 = now(); });
        const cpu = ProcessSet.cpuBetween(before, procs.snapshot());
        const wall = (now() - t0) / 1000;
        const stored = (await rec.bytes()) - stored0;
        R.sessions.push({ n, floor: floor.sessions.get(n), platform, wall, cpu, rssOpen, stored });
        R.loads.push(`N=${n}: ${loadAverage()}`);
        terms.forEach((t) => t.type('\x03'));
        await waitUntil(async () => clients.every((c) => c.closed), 60_000, 'sessions ended').catch(() => clients.forEach((c) => c.close()));
      }
    }
    if (PROFILE_DIR) {
      const pids = { ...procs.pids };
      await new Promise<void>((resolve) => { agent.child.once('exit', () => resolve()); agent.child.kill('SIGTERM'); });
      await stack.stop();
      stopped = true;
      printProfiles(pids);
    }
  } catch (e) {
    console.error(`agent log tail:\n${stack.agentLogs.join('\n').slice(-3000)}\nbridges:\n${stack.bridges.map((b) => b.output().slice(-2000)).join('\n')}`);
    throw e;
  } finally {
    await rec.done().catch(() => {});
    if (!stopped) await stack.stop();
    print(); // what was measured, even when a later phase failed
  }
}

function printProfiles(pids: Record<string, number | number[]>) {
  // The typing of the largest N when the sessions phase ran, else the floods.
  const last = R.sessions.at(-1);
  const window = last ? last.platform : R.floodWindow;
  console.log(`\n## Where the CPU goes: self time during ${last ? `the typing of N = ${last.n}` : 'the floods'} (V8 CPU profiler)`);
  const each = Object.entries(pids).flatMap(([k, p]) => [p].flat().map((q, i, all) => [all.length > 1 ? `${k} ${i}` : k, q] as const));
  for (const [name, pid] of each) {
    const file = profileOf(PROFILE_DIR!, pid);
    if (!file) { console.log(`\n${name}: no profile (${name === 'nats-server' ? 'not a node process' : 'none written'})`); continue; }
    const s = summariseProfile(file, window?.fromUs, window?.toUs);
    const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)} %`;
    console.log(`\n### ${name}: ${s.totalMs.toFixed(0)} ms of CPU sampled`);
    console.log('| category | ms | share |\n|---|---:|---:|');
    for (const [c, ms] of s.byCategory) console.log(`| ${c} | ${ms.toFixed(0)} | ${pct(ms)} |`);
    console.log('\n| top self-time functions | ms | share |\n|---|---:|---:|');
    for (const [fn, ms] of s.top) console.log(`| ${fn.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  }
}

const PROCS = ['gateway', 'terminal-svc', 'agent-bridge', 'vsay-agent', 'nats-server'];

function print() {
  console.log(`\nload average at the end ${loadAverage()}; during the N phases: ${R.loads.join('; ')}`);
  if (R.open) {
    const o = R.open;
    console.log(`\n### Opening a terminal (${OPENS} one after another, ms; the floor is a bare bash without rc files, the platform's a login shell)`);
    console.log('| until | floor p50 | floor p99 | platform p50 | platform p99 | p50 ratio | p99 ratio |\n|---|---:|---:|---:|---:|---:|---:|');
    console.log(`| the session message (access check, agent opens the PTY) | – | – | ${f(o.session.p50, 2)} | ${f(o.session.p99, 2)} | – | – |`);
    console.log(`| the shell's first output | ${f(o.floor.p50, 2)} | ${f(o.floor.p99, 2)} | ${f(o.firstOutput.p50, 2)} | ${f(o.firstOutput.p99, 2)} | ${f(o.firstOutput.p50 / o.floor.p50)}× | ${f(o.firstOutput.p99 / o.floor.p99)}× |`);
    const names = Object.keys(o.cpu).filter((k) => k !== 'sum');
    console.log(`\nCPU per open, ms: ${[...names, 'sum'].map((k) => `${k} ${f((1000 * o.cpu[k]) / OPENS, 2)}`).join(', ')} (the shell's own start-up is the agent's children, not counted)`);
  }
  if (R.echo.length) {
    console.log('\n### Keystroke echo (ms)');
    console.log('| keys | floor p50 | floor p99 | platform p50 | platform p99 | p50 ratio | p99 ratio |\n|---|---:|---:|---:|---:|---:|---:|');
    for (const e of R.echo) {
      console.log(`| ${e.label} | ${f(e.floor.p50, 2)} | ${f(e.floor.p99, 2)} | ${f(e.platform.p50, 2)} | ${f(e.platform.p99, 2)} | ${f(e.platform.p50 / e.floor.p50)}× | ${f(e.platform.p99 / e.floor.p99)}× |`);
    }
  }
  if (R.floods.length) {
    console.log(`\n### One session's flood (${FLOOD_BYTES / 1e6} MB)`);
    console.log(`| output | floor MB/s | platform MB/s | ratio | mean frame | ${PROCS.map((p) => `${p} CPU ms/MB`).join(' | ')} | sum ms/MB |`);
    console.log(`|---|---:|---:|---:|---:|${PROCS.map(() => '---:|').join('')}---:|`);
    for (const r of R.floods) {
      const perMb = (k: string) => f((1000 * r.cpu[k]) / r.mb);
      console.log(`| ${r.kind} | ${r.floor ? f(r.floor) : '–'} | ${f(r.platform)} | ${r.floor ? `${f(r.platform / r.floor, 2)}×` : '–'} | ${f(r.raw / r.chunks / 1024)} KiB | ${PROCS.map(perMb).join(' | ')} | ${perMb('sum')} |`);
    }
  }
  if (R.sessions.length) {
    console.log(`\n### N sessions running cat, one key per 100 ms each for ${TYPE_SEC} s: echo (ms)`);
    console.log('| N | floor p50 | floor p99 | floor late | p50 | p99 | late | keys echoed | p50 ratio | p99 ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const late = (t?: Typing) => (t ? `${f((100 * t.late) / t.ticks)} %` : '–');
    for (const s of R.sessions) {
      const p = s.platform; const fl = s.floor;
      console.log(`| ${s.n} | ${f(fl?.sample.p50 ?? NaN, 2)} | ${f(fl?.sample.p99 ?? NaN, 2)} | ${late(fl)} | ${f(p.sample.p50, 2)} | ${f(p.sample.p99, 2)} | ${late(p)} | ${p.echoed} | ${fl ? `${f(p.sample.p50 / fl.sample.p50)}×` : '–'} | ${fl ? `${f(p.sample.p99 / fl.sample.p99)}×` : '–'} |`);
    }
    console.log('\n### N sessions: platform CPU, % of one core (µs per echoed key)');
    console.log(`| N | ${PROCS.join(' | ')} | sum |\n|---:|${PROCS.map(() => '---:|').join('')}---:|`);
    for (const s of R.sessions) {
      const cell = (k: string) => `${f((100 * s.cpu[k]) / s.wall, 0)} % (${f((1e6 * s.cpu[k]) / s.platform.echoed, 0)} µs)`;
      console.log(`| ${s.n} | ${[...PROCS, 'sum'].map(cell).join(' | ')} |`);
    }
  }
  console.log(`\n### Memory (MiB); the agent runs as ${R.agentProcesses} process${R.agentProcesses === 1 ? '' : 'es'} when idle`);
  console.log('VmRSS counts the pages of the node binary each process touched (about 40 MB, shared) in every process; RssAnon is its own memory;');
  console.log('PSS is its proportional share (a page k processes map counts 1/k in each, this bench\'s node being one of them): summed, shared pages count once.');
  console.log(`| process | idle VmRSS | idle RssAnon | idle PSS | ${R.sessions.map((s) => `VmRSS KiB per session, N=${s.n}`).join(' | ')} |\n|---|---:|---:|---:|${R.sessions.map(() => '---:|').join('')}`);
  for (const k of [...PROCS, 'sum']) {
    console.log(`| ${k} | ${f(R.idle[k])} | ${f(R.idleOwn[k])} | ${f(R.idlePss[k])} | ${R.sessions.map((s) => f(((s.rssOpen[k] - R.idle[k]) * 1024) / s.n, 0)).join(' | ')} |`);
  }
  console.log('\n### Recording: growth of the TERMINAL stream');
  console.log('| workload | terminal bytes | stored bytes | raw ÷ stored | stored per GB of output / per session-hour |\n|---|---:|---:|---:|---:|');
  for (const r of R.floods) {
    console.log(`| flood: ${r.kind} | ${f(r.raw / 1e6)} MB | ${f(r.stored / 1e6, 2)} MB | ${f(r.raw / r.stored, 2)}× | ${f((r.stored / r.raw) * 1e3, 0)} MB per GB |`);
  }
  for (const s of R.sessions) {
    const hours = (s.n * TYPE_SEC) / 3600;
    console.log(`| typing, N=${s.n} | ${f(s.platform.bytes / 1e3)} kB | ${f(s.stored / 1e3)} kB | ${f(s.platform.bytes / s.stored, 2)}× | ${f(s.stored / hours / 1e6, 2)} MB per session-hour (raw ${f(s.platform.bytes / hours / 1e6, 3)} MB) |`);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
