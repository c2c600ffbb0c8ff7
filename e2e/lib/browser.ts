import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
/** Debian's Chromium; `npm test` installs it with apt when it is missing (scripts/lib/chromium.mjs). */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, '.stack', 'screenshots');
export const CONSOLE_INDEX = join(ROOT, 'web', 'dist', 'index.html');

/** Flags that keep a headless Chromium quiet on a closed network and working as root. */
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic', '--no-first-run', '--disable-default-apps', '--disable-dev-shm-usage',
];

export interface TestBrowser {
  browser: Browser;
  /** A context of its own (cookies, storage): one person in one browser. */
  context(opts?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; baseURL?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Headless Chromium; Playwright gives each launch a fresh profile folder of its own and removes it at close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`npm test\` installs it (apt-get install -y chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    context: async (o = {}) => browser.newContext({
      baseURL: o.baseURL, colorScheme: o.colorScheme ?? 'light', viewport: { width: o.width ?? 1280, height: o.height ?? 800 },
      permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true,
    }),
    close: () => browser.close(),
  };
}

/** Errors the page logged or threw: a test asserts there are none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused request is logged by the browser itself; the page shows it in words.
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection to/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** The axe-core rules whose outcome depends on the colour scheme. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * axe-core on the current page: the serious and critical violations, as readable lines. `rules`
 * narrows the run to those rules (a second colour scheme needs only COLOUR_RULES).
 */
export async function seriousA11yViolations(page: Page, rules?: string[]): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const result = await (rules ? builder.withRules(rules) : builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** The text of the visible terminal as the DOM renderer draws it, one line per row. */
export async function terminalText(page: Page): Promise<string> {
  return page.locator('.terminal-view:not([hidden]) .xterm-rows').innerText();
}
