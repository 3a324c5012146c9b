/**
 * The service as one application (issue #15) in real Chromium, against the real self-hosted service in
 * demo mode: the shell on every page (navigation, the signed-in user, one language switch that sticks),
 * the issue list (filters in the address, paging, rows opening the issue page), the issue page (details,
 * clocks, history, actions), no horizontal scroll at 400 and 1366 px, and an axe-core check of every page
 * in both languages with no serious or critical violation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createService, type Service } from '../../../src/server/service';
import { showcaseKeys } from '../../../src/server/demo/seed';
import { config } from '../../server/helpers';
import {
  buildUiOnce,
  CHROMIUM,
  describeBrowser,
  requireChromium,
  screenshot,
  signIn,
  text,
  waitText,
} from './helpers';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core in the page (WCAG 2 A/AA rules); the serious and critical violations. */
async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

const scrollWidth = (page: Page) =>
  page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
  );

describeBrowser('the application shell, issue list and issue page (browser, issue #15)', () => {
  let svc: Service;
  let base: string;
  let dir: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    requireChromium();
    buildUiOnce();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-browser-app-'));
    svc = await createService({
      config: config(dir, { demo: 'on', port: 0, host: '127.0.0.1' }),
      logger: false,
      background: false,
      staticDir: path.resolve(__dirname, '../../../static'),
    });
    base = await svc.listen();
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      locale: 'en-US',
      timezoneId: 'Europe/Moscow',
      viewport: { width: 1366, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|status of 40[134]/.test(m.text())) errors.push(m.text());
    });
  }, 90_000);
  afterAll(async () => {
    await context?.close();
    await svc?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a page of the service and waits until its screen has rendered. */
  const open = async (url: string, ready: string) => {
    await page.goto(`${base}${url}`);
    await page.waitForSelector(ready);
  };
  /**
   * Pages whose 400 px layout another part of issue #15 fixes (the demo helper's branch: the gadget
   * "legible at 400 px", the admin tab bar that does not wrap); the coordinator empties this list when
   * the branches meet. Every other page is checked at 400 px.
   */
  const noSideways = async (where: string) => {
    const w = await scrollWidth(page);
    expect([where, w.scroll <= w.inner]).toEqual([where, true]);
  };

  const PAGES: { url: () => string; ready: string; active: string | null }[] = [
    { url: () => '/ui/gadget/', ready: '.rg-shell-bar ~ main h1', active: 'dashboard' },
    { url: () => '/ui/issues/', ready: '[data-testid=issues-total]', active: 'issues' },
    {
      url: () => `/ui/issue/?key=${svc.seed!.sampleKeys[0]}`,
      ready: '[data-testid=issue-details]',
      active: 'issues',
    },
    { url: () => '/ui/admin/', ready: '[role=tablist]', active: 'admin' },
    { url: () => '/ui/reports/', ready: '[data-testid=figures]', active: 'reports' },
    { url: () => `/ui/panel/?key=${svc.seed!.sampleKeys[0]}`, ready: '[data-clock]', active: 'issues' },
    {
      url: () => `/ui/issue-actions/?action=split-request&key=${svc.seed!.sampleKeys[0]}`,
      ready: 'main form, main [role=alert]',
      active: 'issues',
    },
  ];

  it.each([
    ['en', 1366],
    ['en', 400],
    ['ru', 1366],
    ['ru', 400],
  ] as const)(
    'every page in %s at %i px: the shell with its section marked, no sideways scroll, no serious axe violation',
    async (locale, width) => {
      await page.setViewportSize({ width, height: 900 });
      // the language is chosen once, on the first page, and then sticks
      await page.goto(`${base}/ui/gadget/?lang=${locale}`);
      await page.waitForSelector('[data-testid=app-shell]');
      const problems: string[] = [];
      for (const p of PAGES) {
        await open(p.url(), p.ready);
        expect(await page.evaluate('document.documentElement.lang')).toBe(locale);
        expect(await text(page, '[data-testid=nav-issues]')).toBe(locale === 'en' ? 'Issues' : 'Заявки');
        const current = await page.locator('[aria-current=page]').getAttribute('data-testid');
        expect([p.url(), current]).toEqual([p.url(), `nav-${p.active}`]);
        await noSideways(`${p.url()} ${locale} ${width}`);
        // axe once per page and language (at the desktop width): the narrow layout is the same markup
        if (width === 1366) for (const v of await axe(page)) problems.push(`${p.url()} ${locale}: ${v}`);
      }
      // the start page too (server-rendered, one language)
      await page.goto(`${base}/`);
      expect(await page.evaluate('document.documentElement.lang')).toBe(locale);
      await noSideways(`/ ${locale} ${width}`);
      if (width === 1366) for (const v of await axe(page)) problems.push(`/ ${locale}: ${v}`);
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
    },
    90_000,
  );

  it('the language switch sticks: the next page, the start page and the sign-in page follow it', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await open('/ui/issues/?lang=en', '[data-testid=issues-total]');
    await page.locator('.rg-shell-bar').getByRole('button', { name: 'Русский' }).click();
    expect(await waitText(page, '[data-testid=nav-dashboard]', (s) => s === 'Панель')).toBe('Панель');
    expect(await text(page, 'main h1')).toBe('Заявки');
    // only one switch on the page: the shell's
    expect(await page.getByRole('button', { name: 'Русский' }).count()).toBe(1);
    await page.locator('[data-testid=nav-dashboard]').click();
    await page.waitForURL(/\/ui\/gadget\/$/);
    expect(await waitText(page, '[data-testid=nav-issues]', (s) => s !== '')).toBe('Заявки');
    await page.goto(`${base}/`);
    expect(await text(page, 'main p')).toBe(
      'Сроки по регламенту технической поддержки: приоритеты, сроки в рабочем времени, обещание 80%.',
    );
    await page.locator('[data-testid=shell-sign-in], a[href^="/login"]').first().click();
    await page.waitForURL(/\/login/);
    expect(await page.evaluate('document.documentElement.lang')).toBe('ru');
    // back to English from the start page's switch
    await page.goto(`${base}/`);
    await page.locator('[data-testid=index-lang]').click();
    await page.waitForURL(/lang=en/);
    await open('/ui/issues/', '[data-testid=issues-total]');
    expect(await text(page, 'main h1')).toBe('Issues');
  }, 90_000);

  /** The keys the list shows, in order. */
  const rowKeys = async () =>
    page
      .locator('[data-testid=issue-row]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')!));

  it('lists issues: filters in the address, sorted by due date, paging, each row opening the issue page', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    const records = await svc.store.listSlaRecords({});
    const met = records
      .filter((r) => r.state === 'met')
      .sort(
        (a, b) =>
          (a.due === null ? 1 : 0) - (b.due === null ? 1 : 0) ||
          (a.due ?? '').localeCompare(b.due ?? '') ||
          (a.key < b.key ? -1 : 1),
      );
    expect(met.length).toBeGreaterThan(25); // more than one page
    await open('/ui/issues/?lang=en&state=met', '[data-testid=issue-row]');
    expect(await text(page, '[data-testid=issues-total]')).toContain(`${met.length} issues`);
    expect(await page.locator('#f-state').inputValue()).toBe('met');
    const first = await rowKeys();
    expect(first).toHaveLength(25);
    await page.locator('[data-testid=issues-next]').click();
    await waitText(page, '[data-testid=issues-total]', (s) => s.includes('Page 2'));
    const second = await rowKeys();
    expect(second.filter((k) => first.includes(k))).toEqual([]);
    expect(new Set([...first, ...second]).size).toBe(Math.min(50, met.length));
    // every met record, in due order, across the pages the list showed
    expect(new Set([...first, ...second])).toEqual(new Set(met.slice(0, 50).map((r) => r.key)));

    // a kind filter goes into the address and narrows the list
    await page.locator('#f-kind').selectOption('incident');
    await waitText(page, '[data-testid=issues-total]', (s) => !s.includes('Page 2'));
    expect(new URL(page.url()).searchParams.get('kind')).toBe('incident');
    expect(new URL(page.url()).searchParams.get('state')).toBe('met');
    const incidents = met.filter((r) => r.kind === 'incident').length;
    expect(
      await waitText(page, '[data-testid=issues-total]', (s) => s.startsWith(`${incidents} `)),
    ).toContain(`${incidents} issue`);

    // text search by key, then the row opens the issue page
    const target = met.find((r) => r.kind === 'incident')!;
    await page.locator('#f-q').fill(target.key);
    await page.locator('[data-testid=issues-apply]').click();
    await waitText(page, '[data-testid=issues-total]', (s) => s.startsWith('1 issue'));
    expect(await rowKeys()).toEqual([target.key]);
    expect(new URL(page.url()).searchParams.get('q')).toBe(target.key);
    // the address restores the filters
    await page.reload();
    expect(await waitText(page, '[data-testid=issues-total]', (s) => s.startsWith('1 issue'))).toContain(
      '1 issue',
    );
    expect(await page.locator('#f-q').inputValue()).toBe(target.key);
    await page.locator(`[data-testid=issue-row] a`).first().click();
    await page.waitForURL(new RegExp(`/ui/issue/\\?key=${target.key}$`));
    expect(await text(page, '[data-testid=issue-summary]')).toBe(target.summary);
  }, 90_000);

  it('shows an issue: details, clocks, history, actions; waiving needs an administrator (error in Russian)', async () => {
    const breached = (await svc.store.listSlaRecords({})).find(
      (r) => r.state === 'breached' && r.doneAt === null,
    )!;
    expect(breached).toBeDefined();
    for (const width of [1366, 400]) {
      await page.setViewportSize({ width, height: 900 });
      await open(`/ui/issue/?key=${breached.key}&lang=en`, '[data-testid=issue-details]');
      expect(await text(page, 'main h1')).toBe(`Issue ${breached.key}`);
      expect(await text(page, '[data-testid=issue-summary]')).toBe(breached.summary);
      expect(await text(page, '[data-testid=issue-type]')).toContain(
        breached.kind === 'error' ? '(Error)' : '(Incident)',
      );
      expect(await text(page, '[data-testid=issue-registered]')).toMatch(
        /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/,
      );
      expect(await page.locator('[data-clock]').count()).toBeGreaterThan(0);
      expect(await page.locator('.rg-timeline li, [data-testid=history] li').count()).toBeGreaterThan(0);
      await noSideways(`issue page ${width}`);
      if (width === 1366) await screenshot(page, 'app-issue-en');
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${base}/ui/issues/?lang=en&state=breached`);
    await page.waitForSelector('[data-testid=issue-row]');
    await screenshot(page, 'app-issues-en');

    // anonymous: the backend refuses, the page says so in the viewer's language
    await open(`/ui/issue/?key=${breached.key}&lang=ru`, '[data-testid=issue-details]');
    await page.locator('#waive-reason').fill('Согласовано с заказчиком');
    await page.getByRole('button', { name: 'Снять', exact: true }).click();
    expect(await text(page, '[data-testid=waive-result]')).toBe(
      'Не выполнено: Это может сделать только администратор.',
    );

    // an administrator waives it; the history records it
    await signIn(page, base, 'admin', svc.initialAdmin!.password, `/ui/issue/?key=${breached.key}&lang=en`);
    await page.waitForSelector('[data-testid=issue-details]');
    expect(await text(page, '[data-testid=shell-user]')).toContain('Signed in as admin (administrator)');
    await page.locator('#waive-reason').fill('Agreed with the customer');
    await page.getByRole('button', { name: 'Waive', exact: true }).click();
    expect(await text(page, '[data-testid=waive-result]')).toBe(
      'The breach is waived; it is recorded in the history.',
    );
    expect(await waitText(page, 'main', (s) => s.includes('Agreed with the customer'))).toContain(
      'Agreed with the customer',
    );
    expect(errors).toEqual([]);
  }, 90_000);

  it('agrees a fix deadline and overrides a priority from the issue page, in Russian at 400 px; both reach the record', async () => {
    const key = showcaseKeys()['error:running']!;
    await page.setViewportSize({ width: 400, height: 900 });
    await signIn(page, base, 'admin', svc.initialAdmin!.password, `/ui/issue/?key=${key}&lang=ru`);
    await page.waitForSelector('[data-testid=issue-agree]');
    // a working day about six weeks ahead (the demo is relative to today)
    const date = new Date(Date.now() + 45 * 86_400_000);
    while ([0, 6].includes(date.getUTCDay())) date.setUTCDate(date.getUTCDate() + 1);
    const day = date.toISOString().slice(0, 10);
    await page.locator('#agree-date').fill(day);
    await page.getByRole('button', { name: 'Согласовать', exact: true }).click();
    expect(await text(page, '[data-testid=issue-agree-result]')).toBe(
      `Срок ${day} согласован; это записано в историю.`,
    );
    expect((await svc.store.getSlaRecord(key))!.agreed).toBe(true);
    await page.locator('#override-value').fill('9');
    await page.locator('#override-reason').fill('Остановлена отгрузка');
    await page.getByRole('button', { name: 'Изменить', exact: true }).click();
    expect(await text(page, '[data-testid=issue-override-result]')).toBe(
      'Приоритет изменён на 9; это записано в историю.',
    );
    expect((await svc.store.getSlaRecord(key))!).toMatchObject({ priority: 9, class: 'critical' });
    await noSideways('issue page with its edits, ru 400');
    expect(errors).toEqual([]);
  }, 90_000);
});
