/**
 * Issue #15: the reports page in a real browser on the real service, with the hand-counted record set
 * (test/support/report-records.ts): the figures, trend, exceptions and breached items in English and
 * Russian at 1366 and 400 px without horizontal scroll, and the CSV / XLSX / PDF links download the
 * report of the chosen period, class and language (ru at 1366 px, en at 400 px).
 */
import type { Page } from 'playwright-core';
import { REPORT_NOW, reportRows } from '../../support/report-records';
import { describeBrowser, openService, type ServiceHarness } from './helpers';

describeBrowser('reports page (browser)', () => {
  let h: ServiceHarness;
  let base: string;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    h = await openService({
      config: { auth: { anonymousRead: 'on' } },
      now: () => Date.parse(REPORT_NOW),
    });
    ({ base, page, errors } = h);
    for (const r of reportRows()) await h.svc.store.upsertSlaRecord(r);
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  const cells = async (selector: string) =>
    (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();

  it.each([
    ['en', 1366, 'Errors: High 12 10 2 83.3% yes', 'Errors 18 13 5 72.2% no', 'Breached items (2)'],
    ['en', 400, 'Errors: High 12 10 2 83.3% yes', 'Errors 18 13 5 72.2% no', 'Breached items (2)'],
    [
      'ru',
      1366,
      'Ошибки: Высокий 12 10 2 83,3 % да',
      'Ошибки 18 13 5 72,2 % нет',
      'Просроченные обращения (2)',
    ],
    [
      'ru',
      400,
      'Ошибки: Высокий 12 10 2 83,3 % да',
      'Ошибки 18 13 5 72,2 % нет',
      'Просроченные обращения (2)',
    ],
  ])(
    '%s at %i px: figures, trend, exceptions, breached; no horizontal scroll',
    async (lang, width, high, all, breached) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/ui/reports/?lang=${lang}&from=2026-03-01&to=2026-04-30`);
      await page.locator('[data-testid=figures] tr[data-class=high][data-kind=error]').waitFor();
      expect(
        (await cells('[data-testid=figures] tr[data-class=high][data-kind=error]')).replace(/ /g, ' '),
      ).toBe(high);
      expect(
        (await cells('[data-testid=figures] tr[data-class=all][data-kind=error]')).replace(/ /g, ' '),
      ).toBe(all);
      expect(await cells('[data-testid=trend] tbody')).toContain('2026-04 11/16');
      expect(await cells('[data-testid=exceptions]')).toMatch(
        lang === 'en'
          ? /1 agreed deadlines, 1 kept, 0 missed; 1 breaches waived/
          : /согласованных сроков — 1, соблюдено — 1/,
      );
      expect(await page.locator('h2', { hasText: breached }).count()).toBe(1);
      expect(await cells('[data-testid=breached] tbody')).toMatch(/^SUP-40 .* SUP-30 /);
      const scroll = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
      expect(scroll).toBe(true);
      expect(errors).toEqual([]);
    },
  );

  it.each([
    ['ru', 1366, 'Ошибки,Высокий,10,8,2,80,80,да,0,0,0,0,1'],
    ['en', 400, 'Errors,High,10,8,2,80,80,yes,0,0,0,0,1'],
  ] as const)(
    '%s at %i px: the CSV, XLSX and PDF links download the chosen report',
    async (lang, width, line) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/ui/reports/?lang=${lang}&from=2026-04-01&to=2026-04-30`);
      await page.locator('select').selectOption('high');
      await page.locator('button[type=submit]').click();
      await page.locator('[data-testid=figures] tr[data-class=high]').first().waitFor();
      const links = page.locator('[data-testid=downloads] a');
      expect(await links.allInnerTexts()).toEqual(['CSV', 'XLSX', 'PDF']);
      const hrefs = await links.evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
      expect(hrefs[2]).toBe(`${base}/api/report.pdf?from=2026-04-01&to=2026-04-30&lang=${lang}&class=high`);
      const types = [
        'text/csv; charset=utf-8',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/pdf',
      ];
      for (const [i, href] of hrefs.entries()) {
        const res = await page.request.get(href);
        expect(res.status()).toBe(200);
        expect(res.headers()['content-type']).toBe(types[i]);
      }
      const csv = await (await page.request.get(hrefs[0]!)).text();
      expect(csv).toContain(line);
      const scroll = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
      expect(scroll).toBe(true);
    },
  );
});
