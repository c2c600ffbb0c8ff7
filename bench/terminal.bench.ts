/**
 * The terminal path under load, through the gateway with the real agent, against the same workload
 * straight on a PTY in this process (the floor):
 *   1. keystroke echo latency, 2,000 sequential keystrokes (p50/p99);
 *   2. output throughput of one session (MB/s);
 *   3. 200 concurrent sessions each typing every 100 ms (echo p50/p99, CPU and memory per service).
 *   npm run bench -- terminal     (or: node_modules/.bin/tsx bench/terminal.bench.ts with DATABASE_URL etc.)
 */
import * as pty from 'node-pty';
import { TermClient } from '../e2e/lib/term-client';
import { TerminalStack, until } from '../e2e/lib/terminal-stack';
import { machine } from './lib';
import { nodePidOf, percentiles, Sample, usage } from './terminal-lib';

const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 2000);
const THROUGHPUT_BYTES = Number(process.env.BENCH_THROUGHPUT_MB ?? 40) * 1e6;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const TYPE_SECONDS = Number(process.env.BENCH_TYPE_SEC ?? 10);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * A quiet shell that echoes each keystroke at once (no line buffering) and discards it. It says
 * READY first: a login shell may take seconds to start (here root's ~/.bashrc runs pyenv init).
 */
const QUIET = 'stty -icanon; PS1=; echo RE""ADY; cat >/dev/null\r';
const THROUGHPUT_CMD = (bytes: number) => `stty -echo; head -c ${bytes} /dev/zero | tr '\\0' a; echo; echo DO""NE\r`;

/** Anything that takes keystrokes and gives output: a socket through the platform, or a local PTY. */
interface Term { type(s: string): void; onData(f: (d: string) => void): void; close(): void }

function socketTerm(t: TermClient): Term {
  return {
    type: (s) => t.type(s),
    onData: (f) => t.ws.on('message', (d: Buffer, bin: boolean) => { if (bin) f(d.toString('latin1')); }),
    close: () => t.close(),
  };
}
function localTerm(): Term {
  const p = pty.spawn('/bin/bash', ['--norc'], { cols: 120, rows: 40, env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' } });
  return { type: (s) => p.write(s), onData: (f) => p.onData(f), close: () => p.kill() };
}

async function settle(t: Term): Promise<void> {
  let seen = '';
  const ready = new Promise<void>((resolve) => t.onData((d) => { seen = (seen + d).slice(-100); if (/[^"]READY/.test(seen)) resolve(); }));
  t.type(QUIET);
  await Promise.race([ready, sleep(180_000)]);
  await sleep(200);
}

/** Sequential keystrokes: send one, wait for its echo, repeat. */
async function echoLatency(label: string, t: Term, n: number): Promise<Sample> {
  await settle(t);
  let waiting: ((d: string) => void) | null = null;
  t.onData((d) => waiting?.(d));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const t0 = now();
    await new Promise<void>((resolve) => { waiting = (d) => { if (d.includes(ch)) { waiting = null; resolve(); } }; t.type(ch); });
    times.push(now() - t0);
  }
  return percentiles(label, times);
}

async function throughput(t: Term): Promise<number> {
  let seen = '';
  const ready = new Promise<void>((resolve) => t.onData((d) => { seen = (seen + d).slice(-100); if (/[^"]READY/.test(seen)) resolve(); }));
  t.type('PS1=; echo RE""ADY\r');
  await Promise.race([ready, sleep(60_000)]);
  let bytes = 0;
  let done = false;
  let tail = '';
  t.onData((d) => { bytes += d.length; tail = (tail + d).slice(-200); if (tail.includes('DONE')) done = true; });
  const t0 = now();
  t.type(THROUGHPUT_CMD(THROUGHPUT_BYTES));
  while (!done) await sleep(5);
  return bytes / 1e6 / ((now() - t0) / 1000);
}

/** `sessions` terminals, each typing a key every 100 ms for `seconds`; echo latency of every key. */
async function concurrentTyping(label: string, terms: Term[], seconds: number, onTypingStarts = () => {}): Promise<Sample> {
  await Promise.all(terms.map(settle));
  onTypingStarts();
  const times: number[] = [];
  await Promise.all(terms.map(async (t, i) => {
    let sentAt = 0;
    let expect = '';
    t.onData((d) => { if (expect && d.includes(expect)) { times.push(now() - sentAt); expect = ''; } });
    await sleep((i * 100) / terms.length);
    const until2 = now() + seconds * 1000;
    let k = 0;
    while (now() < until2) {
      expect = String.fromCharCode(97 + (k++ % 26));
      sentAt = now();
      t.type(expect);
      await sleep(100);
    }
  }));
  return percentiles(label, times);
}

function row(s: Sample) { return `| ${s.label} | ${s.n} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`; }

async function main() {
  console.log(`machine: ${machine()}`);
  // The floor: the same workloads on PTYs in this process.
  const progress = (m: string) => process.stderr.write(`… ${m}\n`);
  progress('floor: echo latency');
  const floorEcho = await echoLatency('PTY in-process (floor)', localTerm(), KEYSTROKES);
  progress('floor: throughput');
  const floorTput = await throughput(localTerm());
  progress('floor: concurrent typing');
  const localTerms = Array.from({ length: SESSIONS }, localTerm);
  const floorConc = await concurrentTyping(`${SESSIONS} PTYs in-process (floor)`, localTerms, TYPE_SECONDS);
  localTerms.forEach((t) => t.close());

  const stack = new TerminalStack({ 'terminal-svc': { MAX_SESSIONS_PER_USER: '10000', MAX_SESSIONS_PER_MACHINE: '10000' } });
  await stack.start();
  try {
    const owner = await stack.signup();
    const created = await stack.api(0, 'POST', '/api/machines', { name: 'bench', linux_user: 'nobody' }, owner.token);
    const agent = await stack.startAgent(owner, created.body.registration_token);
    const agentId = created.body.agent_id;
    await until(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 30_000, 'online');
    const url = () => stack.wsUrl(0, agentId, owner.token, '&cols=120&rows=40');

    progress('platform: echo latency');
    const echo = await echoLatency('through gateway → terminal-svc → NATS → bridge → agent', socketTerm(await TermClient.open(url())), KEYSTROKES);
    progress('platform: throughput');
    const tput = await throughput(socketTerm(await TermClient.open(url())));

    const procs = {
      gateway: nodePidOf(stack.gateways[0].child.pid!), 'terminal-svc': nodePidOf(stack.terminals[0].child.pid!),
      'agent-bridge (holding)': nodePidOf(stack.bridges[1].child.pid!), 'vsay-agent': nodePidOf(agent.child.pid!), 'machine-svc': nodePidOf(stack.machine.child.pid!),
    };
    progress('platform: concurrent typing');
    const clients: TermClient[] = [];
    for (let i = 0; i < SESSIONS; i++) clients.push(await TermClient.open(url()));
    let before: Record<string, ReturnType<typeof usage>> = {};
    let t0 = 0;
    const conc = await concurrentTyping(`${SESSIONS} sessions through the platform`, clients.map(socketTerm), TYPE_SECONDS, () => {
      before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, usage(p)]));
      t0 = now();
    });
    const wall = (now() - t0) / 1000;
    const after = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, usage(p)]));
    clients.forEach((c) => c.close());

    console.log(`\nKeystroke echo latency, ${KEYSTROKES} sequential keystrokes (ms)`);
    console.log('| path | keys | p50 | p99 |\n|---|---:|---:|---:|');
    console.log(row(floorEcho));
    console.log(row(echo));
    console.log(`ratio p50 ${(echo.p50 / floorEcho.p50).toFixed(1)}×, p99 ${(echo.p99 / floorEcho.p99).toFixed(1)}×`);
    console.log(`\nOutput throughput of one session (${THROUGHPUT_BYTES / 1e6} MB)`);
    console.log(`| PTY in-process (floor) | ${floorTput.toFixed(1)} MB/s |\n| through the platform | ${tput.toFixed(1)} MB/s |`);
    console.log(`ratio ${(tput / floorTput).toFixed(2)}× of the floor`);
    console.log(`\n${SESSIONS} concurrent sessions typing every 100 ms for ${TYPE_SECONDS} s (echo ms)`);
    console.log('| path | keys | p50 | p99 |\n|---|---:|---:|---:|');
    console.log(row(floorConc));
    console.log(row(conc));
    console.log(`ratio p50 ${(conc.p50 / floorConc.p50).toFixed(1)}×, p99 ${(conc.p99 / floorConc.p99).toFixed(1)}×`);
    console.log('\n| process | CPU % of one core during typing | RSS MiB after |\n|---|---:|---:|');
    for (const k of Object.keys(procs)) {
      console.log(`| ${k} | ${((100 * (after[k].cpuSec - before[k].cpuSec)) / wall).toFixed(0)} | ${after[k].rssMiB.toFixed(0)} |`);
    }
  } finally {
    await stack.stop();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
