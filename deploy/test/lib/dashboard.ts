import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_PATH = join(__dirname, '../../grafana/webxterm.json');

interface Panel { title?: string; targets?: { expr?: string }[]; panels?: Panel[] }

/** Every PromQL expression of the dashboard, with its panel's title. */
export function dashboardQueries(path = DASHBOARD_PATH): { panel: string; expr: string }[] {
  const dash = JSON.parse(readFileSync(path, 'utf8')) as { panels: Panel[] };
  const out: { panel: string; expr: string }[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '?', expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  return out;
}

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions (followed by
 * `(`), aggregation keywords, label names (in `by (…)` or a `{…}` matcher) nor durations.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(')) continue; // a function or an aggregation
    if (/^(and|or|unless|bool|offset)$/.test(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** The metric a sample name belongs to: a histogram's `_bucket`, `_sum` and `_count` series are its own. */
export function baseMetric(sample: string, histograms: Set<string>): string {
  const m = /^(.*)_(bucket|sum|count)$/.exec(sample);
  return m && histograms.has(m[1]) ? m[1] : sample;
}
