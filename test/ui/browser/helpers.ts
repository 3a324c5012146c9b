/**
 * Browser test plumbing: Debian's chromium driven by playwright-core with a fresh profile, the UI
 * built once per change (a cross-process lock, since jest runs the files in parallel), the stand-in
 * backend, and screenshots.
 *
 * Without /usr/bin/chromium the tests FAIL with a message saying how to install it, unless
 * SKIP_BROWSER_TESTS=1 is set (then they are skipped, visibly).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createService, type Service, type ServiceOptions } from '../../../src/server/service';
import { config, type ConfigOverrides } from '../../server/helpers';
import { startUiServer, type UiServer, type UiServerOptions } from '../../support/ui-server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SKIP = process.env.SKIP_BROWSER_TESTS === '1';
const ROOT = path.resolve(__dirname, '../../..');
/** The Custom UI bundles the browser tests open. */
const SURFACES = ['gadget', 'admin', 'panel', 'issue-actions', 'issues', 'issue'];

/** `describe` that runs, or is skipped only when SKIP_BROWSER_TESTS=1. */
export const describeBrowser: jest.Describe = SKIP ? describe.skip : describe;

export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH). ` +
        'Set SKIP_BROWSER_TESTS=1 to skip them deliberately.',
    );
  }
}

function newestMtime(dir: string, re: RegExp): number {
  let max = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'build' && e.name !== 'node_modules') max = Math.max(max, newestMtime(p, re));
    } else if (re.test(e.name)) max = Math.max(max, fs.statSync(p).mtimeMs);
  }
  return max;
}

/** Builds the UI unless every bundle is newer than every source (one builder at a time). */
export function buildUiOnce(): void {
  const lock = path.join(
    os.tmpdir(),
    `reglament-ui-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const sources = Math.max(
      newestMtime(path.join(ROOT, 'static'), /\.(tsx?|css)$/),
      newestMtime(path.join(ROOT, 'src'), /\.ts$/),
      fs.statSync(path.join(ROOT, 'scripts/build-ui.js')).mtimeMs,
    );
    const bundles = SURFACES.map((s) => {
      const f = path.join(ROOT, 'static', s, 'build', 'index.js');
      return fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0;
    });
    if (Math.min(...bundles) <= sources) {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-ui.js'), ...SURFACES], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface Harness {
  server: UiServer;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen (the favicon's 404 excluded). */
  errors: string[];
  close(): Promise<void>;
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * A fresh browser (its own profile directory) on a fresh backend. `browserNow` fixes the page's clock
 * (the gadget's "this month" comes from it).
 */
export async function openHarness(
  opts: UiServerOptions & {
    timezoneId?: string;
    locale?: string;
    browserNow?: string;
    viewport?: { width: number; height: number };
  },
): Promise<Harness> {
  requireChromium();
  buildUiOnce();
  const server = await startUiServer(opts);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timezoneId: opts.timezoneId ?? 'Europe/Moscow',
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1100, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  if (opts.browserNow) await page.clock.setFixedTime(new Date(opts.browserNow));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|status of 404/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return {
    server,
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await server.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface ServiceHarness {
  /** The real self-hosted service (SQLite in a throw-away data directory). */
  svc: Service;
  /** Its address, e.g. http://127.0.0.1:PORT. */
  base: string;
  browser: Browser;
  /** The first context and its page. */
  context: BrowserContext;
  page: Page;
  /** Page errors, and console errors other than the favicon's and refused requests (401/403/404). */
  errors: string[];
  /**
   * A fresh context (no cookies, no storage: anonymous, no language chosen) and its page, watched for
   * errors like the first; closed with the harness.
   */
  newPage(opts?: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

interface PageOptions {
  locale?: string;
  timezoneId?: string;
  viewport?: { width: number; height: number };
}

/**
 * The real self-hosted service (createService, listening on a free loopback port, no background
 * timers) and one Chromium: what every browser test of the service shares. One per test file; a new
 * context per language or width (`newPage`), or `page.setViewportSize` and `?lang=` on the same one.
 */
export async function openService(
  opts: PageOptions & {
    /** The service's configuration over the test defaults (port 0, loopback, demo off). */
    config?: ConfigOverrides;
    now?: ServiceOptions['now'];
    /** Playwright's default timeout per action (ms). */
    timeout?: number;
  } = {},
): Promise<ServiceHarness> {
  requireChromium();
  buildUiOnce();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-browser-svc-'));
  const svc = await createService({
    config: config(dir, { demo: 'off', port: 0, host: '127.0.0.1', ...opts.config }),
    logger: false,
    background: false,
    ...(opts.now ? { now: opts.now } : {}),
    staticDir: path.join(ROOT, 'static'),
  });
  const base = await svc.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const errors: string[] = [];
  const newPage = async (o: PageOptions = {}): Promise<Page> => {
    const context = await browser.newContext({
      locale: o.locale ?? opts.locale ?? 'en-US',
      timezoneId: o.timezoneId ?? opts.timezoneId ?? 'Europe/Moscow',
      viewport: o.viewport ?? opts.viewport ?? { width: 1366, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(opts.timeout ?? 15_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|status of 40[134]/.test(m.text())) errors.push(m.text());
    });
    return page;
  };
  const page = await newPage();
  return {
    svc,
    base,
    browser,
    context: page.context(),
    page,
    errors,
    newPage,
    close: async () => {
      await browser.close();
      await svc.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One `describe` per width (400, 1366 px) and language (en, ru) on the same page: it resizes the page
 * before the block's tests, which open their screens with `?lang=`.
 */
export function eachWidthAndLanguage(
  page: () => Page,
  body: (width: 400 | 1366, lang: 'en' | 'ru') => void,
): void {
  describe.each([
    [400, 'en'],
    [400, 'ru'],
    [1366, 'en'],
    [1366, 'ru'],
  ] as const)('at %i px, %s', (width, lang) => {
    beforeAll(async () => {
      await page().setViewportSize({ width, height: 900 });
    });
    body(width, lang);
  });
}

/** Whether the page scrolls sideways: its width against the window's. */
export function scrollWidth(page: Page): Promise<{ scroll: number; inner: number }> {
  return page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
  );
}

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page (WCAG 2 A/AA rules); the serious and critical violations, described. */
export async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({ target: n.target })) })))`,
  )) as { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/**
 * Saves a screenshot to .tmp/screenshots/ and, with UPDATE_SCREENSHOTS=1, to docs/screenshots/ (the
 * committed copies the documentation shows).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dirs = [path.join(ROOT, '.tmp', 'screenshots')];
  if (process.env.UPDATE_SCREENSHOTS === '1') dirs.push(path.join(ROOT, 'docs', 'screenshots'));
  await page.evaluate('window.scrollTo(0, 0)');
  const png = await page.screenshot({ fullPage: true });
  for (const d of dirs) {
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `${name}.png`), png);
  }
}

/**
 * Signs in to the self-hosted service through its real login form (GET /login, POST with the user
 * name and password); the browser keeps the session and CSRF cookies. Lands on `next`.
 */
export async function signIn(
  page: Page,
  base: string,
  user: string,
  password: string,
  next = '/',
): Promise<void> {
  await page.goto(`${base}/login?lang=en&next=${encodeURIComponent(next)}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('[data-testid=login-submit]').click(),
  ]);
}

/** Text of the element matched by a selector (after it appears). */
export async function text(page: Page, selector: string): Promise<string> {
  const loc = page.locator(selector).first();
  await loc.waitFor();
  return ((await loc.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the element's text satisfies `pred`, and returns it. */
export async function waitText(page: Page, selector: string, pred: (s: string) => boolean): Promise<string> {
  const loc = page.locator(selector).first();
  await loc.waitFor();
  for (let i = 0; i < 200; i++) {
    const s = ((await loc.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    if (pred(s)) return s;
    await page.waitForTimeout(50);
  }
  return ((await loc.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The data-date of the focused element (the calendar grid's focused day). */
export function activeDate(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(
    "document.activeElement && document.activeElement.getAttribute('data-date')",
  );
}
