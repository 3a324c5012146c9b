/**
 * The issue panel's text at 400 and 1366 px in English and Russian (issue #15): the context (summary,
 * type, registration time), durations as working days and hours, no sideways scroll.
 * SUP-101 (fixtures.ts): incident "Service is down for every customer", registered 2026-06-15 10:00
 * MSK; at 12:00 2 h of its 8 working hours are used → 6 h left.
 */
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, eachWidthAndLanguage, openHarness, text, waitText, type Harness } from './helpers';

const EXPECT = {
  en: { line: 'Incident · Registered 15 Jun 2026, 10:00', left: '6 h' },
  ru: { line: 'Инцидент · Регистрация: 15 июн. 2026, 10:00', left: '6 ч' },
} as const;

describeBrowser('issue panel text at 400 and 1366 px in English and Russian (browser)', () => {
  // one browser and backend for the file; each width is the same page resized, each language ?lang=
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedDemo,
      browserNow: NOW,
      viewport: { width: 1366, height: 900 },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  eachWidthAndLanguage(
    () => h.page,
    (width, lang) => {
      it('shows what the issue is and how much working time is left', async () => {
        const { page } = h;
        await page.goto(`${h.server.url}/ui/panel/?key=SUP-101&lang=${lang}`);
        expect(await waitText(page, '[data-testid=context-summary]', (s) => s !== '')).toBe(
          'Service is down for every customer',
        );
        expect((await text(page, '[data-testid=context-line]')).replace(/\s+/g, ' ')).toBe(EXPECT[lang].line);
        expect(await text(page, '[data-testid=left-reaction]')).toBe(EXPECT[lang].left);
        expect(await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(
          false,
        );
        expect(h.errors).toEqual([]);
      });
    },
  );
});
