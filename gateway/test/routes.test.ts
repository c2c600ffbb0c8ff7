/** The route table alone: which path goes where, and with which access. */
import { pathOf, RouteTable } from '../src/routes';
import { parseByteLimit } from '../src/body';

const table = new RouteTable();

it.each([
  ['/api/auth/login', 'AUTH_SVC_URL', 'public', 'login'],
  ['/api/auth/login/', 'AUTH_SVC_URL', 'public', 'login'],
  ['/api/auth/refresh', 'AUTH_SVC_URL', 'public', 'login'],
  ['/api/auth/logout', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/auth/login/extra', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/auth', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/login', 'AUTH_SVC_URL', 'public', 'login'],
  ['/api/signup', 'AUTH_SVC_URL', 'public', 'login'],
  ['/login', 'AUTH_SVC_URL', 'public', 'login'],
  ['/logout', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/users/me', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/admin/organizations/1/stats', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/audit/tenants', 'AUDIT_SVC_URL', 'protected', undefined],
  ['/api/machines/by-id/abc', 'MACHINE_SVC_URL', 'protected', undefined],
  ['/api/dashboard/stats', 'MACHINE_SVC_URL', 'protected', undefined],
  ['/api/profile', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/profile/avatar/0123456789abcdef01234567', 'AUTH_SVC_URL', 'protected', undefined],
  ['/api/sessions/s1', 'MACHINE_SVC_URL', 'protected', undefined],
  ['/api/terminal/sessions/s1', 'TERMINAL_SVC_URL', 'protected', undefined],
  ['/api/community/issues/1/fixes/2/like', 'COMMUNITY_SVC_URL', 'protected', undefined],
])('%s → %s, %s', (path, upstream, access, rateLimit) => {
  const route = table.resolve(path);
  expect(route).toMatchObject({ upstream, access });
  expect(route?.rateLimit).toBe(rateLimit);
});

it('only the terminal socket path is a WebSocket route', () => {
  expect(table.resolve('/api/terminal/agent-1/ws')).toMatchObject({ upstream: 'TERMINAL_SVC_URL', access: 'protected', ws: true });
  for (const p of ['/api/terminal/sessions', '/api/terminal//ws', '/api/terminal/a/b/ws', '/api/users']) expect(table.resolve(p)?.ws).toBeFalsy();
});

it.each(['/api', '/api/', '/api/nothing', '/api/usersX', '/api/Users', '/API/auth/login', '/', '/health', '/loginX', '/api/auth-x'])(
  '%s is not routed', (path) => { expect(table.resolve(path)).toBeNull(); });

it('pathOf drops the query string and fragment', () => {
  expect(pathOf('/api/terminal/a/ws?token=abc')).toBe('/api/terminal/a/ws');
  expect(pathOf('/x#frag')).toBe('/x');
  expect(pathOf(undefined)).toBe('/');
});

it('parseByteLimit uses 1024-based units', () => {
  expect(parseByteLimit('1mb')).toBe(1048576);
  expect(parseByteLimit('64kb')).toBe(65536);
  expect(parseByteLimit('100')).toBe(100);
  expect(() => parseByteLimit('lots')).toThrow();
});
