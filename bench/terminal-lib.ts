import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processTreeOf } from '@webxterm/testkit';

export interface Sample { label: string; p50: number; p99: number; n: number }

export function percentiles(label: string, xs: number[]): Sample {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN;
  return { label, p50: at(0.5), p99: at(0.99), n: s.length };
}

/** The real (node) process of a service started through tsx: tsx's child. */
export function nodePidOf(tsxPid: number): number {
  return processTreeOf(tsxPid)[1] ?? tsxPid;
}

/**
 * rssMiB is VmRSS, which counts the node binary's pages (~40 MB) in every process; ownMiB is RssAnon, the
 * process's own memory; pssMiB is its proportional share (a page shared by k processes counts 1/k in each),
 * so a sum of PSS counts the binary's pages once among the processes that map them (this one included).
 */
export interface Usage { cpuSec: number; rssMiB: number; ownMiB: number; pssMiB: number }

/** CPU seconds used so far (user + system) and resident memory in MiB, from /proc. */
export function usage(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  const pssKb = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  return { cpuSec: ticks / 100, rssMiB: kb('VmRSS') / 1024, ownMiB: kb('RssAnon') / 1024, pssMiB: pssKb / 1024 };
}

/** Named processes measured together (a name may stand for several, added up): CPU and RSS of each, and their sum. */
export class ProcessSet {
  constructor(readonly pids: Record<string, number | number[]>) {}
  snapshot(): Record<string, Usage> {
    const of = (p: number | number[]): Usage => [p].flat().map(usage)
      .reduce((a, b) => ({ cpuSec: a.cpuSec + b.cpuSec, rssMiB: a.rssMiB + b.rssMiB, ownMiB: a.ownMiB + b.ownMiB, pssMiB: a.pssMiB + b.pssMiB }));
    return Object.fromEntries(Object.entries(this.pids).map(([k, p]) => [k, of(p)]));
  }
  /** CPU seconds each used between two snapshots, with `sum`. */
  static cpuBetween(a: Record<string, Usage>, b: Record<string, Usage>): Record<string, number> {
    const out: Record<string, number> = {};
    let sum = 0;
    for (const k of Object.keys(a)) { out[k] = b[k].cpuSec - a[k].cpuSec; sum += out[k]; }
    out.sum = sum;
    return out;
  }
  static rss(a: Record<string, Usage>, field: 'rssMiB' | 'ownMiB' | 'pssMiB' = 'rssMiB'): Record<string, number> {
    const out: Record<string, number> = {};
    let sum = 0;
    for (const k of Object.keys(a)) { out[k] = a[k][field]; sum += out[k]; }
    out.sum = sum;
    return out;
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A progress line on stderr, with the time and the load average, so the tables on stdout stay clean. */
export const progress = (m: string) => process.stderr.write(`… ${new Date().toISOString().slice(11, 19)} ${m} (load ${loadAverage()})\n`);
/** A figure for a table: `d` decimals, or – when there is none. */
export const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

// ---- CPU profiles (node --cpu-prof) ----

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

/** Where a function's self time is counted: the library or layer it belongs to. */
export function categoryOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
  if (url.includes('@nats-io/')) return 'NATS protocol/headers';
  if (url.includes('@grpc/') || url.includes('protobufjs') || url.includes('@protobufjs/')) return 'gRPC/protobuf';
  if (url.includes('/node_modules/ws/')) return 'ws';
  if (url.includes('pino')) return 'pino logging';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (url.includes('http-proxy') || url.includes('/node_modules/express/') || url.includes('/node_modules/router/')) return 'express/http-proxy';
  if (url.includes('node-pty')) return 'node-pty';
  if (url.includes('/node_modules/')) return `lib ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]}`;
  if (url.startsWith('node:internal/timers') || url === 'node:timers' || /^(listOnTimeout|processTimers|setTimeout|clearTimeout)$/.test(functionName) && url === '') return 'timers';
  if (url === '' && /^(parse|stringify)$/.test(functionName)) return 'JSON';
  if (url.startsWith('node:internal/streams') || url === 'node:net' || url.startsWith('node:internal/stream_base') || url === 'node:stream') return 'node streams/net';
  if (url.startsWith('node:') ) return 'node other';
  if (url.includes('/work/') || url.startsWith('file://')) return 'our code';
  return 'V8/native builtins';
}

export interface ProfileSummary { totalMs: number; byCategory: [string, number][]; top: [string, number][] }

/** Self time per function and per category over the samples within [fromUs, toUs] (process.hrtime µs; V8 uses the same clock). */
export function summariseProfile(file: string, fromUs = 0, toUs = Infinity): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (t < fromUs || t > toUs) continue;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const cat = categoryOf(functionName, url);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/^\/work\/main\//, '');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''} [${cat}]`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us / 1000] as [string, number]);
  return { totalMs: total / 1000, byCategory: sorted(cats), top: sorted(fns).slice(0, 12) };
}

/** The .cpuprofile node wrote in `dir` for process `pid` (its name holds the pid). */
export function profileOf(dir: string, pid: number): string | undefined {
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile') && n.split('.')[3] === String(pid));
  return f && join(dir, f);
}
