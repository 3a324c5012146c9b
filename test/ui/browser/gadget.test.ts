/**
 * The compliance gadget in a real browser: the figures a person sees match the data set behind it
 * (fixtures.ts works them out by hand), the trend has the 12 months, the lists link to the issues,
 * the edit view saves its configuration, and the language switch switches the labels.
 */
import { NOW, seedDemo, TREND_ERRORS } from './fixtures';
import { describeBrowser, openHarness, screenshot, text, waitText, type Harness } from './helpers';

describeBrowser('compliance gadget (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedDemo,
      browserNow: NOW,
      viewport: { width: 1000, height: 900 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows June 2026: errors 80 % (8 of 10, amber, budget 0), incidents 95 % (19 of 20, budget 3)', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/gadget/?lang=en`);
    expect(await text(page, '[data-testid=share-errors]')).toBe('80%');
    expect(await text(page, '[data-testid=counted-errors]')).toBe('8 of 10 on time');
    expect(await text(page, '[data-testid=budget-errors]')).toBe('0 more late fixes possible this period');
    expect(await page.getAttribute('[data-testid=status-errors]', 'data-status')).toBe('amber');
    expect(await text(page, '[data-testid=share-incidents]')).toBe('95%');
    expect(await text(page, '[data-testid=counted-incidents]')).toBe('19 of 20 on time');
    expect(await text(page, '[data-testid=budget-incidents]')).toBe(
      '3 more late reactions possible this period',
    );
    expect(await page.getAttribute('[data-testid=status-incidents]', 'data-status')).toBe('green');
    expect(await text(page, '[data-testid=scope]')).toContain('1 Jun 2026 – 30 Jun 2026');
    // by class, errors: critical 3/3, high 3/4, medium 2/3
    const rows = await page.locator('[data-kind=errors] tbody tr').allTextContents();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'Critical33100%',
      'High3475%',
      'Medium2366.7%',
    ]);
    // what the gadget asked for
    const periods = h.server.calls.filter((c) => c.name === 'getCompliance').map((c) => c.payload);
    expect(periods).toEqual(
      expect.arrayContaining([
        { from: '2026-06-01', to: '2026-06-30' },
        { from: '2025-07-01', to: '2026-06-30' },
      ]),
    );
    expect(h.errors).toEqual([]);
  });

  it('draws the 12-month trend with the target line, one bar per month', async () => {
    const { page } = h;
    const months = await page
      .locator('[data-testid=trend] g[data-month]')
      .evaluateAll((gs) =>
        gs.map((g) => [g.getAttribute('data-month'), g.querySelector('title')?.textContent ?? '']),
      );
    expect(months).toHaveLength(12);
    expect(months[0]![0]).toBe('2025-07');
    expect(months[11]).toEqual(['2026-06', 'June 2026: 80% (8 of 10)']);
    // November 2025: 3 of 6 on time
    const nov = TREND_ERRORS.find(([m]) => m === '2025-11')!;
    expect(nov).toEqual(['2025-11', 6, 3]);
    expect(months.find(([m]) => m === '2025-11')![1]).toBe('November 2025: 50% (3 of 6)');
    expect(await page.locator('[data-testid=trend] .rg-target-line').count()).toBe(1);
    // the same figures as a table for screen readers
    const nov25 = await page.locator('[data-testid=trend-table] tbody tr').nth(4).textContent();
    expect(nov25).toBe('November 202550% (3 of 6 on time)91.7% (11 of 12 on time)');
    expect(await page.title()).toBe('Compliance');
    expect(await page.locator('[data-testid=trend] rect.rg-fill-red').count()).toBe(
      [...TREND_ERRORS.map(([, c, o]) => o / c), 0.8].filter((s) => s < 0.8).length,
    );
  });

  it('lists breached and at-risk issues with links to them', async () => {
    const { page } = h;
    const breached = page.locator('[data-testid=breached] a');
    expect(await breached.allTextContents()).toEqual(['SUP-306']);
    expect(await breached.first().getAttribute('href')).toBe('https://jira.example.com/browse/SUP-306');
    expect(await page.locator('[data-testid=at-risk] a').allTextContents()).toEqual(['SUP-511', 'SUP-510']);
    await screenshot(page, 'gadget-en');
  });

  it('switches the labels to Russian with the language switch, and keeps the figures', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Русский' }).click();
    expect(await waitText(page, '#sum-errors', (s) => s !== 'Errors fixed on time')).toBe(
      'Ошибки, исправленные в срок',
    );
    expect(await text(page, '[data-testid=budget-errors]')).toBe(
      'Можно допустить ещё 0 просрочек в этом периоде',
    );
    expect(await text(page, '[data-testid=budget-incidents]')).toBe(
      'Можно допустить ещё 3 опоздания с реакцией в этом периоде',
    );
    expect(await text(page, '[data-testid=counted-errors]')).toBe('8 из 10 в срок');
    expect((await text(page, '[data-testid=share-errors]')).replace(/\s/g, ' ')).toBe('80 %');
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('ru');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('ru');
    await screenshot(page, 'gadget-ru');
  });

  it("saves the edit view's scope and period in the address (?edit=1)", async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/gadget/?lang=en&edit=1`);
    await page.getByLabel('Project keys, comma-separated (empty: all projects)').fill('SUP');
    await page.getByLabel('Period').selectOption('year');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL((u) => u.searchParams.get('period') === 'year');
    const url = new URL(page.url());
    expect([url.searchParams.get('projects'), url.searchParams.get('edit')]).toEqual(['SUP', null]);
    expect(await waitText(page, '[data-testid=scope]', (s) => s.includes('This year'))).toContain(
      'Projects: SUP · This year · Period: 1 Jan 2026 – 31 Dec 2026',
    );
    const last = h.server.calls.filter((c) => c.name === 'getCompliance').map((c) => c.payload);
    expect(last).toContainEqual({ projects: ['SUP'], from: '2026-01-01', to: '2026-12-31' });
    expect(await page.evaluate<string | null>("localStorage.getItem('reglament.gadget')")).toBe(
      JSON.stringify({ scope: 'projects', projects: ['SUP'], filterId: '', period: 'year' }),
    );
  });

  it('asks for a filter ID before saving a filter scope, reachable by keyboard', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/gadget/?lang=ru&edit=1`);
    await page.getByLabel('Сохранённый фильтр').check();
    await page.getByRole('button', { name: 'Сохранить' }).focus();
    await page.keyboard.press('Enter');
    expect(await text(page, '#filterId-err')).toBe('Укажите ID сохранённого фильтра');
    expect(new URL(page.url()).searchParams.get('edit')).toBe('1');
    expect(h.errors).toEqual([]);
  });
});
