/**
 * The issue panel's history (the SLA ledger's timeline, issue #11) in a real browser, in English and
 * Russian. SUP-111: incident, failure, impact high, operation, registered Wed 2026-06-10 10:00 Moscow
 * with urgency high → level 5 (critical), 8 working hours: 10:00–13:00 and 14:00–18:00 = 7 h on the
 * 10th, 9:00–10:00 on Thu 11th → due Thu 2026-06-11 10:00. At 11:00 on the 10th alice lowers the urgency
 * to medium → level 4 (high), 16 working hours from the registration: 7 h on Wed, 7 h on Thu 11th (the
 * shortened day before Russia Day), Fri 12th a holiday, the weekend, 9:00–11:00 on Mon 15th → due Mon
 * 2026-06-15 11:00. No reaction: breached at 11:00; an administrator waives it at 12:00 (backend clock).
 * Recorded through the app (onIssueChange, waiveBreach) on the in-memory store.
 */
import type { MemoryJira, MemoryStore } from '../../../src/adapters/memory';
import { onIssueChange } from '../../../src/app/issue-change';
import { waiveBreach } from '../../../src/app/ledger';
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, openHarness, screenshot, text, waitText, type Harness } from './helpers';

async function seed(ctx: { jira: MemoryJira; store: MemoryStore; now: number }): Promise<void> {
  await seedDemo(ctx);
  ctx.jira.add({
    id: '10111',
    key: 'SUP-111',
    project: 'SUP',
    issueType: 'Incident',
    inputs: {
      registeredAt: '2026-06-10T10:00:00+03:00',
      impact: 'high',
      urgency: 'medium',
      mode: 'operation',
      nature: 'failure',
      summary: 'Payments stall at checkout',
      history: [
        { field: 'urgency', from: 'high', to: 'medium', at: '2026-06-10T11:00:00+03:00', by: 'alice' },
      ],
    },
  });
  ctx.jira.add({
    id: '10131',
    key: 'SUP-131',
    project: 'SUP',
    issueType: 'Bug',
    inputs: {
      registeredAt: '2026-05-25T10:00:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      workaround: 'none',
      estimateAt: '2026-05-25T12:00:00+03:00',
      agreedDeadline: '2026-06-11',
      resolvedAt: '2026-06-10T15:00:00+03:00',
      summary: 'Reports export empty files',
    },
    statusCategory: 'done',
  });
  const deps = { jira: ctx.jira, store: ctx.store, clock: () => ctx.now };
  await onIssueChange(deps, 'SUP-111');
  await onIssueChange(deps, 'SUP-131');
  await waiveBreach(deps, '10111', 'reaction', { by: 'admin', reason: 'customer outage' });
}

describeBrowser('issue panel history (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed,
      timezoneId: 'Europe/Moscow',
      viewport: { width: 760, height: 900 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const lines = () => h.page.locator('[data-testid=history] li').allTextContents();

  it('lists the input change, the moved deadline, the breach and the waiver (English)', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=SUP-111&lang=en`);
    await page.locator('[data-testid=history] li').first().waitFor();
    expect(await text(page, '[data-testid=history] h2')).toBe('History');
    expect(await lines()).toEqual([
      '10 Jun 2026, 10:00 Registered',
      '10 Jun 2026, 10:00 Priority in force — level 5 · Critical',
      '10 Jun 2026, 10:00 Deadline · Reaction — 11 Jun 2026, 10:00 (from registration)',
      '10 Jun 2026, 11:00 Input changed — Urgency: High → Medium (alice)',
      '10 Jun 2026, 11:00 Priority in force — level 4 · High',
      '10 Jun 2026, 11:00 Deadline · Reaction — 15 Jun 2026, 11:00 (inputs changed)',
      '15 Jun 2026, 11:00 Breached · Reaction — deadline 15 Jun 2026, 11:00, priority 4 · High',
      '15 Jun 2026, 12:00 Breach waived · Reaction — reason: customer outage (admin)',
    ]);
    // The breach line is marked as one.
    expect(await page.locator('[data-testid=history] li.rg-history-breach').count()).toBe(1);
    // The clock's card shows the breach and its waiver beside it.
    expect(await text(page, '[data-testid=breach-reaction]')).toBe('15 Jun 2026, 11:00, priority 4 · High');
    expect(await text(page, '[data-testid=waived-reaction]')).toBe(
      'reason: customer outage (admin, 15 Jun 2026, 12:00)',
    );
    await screenshot(page, 'panel-history-en');
    expect(h.errors).toEqual([]);
  });

  it('reads the same history in Russian', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Русский' }).click();
    expect(await waitText(page, '[data-testid=history] h2', (s) => s === 'История')).toBe('История');
    expect(await lines()).toEqual([
      '10 июн. 2026, 10:00 Зарегистрировано',
      '10 июн. 2026, 10:00 Действующий приоритет — уровень 5 · Критический',
      '10 июн. 2026, 10:00 Срок · Реакция — до 11 июн. 2026, 10:00 (от регистрации)',
      '10 июн. 2026, 11:00 Изменён параметр — Срочность: было «Высокая», стало «Средняя» (alice)',
      '10 июн. 2026, 11:00 Действующий приоритет — уровень 4 · Высокий',
      '10 июн. 2026, 11:00 Срок · Реакция — до 15 июн. 2026, 11:00 (изменились параметры)',
      '15 июн. 2026, 11:00 Срок нарушен · Реакция — срок 15 июн. 2026, 11:00, приоритет 4 · Высокий',
      '15 июн. 2026, 12:00 Нарушение снято · Реакция — причина: customer outage (admin)',
    ]);
    expect(await text(page, '[data-testid=breach-reaction]')).toBe(
      '15 июн. 2026, 11:00, приоритет 4 · Высокий',
    );
    expect(await text(page, '[data-testid=waived-reaction]')).toBe(
      'причина: customer outage (admin, 15 июн. 2026, 12:00)',
    );
    await screenshot(page, 'panel-history-ru');
    expect(h.errors).toEqual([]);
  });

  // SUP-131: critical error registered Mon 2026-05-25 10:00; 10 working days from Tue 26 May → Mon
  // 2026-06-08 18:00 (standard); agreed date Thu 11 June (a shortened day: ends 17:00); fixed Wed 10
  // June 15:00 — after the standard deadline (breached, an exception to the 80 %), before the agreed one.
  it("shows an error's standard breach and, apart, that its agreed date was kept", async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=SUP-131&lang=en`);
    await page.locator('[data-clock=fix]').waitFor();
    expect(await text(page, '[data-testid=due-fix]')).toBe(
      '11 Jun 2026, 17:00 Calendar time (Europe/Moscow)',
    );
    expect(await text(page, '[data-testid=standard-due-fix]')).toBe('8 Jun 2026, 18:00');
    expect(await text(page, '[data-testid=agreed-fix]')).toBe('kept');
    expect(await text(page, '[data-testid=breach-fix]')).toMatch(
      /^8 Jun 2026, 18:00, priority 10 · Critical$/,
    );
    expect(await page.locator('[data-testid=waived-fix]').count()).toBe(0);
    // An error's priority in the history is a score, not a level.
    expect((await lines())[1]).toBe('25 May 2026, 10:00 Priority in force — score 10 · Critical');
    await page.getByRole('button', { name: 'Русский' }).click();
    expect(await waitText(page, '[data-testid=agreed-fix]', (s) => s !== 'kept')).toBe('соблюдён');
    expect(await text(page, '[data-testid=standard-due-fix]')).toBe('8 июн. 2026, 18:00');
    expect(await text(page, '[data-testid=breach-fix]')).toMatch(
      /^8 июн\. 2026, 18:00, приоритет 10 · Критический$/,
    );
    expect((await lines())[1]).toBe('25 мая 2026, 10:00 Действующий приоритет — балл 10 · Критический');
    await screenshot(page, 'panel-agreed-ru');
    expect(h.errors).toEqual([]);
  });
});
