import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Sample { label: string; p50: number; p99: number; n: number }

export function percentiles(label: string, xs: number[]): Sample {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))];
  return { label, p50: at(0.5), p99: at(0.99), n: s.length };
}

/** The real (node) process of a service started through tsx: tsx's child. */
export function nodePidOf(tsxPid: number): number {
  try {
    const kids = execFileSync('pgrep', ['-P', String(tsxPid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    return kids[0] ?? tsxPid;
  } catch {
    return tsxPid;
  }
}

/** CPU seconds used so far (user + system) and resident memory in MiB, from /proc. */
export function usage(pid: number): { cpuSec: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSec: ticks / 100, rssMiB: Number(rss ?? 0) / 1024 };
}
