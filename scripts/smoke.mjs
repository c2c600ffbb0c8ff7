// The README's first command, as a new user runs it: `npm start` in the background, wait for
// /health, sign up, log in, load the console's page and /api/docs (over HTTP and in Chromium), then
// Ctrl-C (SIGINT to its process group, as a terminal sends it) and check that every process it
// started is gone and that the backing servers it found running are still there. `.ci/run` runs it
// after `npm test`. Plain Node; every wait is bounded; exit code 0 only when every step passed.
//
//   node scripts/smoke.mjs
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const LOG_DIR = join(ROOT, '.stack', 'smoke');
const LOG = join(LOG_DIR, 'npm-start.log');
const API = `http://127.0.0.1:${process.env.PORT ?? 8080}`;
// Up: a fresh clone first runs `npm ci` (native addons compile) and builds the console.
const LIMITS = { upMs: 600_000, stopMs: 60_000, goneMs: 15_000 };
const BACKING_PORTS = { PostgreSQL: 5432, Redis: 6379, NATS: 4222 };
const CHROMIUM = '/usr/bin/chromium';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
let checks = 0;
function ok(what) { checks++; console.log(`smoke ✓ ${what} (${elapsed()})`); }
class SmokeFailure extends Error {}
function fail(what) { throw new SmokeFailure(what); }

// ---- processes -------------------------------------------------------------------------------

/** Every process now: pid → { ppid, pgid, start (clock ticks since boot), cmd }. */
function processes() {
  const all = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      all.set(Number(d), { ppid: Number(f[1]), pgid: Number(f[2]), start: f[19], cmd });
    } catch { /* it ended meanwhile */ }
  }
  return all;
}

/**
 * Records every process `npm start` started: its descendants, and anything whose command line
 * names this checkout's .stack/ (a server it started that detached itself). Sampled until stopped.
 */
function trackDescendants(rootPid) {
  const seen = new Map(); // `${pid}:${start}` → cmd
  const sample = () => {
    const all = processes();
    const children = new Map();
    for (const [pid, p] of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    const stack = [rootPid];
    while (stack.length) {
      const pid = stack.pop();
      const p = all.get(pid);
      if (p) seen.set(`${pid}:${p.start}`, p.cmd);
      stack.push(...(children.get(pid) ?? []));
    }
    for (const [pid, p] of all) if (p.cmd.includes(join(ROOT, '.stack'))) seen.set(`${pid}:${p.start}`, p.cmd);
  };
  sample();
  const timer = setInterval(sample, 250);
  return { seen, stop: () => { clearInterval(timer); sample(); } };
}

/** Which of the recorded processes (same pid and start time) still run. */
function stillRunning(seen) {
  const all = processes();
  return [...seen].filter(([key]) => {
    const [pid, start] = key.split(':');
    return all.get(Number(pid))?.start === start;
  }).map(([key, cmd]) => `${key.split(':')[0]} ${cmd.slice(0, 120)}`);
}

function listening(port) {
  return new Promise((resolveListening) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (v) => { s.destroy(); resolveListening(v); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

// ---- HTTP --------------------------------------------------------------------------------------

async function request(method, path, body, token) {
  const res = await fetch(API + path, {
    method, signal: AbortSignal.timeout(15_000),
    headers: { 'user-agent': 'curl/8 smoke', ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

async function waitForHealth(npm) {
  const deadline = Date.now() + LIMITS.upMs;
  while (Date.now() < deadline) {
    if (npm.exitCode !== null) fail(`npm start exited with ${npm.exitCode} before /health answered`);
    const up = await fetch(`${API}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (up) return;
    await sleep(500);
  }
  fail(`/health did not answer within ${LIMITS.upMs / 1000} s`);
}

async function inBrowser(checkPages) {
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (npm test installs it)`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await checkPages(browser);
  } finally {
    await browser.close();
  }
}

// ---- the walk ----------------------------------------------------------------------------------

async function walk(npm) {
  await waitForHealth(npm);
  ok(`npm start is up: ${API}/health`);

  const name = `smoke${Date.now().toString(36)}`;
  const person = { username: name, email: `${name}@example.com`, password: 'a-long-password-1', first_name: 'Smoke', last_name: 'Test', organization_name: name, company_name: 'Smoke Inc' };
  const signup = await request('POST', '/api/auth/signup', person);
  if (signup.status !== 201) fail(`sign up answered ${signup.status}: ${signup.text.slice(0, 300)}`);
  ok('signed up (201)');
  const login = await request('POST', '/api/auth/login', { email: person.email, password: person.password });
  if (login.status !== 200 || typeof login.json?.token !== 'string') fail(`log in answered ${login.status}: ${login.text.slice(0, 300)}`);
  const me = await request('GET', '/api/users/me', null, login.json.token);
  if (me.status !== 200 || me.json?.username !== name) fail(`GET /api/users/me with the token answered ${me.status}: ${me.text.slice(0, 300)}`);
  ok('logged in; the token is accepted (GET /api/users/me)');

  const page = await request('GET', '/');
  if (page.status !== 200 || !page.type.includes('text/html') || !page.text.includes('id="root"')) fail(`GET / answered ${page.status} ${page.type}: ${page.text.slice(0, 200)}`);
  const docs = await request('GET', '/api/docs');
  if (docs.status !== 200 || !docs.type.includes('text/html')) fail(`GET /api/docs answered ${docs.status} ${docs.type}`);
  const spec = await request('GET', '/api/openapi.json');
  if (spec.status !== 200 || spec.json?.openapi !== '3.1.0') fail(`GET /api/openapi.json answered ${spec.status}`);
  ok(`GET / (the console), /api/docs and /api/openapi.json (${Object.keys(spec.json.paths).length} paths) answer`);

  await inBrowser(async (browser) => {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await tab.goto(`${API}/`, { timeout: 30_000 });
    await tab.waitForFunction(() => (document.getElementById('root')?.children.length ?? 0) > 0, null, { timeout: 30_000 });
    ok(`the console renders in Chromium: "${(await tab.title()).slice(0, 60)}"`);
    await tab.goto(`${API}/api/docs`, { timeout: 30_000 });
    await tab.waitForSelector('.opblock', { timeout: 30_000 });
    const operations = await tab.locator('.opblock').count();
    ok(`/api/docs renders in Chromium: ${operations} operations`);
    if (errors.length) fail(`the browser reported errors: ${errors.slice(0, 5).join(' | ')}`);
    ok('no page or console error in the browser');
  });
}

async function main() {
  mkdirSync(LOG_DIR, { recursive: true });
  const before = { backing: {} };
  for (const [what, port] of Object.entries(BACKING_PORTS)) before.backing[what] = await listening(port);
  const gatewayPortBusy = await listening(Number(new URL(API).port));
  if (gatewayPortBusy) fail(`${API} is already taken: something else runs there; stop it first`);

  const out = openSync(LOG, 'w');
  console.log(`smoke: npm start (output in ${LOG})`);
  // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to that group.
  const npm = spawn('npm', ['start'], { cwd: ROOT, detached: true, stdio: ['ignore', out, out], env: { ...process.env, FORCE_COLOR: '0' } });
  closeSync(out);
  const tracked = trackDescendants(npm.pid);
  const exited = new Promise((r) => npm.once('exit', (code, signal) => r({ code, signal })));
  let failure = null;
  try {
    await walk(npm);
  } catch (e) {
    failure = e;
  }

  // Ctrl-C, then everything must be gone; a smoke that failed cleans up all the same.
  try { process.kill(-npm.pid, 'SIGINT'); } catch { /* already gone */ }
  const stopped = await Promise.race([exited, sleep(LIMITS.stopMs).then(() => null)]);
  tracked.stop();
  if (!failure) {
    if (!stopped) failure = new SmokeFailure(`npm start did not exit within ${LIMITS.stopMs / 1000} s of SIGINT`);
    else ok(`Ctrl-C (SIGINT): npm start exited (${stopped.signal ?? `code ${stopped.code}`})`);
  }
  let left = stillRunning(tracked.seen);
  for (let waited = 0; left.length && waited < LIMITS.goneMs; waited += 250) { await sleep(250); left = stillRunning(tracked.seen); }
  if (left.length) {
    for (const line of left) { try { process.kill(Number(line.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ } }
    failure ??= new SmokeFailure(`still running after Ctrl-C:\n  ${left.join('\n  ')}`);
  } else if (!failure) ok(`every one of the ${tracked.seen.size} processes npm start started is gone`);
  if (!failure) {
    const touched = [];
    for (const [what, port] of Object.entries(BACKING_PORTS)) if (before.backing[what] && !(await listening(port))) touched.push(`${what} (${port})`);
    if (touched.length) failure = new SmokeFailure(`running before and gone after: ${touched.join(', ')}`);
    else ok(`the servers that ran before still run: ${Object.entries(before.backing).filter(([, up]) => up).map(([w]) => w).join(', ') || 'none ran before'}`);
  }

  if (failure) {
    console.error(`\nsmoke ✗ ${failure.message}`);
    if (!(failure instanceof SmokeFailure)) console.error(failure.stack);
    const tail = existsSync(LOG) ? readFileSync(LOG, 'utf8').split('\n').slice(-40).join('\n') : '';
    console.error(`\nlast lines of npm start (${LOG}):\n${tail}`);
    process.exit(1);
  }
  console.log(`smoke: every step passed (${checks} checks, ${elapsed()})`);
}

main().catch((e) => { console.error(`smoke ✗ ${e.stack ?? e}`); process.exit(1); });
