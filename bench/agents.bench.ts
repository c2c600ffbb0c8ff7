/**
 * 10,000 agents on one agent-bridge replica (issue 11), with real admission, against a bare grpc-js
 * server holding the same streams and heartbeats (the floor), in the same run:
 *   0. floor: every agent connects at once to the bare server; 30 s of heartbeats;
 *   1. enrolment: every agent registers with an admin's API key (agent-only registration: the
 *      machine is created under the agent's id, and its Welcome carries the machine credential),
 *      at most BENCH_ENROL_CONCURRENCY waiting at once, as a rollout would; then they all disconnect;
 *   2. connect: every agent connects at once with its machine credential, bridge A first and B as
 *      the alternative (the list GET /api/agent/bootstrap gives);
 *   3. steady state: BENCH_STEADY_SEC (30) s of heartbeats on the production interval (5 s):
 *      heartbeats late or missed, RSS and CPU of each process, memory per agent;
 *   4. failover: bridge A is SIGKILLed; the time until every agent is welcomed by B, reconnect
 *      p50/p99/max, attempts that failed, B's memory after.
 * The agents are bench/agent-swarm.ts in BENCH_SWARM_PROCS (4) child processes, BENCH_AGENT_CHANNELS
 * (default: one per agent, as real agents have) HTTP/2 connections per bridge.
 *
 *   npm run bench -- agents                  (BENCH_AGENTS=2000 for a quick run; default 10,000)
 * Knobs: BENCH_AGENTS, BENCH_AGENT_CHANNELS, BENCH_SWARM_PROCS, BENCH_STEADY_SEC, BENCH_HEARTBEAT_MS (5000),
 * BENCH_ENROL_CONCURRENCY (200).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { apiKey, waitUntil } from '@webxterm/testkit';
import type { SwarmStats } from './agent-swarm';
import { AgentStack, buildAll, openFilesLimit, peakRssMiB, startBareServer, Swarm } from './agents-lib';
import { machine } from './lib';
import { f, loadAverage, percentiles, ProcessSet, progress, Sample, sleep, Usage } from './terminal-lib';

const N = Number(process.env.BENCH_AGENTS ?? 10_000);
const CHANNELS = Number(process.env.BENCH_AGENT_CHANNELS ?? N);
const PROCS = Number(process.env.BENCH_SWARM_PROCS ?? 4);
const STEADY_SEC = Number(process.env.BENCH_STEADY_SEC ?? 30);
const HEARTBEAT_MS = Number(process.env.BENCH_HEARTBEAT_MS ?? 5000);
const ENROL_CONCURRENCY = Number(process.env.BENCH_ENROL_CONCURRENCY ?? 200);
const FAILOVER_TARGET_SEC = 60;
const GIB = 1024;

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

interface Admission {
  label: string; agents: number; seconds: number; latency: Sample; max: number; refused: Record<string, number>; on: string; load: string;
  /** CPU seconds of each process over the phase, and which of them is the server the agents connect to. */
  cpu: Record<string, number>; server: string;
}
interface Steady {
  label: string; agents: number; idleRss: number; rss: number; peakRss: number; cpuSec: number; wall: number;
  beats: number; late: number; missed: number; delay: Sample; ended: Record<string, number>; others: Record<string, { cpu: number; rss: number }>; load: string;
}
interface Failover {
  seconds: number; reconnect: Sample; max: number; refused: Record<string, number>; ended: Record<string, number>;
  rssAfter: number; peakRss: number; cpu: Record<string, number>; wall: number; load: string; done: boolean;
}
const R = { admissions: [] as Admission[], steady: [] as Steady[], failover: undefined as Failover | undefined, onA: NaN, addressA: '', loadEnd: '' };

function admission(label: string, t0: number, lastWelcomeAt: number, s: SwarmStats, on: string, cpu: Record<string, number>, server = 'agent-bridge A'): Admission {
  const max = s.admissionMs.reduce((a, b) => Math.max(a, b), 0);
  return {
    label, agents: sum(s.connected), seconds: (lastWelcomeAt - t0) / 1000, latency: percentiles(label, s.admissionMs), max, refused: s.refused, on,
    load: loadAverage(), cpu, server,
  };
}

/**
 * A connection that failed before any Connect call reached the server (the kernel's accept queue
 * overflowed and the connection was reset, or the address is dead), as opposed to an admission the
 * bridge, auth-svc or machine-svc refused or let time out.
 */
const TRANSPORT = /No connection established|ECONNRESET|ECONNREFUSED|Connection dropped/;
const split = (r: Record<string, number>) => {
  const transport = Object.entries(r).filter(([k]) => TRANSPORT.test(k)).reduce((a, [, v]) => a + v, 0);
  return { transport, admission: sum(r) - transport };
};

/** Heartbeats, CPU and memory while every agent stays connected to the process `key` of `procs`. */
async function steady(label: string, swarm: Swarm, procs: ProcessSet, key: string, idleRss: number, pid: number): Promise<Steady> {
  await sleep(5000); // the admission burst's timers and garbage settle
  await swarm.reset();
  const before = procs.snapshot();
  const t0 = Date.now();
  progress(`${label}: ${STEADY_SEC} s of heartbeats`);
  await sleep(STEADY_SEC * 1000);
  const after = procs.snapshot();
  const wall = (Date.now() - t0) / 1000;
  const s = await swarm.stats();
  const cpu = ProcessSet.cpuBetween(before, after);
  const others = Object.fromEntries(Object.keys(after).filter((k) => k !== key).map((k) => [k, { cpu: cpu[k], rss: after[k].rssMiB }]));
  return {
    label, agents: sum(s.connected), idleRss, rss: after[key].rssMiB, peakRss: peakRssMiB(pid), cpuSec: cpu[key], wall,
    beats: s.beats, late: s.lateBeats, missed: s.missedBeats, delay: percentiles(label, s.beatDelayMs), ended: s.ended, others, load: loadAverage(),
  };
}

async function floor(swarm: Swarm, script: string): Promise<void> {
  const bare = await startBareServer(script, HEARTBEAT_MS);
  try {
    const procs = new ProcessSet({ 'bare server': bare.child.pid!, 'load generator': swarm.pids });
    await sleep(1000);
    const idle = ProcessSet.rss(procs.snapshot())['bare server'];
    progress(`floor: ${N} agents connect at once to a bare grpc-js server`);
    const before = procs.snapshot();
    const t0 = Date.now();
    await swarm.connect([bare.address], CHANNELS, { apiKey: apiKey() });
    const last = await swarm.connected(N, 300_000);
    const cpu = ProcessSet.cpuBetween(before, procs.snapshot());
    R.admissions.push(admission('floor: bare grpc-js server, all at once', t0, last, await swarm.stats(), 'bare', cpu, 'bare server'));
    R.steady.push(await steady('floor: bare grpc-js server', swarm, procs, 'bare server', idle, bare.child.pid!));
    await swarm.close();
  } finally {
    await bare.stop();
  }
}

async function platform(swarm: Swarm, stack: AgentStack): Promise<void> {
  const [a, b] = stack.bridges;
  R.addressA = a.address;
  const named = {
    'agent-bridge B': b.child.pid!, 'machine-svc': stack.machine.child.pid!, 'auth-svc': stack.auth.child.pid!,
    'nats-server': stack.nats.pid(), 'load generator': swarm.pids,
  };
  const procs = new ProcessSet({ 'agent-bridge A': a.child.pid!, ...named });
  const withoutA = new ProcessSet(named);
  await sleep(1000);
  const idleA = ProcessSet.rss(procs.snapshot())['agent-bridge A'];
  const key = await stack.adminApiKey();
  const on = async () => `A ${await stack.agentsOn(0)}, B ${await stack.agentsOn(1)}`;

  progress(`enrolment: ${N} agents register with an API key, at most ${ENROL_CONCURRENCY} at once`);
  let before = procs.snapshot();
  let t0 = Date.now();
  await swarm.connect([a.address, b.address], CHANNELS, { apiKey: key, concurrency: ENROL_CONCURRENCY });
  let last = await swarm.connected(N, 300_000);
  let cpu = ProcessSet.cpuBetween(before, procs.snapshot());
  R.admissions.push(admission(`enrolment: API key, ≤ ${ENROL_CONCURRENCY} at once`, t0, last, await swarm.stats(), await on(), cpu));
  await swarm.close();
  await waitUntil(async () => (await stack.agentsOn(0)) + (await stack.agentsOn(1)) === 0, 120_000, 'the bridges let go of every agent');
  await sleep(5000);

  progress(`connect: ${N} agents connect at once with their machine credentials, A first`);
  before = procs.snapshot();
  t0 = Date.now();
  await swarm.connect([a.address, b.address], CHANNELS);
  last = await swarm.connected(N, 300_000);
  cpu = ProcessSet.cpuBetween(before, procs.snapshot());
  R.admissions.push(admission('connect: machine credential, all at once', t0, last, await swarm.stats(), await on(), cpu));
  R.onA = await stack.agentsOn(0);
  R.steady.push(await steady('agent-bridge A', swarm, procs, 'agent-bridge A', idleA, a.child.pid!));

  progress('failover: SIGKILL bridge A');
  await swarm.reset();
  before = withoutA.snapshot();
  const killAt = Date.now();
  await a.stop('SIGKILL');
  let done = true;
  last = await swarm.connected(N, 300_000, b.address).catch(() => { done = false; return Date.now(); });
  cpu = ProcessSet.cpuBetween(before, withoutA.snapshot());
  const s = await swarm.stats();
  const load = loadAverage();
  await sleep(10_000);
  R.failover = {
    seconds: (last - killAt) / 1000, reconnect: percentiles('reconnect', s.reconnectMs), max: s.reconnectMs.reduce((x, y) => Math.max(x, y), 0),
    refused: s.refused, ended: s.ended, rssAfter: ProcessSet.rss(withoutA.snapshot())['agent-bridge B'], peakRss: peakRssMiB(b.child.pid!),
    cpu, wall: (last - killAt) / 1000, load, done,
  };
}

async function main() {
  console.log(`machine: ${machine()}; load average at start ${loadAverage()}`);
  console.log(`${N} agents in ${PROCS} load-generator processes over ${CHANNELS} HTTP/2 connections per bridge; heartbeat every ${HEARTBEAT_MS} ms`);
  const files = openFilesLimit();
  if (files < N + 1000) throw new Error(`the open-files limit (${files}) is too low for ${N} agent connections on one process: raise it (ulimit -n ${N + 2000})`);
  const out = join(__dirname, '..', '.stack/bench-build-agents');
  progress(`building auth-svc, machine-svc, agent-bridge and the bench's processes into ${out}`);
  const built = buildAll(out);
  const identities = Array.from({ length: N }, () => ({ agentId: `ag_${randomBytes(10).toString('hex')}` }));
  const swarm = await Swarm.start(built.swarm, identities, PROCS);
  let stack: AgentStack | undefined;
  try {
    await floor(swarm, built.bare);
    stack = new AgentStack(built.services, HEARTBEAT_MS);
    progress('starting nats-server, auth-svc, machine-svc, agent-bridge A and B');
    await stack.start();
    await platform(swarm, stack);
  } catch (e) {
    if (stack) console.error(`bridge A:\n${stack.bridges[0]?.output().slice(-2000)}\nbridge B:\n${stack.bridges[1]?.output().slice(-2000)}\nmachine-svc:\n${stack.machine?.output().slice(-2000)}`);
    throw e;
  } finally {
    R.loadEnd = loadAverage();
    await swarm.close().catch(() => undefined);
    swarm.kill();
    await stack?.stop();
    print();
  }
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${v} × ${k}`).join('; ') || 'none';
}

/** Failed attempts at addresses other than `address` (the killed replica's). */
function notAt(r: Record<string, number>, address: string): number {
  return Object.entries(r).filter(([k]) => !k.startsWith(`${address} `)).reduce((a, [, v]) => a + v, 0);
}

function print() {
  console.log(`\nload average at the end ${R.loadEnd}`);
  console.log('\n### Admission');
  console.log('| phase | agents welcomed | time s | admissions/s | p50 ms | p99 ms | max ms | connections reset (TCP) | admissions refused | held by | load average |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const x of R.admissions) {
    const r = split(x.refused);
    console.log(`| ${x.label} | ${x.agents} | ${f(x.seconds)} | ${f(x.agents / x.seconds, 0)} | ${f(x.latency.p50, 0)} | ${f(x.latency.p99, 0)} | ${f(x.max, 0)} | ${r.transport} | ${r.admission} | ${x.on} | ${x.load} |`);
  }
  const fl = R.admissions[0];
  const connect = R.admissions.find((x) => x.label.startsWith('connect'));
  if (fl && connect) console.log(`\nconnect vs floor: time ${f(connect.seconds / fl.seconds)}×, p50 ${f(connect.latency.p50 / fl.latency.p50)}×, p99 ${f(connect.latency.p99 / fl.latency.p99)}×`);
  console.log('\nCPU ms per admission, per process:');
  const procNames = [...new Set(R.admissions.flatMap((x) => Object.keys(x.cpu)))].filter((k) => k !== 'sum');
  console.log(`| phase | ${procNames.join(' | ')} | sum |\n|---|${procNames.map(() => '---:|').join('')}---:|`);
  for (const x of R.admissions) {
    const cell = (k: string) => (x.cpu[k] === undefined ? '–' : f((1000 * x.cpu[k]) / x.agents, 2));
    console.log(`| ${x.label} | ${procNames.map(cell).join(' | ')} | ${cell('sum')} |`);
  }
  if (fl && connect) console.log(`\nCPU per admission, bridge A ÷ bare server: ${f(connect.cpu[connect.server] / fl.cpu[fl.server])}×`);
  for (const x of R.admissions) console.log(`- ${x.label}, attempts that failed: ${reasons(x.refused)}`);

  console.log(`\n### Steady state: ${STEADY_SEC} s, a heartbeat each way every ${HEARTBEAT_MS} ms per agent`);
  console.log('| server | agents | RSS idle MiB | RSS MiB | peak RSS MiB | KiB per agent | CPU % of a core | CPU µs per agent-second | bridge heartbeats | late | missed | delay p50 / p99 ms | streams ended | load average |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  const perAgent = (s: Steady) => ((s.rss - s.idleRss) * 1024) / s.agents;
  const cpuPct = (s: Steady) => (100 * s.cpuSec) / s.wall;
  for (const s of R.steady) {
    console.log(`| ${s.label} | ${s.agents} | ${f(s.idleRss)} | ${f(s.rss)} | ${f(s.peakRss)} | ${f(perAgent(s))} | ${f(cpuPct(s))} | ${f((1e6 * s.cpuSec) / s.wall / s.agents, 2)} | ${s.beats} | ${s.late} | ${s.missed} | ${f(s.delay.p50, 0)} / ${f(s.delay.p99, 0)} | ${reasons(s.ended)} | ${s.load} |`);
  }
  const [bare, bridge] = R.steady;
  if (bare && bridge) {
    console.log(`| bridge ÷ floor | | | ${f(bridge.rss / bare.rss)}× | ${f(bridge.peakRss / bare.peakRss)}× | ${f(perAgent(bridge) / perAgent(bare))}× | ${f(cpuPct(bridge) / cpuPct(bare))}× | | | | | | | |`);
  }
  if (bridge) {
    console.log('\nThe other processes over the same window (the load generator is the swarm\'s processes added up):');
    console.log('| process | CPU % of a core | RSS MiB |\n|---|---:|---:|');
    for (const [k, v] of Object.entries(bridge.others)) console.log(`| ${k} | ${f((100 * v.cpu) / bridge.wall)} | ${f(v.rss)} |`);
  }

  const fo = R.failover;
  if (fo) {
    console.log(`\n### Failover: bridge A SIGKILLed with ${R.onA} agents on it`);
    console.log(`| figure | value |\n|---|---|`);
    console.log(`| all ${N} welcomed by B after | ${fo.done ? `${f(fo.seconds)} s` : `not within ${f(fo.seconds)} s`} |`);
    console.log(`| reconnect (stream end → Welcome) p50 / p99 / max | ${f(fo.reconnect.p50 / 1000, 2)} / ${f(fo.reconnect.p99 / 1000, 2)} / ${f(fo.max / 1000, 2)} s (${fo.reconnect.n} reconnects) |`);
    const atB = notAt(fo.refused, R.addressA);
    console.log(`| attempts that failed | at B: ${atB - split(fo.refused).admission} connections reset, ${split(fo.refused).admission} admissions refused; at the dead A: ${sum(fo.refused) - atB} |`);
    console.log(`| … by reason | ${reasons(fo.refused)} |`);
    console.log(`| streams ended | ${reasons(fo.ended)} |`);
    console.log(`| B's RSS 10 s after / peak | ${f(fo.rssAfter)} / ${f(fo.peakRss)} MiB |`);
    console.log(`| CPU seconds until all were back | ${Object.entries(fo.cpu).map(([k, v]) => `${k} ${f(v)}`).join(', ')} |`);
    console.log(`| load average | ${fo.load} |`);
  }

  console.log('\n### Targets (issue 11)');
  console.log('| target | measured | met |\n|---|---|---|');
  const row = (t: string, m: string, ok: boolean | undefined) => console.log(`| ${t} | ${m} | ${ok === undefined ? '–' : ok ? 'yes' : 'NO'} |`);
  row(`${N} agents on one replica`, `${R.onA} on bridge A`, bridge ? R.onA === N : undefined);
  row('heartbeats on time', bridge ? `${f(100 - (100 * bridge.late) / Math.max(1, bridge.beats), 2)} % on time, ${bridge.missed} missed, ${sum(bridge.ended)} streams dropped` : '–',
    bridge ? bridge.late === 0 && bridge.missed === 0 && sum(bridge.ended) === 0 : undefined);
  row('bridge under 1 GiB', bridge ? `${f(bridge.peakRss)} MiB peak (A), ${fo ? f(fo.peakRss) : '–'} MiB peak (B)` : '–',
    bridge ? bridge.peakRss < GIB && (!fo || fo.peakRss < GIB) : undefined);
  row(`all back on the other replica within ${FAILOVER_TARGET_SEC} s`, fo ? `${f(fo.seconds)} s` : '–', fo ? fo.done && fo.seconds <= FAILOVER_TARGET_SEC : undefined);
  const refusedAtAdmission = R.admissions.slice(1).reduce((a, x) => a + split(x.refused).admission, 0) + (fo ? split(fo.refused).admission : 0);
  const reset = R.admissions.slice(1).reduce((a, x) => a + split(x.refused).transport, 0) + (fo ? notAt(fo.refused, R.addressA) - split(fo.refused).admission : 0);
  row('no admission refused or timed out (bridge, auth-svc, machine-svc)', `${refusedAtAdmission} refused; besides, ${reset} connections to a live bridge reset before reaching it`,
    R.admissions.length > 1 ? refusedAtAdmission === 0 : undefined);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
