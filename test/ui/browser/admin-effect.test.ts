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

describeBrowser.each([
  [400, 'en'],
  [400, 'ru'],
  [1366, 'en'],
  [1366, 'ru'],
] as const)('admin: settings take effect at %i px, %s (browser)', (width, lang) => {
  let h: Harness;
  const dialogs: string[] = [];
  beforeAll(async () => {
    h = await openHarness({ now: NOW, seed: seedDemo, browserNow: NOW, viewport: { width, height: 900 } });
    h.page.on('dialog', (d: Dialog) => {
      dialogs.push(`${d.type()}:${d.message()}`);
      void d.dismiss();
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('adds a date with kind and note, warns before leaving, saves and applies the change', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=${lang}`);
    await page.locator('#tab-calendar').click();
    await page.locator('#add-date-date').fill('2026-06-16');
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
    const job = await h.server.jobs.status('job-1');
    expect(job).toMatchObject({ state: 'done', reason: 'settings', total: n });
    expect(n).toBeGreaterThan(0);
    expect((await h.server.store.getSettings()).calendar.overrides).toContainEqual({
      date: '2026-06-16',
      kind: 'day-off',
      note: TEXT[lang].note,
    });
    expect(await sideScroll(page)).toBe(false);
  });

  it('the dashboard says when the clocks were recomputed', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/gadget/?lang=${lang}`);
    const line = await waitText(page, '[data-testid=recomputed-at]', (s) => s !== '');
    expect(line).toContain(TEXT[lang].recomputed);
    expect(line).toContain('2026');
    expect(await sideScroll(page)).toBe(false);
  });

  it('closing the page with unsaved edits asks the browser to confirm', async () => {
    const { page } = h;
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
