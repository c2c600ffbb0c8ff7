/**
 * The console in a real browser (Debian's Chromium through playwright-core, the production build
 * served by the gateway), against the same steps done straight on the API in the same run:
 *   1. sign-in click → terminal prompt on the screen (browser) vs login request → prompt bytes on a WebSocket (API);
 *   2. keystroke → character painted (browser; checked every animation frame) vs keystroke → echo byte (API).
 *   npm run bench -- console     (web/dist must be built: npm start or npm run build -w web)
 */
import { existsSync } from 'node:fs';
import { waitUntil } from '@webxterm/testkit';
import { CONSOLE_INDEX, launchBrowser } from '../e2e/lib/browser';
import { TermClient } from '../e2e/lib/term-client';
import { TerminalStack } from '../e2e/lib/terminal-stack';
import { machine } from './lib';
import { percentiles, Sample } from './terminal-lib';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 8);
const KEYS = Number(process.env.BENCH_KEYS ?? 200);
const PASSWORD = 'a long enough password';
const now = () => Number(process.hrtime.bigint()) / 1e6;
const ROWS = '.terminal-view:not([hidden]) .xterm-rows';
/** A shell that echoes each key at once and keeps it (no line editing, no prompt). */
const QUIET = 'clear; stty -icanon; PS1=; echo RE""ADY; cat >/dev/null\r';

async function main(): Promise<void> {
  if (!existsSync(CONSOLE_INDEX)) throw new Error('web/dist is missing: npm run build -w web');
  const stack = new TerminalStack();
  await stack.start();
  const browser = await launchBrowser();
  try {
    const a = await stack.signup();
    const email = `${a.username}@example.com`;
    const created = await stack.api(0, 'POST', '/api/machines', { name: 'bench', linux_user: 'nobody' }, a.token);
    await stack.startAgent(a, created.body.registration_token);
    const agentId: string = created.body.agent_id;
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, a.token)).body.status === 'online', 30_000, 'online');
    const base = stack.gateways[0].url;

    // 1. Sign-in to prompt.
    const browserLogin: number[] = [];
    const apiLogin: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      const ctx = await browser.context({ baseURL: base });
      await ctx.addInitScript(() => localStorage.setItem('webxterm.terminal', JSON.stringify({ renderer: 'dom' })));
      const page = await ctx.newPage();
      await page.goto(`/signin?next=/terminal/${agentId}`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      const t0 = now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForFunction((sel) => /\$\s*$/m.test((document.querySelector(sel) as HTMLElement | null)?.innerText ?? ''), ROWS, { polling: 'raf', timeout: 30_000 });
      browserLogin.push(now() - t0);
      await ctx.close();

      const t1 = now();
      const login = await stack.api(0, 'POST', '/api/auth/login', { email, password: PASSWORD });
      const t = await TermClient.open(stack.wsUrl(0, agentId, login.body.token));
      await t.waitFor(() => /\$ $/.test(t.text()), 30_000, 'prompt');
      apiLogin.push(now() - t1);
      t.close();
    }

    // 2. Keystroke to paint.
    const ctx = await browser.context({ baseURL: base });
    await ctx.addInitScript(() => localStorage.setItem('webxterm.terminal', JSON.stringify({ renderer: 'dom' })));
    const page = await ctx.newPage();
    await page.goto(`/signin?next=/terminal/${agentId}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.terminal-view[data-state="open"]').waitFor({ timeout: 30_000 });
    await page.locator('.terminal-box').click();
    await page.keyboard.type(QUIET);
    await page.waitForFunction((sel) => /^READY\s*$/m.test((document.querySelector(sel) as HTMLElement).innerText), ROWS, { timeout: 30_000 });
    const painted = () => page.evaluate((sel) => (document.querySelector(sel) as HTMLElement).textContent!.replace(/[\s\u00a0]/g, '').length, ROWS);
    let count = await painted();
    const browserKeys: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const t0 = now();
      await page.keyboard.press(ch);
      count += 1;
      await page.waitForFunction(([sel, n]) => (document.querySelector(sel as string) as HTMLElement).textContent!.replace(/[\s\u00a0]/g, '').length >= (n as number), [ROWS, count], { polling: 'raf' });
      browserKeys.push(now() - t0);
    }
    await ctx.close();

    const t = await TermClient.open(stack.wsUrl(0, agentId, a.token));
    t.type(QUIET);
    await t.waitForText(/[^"]READY/, 30_000);
    const apiKeys: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const before = t.bytes;
      const t0 = now();
      t.type(ch);
      await t.waitFor(() => t.bytes > before && t.text().endsWith(ch), 10_000, 'echo');
      apiKeys.push(now() - t0);
    }
    t.close();

    const row = (s: Sample) => `| ${s.label} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} |`;
    const ratio = (b: Sample, api: Sample) => `ratio p50 ${(b.p50 / api.p50).toFixed(1)}×, p99 ${(b.p99 / api.p99).toFixed(1)}×`;
    const [bl, al, bk, ak] = [percentiles('browser: sign-in click → prompt painted', browserLogin), percentiles('API: login request → prompt bytes', apiLogin),
      percentiles('browser: keystroke → character painted', browserKeys), percentiles('API: keystroke → echo byte', apiKeys)];
    console.log(`machine: ${machine()}`);
    console.log(`\nSign-in to a terminal prompt, ${LOGINS} times (ms)\n| path | n | p50 | p99 |\n|---|---:|---:|---:|`);
    console.log(`${row(bl)}\n${row(al)}\n${ratio(bl, al)}`);
    console.log(`\nKeystroke to screen, ${KEYS} sequential keystrokes (ms)\n| path | n | p50 | p99 |\n|---|---:|---:|---:|`);
    console.log(`${row(bk)}\n${row(ak)}\n${ratio(bk, ak)}`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().then(() => process.exit(0), (e: Error) => { console.error(e); process.exit(1); });
