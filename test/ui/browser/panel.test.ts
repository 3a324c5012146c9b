/**
 * The issue panel in a real browser: the clock of SUP-101 (fixtures.ts: registered Monday
 * 2026-06-15 10:00 Moscow, critical, 8 working hours → due Tuesday 10:00 Moscow = 16:00 Tokyo; at
 * 12:00 two hours are used, 6:00 left), in the viewer's zone and the calendar's, the breakdown in
 * both languages, and the warning of an issue with inputs missing.
 */
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, openHarness, screenshot, text, waitText, type Harness } from './helpers';

describeBrowser('issue panel (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedDemo,
      timezoneId: 'Asia/Tokyo',
      viewport: { width: 760, height: 700 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the reaction clock: deadline in both zones, time left, rule, state', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=SUP-101&lang=en`);
    expect(await text(page, '[data-testid=due-reaction]')).toBe(
      '16 Jun 2026, 10:00 Calendar time (Europe/Moscow)',
    );
    expect(await text(page, '[data-testid=due-viewer-reaction]')).toBe(
      '16 Jun 2026, 16:00 Your time (Asia/Tokyo)',
    );
    expect(await text(page, '[data-testid=left-reaction]')).toBe('6 h');
    expect(await text(page, '[data-testid=state-reaction]')).toBe('Running');
    expect(await text(page, '[data-testid=rule-reaction]')).toBe(
      'Reaction time: 8 working hours from registration (§4.7)',
    );
    expect(await text(page, '[data-testid=priority]')).toBe('Level 5 · Critical');
    expect(await page.locator('[data-testid=breakdown] li').allTextContents()).toEqual([
      'Base: urgency High × impact High = 5',
    ]);
    expect(await page.locator('[data-clock]').count()).toBe(1);
    await screenshot(page, 'panel-en');
    expect(h.errors).toEqual([]);
  });

  it('speaks Russian after the switch, translating the breakdown by its codes', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Русский' }).click();
    expect(await waitText(page, '[data-testid=priority]', (s) => s.startsWith('Уровень'))).toBe(
      'Уровень 5 · Критический',
    );
    expect(await page.locator('[data-testid=breakdown] li').allTextContents()).toEqual([
      'База: срочность «Высокая» × воздействие «Высокая» = 5',
    ]);
    expect(await text(page, '[data-testid=due-reaction]')).toBe(
      '16 июн. 2026, 10:00 Время календаря (Europe/Moscow)',
    );
    expect(await text(page, '[data-testid=state-reaction]')).toBe('Идёт');
    await screenshot(page, 'panel-ru');
  });

  it("shows an error's verification and fix clocks with the rule and version", async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=SUP-201&lang=en`);
    await page.locator('[data-clock=fix]').waitFor();
    expect(
      await page.locator('[data-clock]').evaluateAll((els) => els.map((e) => e.getAttribute('data-clock'))),
    ).toEqual(['verification', 'fix']);
    // linked incident in operation lifts the mode: 8 (high × medium, upper end), no modifiers → high
    expect(await text(page, '[data-testid=priority]')).toBe('Score 8 · High');
    expect(await page.locator('[data-testid=breakdown] li').allTextContents()).toEqual([
      'Usage mode raised by a linked incident: Implementation → Operation',
      'Base: urgency Medium × impact High = 7–8, upper end: 8',
    ]);
    expect(await text(page, '[data-testid=rule-fix]')).toBe(
      '15 working days or the next update, whichever is later (§5.6.2) · Version 5.2.1',
    );
    await screenshot(page, 'panel-error-en');
  });

  it('warns about missing inputs instead of guessing', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=SUP-301&lang=ru`);
    expect(await text(page, '[data-code=incomplete]')).toBe(
      'Не заполнены: Срочность, Режим использования, Обходной путь. Приоритет и сроки появятся после заполнения.',
    );
    expect(await page.locator('[data-clock]').count()).toBe(0);
  });

  it('asks for a key when there is none', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?lang=en`);
    expect(await text(page, '[role=alert]')).toBe('No issue key: open this page with ?key=ISSUE-1');
    expect(h.errors).toEqual([]);
  });
});
