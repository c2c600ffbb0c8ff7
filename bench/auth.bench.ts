/**
 * Login and authenticated requests, through the gateway and straight to auth-svc, with the cost of
 * one argon2id verification measured in the same run as the floor a login cannot beat.
 *   npm run bench            (or: node_modules/.bin/tsx bench/auth.bench.ts with the stack's URLs in env)
 */
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { freePort, Figures, load, machine, printTable, startServiceProcess } from './lib';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/webxterm_bench';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION = Number(process.env.BENCH_DURATION_SEC ?? 5);

async function argonFloor(): Promise<Figures> {
  const opts = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
  const hash = await argon2.hash('correct horse battery', opts);
  const times: number[] = [];
  const until = Date.now() + DURATION * 1000;
  while (Date.now() < until) {
    const t = process.hrtime.bigint();
    await argon2.verify(hash, 'correct horse battery');
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { label: 'argon2id verify in-process (floor)', rps: times.length / DURATION, p50: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)], errors: 0 };
}

async function main() {
  const secret = randomBytes(32).toString('hex');
  const [authPort, gwPort] = [await freePort(), await freePort()];
  const common = { DATABASE_URL, NATS_URL, REDIS_URL, JWT_SECRET: secret };
  const auth = await startServiceProcess('auth-svc', { ...common, PORT: String(authPort), HOST: '127.0.0.1', LOGIN_FAILURES_PER_SOURCE: '100000000' });
  const gw = await startServiceProcess('gateway', {
    ...common, PORT: String(gwPort), HOST: '127.0.0.1', AUTH_SVC_URL: `http://127.0.0.1:${authPort}`,
    LOGIN_RATE_PER_IP: '100000000', RATE_LIMIT_PREFIX: `bench-${secret.slice(0, 8)}`,
  });
  try {
    const direct = `http://127.0.0.1:${authPort}`;
    const viaGw = `http://127.0.0.1:${gwPort}`;
    const name = `bench${randomBytes(4).toString('hex')}`;
    const email = `${name}@example.com`;
    const password = 'correct horse battery';
    const signup = await fetch(`${direct}/api/auth/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, email, password, first_name: 'B', last_name: 'M', organization_name: name, company_name: 'Bench' }),
    });
    if (signup.status !== 201) throw new Error(`signup ${signup.status}`);
    const token = (await (await fetch(`${direct}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
    })).json()).token as string;

    const loginReq = { method: 'POST' as const, headers: { 'content-type': 'application/json', 'user-agent': 'bench/1' }, body: JSON.stringify({ email, password }) };
    const meReq = { headers: { authorization: `Bearer ${token}` } };
    const run = (label: string, url: string, c: number, extra: object) => load(label, { url, connections: c, duration: DURATION, ...extra });

    const floor = await argonFloor();
    const login: Figures[] = [floor];
    for (const c of [1, 4]) {
      login.push(await run(`login direct, ${c} conn`, `${direct}/api/auth/login`, c, loginReq));
      login.push(await run(`login via gateway, ${c} conn`, `${viaGw}/api/auth/login`, c, loginReq));
    }
    printTable(`POST /api/auth/login — ${machine()}`, login);
    const l1d = login[1]; const l1g = login[2];
    console.log(`ratios: gateway/direct p50 ${(l1g.p50 / l1d.p50).toFixed(2)}×; login p50 / argon2 floor ${(l1d.p50 / floor.p50).toFixed(2)}×`);

    const me: Figures[] = [];
    for (const c of [1, 32]) {
      me.push(await run(`GET /api/users/me direct, ${c} conn`, `${direct}/api/users/me`, c, meReq));
      me.push(await run(`GET /api/users/me via gateway, ${c} conn`, `${viaGw}/api/users/me`, c, meReq));
    }
    printTable(`Authenticated request — ${machine()}`, me);
    for (let i = 0; i < me.length; i += 2) {
      console.log(`ratios ${me[i].label.split(', ')[1]}: gateway/direct p50 ${(me[i + 1].p50 / me[i].p50).toFixed(2)}×, throughput ${(me[i + 1].rps / me[i].rps).toFixed(2)}×`);
    }
    const bad = [...login, ...me].filter((f) => f.errors > 0);
    if (bad.length) console.log(`WARNING: errors in ${bad.map((b) => b.label).join(', ')}`);
  } finally {
    await gw.stop();
    await auth.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
