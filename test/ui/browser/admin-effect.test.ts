/**
 * Settings take effect, in a real browser at 400 and 1366 px in English and Russian (issue #15): the
 * calendar's explicit "Add date" (date, kind, note), the re-evaluation a save starts with its progress
 * beside Save, the dashboard saying when the clocks were recomputed, and the warnings before leaving
 * with unsaved edits (a link in the application; closing the page).
 */
import type { Dialog, Page } from 'playwright-core';
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, openHarness, waitText, type Harness } from './helpers';

const sideScroll = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');

const TEXT = {
  en: {
    applied: /^Settings applied to (\d+) issues?$/,
    leave: 'You have unsaved changes. Leave the page and lose them?',
    recomputed: 'All clocks recomputed',
    note: 'Company day',
  },
  ru: {
    applied: /^Настройки применены к (\d+) задач[еам]*$/,
    leave: 'Есть несохранённые изменения. Уйти со страницы и потерять их?',
    recomputed: 'Все сроки пересчитаны',
    note: 'Корпоративный выходной',
  },
} as const;

describeBrowser('admin: settings take effect at 400 and 1366 px in English and Russian (browser)', () => {
  // one browser and backend for the file; a new page per width and language (the last test closes it)
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: NOW, seed: seedDemo, browserNow: NOW });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  describe.each([
    // each saves once: its own date, and the next job of the shared backend
    [400, 'en', '2026-06-16', 'job-1'],
    [400, 'ru', '2026-06-18', 'job-2'],
    [1366, 'en', '2026-06-19', 'job-3'],
    [1366, 'ru', '2026-06-22', 'job-4'],
  ] as const)('at %i px, %s', (width, lang, day, jobId) => {
    let page: Page;
    const dialogs: string[] = [];
    beforeAll(async () => {
      page = await h.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.clock.setFixedTime(new Date(NOW));
      page.on('pageerror', (e) => h.errors.push(`pageerror: ${e.message}`));
      page.on('dialog', (d: Dialog) => {
        dialogs.push(`${d.type()}:${d.message()}`);
        void d.dismiss();
      });
    });

    it('adds a date with kind and note, warns before leaving, saves and applies the change', async () => {
      await page.goto(`${h.server.url}/ui/admin/?lang=${lang}`);
      await page.locator('#tab-calendar').click();
      await page.locator('#add-date-date').fill(day);
      await page.locator('#add-date-kind').selectOption('day-off');
      await page.locator('#add-date-note').fill(TEXT[lang].note);
      await page.locator('[data-testid=add-date-submit]').click();
      const own = await waitText(page, '[data-testid=own-dates]', (s) => s.includes(TEXT[lang].note));
      expect(own).toContain('2026');
      expect(await sideScroll(page)).toBe(false);

      // A link that leaves the page asks first; dismissed, the page stays.
      await page.evaluate(
        "(() => { const a = document.createElement('a'); a.href = '/ui/gadget/'; a.id = 'away'; a.textContent = 'away'; document.body.append(a); })()",
      );
      await page.locator('#away').click();
      expect(dialogs).toEqual([`confirm:${TEXT[lang].leave}`]);
      expect(new URL(page.url()).pathname).toBe('/ui/admin/');

      await page.locator('[data-testid=save]').click();
      const done = await waitText(page, '[data-testid=save-effect]', (s) => TEXT[lang].applied.test(s));
      const n = Number(TEXT[lang].applied.exec(done)![1]);
      const job = await h.server.jobs.status(jobId);
      expect(job).toMatchObject({ state: 'done', reason: 'settings', total: n });
      expect(n).toBeGreaterThan(0);
      expect((await h.server.store.getSettings()).calendar.overrides).toContainEqual({
        date: day,
        kind: 'day-off',
        note: TEXT[lang].note,
      });
      expect(await sideScroll(page)).toBe(false);
    });

    it('the dashboard says when the clocks were recomputed', async () => {
      await page.goto(`${h.server.url}/ui/gadget/?lang=${lang}`);
      const line = await waitText(page, '[data-testid=recomputed-at]', (s) => s !== '');
      expect(line).toContain(TEXT[lang].recomputed);
      expect(line).toContain('2026');
      expect(await sideScroll(page)).toBe(false);
    });

    it('closing the page with unsaved edits asks the browser to confirm', async () => {
      dialogs.length = 0;
      await page.goto(`${h.server.url}/ui/admin/?lang=${lang}`);
      await page.locator('#tab-calendar').click();
      await page.locator('#add-date-date').fill('2026-06-17');
      await page.locator('[data-testid=add-date-submit]').click();
      await waitText(page, '[data-testid=own-dates]', (s) => s.includes('17'));
      const asked = new Promise<string>((resolve) => page.once('dialog', (d) => resolve(d.type())));
      await page.close({ runBeforeUnload: true });
      expect(await asked).toBe('beforeunload');
      expect(h.errors).toEqual([]);
    });
  });
});
