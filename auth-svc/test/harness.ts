import { Pool } from 'pg';
import Redis from 'ioredis';
import { startMailDev, testEnv, uniqueName, waitUntil } from '@webxterm/testkit';
import { AuthConfigSchema } from '../src/config';
import { RunningAuthService, startAuthService } from '../src/main';

export const SECRET = 'test-secret-that-is-long-enough-0123456789';
export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

export interface Reply { status: number; body: any; headers: Headers }

/** A real auth-svc on a free port, with real PostgreSQL, Redis, NATS and a MailDev SMTP server. */
export async function startHarness(extraEnv: Record<string, string> = {}) {
  const env = testEnv();
  const mail = await startMailDev();
  const svc: RunningAuthService = await startAuthService(AuthConfigSchema.parse({
    PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0', DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl,
    JWT_SECRET: SECRET, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mail.smtpPort), LOG_LEVEL: 'silent', ...extraEnv,
  }));
  const pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const redis = new Redis(env.redisUrl);
  const base = `http://127.0.0.1:${svc.port}`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', 'user-agent': 'vsay-cli/1.0', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  const post = (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers);

  /** A fresh organization with its first user; returns what signup was given. */
  async function signup(over: Partial<Record<string, string>> = {}) {
    const name = uniqueName('u');
    const input = {
      username: name, email: `${name}@example.com`, password: 'correct horse battery', first_name: 'Ada', last_name: 'Lovelace',
      organization_name: uniqueName('Org '), company_name: 'Analytical Engines Ltd', ...over,
    };
    const r = await post('/api/auth/signup', input);
    if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { ...input, tenantId: input.organization_name.toLowerCase().replace(/\s+/g, '-'), userId: r.body.user_id as string };
  }

  async function login(email: string, password: string, ua = 'vsay-cli/1.0') {
    return post('/api/auth/login', { email, password }, { 'user-agent': ua });
  }

  async function setOtp(tenantId: string, enabled: boolean) {
    await pool.query('UPDATE auth.organizations SET otp_enabled = $2 WHERE tenant_id = $1', [tenantId, enabled]);
  }

  /**
   * Puts an existing person into another organization. Done in SQL because the endpoint that does
   * it (`POST /api/users`, issue 4) is not built yet.
   */
  async function addToOrganization(email: string, tenantId: string, role = 'user') {
    const { rows } = await pool.query(
      `INSERT INTO auth.memberships (id, person_id, organization_id, role, api_key_hash)
       SELECT substr(md5(random()::text), 1, 24), p.id, o.id, $3, md5(random()::text)
         FROM auth.persons p, auth.organizations o WHERE lower(p.email) = lower($1) AND o.tenant_id = $2 RETURNING id`,
      [email, tenantId, role]);
    return rows[0].id as string;
  }

  /** The 6-digit code of the `nth` login mail (1-based, in order received) MailDev got for `email`. */
  async function otpFromMail(email: string, nth = 1): Promise<string> {
    const mails = await waitUntil(async () => {
      const found = (await mail.messagesTo(email)).filter((m) => /login code/.test(m.subject));
      return found.length >= nth ? found : undefined;
    }, 10_000, `login mail #${nth} for ${email}`);
    const code = /\b(\d{6})\b/.exec(mails[nth - 1].text)?.[1];
    if (!code) throw new Error(`no code in mail: ${mails[nth - 1].text}`);
    return code;
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** A company_admin of a fresh organization, logged in. */
  async function admin() {
    const a = await signup();
    const token = (await login(a.email, a.password)).body.token as string;
    return { ...a, token, headers: bearer(token) };
  }

  /** A new user created by `adminToken` in that admin's organization, logged in. */
  async function member(adminToken: string, role = 'user') {
    const n = uniqueName('m');
    const input = { username: n, email: `${n}@example.com`, password: 'member password', first_name: 'Mem', last_name: 'Ber', role };
    const r = await post('/api/users', input, bearer(adminToken));
    if (r.status !== 201) throw new Error(`create user failed: ${r.status} ${JSON.stringify(r.body)}`);
    const token = (await login(input.email, input.password)).body.token as string;
    return { ...input, userId: r.body.id as string, tenantId: r.body.tenant_id as string, token, headers: bearer(token) };
  }

  async function close() {
    await svc.close();
    await mail.stop();
    await pool.end();
    redis.disconnect();
  }

  return { svc, mail, pool, redis, base, call, post, signup, login, setOtp, addToOrganization, otpFromMail, close, env, bearer, admin, member };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
