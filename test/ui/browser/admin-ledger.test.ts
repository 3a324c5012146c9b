/**
 * The admin page says, and does, that a settings change does not rewrite recorded breaches (issue
 * #11): in a real browser the reaction time of level 5 goes from 8 to 16 working hours, Save, then
 * "Recompute all". Backend clock Mon 2026-06-15 12:00 Moscow (fixtures.ts).
 *
 * - SUP-121: incident, high/high → level 5, registered Wed 2026-06-10 10:00; 8 h: 7 h on the 10th, 9:00–
 *   10:00 on Thu 11th → due Thu 2026-06-11 10:00, no reaction: breached. Stays breached, due the 11th.
 * - SUP-101 (fixtures.ts): level 5, registered Mon 2026-06-15 10:00, due Tue 16th 10:00, running. With
 *   16 h: 7 h on Monday, 8 h on Tuesday, 9:00–10:00 on Wed 17th → due Wed 2026-06-17 10:00.
 */
import type { MemoryJira, MemoryStore } from '../../../src/adapters/memory';
import { onIssueChange } from '../../../src/app/issue-change';
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, openHarness, text, waitText, type Harness } from './helpers';

async function seed(ctx: { jira: MemoryJira; store: MemoryStore; now: number }): Promise<void> {
  await seedDemo(ctx);
  ctx.jira.add({
    id: '10121',
    key: 'SUP-121',
    project: 'SUP',
    issueType: 'Incident',
    inputs: {
      registeredAt: '2026-06-10T10:00:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      summary: 'Nobody answered in time',
    },
  });
  const deps = { jira: ctx.jira, store: ctx.store, clock: () => ctx.now };
  for (const key of ['SUP-121', 'SUP-101']) await onIssueChange(deps, key);
}

describeBrowser('admin page: a settings change does not rewrite recorded breaches (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: NOW, seed, browserNow: NOW, viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says so beside Save, and a lenient reaction time moves only the running clock', async () => {
    const { page } = h;
    const store = h.server.store;
    expect(await store.getSlaRecord('SUP-121')).toMatchObject({
      state: 'breached',
      due: '2026-06-11T10:00:00+03:00',
    });
    expect(await store.getSlaRecord('SUP-101')).toMatchObject({
      state: 'running',
      due: '2026-06-16T10:00:00+03:00',
    });
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    expect(await text(page, '[data-testid=ledger-note]')).toBe(
      'New settings move the deadlines of running clocks only (at each issue’s next evaluation, or at once with “Recompute all”): breaches already recorded stay recorded (only an administrator’s waiver, with a reason, takes one out of the figure).',
    );
    await page.locator('[data-path="incident.reactionHours.5"]').fill('16');
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    expect(store.settings.policy.incident.reactionHours[5]).toBe(16);
    await page.getByRole('tab', { name: 'Maintenance' }).click();
    await page.getByRole('button', { name: 'Recompute all' }).click();
    await page.waitForSelector('[data-testid=recompute][data-state=done]');

    expect(await store.getSlaRecord('SUP-121')).toMatchObject({
      state: 'breached',
      due: '2026-06-11T10:00:00+03:00',
      priority: 5,
    });
    expect(await store.getSlaRecord('SUP-101')).toMatchObject({
      state: 'running',
      due: '2026-06-17T10:00:00+03:00',
    });
    expect(h.errors).toEqual([]);
  });

  it('says it in Russian', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=ru`);
    expect(await text(page, '[data-testid=ledger-note]')).toBe(
      'Новые настройки сдвигают сроки только идущих часов (при следующем пересчёте задачи или сразу — кнопкой «Пересчитать всё»); уже зафиксированные нарушения остаются (исключить нарушение из показателя может только администратор, указав причину).',
    );
  });
});
