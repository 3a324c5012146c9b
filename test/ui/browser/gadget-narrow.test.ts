/**
 * The compliance gadget at 400 and 1366 px in English and Russian (issue #15): no horizontal scroll,
 * chart labels readable, the admin tab bar wraps; when the target is missed the gadget says how many
 * on-time fixes bring it back. November 2025 of the fixture (fixtures.ts TREND_ERRORS): errors 3 of 6
 * on time = 50 %; the fewest k with (3 + k) / (6 + k) ≥ 80 % is 9 (12 / 15); incidents 11 of 12 = 91.7 %,
 * budget = largest k with 11 / (12 + k) ≥ 0.8 → 1.
 */
import { seedDemo } from './fixtures';
import { describeBrowser, eachWidthAndLanguage, openHarness, text, waitText, type Harness } from './helpers';
import type { Page } from 'playwright-core';

const noSideScroll = (page: Page): Promise<{ scroll: number; inner: number }> =>
  page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
  );

/** The smallest rendered height (px) of the chart's text labels. */
const smallestLabel = (page: Page): Promise<number> =>
  page
    .locator('[data-testid=trend] text')
    .evaluateAll((ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().height)));

describeBrowser('gadget and admin at 400 and 1366 px in English and Russian (browser)', () => {
  // one browser and backend for the file; each width is the same page resized, each language ?lang=
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: '2026-06-15T12:00:00+03:00',
      seed: seedDemo,
      browserNow: '2025-11-20T12:00:00+03:00',
      viewport: { width: 1366, height: 900 },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  eachWidthAndLanguage(
    () => h.page,
    (width, lang) => {
      it('says how many on-time fixes bring a missed target back, without sideways scroll', async () => {
        const { page } = h;
        await page.goto(`${h.server.url}/ui/gadget/?lang=${lang}&period=month`);
        const budget = await waitText(page, '[data-testid=budget-errors]', (s) => s !== '');
        expect(await text(page, '[data-testid=counted-errors]')).toBe(
          lang === 'en' ? '3 of 6 on time' : '3 из 6 в срок',
        );
        expect(budget.replace(/\s/g, ' ')).toBe(
          lang === 'en'
            ? '9 more on-time fixes bring it back to 80%'
            : 'Ещё 9 исправлений в срок вернут показатель к 80 %',
        );
        expect((await text(page, '[data-testid=budget-incidents]')).replace(/\s/g, ' ')).toBe(
          lang === 'en'
            ? '1 more late reaction possible this period'
            : 'Можно допустить ещё 1 опоздание с реакцией в этом периоде',
        );
        const { scroll, inner } = await noSideScroll(page);
        expect(scroll).toBeLessThanOrEqual(inner);
        expect(await smallestLabel(page)).toBeGreaterThanOrEqual(10);
        expect(h.errors).toEqual([]);
      });

      it('"This year" charts January to December of the calendar year', async () => {
        const { page } = h;
        await page.goto(`${h.server.url}/ui/gadget/?lang=${lang}&period=year`);
        await page.locator('[data-testid=trend] g[data-month]').first().waitFor({ state: 'attached' });
        const months = await page
          .locator('[data-testid=trend] g[data-month]')
          .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-month')));
        expect([months[0], months[months.length - 1], months.length]).toEqual(['2025-01', '2025-12', 12]);
        const { scroll, inner } = await noSideScroll(page);
        expect(scroll).toBeLessThanOrEqual(inner);
      });

      it('the admin page has no sideways scroll and its tab bar wraps', async () => {
        const { page } = h;
        await page.goto(`${h.server.url}/ui/admin/?lang=${lang}`);
        const tabs = page.getByRole('tablist');
        await tabs.waitFor();
        const { scroll, inner } = await noSideScroll(page);
        expect(scroll).toBeLessThanOrEqual(inner);
        const box = await tabs.boundingBox();
        expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        const tabRights = await page
          .getByRole('tab')
          .evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().right));
        expect(Math.max(...tabRights)).toBeLessThanOrEqual(width);
      });
    },
  );
});
