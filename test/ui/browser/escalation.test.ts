/**
 * Escalation screens in a real browser (fixtures.ts `seedEscalation`): the issue panel of a breached
 * incident (SLA label, §2.9.4 warning, §2.7 check) with escalation comments on, the issue actions
 * "Register error" (one error even on a double click) and "Split request" (two linked requests), and
 * the admin page's Escalation tab (comments on for a project, saved; an invalid visit notice shown by
 * path and blocking Save).
 */
import { NOW, seedEscalation } from './fixtures';
import { describeBrowser, openHarness, screenshot, text, waitText, type Harness } from './helpers';

describeBrowser('issue panel of a breached issue (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedEscalation,
      timezoneId: 'Europe/Moscow',
      viewport: { width: 760, height: 700 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the breached lozenge, the label for JQL, the overdue time and the version warning', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=HD-7&lang=en`);
    expect(await text(page, '[data-testid=state-reaction]')).toBe('Breached');
    expect(await text(page, '[data-testid=due-reaction]')).toBe(
      '11 Jun 2026, 10:00 Calendar time (Europe/Moscow)',
    );
    expect(await text(page, '[data-testid=left-reaction]')).toBe('1 working day 1 h');
    expect(await text(page, '[data-testid=sla-labels]')).toBe('SLA labelsBreached sla-breached');
    expect(await page.locator('[data-testid=sla-labels] [data-label]').count()).toBe(1);
    expect(await text(page, '[data-testid=version-warning]')).toBe(
      'Not the current version' +
        'The request is about version 5.0, and support covers the current version 6.0 (released 2 February 2026) only (§2.9.4 of the regulation). Other versions are supported only by a separate written agreement.',
    );
    // reading the panel posts nothing, even with comments on for HD
    expect(h.server.jira.comments).toEqual([]);
    await screenshot(page, 'issue-breached-en');
    expect(h.errors).toEqual([]);
  });

  it('checks a proposed visit date against the calendar (§2.7), in the viewer’s language', async () => {
    const { page } = h;
    await page.locator('[data-testid=visit] summary').click();
    await page.locator('#visit-date').fill('2026-06-19');
    await page.locator('[data-testid=visit-submit]').click();
    expect(await text(page, '[data-testid=visit-proposed]')).toBe(
      'Not enough notice' +
        'The on-site visit on 19 June 2026 was requested 3 working days ahead, and the regulation (§2.7) requires at least 5 working days. The earliest possible date is 23 June 2026.',
    );
    expect(await page.getAttribute('[data-testid=visit-proposed]', 'data-ok')).toBe('false');
    await screenshot(page, 'panel-visit-en');
    await page.locator('#visit-date').fill('2026-06-23');
    await page.locator('[data-testid=visit-submit]').click();
    expect(await waitText(page, '[data-testid=visit-proposed]', (s) => s.startsWith('The visit'))).toBe(
      'The visit on 23 Jun 2026 is requested with enough notice: at least 5 working days.',
    );
    expect(h.server.jira.comments).toEqual([]); // a proposed date is only checked, never posted
  });

  it('speaks Russian: the breached lozenge, the label, the warning', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=HD-7&lang=ru`);
    expect(await text(page, '[data-testid=state-reaction]')).toBe('Нарушена');
    expect(await text(page, '[data-testid=sla-labels]')).toBe('Метки SLAНарушен sla-breached');
    expect(await text(page, '[data-testid=version-warning]')).toMatch(
      /^Не текущая версияОбращение относится к версии 5\.0, а техническая поддержка оказывается только для текущей версии 6\.0 \(выпуск 2 февраля 2026\)/,
    );
    await screenshot(page, 'issue-breached-ru');
    expect(h.errors).toEqual([]);
  });

  it('shows no SLA label and no warning for an issue within its deadline', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/panel/?key=HD-8&lang=en`);
    expect(await text(page, '[data-testid=state-reaction]')).toBe('Running');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-testid=sla-labels]').count()).toBe(0);
    expect(await page.locator('[data-testid=version-warning]').count()).toBe(0);
    expect(h.server.calls.filter((c) => c.name === 'checkVersion').map((c) => c.payload)).toContainEqual({
      key: 'HD-8',
    });
  });
});

describeBrowser('issue actions (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: NOW, seed: seedEscalation, viewport: { width: 760, height: 640 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers one error from an incident, even on a double click, and shows its key', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/issue-actions/?action=register-error&key=HD-8&lang=en`);
    expect(await text(page, 'h1')).toBe('Register error · HD-8');
    await page.locator('#reg-summary').fill('Export to PDF loses the stamp');
    await page.locator('#reg-workaround').selectOption('moderate');
    expect(await page.locator('#reg-workaround option').allTextContents()).toEqual([
      'None',
      'Moderately acceptable',
      'Fully acceptable',
    ]);
    await screenshot(page, 'issue-actions-register-en');
    await page.locator('[data-testid=submit]').dblclick();
    const key = await text(page, '[data-testid=created-key]');
    const { created, links, comments } = h.server.jira;
    expect(created).toHaveLength(1);
    expect(created[0]!.key).toBe(key);
    expect(key).toMatch(/^HD-\d+$/);
    expect(created[0]!.issue).toMatchObject({
      project: 'HD',
      issueType: 'Bug',
      summary: 'Export to PDF loses the stamp',
      inputs: { impact: 'medium', urgency: 'low', mode: 'operation', workaround: 'moderate' },
    });
    expect(links).toEqual([{ type: 'Relates', from: key, to: 'HD-8' }]);
    expect(comments.map((c) => [c.key, c.body.text])).toEqual([
      [
        'HD-8',
        `Error ${key} has been registered from your request HD-8. It is fixed separately (§5.2 of the regulation); we will let you know when it is fixed.`,
      ],
    ]);
    expect(await text(page, '[data-testid=register-result]')).toBe(
      `Error ${key} is registered and linked to HD-8.` + 'The customer was told in a comment on HD-8.',
    );
    expect(h.server.calls.filter((c) => c.name === 'registerError')).toHaveLength(1);
    // the result takes the focus (keyboard and screen-reader users land on it)
    expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-testid')")).toBe(
      'register-result',
    );
    await screenshot(page, 'issue-actions-register-done-en');
    expect(h.errors).toEqual([]);
  });

  it('splits a request into two by keyboard, each classified on its own, and shows both keys', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/issue-actions/?action=split-request&key=HD-8&lang=en`);
    // an empty summary is refused before anything is sent, every problem at once
    await page.getByRole('button', { name: 'Add a part' }).click();
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('part-2-summary');
    await page.locator('[data-testid=submit]').click();
    expect(await text(page, '[data-testid=problems]')).toBe(
      '2 problems must be fixed first' + 'Part 1: enter a summary.' + 'Part 2: enter a summary.',
    );
    expect(h.server.calls.filter((c) => c.name === 'splitRequest')).toHaveLength(0);
    await page.locator('[data-testid=part-summary-1]').fill('Export to PDF loses the stamp');
    await page.locator('[data-testid=part-summary-2]').focus();
    await page.keyboard.type('How to add a user?');
    await page.keyboard.press('Tab'); // impact
    await page.keyboard.press('Tab'); // urgency
    await page.keyboard.press('Tab'); // usage mode
    await page.keyboard.press('Tab'); // nature
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('part-2-nature');
    await page.locator('[data-testid=part-nature-2]').selectOption('question');
    await page.locator('[data-testid=part-impact-1]').selectOption('high');
    expect(await text(page, '[data-testid=submit]')).toBe('Create 2 requests');
    await screenshot(page, 'issue-actions-split-form-en');
    await page.locator('[data-testid=part-summary-2]').press('Enter'); // submits the form
    await page.locator('[data-testid=split-result]').waitFor();
    const keys = await page.locator('[data-testid=created-key]').allTextContents();
    const { created, links } = h.server.jira;
    const split = created.slice(-2);
    expect(keys).toEqual(split.map((c) => c.key));
    expect(split.map((c) => [c.issue.summary, c.issue.inputs])).toEqual([
      [
        'Export to PDF loses the stamp',
        { impact: 'high', urgency: 'low', mode: 'operation', nature: 'failure' },
      ],
      ['How to add a user?', { impact: 'medium', urgency: 'low', mode: 'operation', nature: 'question' }],
    ]);
    expect(links.slice(-2)).toEqual(keys.map((k) => ({ type: 'Relates', from: 'HD-8', to: k })));
    expect(await text(page, '[data-testid=split-result] .rg-result-main')).toBe(
      '2 requests are created from HD-8:',
    );
    await screenshot(page, 'issue-actions-split-en');
    expect(h.errors).toEqual([]);
  });

  it('speaks Russian and names an unknown action', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/issue-actions/?action=split-request&key=HD-8&lang=ru`);
    expect(await text(page, 'h1')).toBe('Разделить обращение · HD-8');
    expect(await text(page, '[data-testid=submit]')).toBe('Создать 1 обращение');
    expect(await page.locator('[data-testid=part-impact-1] option').allTextContents()).toEqual([
      'Как в обращении',
      'Высокая',
      'Средняя',
      'Низкая',
    ]);
    await page.goto(`${h.server.url}/ui/issue-actions/?action=close-all&key=HD-8&lang=en`);
    expect(await text(page, '[role=alert]')).toBe(
      'Unknown action: open this page with ?action=register-error or ?action=split-request',
    );
  });

  it('shows the backend’s refusal as is', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/issue-actions/?action=register-error&key=NOPE-1&lang=en`);
    await page.locator('[data-testid=submit]').click();
    expect(await text(page, '[data-testid=failed]')).toBe(
      'Not done: issue NOPE-1 is not an incident or error in scope',
    );
    expect(await page.locator('[data-testid=submit]').isDisabled()).toBe(false); // may try again
  });
});

describeBrowser('admin page: escalation (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: NOW, browserNow: NOW, viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('turns escalation comments on for one project and saves it', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    await page.getByRole('tab', { name: 'Escalation' }).click();
    expect(await page.locator('[data-path="escalation.defaults.comments"]').inputValue()).toBe('false');
    await page.getByRole('button', { name: 'Add a project' }).click();
    expect(await page.evaluate<string>('document.activeElement.id')).toMatch(/^esc-key-/);
    await page.keyboard.type('sup');
    const comments = page.locator('[data-path="escalation.projects.SUP.comments"]');
    expect(await comments.locator('option').allTextContents()).toEqual(['As default (Off)', 'On', 'Off']);
    await comments.selectOption('true');
    await page.locator('[data-path="escalation.projects.SUP.language"]').selectOption('en');
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    const saved = h.server.store.settings.escalation;
    expect(saved?.projects).toEqual({ SUP: { comments: true, language: 'en' } });
    expect(saved?.defaults).toMatchObject({ comments: false, language: 'ru', visitNoticeDays: 5 });
    await screenshot(page, 'admin-escalation-en');
    expect(h.errors).toEqual([]);
  });

  it('shows an invalid visit notice by its place, blocks Save, and goes to the field', async () => {
    const { page } = h;
    const days = page.locator('[data-path="escalation.projects.SUP.visitNoticeDays"]');
    await days.fill('61');
    await page.locator('[data-path="escalation.defaults.errorLinkType"]').fill('');
    expect(await text(page, '[data-testid=problems]')).toBe(
      '2 problems must be fixed before saving' +
        'All projects · Link type: error → incident: enter the name of a Jira link type' +
        'Project SUP · On-site visit notice, working days (§2.7): must be a whole number of working days from 0 to 60',
    );
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(true);
    // from another tab, the problem's link leads back to the field
    await page.getByRole('tab', { name: 'Policy' }).click();
    await page.locator('[data-testid=problems] li button').nth(1).click();
    await days.waitFor();
    expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-path')")).toBe(
      'escalation.projects.SUP.visitNoticeDays',
    );
    await days.fill('3');
    await page.locator('[data-path="escalation.defaults.errorLinkType"]').fill('Relates');
    await page.locator('[data-testid=problems]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=save]').isDisabled()).toBe(false);
  });

  it('shows problems the backend returns, by path, all at once', async () => {
    const { page } = h;
    // Another administrator's session saved a document this page would not produce: the backend's
    // answer is listed as it comes (the page's own check runs the same validator first).
    const r = await h.server.api.saveSettings({
      escalation: { defaults: { language: 'de' }, projects: { SUP: { visitNoticeDays: 0.5 } } } as never,
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        { path: 'escalation.defaults.language', message: 'must be "ru" or "en"' },
        {
          path: 'escalation.projects.SUP.visitNoticeDays',
          message: 'must be a whole number of working days from 0 to 60',
        },
      ],
    });
    await page.route('**/api/saveSettings', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(r) }),
    );
    await page.locator('[data-testid=save]').click();
    expect(await text(page, '[data-testid=problems]')).toBe(
      '2 problems must be fixed before saving' +
        'All projects · Language of the comments: not an allowed value (must be "ru" or "en")' +
        'Project SUP · On-site visit notice, working days (§2.7): must be a whole number of working days from 0 to 60',
    );
    await page.unroute('**/api/saveSettings');
  });

  it('speaks Russian', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=ru`);
    await page.getByRole('tab', { name: 'Эскалация' }).click();
    expect(await text(page, '#h-esc')).toBe('Эскалация и информирование заказчика');
    expect(await page.locator('[data-path="escalation.projects.SUP.comments"]').inputValue()).toBe('true');
    expect(
      await page.locator('[data-path="escalation.projects.SUP.visitNoticeDays"]').getAttribute('placeholder'),
    ).toBe('5');
    await screenshot(page, 'admin-escalation-ru');
    expect(h.errors).toEqual([]);
  });
});
