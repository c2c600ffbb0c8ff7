/**
 * The endpoints the gateway fuzz test aims at (every row of e2e/endpoint-table.ts plus the public
 * and extra routes of gateway/src/routes.ts) and the generated cases for each.
 */
import { ENDPOINTS, Foreign, Service } from '../endpoint-table';
import { badQuery, badRawBody, badSegment, badString, badValue, encodeLoose, type Prng } from '@webxterm/testkit';

export type Role = 'company_admin' | 'user' | 'none';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface FuzzEndpoint {
  method: Method;
  /** Template as in document 000: `/api/users/:id`. */
  path: string;
  service: Service;
  /** A valid body for it, with the caller's own ids (fields get replaced by bad values). */
  body?: Record<string, unknown>;
  /** Query parameters it reads. */
  query: readonly string[];
  /** Sent only without a token (logout would revoke the token the other cases use). */
  tokenless?: boolean;
}

export interface FuzzCase {
  n: number;
  kind: 'path' | 'query' | 'field' | 'extra' | 'shape' | 'raw' | 'header' | 'unknown-path';
  role: Role;
  method: Method;
  endpoint: string;
  service: Service;
  /** On the wire: percent-encoded path and query. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const QUERY_OF: Record<string, readonly string[]> = {
  'GET /api/audit': ['user', 'action', 'resource', 'result', 'from', 'to', 'tenant_id', 'limit', 'cursor'],
  'GET /api/audit/tenants': ['tenant_id'],
  'GET /api/audit/verify': ['tenant_id'],
  'GET /api/users': ['tenant_id'],
  'GET /api/machines/:agent_id/logs': ['page', 'limit', 'q'],
  'GET /api/machines/:agent_id/logs/search': ['page', 'limit', 'q'],
  'DELETE /api/groups/:id/members': ['user_id'],
  'GET /api/terminal/sessions': ['agent_id', 'limit', 'active'],
};

/** Endpoints of the route table that document 000's table (ENDPOINTS) does not list. */
const EXTRA: Array<Omit<FuzzEndpoint, 'query'> & { body?: Record<string, unknown> }> = [
  { method: 'POST', path: '/api/auth/signup', service: 'auth-svc', body: {
    username: 'fuzzer', email: 'fuzzer@example.com', password: 'password-1', first_name: 'F', last_name: 'Z', organization_name: 'fuzzorg', company_name: 'Fuzz' } },
  { method: 'POST', path: '/api/auth/login', service: 'auth-svc', body: { email: 'nobody@example.com', password: 'password-1' } },
  { method: 'POST', path: '/api/auth/select-tenant', service: 'auth-svc', body: { session_token: 'x'.repeat(40), tenant_id: 'fuzzorg' } },
  { method: 'POST', path: '/api/auth/verify-otp', service: 'auth-svc', body: { username: 'fuzzer', otp_code: '123456' } },
  { method: 'POST', path: '/api/auth/refresh', service: 'auth-svc', body: { token: 'x.y.z' } },
  { method: 'POST', path: '/api/signup', service: 'auth-svc', body: { username: 'fuzzer2', email: 'fuzzer2@example.com', password: 'password-1' } },
  { method: 'POST', path: '/api/login', service: 'auth-svc', body: { email: 'nobody@example.com', password: 'password-1' } },
  { method: 'POST', path: '/login', service: 'auth-svc', body: { username: 'nobody@fuzzorg', password: 'password-1' } },
  { method: 'POST', path: '/logout', service: 'auth-svc', tokenless: true },
  { method: 'GET', path: '/api/agent/bootstrap', service: 'machine-svc' },
  { method: 'GET', path: '/api/organization', service: 'auth-svc' },
  { method: 'PUT', path: '/api/organization', service: 'auth-svc', body: { company_name: 'Fuzzed Inc' } },
  { method: 'GET', path: '/api/audit/verify', service: 'audit-svc' },
  { method: 'GET', path: '/api/terminal/sessions/:session_id', service: 'terminal-svc' },
  { method: 'GET', path: '/api/terminal/sessions/:session_id/recording', service: 'terminal-svc' },
  { method: 'GET', path: '/api/users/me/invitations', service: 'auth-svc' },
  { method: 'POST', path: '/api/users/me/invitations/:id/accept', service: 'auth-svc' },
  { method: 'DELETE', path: '/api/users/me/invitations/:id', service: 'auth-svc' },
];

/** Every endpoint once (ENDPOINTS lists some twice with different queries); the socket route as plain GET. */
export function fuzzEndpoints(own: Foreign): FuzzEndpoint[] {
  const seen = new Map<string, FuzzEndpoint>();
  for (const row of ENDPOINTS) {
    const method: Method = row.method === 'WS' ? 'GET' : row.method;
    const key = `${method} ${row.path}`;
    if (seen.has(key)) continue;
    const body = row.request(own).body as Record<string, unknown> | undefined;
    seen.set(key, {
      method, path: row.path, service: row.service, body: body && typeof body === 'object' ? body : undefined,
      query: QUERY_OF[key] ?? [], tokenless: key === 'POST /api/auth/logout',
    });
  }
  for (const e of EXTRA) {
    const key = `${e.method} ${e.path}`;
    if (!seen.has(key)) seen.set(key, { ...e, query: QUERY_OF[key] ?? [] });
  }
  return [...seen.values()];
}

/** The caller's own id for a path parameter: `:id` after `users` is a user id, after `groups` a group id… */
function ownParam(path: string, name: string, own: Foreign): string {
  const before = path.split('/').at(path.split('/').indexOf(`:${name}`) - 1);
  if (name === 'agent_id') return own.agentId;
  if (name === 'machine_id') return own.machineId;
  if (name === 'session_id') return own.sessionId;
  if (name === 'fix_id') return own.fixId;
  if (before === 'users') return own.userId;
  if (before === 'groups') return own.groupId;
  if (before === 'organizations') return own.orgId;
  if (before === 'images') return own.imageId ?? 'ffffffffffffffffffffffff';
  if (before === 'invitations') return 'ffffffffffffffffffffffff';
  return own.issueId;
}

/** Ids shaped like real ones that name nothing: DELETE is never aimed at the fuzzer's own things. */
const HARMLESS: Record<string, string> = { agent_id: 'ag_ffffffffffffffffffff' };
const harmless = (name: string) => HARMLESS[name] ?? 'ffffffffffffffffffffffff';

function fillPath(e: FuzzEndpoint, own: Foreign, override?: { name: string; segment: string }): string {
  return e.path.split('/').map((seg) => {
    if (!seg.startsWith(':')) return seg;
    const name = seg.slice(1);
    if (override?.name === name) return override.segment;
    return e.method === 'DELETE' ? harmless(name) : ownParam(e.path, name, own);
  }).join('/');
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

/** `count` cases for one endpoint, each a different kind of bad input. */
export function casesFor(e: FuzzEndpoint, own: Foreign, r: Prng, count: number, first: number): FuzzCase[] {
  const params = e.path.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
  const kinds: FuzzCase['kind'][] = ['query', 'header', 'unknown-path'];
  if (params.length) kinds.push('path', 'path', 'path');
  if (e.method === 'POST' || e.method === 'PUT' || e.body) kinds.push('field', 'field', 'field', 'extra', 'shape', 'raw', 'raw');
  const out: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.pick(kinds);
    const role: Role = e.tokenless ? 'none' : r.pick(['company_admin', 'company_admin', 'user', 'user', 'none'] as const);
    const headers: Record<string, string> = { 'user-agent': 'fuzz-test' };
    let target = fillPath(e, own);
    let body: Buffer | undefined = e.body ? json(e.body) : undefined;
    let type = 'application/json';
    switch (kind) {
      case 'path': {
        const name = r.pick(params);
        target = fillPath(e, own, { name, segment: badSegment(r) });
        break;
      }
      case 'unknown-path':
        target = `${target}/${badSegment(r)}${r.chance(0.5) ? `/${encodeLoose(badString(r)).slice(0, 300)}` : ''}`;
        break;
      case 'query':
        target = `${target}?${badQuery(r, e.query)}`;
        break;
      case 'header':
        if (r.chance(0.4)) {
          // A forged or broken credential instead of the caller's token.
          headers[r.pick(['authorization', 'x-access-token'])] = r.pick([
            'Bearer a.b.c', `Bearer ${'x'.repeat(9000)}`, 'Basic Zm9vOmJhcg==', 'Bearer', 'Bearer  ',
            'Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoiMSIsInJvbGUiOiJzdXBlcl9hZG1pbiJ9.', 'Bearer ÿþ',
          ]);
          break;
        }
        headers[r.pick(['x-request-id', 'x-forwarded-for', 'accept', 'accept-language', 'x-key', 'origin'])] = r.pick([
          'a'.repeat(4000), '../../', "' OR 1=1", '999.999.999.999', ',,,', 'ÿþ', '*/*;q=abc',
        ]);
        break;
      case 'field': {
        const template = { ...(e.body ?? {}) };
        const fields = Object.keys(template);
        const field = fields.length ? r.pick(fields) : r.pick(['name', 'id', 'user_id', 'email', 'command']);
        template[field] = badValue(r);
        if (r.chance(0.3) && fields.length > 1) template[r.pick(fields)] = badValue(r);
        body = json(template);
        break;
      }
      case 'extra': {
        const template: Record<string, unknown> = { ...(e.body ?? {}) };
        template[r.pick(['\u0000', 'a\u0000b', '\ud800', '__proto__', 'constructor', 'tenant_id', 'role', 'x'.repeat(2000)])] = badValue(r);
        body = json(template);
        break;
      }
      case 'shape':
        body = json(r.pick<() => unknown>([
          () => null, () => 1, () => 'text', () => [], () => [e.body ?? {}], () => true,
          () => ({ a: badValue(r) }), () => Array.from({ length: 5_000 }, (_, k) => k),
        ])());
        break;
      case 'raw': {
        const raw = badRawBody(r, e.body ?? { a: 'b' });
        body = raw.body;
        type = raw.type;
        break;
      }
    }
    if (body) headers['content-type'] = type;
    out.push({ n: first + i, kind, role, method: e.method, endpoint: `${e.method} ${e.path}`, service: e.service, target, headers, body });
  }
  return out;
}
