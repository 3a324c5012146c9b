import { createApi } from '../../src/app/api';
import { onIssueChange } from '../../src/app/issue-change';
import { discoverDefaults } from '../../src/app/settings';
import { handleGenericWebhook, signBody } from '../../src/app/webhook';
import { clonePolicy, DEFAULT_POLICY } from '../../src/domain/policy';
import { errorIssue, incidentIssue, memoryDeps } from '../support/builders';

describe('createApi', () => {
  it('saveSettings: admins only, every problem reported at once', async () => {
    const agent = createApi(memoryDeps({ admin: false }));
    expect(await agent.saveSettings({ setDueDate: true })).toEqual({
      ok: false,
      errors: [{ path: '', message: expect.stringMatching(/administrator/) }],
    });
    const deps = memoryDeps({ admin: true });
    const api = createApi(deps);
    const policy = clonePolicy(DEFAULT_POLICY);
    (policy.incident.reactionHours as Record<number, number>)[5] = -1;
    const r = await api.saveSettings({
      policy,
      calendar: { ...deps.store.settings.calendar, zone: 'Mars/Olympus' },
      issueTypes: { incident: ['Bug'], error: ['Bug'] },
      projects: ['not a key'],
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['policy.incident.reactionHours.5', 'calendar.zone', 'issueTypes', 'projects']),
    );
    expect(deps.store.calls.saveSettings).toBe(0);
    expect(await api.saveSettings({ setDueDate: true, projects: ['sup'] })).toEqual({ ok: true });
    expect(deps.store.settings).toMatchObject({ setDueDate: true, projects: ['SUP'] });
  });

  it('getSettings hides the webhook secret; rotateWebhookSecret is admin-only', async () => {
    const deps = memoryDeps({ admin: true });
    const api = createApi(deps);
    const { secret } = await api.rotateWebhookSecret({});
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const view = await api.getSettings({});
    expect(view).toMatchObject({ webhookSecretSet: true, canEdit: true });
    expect(JSON.stringify(view)).not.toContain(secret);
    await expect(createApi(memoryDeps({ admin: false })).rotateWebhookSecret({})).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('getIssueSla evaluates the issue now; listIssues orders open ones by deadline', async () => {
    const deps = memoryDeps();
    const a = deps.jira.add(incidentIssue());
    const b = deps.jira.add(incidentIssue({ inputs: { urgency: 'medium' } })); // level 4, later deadline
    await onIssueChange(deps, b.key);
    await onIssueChange(deps, a.key);
    const api = createApi(deps);
    const view = await api.getIssueSla({ key: a.key });
    expect(view.verdict?.reaction).toMatchObject({
      due: '2026-03-10T16:30:00+03:00',
      state: 'running',
      usedMinutes: 270,
    });
    expect((await api.listIssues({})).map((i) => i.key)).toEqual([a.key, b.key]);
  });

  it('getIssueSla gives the issue page its context: summary, type, project, reporter, registration (issue #15)', async () => {
    const deps = memoryDeps();
    const a = deps.jira.add(
      incidentIssue({
        inputs: {
          summary: 'VPN drops every hour',
          contacts: { reporter: { name: 'Anna Petrova', email: 'anna@example.com' } },
        },
      }),
    );
    const view = await createApi({
      ...deps,
      issueUrl: (k) => `https://jira.example.com/browse/${k}`,
    }).getIssueSla({
      key: a.key,
    });
    expect(view.issue).toEqual({
      summary: 'VPN drops every hour',
      issueType: a.issueType,
      kind: 'incident',
      project: a.project,
      reporter: 'Anna Petrova',
      registeredAt: a.inputs.registeredAt,
      url: `https://jira.example.com/browse/${a.key}`,
      links: [],
    });
    // an issue the ticket system does not answer for has no context (the stored verdict only)
    expect((await createApi(deps).getIssueSla({ key: 'NOPE-1' })).issue).toBeUndefined();
  });

  it('getIssueSla names the linked issues on both sides of the link (issue #15)', async () => {
    const deps = memoryDeps();
    const a = deps.jira.add(incidentIssue());
    const e = deps.jira.add(errorIssue());
    await deps.jira.linkIssues({ type: 'Relates', from: e.key, to: a.key });
    const api = createApi(deps);
    expect((await api.getIssueSla({ key: a.key })).issue!.links).toEqual([{ key: e.key, type: 'Relates' }]);
    expect((await api.getIssueSla({ key: e.key })).issue!.links).toEqual([{ key: a.key, type: 'Relates' }]);
  });

  it('getCompliance counts errors against the 80% target', async () => {
    const deps = memoryDeps({ now: '2026-06-30T12:00:00+03:00' });
    // critical errors: 10 working days from registration; fixed on time or late
    for (let i = 0; i < 5; i++) {
      const late = i === 0;
      const bug = deps.jira.add(
        errorIssue({
          inputs: {
            urgency: 'high',
            workaround: 'none',
            registeredAt: '2026-03-02T10:00:00+03:00',
            resolvedAt: late ? '2026-04-20T12:00:00+03:00' : '2026-03-05T12:00:00+03:00',
            estimateAt: '2026-03-03T10:00:00+03:00',
          },
        }),
      );
      await onIssueChange(deps, bug.key);
    }
    const view = await createApi(deps).getCompliance({ from: '2026-03-01', to: '2026-06-30' });
    expect(view.errors.overall).toMatchObject({
      counted: 5,
      onTime: 4,
      late: 1,
      share: 0.8,
      meetsTarget: true,
      budget: 0,
    });
    expect(view.trend.map((t) => t.month)).toEqual(['2026-03', '2026-04', '2026-05', '2026-06']);
  });

  it('getCalendarYear shows 2026 with the March 9 day off and 247 working days', async () => {
    const y = await createApi(memoryDeps()).getCalendarYear({ year: 2026 });
    expect(y.days.find((d) => d.date === '2026-03-09')).toMatchObject({
      working: false,
      kind: 'day-off',
      minutes: 0,
    });
    expect(y.days.find((d) => d.date === '2026-03-06')).toMatchObject({
      working: true,
      kind: 'workday',
      minutes: 480,
    });
    expect(y.months.reduce((n, m) => n + m.workingDays, 0)).toBe(247);
  });

  it('preview validates the policy and evaluates SPEC §8 example 2 (1 planned, 80 h)', async () => {
    const api = createApi(memoryDeps());
    const bad = await api.preview({
      policy: { preset: 'x' },
      snapshot: {} as never,
      now: '2026-03-10T12:00:00+03:00',
    });
    expect(bad.ok).toBe(false);
    const r = await api.preview({
      policy: clonePolicy(DEFAULT_POLICY),
      now: '2026-03-10T12:00:00+03:00',
      snapshot: {
        key: 'X-1',
        kind: 'incident',
        registeredAt: '2026-03-06T16:30:00+03:00',
        impact: 'medium',
        urgency: 'high',
        mode: 'implementation',
        nature: 'question',
      },
    });
    expect(r.ok && r.verdict.priority).toMatchObject({ value: 1, class: 'planned' });
  });
});

describe('discoverDefaults', () => {
  it('maps issue types by their usual ru/en names and standard priorities', async () => {
    const deps = memoryDeps();
    deps.jira.issueTypes = [
      { id: '1', name: 'Инцидент' },
      { id: '2', name: 'Ошибка' },
      { id: '3', name: 'Задача' },
    ];
    deps.jira.priorities = ['Highest', 'High', 'Medium', 'Low', 'Lowest'].map((name, i) => ({
      id: String(i),
      name,
    }));
    const s = await discoverDefaults(deps.jira);
    expect(s.issueTypes).toEqual({ incident: ['Инцидент'], error: ['Ошибка'] });
    expect(s.priorityMap.incident).toMatchObject({ '5': 'Highest', '1': 'Lowest' });
    expect(s.priorityMap.error).toMatchObject({ critical: 'Highest', planned: 'Lowest' });
  });
});

describe('handleGenericWebhook', () => {
  const body = JSON.stringify({
    key: 'EXT-1',
    kind: 'incident',
    registeredAt: '2026-03-06T16:30:00+03:00',
    impact: 'high',
    urgency: 'high',
    mode: 'operation',
    nature: 'failure',
  });

  it('answers the verdict for a correctly signed snapshot and keeps its record', async () => {
    const deps = memoryDeps();
    deps.store.settings.webhookSecret = 's3cret';
    const r = await handleGenericWebhook(
      { headers: { 'X-Hub-Signature-256': [signBody('s3cret', body)] }, body },
      deps,
    );
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body).verdict.reaction.due).toBe('2026-03-10T16:30:00+03:00');
    expect(deps.store.records.get('EXT-1')).toMatchObject({ project: 'EXT', class: 'critical' });
  });

  it('rejects a bad signature, a missing secret and a non-snapshot', async () => {
    const deps = memoryDeps();
    expect((await handleGenericWebhook({ headers: {}, body }, deps)).statusCode).toBe(503);
    deps.store.settings.webhookSecret = 's3cret';
    expect(
      (
        await handleGenericWebhook(
          { headers: { 'x-hub-signature-256': signBody('other', body) }, body },
          deps,
        )
      ).statusCode,
    ).toBe(401);
    const junk = '{"key":1}';
    expect(
      (
        await handleGenericWebhook(
          { headers: { 'x-hub-signature-256': signBody('s3cret', junk) }, body: junk },
          deps,
        )
      ).statusCode,
    ).toBe(400);
    expect(deps.store.records.size).toBe(0);
  });
});
