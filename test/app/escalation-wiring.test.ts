/**
 * The escalation steps wired into the event use cases and the API: the sweep (labels and comments per
 * issue, a failure that does not stop it, versions read once per project), a released version telling
 * the incidents of its errors (§5.2), the visit date checked on an issue event (§2.7), and the API
 * calls (settings, actions). In-memory ports; times as in SPEC §8 example 1 (reaction due Tue 10 Mar
 * 16:30 MSK, at risk from 14:30).
 */
import { MemoryJira, MemoryLog, MemoryStore } from '../../src/adapters/memory';
import { createApi } from '../../src/app/api';
import { onIssueChange, onVersionChange, sweep } from '../../src/app/issue-change';
import type { Settings, SlaRecordRow } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import { errorIssue, incidentIssue, settings } from '../support/builders';

function deps(opts: { now?: string; settings?: Settings; admin?: boolean } = {}) {
  let now = parseInstant(opts.now ?? '2026-03-10T12:00:00+03:00');
  return {
    jira: new MemoryJira(() => now),
    store: new MemoryStore(opts.settings ?? settings()),
    clock: () => now,
    log: new MemoryLog(),
    isAdmin: async () => opts.admin ?? false,
    setNow: (iso: string) => {
      now = parseInstant(iso);
    },
  };
}

/** A stored record due at once (as a sweep finds one whose next change has come). */
const record = (key: string): SlaRecordRow => ({
  key,
  project: 'SUP',
  kind: 'incident',
  class: null,
  priority: null,
  registeredAt: '2026-03-06T16:30:00+03:00',
  due: null,
  doneAt: null,
  agreed: false,
  state: null,
  verificationDue: null,
  estimateAt: null,
  summary: null,
  verdictJson: '{}',
  updatedAt: '2026-03-06T16:30:00+03:00',
});

const commentsOn = (): Settings => settings({ escalation: { projects: { SUP: { comments: true } } } });
const IVAN = { accountId: 'acc-ivan', displayName: 'Иван Петров' };

describe('sweep: escalation per issue', () => {
  it('labels and announces each at-risk issue once; a failed comment does not stop the sweep', async () => {
    // Registered by their events while running; the sweep finds them due at 14:30 (at risk).
    const d = deps({ now: '2026-03-10T12:00:00+03:00', settings: commentsOn() });
    const issues = [1, 2, 3].map(() => d.jira.add({ ...incidentIssue(), assignee: IVAN, labels: [] }));
    for (const i of issues) await onIssueChange(d, i.key);
    d.setNow('2026-03-10T15:00:00+03:00');
    d.jira.failComments = 1; // the first issue's comment fails
    const first = await sweep(d);
    expect(first).toMatchObject({
      issues: 3,
      written: 3,
      labelsChanged: 2, // the failed issue's label was set too, but its steps count as failed
      noticesPosted: 2,
      escalationFailed: 1,
    });
    expect(issues.map((i) => i.labels)).toEqual([['sla-at-risk'], ['sla-at-risk'], ['sla-at-risk']]);
    expect(d.jira.comments.map((c) => c.key)).toEqual([issues[1]!.key, issues[2]!.key]);
    expect(d.store.notices.get(issues[0]!.key)?.size ?? 0).toBe(0); // claim given back
    expect(d.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'escalation failed', data: expect.anything() }),
    );
    // The next event on the failed issue (or its breach, the next instant the sweep reads it) posts the
    // missing notice, and only that one.
    await onIssueChange(d, issues[0]!.key);
    expect(d.jira.comments.map((c) => c.key).sort()).toEqual(issues.map((i) => i.key).sort());
    expect(d.jira.comments.every((c) => c.body.mentions[0] === 'acc-ivan')).toBe(true);
  });

  it('reads a project’s versions once per sweep for the requests that name one (§2.9.4)', async () => {
    const d = deps();
    d.jira.versions.set('SUP', [
      { name: '5.0', releaseDate: '2025-06-02', released: true },
      { name: '6.0', releaseDate: '2026-02-02', released: true },
    ]);
    const old = [1, 2, 3].map(() => d.jira.add({ ...incidentIssue(), affectsVersions: ['5.0'] }));
    const current = d.jira.add({ ...incidentIssue(), affectsVersions: ['6.0'] });
    // Stored as the sweep would have left them (due now, nothing written yet).
    for (const i of [...old, current]) await d.store.upsertSlaRecord({ ...record(i.key), nextChangeMs: 0 });
    expect(await sweep(d)).toMatchObject({ issues: 4, labelsChanged: 3 });
    expect(d.jira.calls.listVersions).toBe(1);
    expect(old.map((i) => i.labels)).toEqual([
      ['sla-version-not-current'],
      ['sla-version-not-current'],
      ['sla-version-not-current'],
    ]);
    expect(current.labels).toBeUndefined(); // never edited
  });
});

describe('onVersionChange: a released fix version (§5.2)', () => {
  it('tells each incident linked to the errors fixed in it, once', async () => {
    const d = deps({ now: '2026-03-20T19:00:00+03:00' });
    d.jira.versions.set('SUP', [{ name: '6.0.1', releaseDate: '2026-03-20', released: false }]);
    const bug = d.jira.add({
      ...errorIssue({ inputs: { resolvedAt: '2026-03-12T10:00:00+03:00' } }),
      fixVersions: ['6.0.1'],
      statusCategory: 'done',
    });
    const a = d.jira.add(incidentIssue());
    const b = d.jira.add(incidentIssue());
    d.jira.links.push(
      { type: 'Relates', from: bug.key, to: a.key },
      { type: 'Relates', from: b.key, to: bug.key },
    );

    // resolved, but the version has not shipped: nothing to tell yet
    expect(await onVersionChange(d, { projectId: 'SUP', versionId: '6.0.1' })).toMatchObject({
      fixNotices: 0,
    });
    expect(d.jira.comments).toEqual([]);

    d.jira.versions.get('SUP')![0]!.released = true;
    expect(await onVersionChange(d, { projectId: 'SUP', versionId: '6.0.1' })).toMatchObject({
      fixNotices: 2,
    });
    expect(d.jira.comments.map((c) => [c.key, c.body.audience, c.body.text])).toEqual([
      [
        a.key,
        'customer',
        `Ошибка ${bug.key}, связанная с вашим обращением ${a.key}, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).`,
      ],
      [
        b.key,
        'customer',
        `Ошибка ${bug.key}, связанная с вашим обращением ${b.key}, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).`,
      ],
    ]);
    // the version event redelivered, and the error's own update: nothing more
    await onVersionChange(d, { projectId: 'SUP', versionId: '6.0.1' });
    expect((await onIssueChange(d, bug.key)).escalation?.fixed).toMatchObject({
      notified: [],
      already: [a.key, b.key],
    });
    expect(d.jira.comments).toHaveLength(2);
  });

  it('reads nothing from the store for an open error that is not fixed', async () => {
    const d = deps();
    const bug = d.jira.add(errorIssue());
    const outcome = await onIssueChange(d, bug.key);
    expect(outcome.escalation).toMatchObject({ fixed: null, visit: null });
    expect(d.store.noticeCalls).toEqual({ list: 0, claim: 0, release: 0 });
  });
});

describe('onIssueChange: the on-site visit date (§2.7)', () => {
  it('comments the notice once when a visit is requested too close, and nothing when it is far enough', async () => {
    // requested Thu 30 Apr 2026 15:00 MSK for Fri 8 May: 4 working days (1–3 May off), 5 required
    const d = deps({ now: '2026-04-30T15:05:00+03:00' });
    const issue = d.jira.add({
      ...incidentIssue(),
      visit: { date: '2026-05-08', requestedAt: '2026-04-30T15:00:00+03:00' },
    });
    expect((await onIssueChange(d, issue.key)).escalation?.visit).toEqual({
      date: '2026-05-08',
      ok: false,
      commented: true,
    });
    expect(d.jira.comments).toEqual([
      {
        key: issue.key,
        body: expect.objectContaining({
          audience: 'customer',
          code: 'visit-notice-too-short',
          text: 'Выезд специалиста на 8 мая 2026 запрошен за 4 рабочих дня, а регламент (п. 2.7) требует запрашивать его не менее чем за 5 рабочих дней. Ближайшая возможная дата — 9 мая 2026 (ближайший рабочий день — 12 мая 2026).',
        }),
      },
    ]);
    // redelivered: the notice was given
    expect((await onIssueChange(d, issue.key)).escalation?.visit).toMatchObject({ commented: false });
    expect(d.jira.comments).toHaveLength(1);

    // moved to Tue 12 May: enough notice, nothing posted and the store not read
    issue.visit = { date: '2026-05-12', requestedAt: '2026-04-30T15:20:00+03:00' };
    const claims = d.store.noticeCalls.claim;
    expect((await onIssueChange(d, issue.key)).escalation?.visit).toEqual({
      date: '2026-05-12',
      ok: true,
      commented: false,
    });
    expect(d.store.noticeCalls.claim).toBe(claims);
    expect(d.jira.comments).toHaveLength(1);
  });
});

describe('API: escalation settings and actions', () => {
  it('saveSettings validates escalation settings, listing every problem', async () => {
    const d = deps({ admin: true });
    const api = createApi(d);
    const bad = await api.saveSettings({
      escalation: {
        defaults: { comments: 'yes' as unknown as boolean },
        projects: { SUP: { language: 'de' as 'ru', visitNoticeDays: -1 } },
      },
    });
    expect(bad).toEqual({
      ok: false,
      errors: [
        { path: 'escalation.defaults.comments', message: 'must be true or false' },
        { path: 'escalation.projects.SUP.language', message: 'must be "ru" or "en"' },
        {
          path: 'escalation.projects.SUP.visitNoticeDays',
          message: 'must be a whole number of working days from 0 to 60',
        },
      ],
    });
    expect(d.store.calls.saveSettings).toBe(0);
    expect(await api.saveSettings({ escalation: { projects: { sup: { comments: true } } } })).toEqual({
      ok: true,
    });
    expect(d.store.settings.escalation?.projects).toEqual({ SUP: { comments: true } });
    expect(d.store.settings.escalation?.defaults).toMatchObject({ comments: false, language: 'ru' });
  });

  it('registerError creates, links and evaluates the error at once; splitRequest evaluates each part', async () => {
    const d = deps();
    const api = createApi(d);
    const incident = d.jira.add(incidentIssue({ inputs: { impact: 'medium', urgency: 'high' } }));
    const r = await api.registerError({ key: incident.key, workaround: 'none' });
    expect(r).toMatchObject({ errorKey: 'SUP-90001', commented: true });
    // medium/high → 8, operation, no workaround: 8 (high); verification 5 working days from Tue 10 Mar
    expect(d.jira.issues.get('SUP-90001')!.shown).toMatchObject({
      slaPriority: 8,
      slaState: 'running',
      verificationDue: '2026-03-17T18:00:00+03:00',
    });
    const split = await api.splitRequest({
      key: incident.key,
      parts: [{ summary: 'Печать' }, { summary: 'Вопрос по отчёту', nature: 'question' }],
    });
    expect(split.created.map((c) => d.jira.issues.get(c.key)!.shown.slaPriority)).toEqual([4, 2]);
    await expect(api.splitRequest({ key: incident.key } as never)).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(api.checkVisit({ visitDate: '2026-05-08', comment: true })).rejects.toThrow(
      'a comment needs the key',
    );
    expect((await api.checkVersion({ key: incident.key })).check).toEqual({ status: 'not-stated' });
  });
});
