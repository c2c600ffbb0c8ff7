/**
 * Login limits count the account, however it is named, per source (client IP), and never let a
 * stranger lock the owner out. auth-svc on real PostgreSQL and Redis; sources are told apart by
 * X-Forwarded-For, as the gateway sends it (TRUST_PROXY=1).
 */
import { uniqueName, waitUntil } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    LOGIN_FAILURES_PER_SOURCE: '3', LOGIN_FAILURE_WINDOW_SEC: '60', LOGIN_SLOWDOWN_AFTER: '6', LOGIN_SLOWDOWN_MS: '1500',
  });
});
afterAll(async () => { await h.close(); });

/** A distinct documentation address (192.0.2.0/24, 198.51.100.0/24) per call site. */
let next = 1;
const newSource = () => `198.51.${100 + Math.floor(next / 250)}.${(next++ % 250) + 1}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('login limits', () => {
  it('count the account whichever name is typed: email, username, username@organization', async () => {
    const a = await h.signup();
    const ip = newSource();
    expect((await h.post('/api/auth/login', { email: a.email, password: 'wrong-1' }, from(ip))).status).toBe(401);
    expect((await h.post('/login', { username: a.username, password: 'wrong-2' }, from(ip))).status).toBe(401);
    expect((await h.post('/login', { username: `${a.username.toUpperCase()}@${a.tenantId}`, password: 'wrong-3' }, from(ip))).status).toBe(401);
    for (const [path, body] of [
      ['/api/auth/login', { email: a.email.toUpperCase(), password: a.password }],
      ['/api/login', { email: a.email, password: a.password }],
      ['/login', { username: a.username, password: a.password }],
      ['/login', { username: `${a.username}@${a.tenantId}`, password: a.password }],
    ] as const) {
      const r = await h.post(path, body, from(ip));
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ error: 'Too many failed logins for this account, try again later' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('a stranger who exhausts their guesses locks only themselves: the owner logs in from elsewhere', async () => {
    const a = await h.signup();
    const stranger = newSource();
    for (let i = 0; i < 3; i++) expect((await h.post('/api/auth/login', { email: a.email, password: `guess-${i}` }, from(stranger))).status).toBe(401);
    expect((await h.post('/api/auth/login', { email: a.email, password: a.password }, from(stranger))).status).toBe(429);
    expect((await h.post('/api/auth/login', { email: a.email, password: a.password }, from(newSource()))).status).toBe(200);
  });

  it('parallel guesses from one source cannot overshoot the limit', async () => {
    const a = await h.signup();
    const ip = newSource();
    const statuses = (await Promise.all(Array.from({ length: 8 }, (_, i) =>
      h.post('/api/auth/login', { email: a.email, password: `parallel-${i}` }, from(ip))))).map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('a success clears the source\'s count', async () => {
    const a = await h.signup();
    const ip = newSource();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await h.post('/api/auth/login', { email: a.email, password: 'nope' }, from(ip))).status).toBe(401);
      expect((await h.post('/api/auth/login', { email: a.email, password: a.password }, from(ip))).status).toBe(200);
    }
  });

  it('an account attacked from many sources slows down for new sources, never for the owner\'s usual one', async () => {
    const a = await h.signup();
    const home = newSource();
    expect((await h.post('/api/auth/login', { email: a.email, password: a.password }, from(home))).status).toBe(200);
    // Three sources, two failures each: LOGIN_SLOWDOWN_AFTER=6 reached, none of them locked on its own.
    for (let s = 0; s < 3; s++) {
      const ip = newSource();
      for (let i = 0; i < 2; i++) expect((await h.post('/login', { username: a.username, password: 'spray' }, from(ip))).status).toBe(401);
    }
    // New sources now share one check per 1.5 s: the first is checked, the next waits.
    expect((await h.post('/api/auth/login', { email: a.email, password: 'spray' }, from(newSource()))).status).toBe(401);
    const slowed = await h.post('/api/auth/login', { email: a.email, password: a.password }, from(newSource()));
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    // The owner, from where they logged in before, is not slowed down.
    expect((await h.post('/api/auth/login', { email: a.email, password: a.password }, from(home))).status).toBe(200);
    // A new source gets its turn once the slot has passed, and the right password works.
    const later = newSource();
    const ok = await waitUntil(async () => {
      const r = await h.post('/api/auth/login', { email: a.email, password: a.password }, from(later));
      return r.status === 200 ? r : undefined;
    }, 5000, 'a login from a new source once the slot has passed', 250);
    expect(ok.status).toBe(200);
  });

  it('unknown names are limited exactly like known ones (the answers reveal nothing)', async () => {
    const ghost = `${uniqueName('ghost')}@example.com`;
    const ip = newSource();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await h.post('/api/auth/login', { email: ghost, password: 'whatever' }, from(ip)));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(answers[0].body).toEqual({ error: 'Invalid email or password' });
    expect(answers[3].body).toEqual({ error: 'Too many failed logins for this account, try again later' });
  });
});
