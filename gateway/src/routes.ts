import type { UpstreamKey } from './config';

/**
 * One entry of the route table. `path` is matched against the request path (no query string):
 * `exact` matches the path itself (a trailing slash tolerated), `prefix` the path and everything
 * below it on a segment boundary (`/api/users` matches `/api/users/1`, never `/api/usersX`).
 * `:name` matches one non-empty segment.
 */
export interface RouteDef {
  path: string;
  match: 'exact' | 'prefix';
  upstream: UpstreamKey;
  /** `public` routes skip the token check; everything else is `protected`. */
  access: 'public' | 'protected';
  /** WebSocket upgrades are accepted only on `ws` routes. */
  ws?: boolean;
  /** `login`: POST requests are rate limited per client IP (per account: auth-svc). */
  rateLimit?: 'login';
  /** Largest body on this route when it is not BODY_LIMIT (an upload), in `bytes` syntax: '6mb'. */
  bodyLimit?: string;
}

export interface Route extends RouteDef {
  regex: RegExp;
}

/** Names used in client-facing messages (`machine-svc is not available`). */
export const SERVICE_NAMES: Record<UpstreamKey, string> = {
  AUTH_SVC_URL: 'auth-svc',
  MACHINE_SVC_URL: 'machine-svc',
  TERMINAL_SVC_URL: 'terminal-svc',
  COMMUNITY_SVC_URL: 'community-svc',
  AUDIT_SVC_URL: 'audit-svc',
};

const auth = (path: string, access: RouteDef['access'], extra: Partial<RouteDef> = {}): RouteDef =>
  ({ path, match: 'exact', upstream: 'AUTH_SVC_URL', access, ...extra });
const owned = (path: string, upstream: UpstreamKey, extra: Partial<RouteDef> = {}): RouteDef =>
  ({ path, match: 'prefix', upstream, access: 'protected', ...extra });

/**
 * THE route table. First match wins, so the public exceptions come before the protected prefix
 * that contains them, and anything not listed is protected (`/api/auth/whatever` needs a token).
 */
export const ROUTE_TABLE: readonly RouteDef[] = [
  // auth-svc, public: the login flows of documents 001, 002 and 004. refresh carries its token in
  // the body and auth-svc validates it there.
  auth('/api/auth/signup', 'public', { rateLimit: 'login' }),
  auth('/api/auth/login', 'public', { rateLimit: 'login' }),
  auth('/api/auth/select-tenant', 'public', { rateLimit: 'login' }),
  auth('/api/auth/verify-otp', 'public', { rateLimit: 'login' }),
  auth('/api/auth/refresh', 'public', { rateLimit: 'login' }),
  auth('/api/signup', 'public', { rateLimit: 'login' }),
  auth('/api/login', 'public', { rateLimit: 'login' }),
  auth('/login', 'public', { rateLimit: 'login' }),
  // auth-svc, protected (logout included: `/logout` takes X-Access-Token + X-Key).
  auth('/logout', 'protected'),
  owned('/api/auth', 'AUTH_SVC_URL'),
  owned('/api/users', 'AUTH_SVC_URL'),
  owned('/api/roles', 'AUTH_SVC_URL'),
  owned('/api/groups', 'AUTH_SVC_URL'),
  owned('/api/admin', 'AUTH_SVC_URL'),
  owned('/api/organization', 'AUTH_SVC_URL'),
  // audit-svc
  owned('/api/audit', 'AUDIT_SVC_URL'),
  // machine-svc; the agent bootstrap (where agent-bridge listens) is public: agents hold no JWT.
  { path: '/api/agent/bootstrap', match: 'exact', upstream: 'MACHINE_SVC_URL', access: 'public' },
  owned('/api/machines', 'MACHINE_SVC_URL'),
  owned('/api/dashboard', 'MACHINE_SVC_URL'),
  // auth-svc owns people, so their profiles; an avatar (2 MB and multipart framing) may be larger
  // than BODY_LIMIT: auth-svc itself refuses anything over AVATAR_MAX_BYTES, and anything but an image.
  { path: '/api/profile/upload-avatar', match: 'exact', upstream: 'AUTH_SVC_URL', access: 'protected', bodyLimit: '3mb' },
  owned('/api/profile', 'AUTH_SVC_URL'),
  owned('/api/sessions', 'MACHINE_SVC_URL'),
  // terminal-svc: the browser socket, then its REST endpoints
  { path: '/api/terminal/:agent_id/ws', match: 'exact', upstream: 'TERMINAL_SVC_URL', access: 'protected', ws: true },
  owned('/api/terminal', 'TERMINAL_SVC_URL'),
  // community-svc; an image upload may be larger than BODY_LIMIT (5 MB and multipart framing: the
  // service itself refuses anything over its UPLOAD_MAX_BYTES, and anything but an image).
  { path: '/api/community/upload', match: 'exact', upstream: 'COMMUNITY_SVC_URL', access: 'protected', bodyLimit: '6mb' },
  owned('/api/community', 'COMMUNITY_SVC_URL'),
];

function compile(def: RouteDef): Route {
  const body = def.path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')))
    .join('/');
  const tail = def.match === 'exact' ? '/?$' : '(?:/.*)?$';
  return { ...def, regex: new RegExp(`^${body}${tail}`) };
}

export class RouteTable {
  private readonly routes: Route[];

  constructor(defs: readonly RouteDef[] = ROUTE_TABLE) {
    this.routes = defs.map(compile);
  }

  /** The route owning `pathname` (case-sensitive, no query string), or null. */
  resolve(pathname: string): Route | null {
    for (const r of this.routes) if (r.regex.test(pathname)) return r;
    return null;
  }
}

/** The path part of a request target, without query string or fragment. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const cut = u.search(/[?#]/);
  return cut === -1 ? u : u.slice(0, cut);
}
