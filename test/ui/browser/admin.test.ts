/**
 * The admin page in a real browser: an invalid matrix cell shows its problem at once and blocks
 * saving; a valid edit saves; marking a date in the calendar grid (by click and by keyboard) changes
 * the previewed deadline; not-confirmed years are marked; the webhook secret and recompute work; the
 * language switch switches the labels.
 *
 * Preview sample = SPEC §8 example 1: incident, failure, high/high, operation, registered Friday
 * 2026-03-06 16:30 Moscow → 8 working hours: 1.5 h on Friday, Monday 9 March is a day off (8 March
 * moved), 6.5 h on Tuesday → due 2026-03-10 16:30. With 10 March made a holiday: due Wednesday 11 March
 * 16:30; with 11 March a holiday too: Thursday 12 March 16:30.
 */
import { NOW, seedDemo } from './fixtures';
import {
  activeDate,
  describeBrowser,
  openHarness,
  screenshot,
  text,
  waitText,
  type Harness,
} from './helpers';

const PREVIEW_DUE = '[data-testid=preview-result] [data-testid=due-reaction]';

describeBrowser('admin page (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedDemo,
      browserNow: NOW,
      viewport: { width: 1280, height: 900 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('previews SPEC example 1 with the saved policy and calendar', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    expect(await text(page, PREVIEW_DUE)).toBe('10 Mar 2026, 16:30 Calendar time (Europe/Moscow)');
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(true); // nothing changed yet
    await screenshot(page, 'admin-en');
  });

  it("shows an invalid matrix cell's problem at once, marks the cell and blocks saving", async () => {
    const { page } = h;
    const cell = page.locator('[data-path="incident.matrix.high.low"]');
    await cell.fill('7');
    expect(await text(page, '[data-testid=problems]')).toBe(
      '1 problem must be fixed before saving' + 'The level of High × Low must be a whole number from 1 to 5.',
    );
    expect(await cell.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[aria-invalid=true]').count()).toBe(1);
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(true);
    expect(await text(page, '[data-testid=preview-result]')).toBe('Fix the problems above to see a preview.');
    // a second problem is listed beside the first
    await page.locator('[data-path="error.matrix.high.high.0"]').fill('11');
    expect(await waitText(page, '[data-testid=problems] strong', (s) => s.startsWith('2'))).toBe(
      '2 problems must be fixed before saving',
    );
    await screenshot(page, 'admin-problems-en');
    // the backend's validatePolicy is asked too, with the typed value
    const askedWith7 = () =>
      h.server.calls.some(
        (c) =>
          c.name === 'validatePolicy' &&
          (c.payload as { policy: { incident: { matrix: { high: { low: unknown } } } } }).policy.incident
            .matrix.high.low === 7,
      );
    for (let i = 0; i < 100 && !askedWith7(); i++) await page.waitForTimeout(50);
    expect(askedWith7()).toBe(true);
    await page.locator('[data-path="error.matrix.high.high.0"]').fill('9');
    await cell.fill('3');
    await page.locator('[data-testid=problems]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(false);
  });

  it('saves a valid edit', async () => {
    const { page } = h;
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    expect(h.server.store.settings.policy.incident.matrix.high.low).toBe(3);
    expect(h.server.store.settings.policy.preset).toBe('custom');
  });

  it('marks a date in the calendar by click, which moves the previewed deadline', async () => {
    const { page } = h;
    await page.getByRole('tab', { name: 'Calendar' }).click();
    const day = page.locator('[data-date="2026-03-10"]');
    expect(await day.getAttribute('data-kind')).toBe('workday');
    expect(await page.getAttribute('[data-date="2026-03-09"]', 'data-kind')).toBe('day-off');
    await day.click();
    await page.waitForSelector('[data-date="2026-03-10"][data-own=true][data-kind=holiday]');
    expect(await waitText(page, PREVIEW_DUE, (s) => !s.startsWith('10 Mar'))).toBe(
      '11 Mar 2026, 16:30 Calendar time (Europe/Moscow)',
    );
    expect(await page.locator('[data-testid=own-dates] li').allTextContents()).toEqual([
      '10 Mar 2026 — Holiday Remove',
    ]);
    expect(await day.getAttribute('aria-label')).toBe('10 Mar 2026: Holiday (own date)');
  });

  it('is operable by keyboard: one tab stop into the grid, arrows move, Enter sets, focus is visible', async () => {
    const { page } = h;
    await page.locator('#cal-year').focus();
    await page.keyboard.press('Tab'); // "Next year"
    await page.keyboard.press('Tab'); // the grid's one tab stop: the date last focused
    expect(await activeDate(page)).toBe('2026-03-10');
    await page.keyboard.press('ArrowRight');
    expect(await activeDate(page)).toBe('2026-03-11');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-date="2026-03-11"][data-own=true][data-kind=holiday]');
    expect(await waitText(page, PREVIEW_DUE, (s) => !s.startsWith('11 Mar'))).toBe(
      '12 Mar 2026, 16:30 Calendar time (Europe/Moscow)',
    );
    // Enter again cycles the own kind: holiday → day off
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-date="2026-03-11"][data-own=true][data-kind=day-off]');
    await page.keyboard.press('ArrowDown');
    expect(await activeDate(page)).toBe('2026-03-18');
    await screenshot(page, 'admin-calendar-en');
  });

  it('marks 2027 (secondary sources) and 2031 (statutory rule) as not confirmed', async () => {
    const { page } = h;
    await page.locator('#cal-year').selectOption('2027');
    await page.waitForSelector('[data-testid=year-status][data-status=secondary]');
    expect(await text(page, '[data-testid=year-status]')).toMatch(
      /^Not confirmed Secondary sources: not confirmed · Source: /,
    );
    await page.locator('#cal-year').selectOption('2031');
    await page.waitForSelector('[data-testid=year-status][data-status=statutory-rule]');
    expect(await text(page, '[data-testid=year-status]')).toContain('Statutory rule (Labour Code art. 112)');
    await page.locator('#cal-year').selectOption('2026');
    await page.waitForSelector('[data-testid=year-status][data-status=official]');
  });

  it('saves the own dates with the calendar', async () => {
    const { page } = h;
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    expect(h.server.store.settings.calendar.overrides).toEqual([
      { date: '2026-03-10', kind: 'holiday' },
      { date: '2026-03-11', kind: 'day-off' },
    ]);
  });

  it('saves who is support staff (issue #12 item 7) from the Mapping tab', async () => {
    const { page } = h;
    await page.getByRole('tab', { name: 'Mappings' }).click();
    expect(await text(page, '#h-staff')).toBe('Support staff (who reacts)');
    await page.locator('#staff-groups').fill('support-l1, support-l2');
    await page.locator('#staff-roles').fill('Service Desk Team');
    await page.locator('#staff-automation').fill('jira-bot');
    await page
      .getByLabel('On Service Management projects, the service desk’s agents are support staff')
      .uncheck();
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    expect(h.server.store.settings.supportStaff).toEqual({
      groups: ['support-l1', 'support-l2'],
      projectRoles: ['Service Desk Team'],
      serviceDeskAgents: false,
      automationUsers: ['jira-bot'],
    });
  });

  it('rotates the webhook secret (shown once) and recomputes every issue with progress', async () => {
    const { page } = h;
    await page.getByRole('tab', { name: 'Maintenance' }).click();
    expect(await text(page, '[data-testid=secret-state]')).toBe('No secret is set: webhooks are refused.');
    await page.getByRole('button', { name: 'Generate a new secret' }).click();
    const secret = await text(page, '[data-testid=secret]');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(h.server.store.settings.webhookSecret).toBe(secret);
    expect(await text(page, '[data-testid=secret-state]')).toBe('A secret is set.');
    await page.getByRole('button', { name: 'Recompute all' }).click();
    await page.waitForSelector('[data-testid=recompute][data-state=done]');
    const done = await text(page, '[data-testid=recompute]');
    expect(done).toMatch(/^Done: (\d+) of \1 recomputed\.$/);
    expect(Number(/(\d+)/.exec(done)![1])).toBe(h.server.jira.issues.size);
    expect(h.errors).toEqual([]);
  });

  it('switches the labels to Russian', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    await page.getByRole('button', { name: 'Русский' }).click();
    await page.getByRole('tab', { name: 'Политика' }).waitFor();
    expect(await text(page, 'h1')).toBe('Настройки SLA');
    expect(await text(page, '#h-incident')).toBe('Приоритет инцидента (п. 4.6)');
    // the saved own dates are in force: 10 and 11 March are off
    expect(await waitText(page, PREVIEW_DUE, (s) => s.includes('мар'))).toBe(
      '12 мар. 2026, 16:30 Время календаря (Europe/Moscow)',
    );
    await page.locator('[data-path="incident.reactionHours.5"]').fill('100');
    expect(await text(page, '[data-testid=problems] li')).toBe(
      'Более высокий приоритет не может получать больше времени: у уровня 5 — 100 ч, у уровня 4 — 16 ч.',
    );
    await page.locator('[data-path="incident.reactionHours.5"]').fill('8');
    await page.locator('[data-testid=problems]').waitFor({ state: 'detached' });
    await screenshot(page, 'admin-ru');
    await page.getByRole('tab', { name: 'Календарь' }).click();
    await page.waitForSelector('[data-date="2026-03-10"]');
    await screenshot(page, 'admin-calendar-ru');
  });
});

describeBrowser('admin page for a non-administrator (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: NOW, seed: seedDemo, isAdmin: false, browserNow: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the settings read-only with Save disabled', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    expect(await text(page, '.rg-banner-info')).toBe(
      'You can view the settings; only an administrator can change them.',
    );
    expect(await page.locator('[data-path="incident.matrix.high.low"]').getAttribute('readonly')).toBe('');
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(true);
  });
});
