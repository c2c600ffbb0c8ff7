export { freePort, startServiceProcess } from '@webxterm/testkit';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';

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
