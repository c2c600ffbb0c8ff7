/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface PromSample { name: string; labels: Record<string, string>; value: number }

/** The samples of a `/metrics` answer (comments and blank lines skipped). */
export function parsePrometheus(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (undefined when there is none). */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = parsePrometheus(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length ? hits.reduce((sum, s) => sum + s.value, 0) : undefined;
}

/** GET `/metrics` on a metrics port of this machine. */
export async function scrapeMetrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`/metrics on ${port} answered ${res.status}`);
  return res.text();
}
