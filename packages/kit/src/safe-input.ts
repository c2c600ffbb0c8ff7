import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from './errors';

/**
 * Text that PostgreSQL can store and that reads back as it was written: no NUL (a `text` column
 * refuses U+0000 with an error) and no lone UTF-16 surrogate (the driver encodes it as U+FFFD, so
 * the stored value silently differs from the one accepted). JSON can carry both (`\u0000`,
 * `\ud800`), so every outside string is checked before it goes anywhere.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` must be refused, or null when it is fine. */
export function unsafeTextProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'Must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'Must be valid Unicode (lone surrogate)';
  return null;
}

export const isSafeText = (s: string): boolean => unsafeTextProblem(s) === null;

/** Deeper JSON than this is refused: no request of the API nests more than a few levels. */
export const MAX_INPUT_DEPTH = 32;

export interface UnsafeInput { field: string; problem: string }

/**
 * The first key or string in `value` that must be refused (see `unsafeTextProblem`), or a nesting
 * deeper than `maxDepth`. Iterative, so a hostile body nested 100,000 levels deep cannot overflow
 * the stack.
 */
export function findUnsafeInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): UnsafeInput | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unsafeTextProblem(v);
      if (problem) return { field: path, problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { field: path.slice(0, 40), problem: `Nested more than ${maxDepth} levels deep` };
    for (const [k, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${k}` : k;
      const keyProblem = unsafeTextProblem(k);
      if (keyProblem) return { field: path, problem: `Field names: ${keyProblem}` };
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/** Throws the 400 for `findUnsafeInput`'s answer, naming `where` (`body`, `query`…) when no field is known. */
export function assertSafeInput(value: unknown, where: string): void {
  const bad = findUnsafeInput(value);
  if (bad) throw new AppError('invalid', 'request.unsafe_input', `${bad.field || where}: ${bad.problem}`);
}

/**
 * The request target, percent-decoded: refused when its encoding is malformed (`%zz`, a truncated
 * or invalid UTF-8 sequence such as an encoded surrogate) or when it decodes to unsafe text.
 */
export function assertSafeUrl(url: string): void {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const parts: Array<[string, string]> = [['path', path], ...query.split('&').map((p) => ['query', p.replace(/\+/g, ' ')] as [string, string])];
  for (const [where, raw] of parts) {
    let text: string;
    try {
      text = decodeURIComponent(raw);
    } catch {
      throw new AppError('invalid', 'request.bad_url', `Malformed percent-encoding in the ${where === 'path' ? 'path' : 'query string'}`);
    }
    const problem = unsafeTextProblem(text);
    if (problem) throw new AppError('invalid', 'request.unsafe_input', `${where === 'path' ? 'Path' : 'Query string'}: ${problem}`);
  }
}

/**
 * Refuses a request whose URL or parsed body holds text that must not reach a store (NUL, lone
 * surrogates, broken percent-encoding, JSON nested too deeply) with 400 `{ "error" }`. Mounted by
 * `createHttpApp` after its body parser and by the gateway after its own.
 */
export function refuseUnsafeInput(): RequestHandler {
  return (req, _res, next) => {
    assertSafeUrl(req.originalUrl ?? req.url ?? '/');
    if (req.body !== undefined) assertSafeInput(req.body, 'body');
    next();
  };
}

// ---- zod pieces for services' own schemas -------------------------------------------------------

/** A string of at most `max` characters that is safe to store (see `unsafeTextProblem`). */
export const safeString = (max: number) => z.string()
  .max(max, `At most ${max} characters`)
  .refine(isSafeText, 'Must not contain NUL characters or invalid Unicode');

/**
 * A real calendar date and time in the years 0001–9999, which both PostgreSQL and people read the
 * same way. PostgreSQL has no year 0 and refuses `0000-…`, and refuses February 31st, which
 * JavaScript's Date.parse silently turns into March 3rd.
 */
export function inTimestampRange(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return day <= lastDay.getUTCDate() && Number.isFinite(Date.parse(iso));
}

/** An ISO-8601 date-time with offset, in the years 0001–9999. */
export const isoTimestamp = () => z.iso.datetime({ offset: true, error: 'Must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z' })
  .refine(inTimestampRange, 'Out of range: years 0001 to 9999');
