/**
 * The one subject layout of the platform (docs/events.md):
 *
 *   <domain>.v1.<kind>.<name>[.<variable tokens>]
 *
 * `kind` is `evt` (an event), `rpc` (a request/reply) or, for terminal data only, `in | out | ctl |
 * rec` with the session id in the place of the name. The one exception is the public audit stream,
 * `audit.v1.<tenant>.<action…>`, kept as outside consumers already use it. Every subject is built
 * here, by these functions, from fixed names and validated variable tokens.
 */

/** A NATS subject token: no dots, wildcards or whitespace, never empty. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export const SUBJECT_VERSION = 'v1';

export type SubjectKind = 'evt' | 'rpc' | 'in' | 'out' | 'ctl' | 'rec';

export function subjectToken(value: string): string {
  if (!TOKEN.test(value)) throw new Error(`invalid subject token: ${JSON.stringify(value)}`);
  return value;
}

/** Builds a subject from fixed parts and validated variable tokens. */
export function subject(...parts: string[]): string {
  return parts.map(subjectToken).join('.');
}

/** `<domain>.v1.<kind>.<name>[.<tokens>]`, every part validated. */
export function platformSubject(domain: string, kind: SubjectKind, name: string, ...tokens: string[]): string {
  return subject(domain, SUBJECT_VERSION, kind, name, ...tokens);
}

/** The filter that takes every subject of `platformSubject(domain, kind, name, …)`: `…name.>` when tokens follow. */
export function platformFilter(domain: string, kind: SubjectKind, name: string, withTokens: boolean): string {
  const base = subject(domain, SUBJECT_VERSION, kind, name);
  return withTokens ? `${base}.>` : base;
}

/** Whether `subj` is taken by the NATS filter `filter` (`*` one token, `>` one or more at the end). */
export function subjectMatches(filter: string, subj: string): boolean {
  const f = filter.split('.');
  const s = subj.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/**
 * The narrowest single filter that takes every subject of these filters: their common leading
 * tokens, then `>` (or the filter itself when there is one). A durable consumer on nats-server 2.9
 * has one filter subject, so a consumer of several contracts uses this one.
 */
export function commonFilter(filters: readonly string[]): string {
  const unique = [...new Set(filters)];
  if (unique.length === 0) throw new Error('commonFilter: no filters');
  if (unique.length === 1) return unique[0];
  const split = unique.map((f) => f.split('.'));
  const prefix: string[] = [];
  for (let i = 0; ; i++) {
    const t = split[0][i];
    if (t === undefined || t === '>' || t === '*' || split.some((p) => p[i] !== t || p.length === i + 1)) break;
    prefix.push(t);
  }
  if (prefix.length === 0) throw new Error(`commonFilter: ${unique.join(', ')} share no leading token`);
  return `${prefix.join('.')}.>`;
}
