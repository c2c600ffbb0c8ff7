import { readFileSync } from 'node:fs';

/** Lifecycle.onShutdown's default step timeout (packages/kit/src/lifecycle.ts). */
export const DEFAULT_STEP_TIMEOUT_MS = 5000;

export interface ShutdownStep { name: string; timeoutMs: number }

/**
 * The shutdown steps a service's composition root registers (`lifecycle.onShutdown(name, run,
 * timeoutMs?)`), read from its source, with each step's timeout: a literal, `config.X` (taken from
 * the service's parsed configuration) or a sum of those. Steps run one after another, so their
 * timeouts added up are the longest the drain can take. A step registered under a condition is
 * counted too (the upper bound).
 */
export function shutdownSteps(mainTsPath: string, config: Record<string, unknown>): ShutdownStep[] {
  const src = readFileSync(mainTsPath, 'utf8');
  const steps: ShutdownStep[] = [];
  const re = /\.onShutdown\(/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const args = topLevelArgs(src, m.index + m[0].length);
    const name = args[0]?.trim().replace(/^['"`]|['"`]$/g, '') ?? '?';
    const timeoutMs = args.length >= 3 ? evaluate(args[2], config, mainTsPath) : DEFAULT_STEP_TIMEOUT_MS;
    steps.push({ name, timeoutMs });
  }
  return steps;
}

export function drainBudgetMs(steps: ShutdownStep[]): number {
  return steps.reduce((sum, s) => sum + s.timeoutMs, 0);
}

/** The comma-separated arguments of a call whose `(` ends just before `start`, split at depth 0. */
function topLevelArgs(src: string, start: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      current += c;
      if (c === '\\') current += src[++i];
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) { args.push(current); return args.filter((a) => a.trim() !== ''); }
      depth--;
    } else if (c === ',' && depth === 0) { args.push(current); current = ''; continue; }
    current += c;
  }
  throw new Error('unbalanced onShutdown( call');
}

/** `5000`, `10_000`, `config.SHUTDOWN_BATCH_MS + 1000`: numbers and config fields joined by `+`. */
function evaluate(expr: string, config: Record<string, unknown>, where: string): number {
  return expr.split('+').reduce((sum, raw) => {
    const term = raw.trim();
    if (/^[\d_]+$/.test(term)) return sum + Number(term.replace(/_/g, ''));
    const field = /^config\.([A-Z0-9_]+)$/.exec(term)?.[1];
    if (field && typeof config[field] === 'number') return sum + (config[field] as number);
    throw new Error(`${where}: cannot read the shutdown timeout "${expr.trim()}" (a number or config.X expected)`);
  }, 0);
}
