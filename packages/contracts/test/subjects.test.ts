/**
 * No NATS subject is written outside packages/contracts: every service and package builds its
 * subjects with the contracts' functions (docs/events.md). This reads the sources of every
 * workspace and fails naming each string literal that looks like a subject.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { commonFilter, platformSubject, subjectMatches } from '../src/subjects';

const ROOT = join(__dirname, '../../..');
/** Where code lives; packages/contracts (the one home of subjects), docs and dependencies are not read. */
const SOURCES = [
  'agent', 'agent-bridge', 'audit-svc', 'auth-svc', 'community-svc', 'gateway', 'machine-svc', 'terminal-svc',
  'packages/kit', 'packages/testkit', 'e2e', 'bench', 'scripts', 'web/src',
];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.stack', 'coverage']);
const CODE = /\.(ts|tsx|js|mjs|cjs)$/;

/**
 * A string literal that looks like a subject: `<word>.v1.…` (not a proto name, `webxterm.agent.v1.…`),
 * or `.evt.` / `.rpc.` anywhere in it. Error codes (`rpc.timeout`) are not subjects.
 */
const SUBJECT_LIKE = [/(^|[^A-Za-z0-9_.])[a-z][a-z_]*\.v1\./, /\.(evt|rpc)\./];
const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;

function files(dir: string): string[] {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return []; }
  return entries.flatMap((name) => {
    if (SKIP_DIRS.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : CODE.test(name) ? [path] : [];
  });
}

/** The source without its comments (kept line for line, so line numbers stay right). */
function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[\s;{}(),])\/\/.*$/gm, '$1');
}

export function subjectLiterals(path: string): string[] {
  const text = withoutComments(readFileSync(path, 'utf8'));
  const found: string[] = [];
  for (const m of text.matchAll(LITERAL)) {
    const body = m[0].slice(1, -1);
    if (!SUBJECT_LIKE.some((re) => re.test(body))) continue;
    const line = text.slice(0, m.index).split('\n').length;
    found.push(`${relative(ROOT, path)}:${line}: ${m[0].split('\n')[0]}`);
  }
  return found;
}

test('no subject string is written outside packages/contracts', () => {
  const sources = SOURCES.flatMap((d) => files(join(ROOT, d)));
  expect(sources.length).toBeGreaterThan(100);
  expect(sources.flatMap(subjectLiterals)).toEqual([]);
});

test('the check sees what it is meant to see', () => {
  const seen = (literal: string) => SUBJECT_LIKE.some((re) => re.test(literal));
  for (const s of ['audit.v1.', 'machine.v1.evt.online.', 'auth.evt.group_members.', 'machines.rpc.of_tenant.v1', 'agent.v1.rpc.AGENT.open', 'term.v1.out.x']) {
    expect(seen(s)).toBe(true);
  }
  for (const s of ['v1.2.3', 'webxterm.agent.v1.Hello', 'rpc.no_responders', 'x-request-id', 'api/v1/machines', 'e.g.']) expect(seen(s)).toBe(false);
});

test('subjects follow <domain>.v1.<kind>.<name>[.<tokens>], and filters match what they should', () => {
  expect(platformSubject('auth', 'evt', 'group_members', 't1')).toBe('auth.v1.evt.group_members.t1');
  expect(() => platformSubject('auth', 'evt', 'group_members', 'a.b')).toThrow(/invalid subject token/);
  expect(subjectMatches('auth.v1.evt.group_members.>', 'auth.v1.evt.group_members.t1')).toBe(true);
  expect(subjectMatches('auth.v1.evt.group_members.>', 'auth.v1.evt.group_members')).toBe(false);
  expect(subjectMatches('agent.v1.rpc.*.a1', 'agent.v1.rpc.open.a1')).toBe(true);
  expect(commonFilter(['auth.v1.evt.a.>', 'auth.v1.evt.b.>'])).toBe('auth.v1.evt.>');
  expect(commonFilter(['auth.v1.evt.a.>', 'auth.evt.a.v1.>'])).toBe('auth.>');
  expect(commonFilter(['machine.v1.evt.online.>'])).toBe('machine.v1.evt.online.>');
});
