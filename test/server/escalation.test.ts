/**
 * Escalation in the self-hosted service, end to end: a Jira DC webhook in → the inbox → the worker →
 * the app's onIssueChange / onVersionChange → the Jira DC REST v2 adapter → the fake Data Center.
 * Settings are saved through the service's own API (POST /api/saveSettings, with the admin token);
 * time is the service's injected clock.
 */
import * as fs from 'node:fs';
import { sign } from '../../src/server/signature';
import { incidentIssue, startFakeJira, type FakeJira } from './fake-jira';
import { ADMIN_JSON, manualClock, service, tempDir, type TestService } from './helpers';

const JIRA_SECRET = 'jira-webhook-secret';

/** A signed Jira webhook, with Jira's delivery id header when given. */
function jiraWebhook(body: unknown, delivery?: string) {
  const payload = JSON.stringify(body);
  return {
    method: 'POST',
    url: '/webhooks/jira',
    payload,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': sign(JIRA_SECRET, payload),
      ...(delivery ? { 'x-atlassian-webhook-identifier': delivery } : {}),
    },
  };
}

const issueUpdated = (key: string, timestamp: number) => ({
  timestamp,
  webhookEvent: 'jira:issue_updated',
  issue_event_type_name: 'issue_updated',
  issue: { id: String(10000 + Number(key.split('-')[1])), key, fields: {} },
  changelog: { id: String(timestamp), items: [{ field: 'summary' }] },
});

const versionReleased = (timestamp: number) => ({
  timestamp,
  webhookEvent: 'jira:version_released',
  version: { id: 10500, projectId: 10000, name: '6.0.1', released: true },
});

const ASSIGNEE = { name: 'ivanov', key: 'ivanov', displayName: 'Иван Петров' };

describe('self-hosted service: escalation on Jira Data Center', () => {
  let dir: string;
  let jira: FakeJira;
  let svc: TestService;
  // SPEC §8 example 1: registered Friday 2026-03-06 16:30 MSK, priority 5, reaction due Tuesday
  // 2026-03-10 16:30. On Wednesday noon, with no reaction, the reaction clock is breached.
  const clock = manualClock('2026-03-11T12:00:00+03:00');

  const start = () =>
    service(
      dir,
      {
        jira: {
          url: jira.url,
          token: 'pat-secret-token',
          webhookSecret: JIRA_SECRET,
          fields: {},
          createFields: true,
          timeoutMs: 2000,
          retries: 0,
        },
      },
      { now: clock.now },
    );

  const saveSettings = async (edit: unknown) => {
    const res = await svc.inject({
      method: 'POST',
      url: '/api/saveSettings',
      payload: JSON.stringify(edit),
      headers: ADMIN_JSON,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  };
  const commentsOn = () => saveSettings({ escalation: { projects: { SUP: { comments: true } } } });

  /** Delivers a webhook and runs the worker until nothing is due; returns the HTTP answer. */
  const deliver = async (body: unknown, delivery?: string) => {
    const res = await svc.inject(jiraWebhook(body, delivery));
    expect(res.statusCode).toBe(202);
    await svc.worker.drain();
    return res.json() as { accepted: boolean; event: { id: string; duplicate: boolean } };
  };

  const labelsOf = (key: string) => jira.issues.get(key)!.fields.labels as string[] | undefined;

  beforeEach(async () => {
    dir = tempDir();
    clock.set(Date.parse('2026-03-11T12:00:00+03:00'));
    jira = await startFakeJira();
    jira.now = clock.now;
    jira.issues.set('SUP-1', incidentIssue('SUP-1', { assignee: ASSIGNEE }));
    svc = await start();
  });
  afterEach(async () => {
    await svc.close();
    await jira.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a breached incident with comments on: one wiki-markup comment to the assignee and the label; none on redelivery or a later event', async () => {
    await commentsOn();
    const first = await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    expect(first.event.duplicate).toBe(false);
    expect(svc.inbox.counts()).toMatchObject({ done: 1, failed: 0, pending: 0 });

    expect(jira.comments).toHaveLength(1);
    const [comment] = jira.comments;
    expect(comment!.key).toBe('SUP-1');
    expect(comment!.internal).toBe(false); // SUP is no service desk here: an ordinary comment
    // Russian (the default language), the assignee mentioned by user name, the deadline in MSK and
    // the working time overdue: Tue 16:30–18:00 and Wed 09:00–12:00 = 4 h 30 min.
    expect(comment!.body).toBe(
      '[~ivanov]: срок реакции по SUP-1 нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 4 ч 30 мин рабочего времени.',
    );
    expect(labelsOf('SUP-1')).toEqual(['sla-breached']);
    expect(await svc.store.listNotices!('SUP-1')).toEqual(['reaction:breached']);

    // The same delivery again: the inbox knows its id.
    const again = await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    expect(again.event.duplicate).toBe(true);
    // The same delivery once its processed key has been pruned (past retention): processed again,
    // and the notice's claim holds.
    expect(svc.inbox.prune(clock.now() + 1)).toBe(1);
    const replayed = await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    expect(replayed.event.duplicate).toBe(false);
    // A different, later event for the same issue (a day on, still no reaction).
    clock.advance(24 * 3_600_000);
    await deliver(issueUpdated('SUP-1', 1773306000000), 'delivery-2');
    expect(svc.inbox.counts()).toMatchObject({ done: 2, failed: 0, pending: 0 });

    expect(jira.comments).toHaveLength(1);
    // The comment shows on the issue as the service's own: it is not taken for a reaction.
    expect(jira.issues.get('SUP-1')!.fields.comment).toMatchObject({
      comments: [{ author: { name: 'reglament' }, created: '2026-03-11T09:00:00.000+0000' }],
    });
    expect(await svc.store.getSlaRecord('SUP-1')).toMatchObject({ state: 'breached', doneAt: null });
    // The label was written once; nothing differs afterwards.
    const labelEdits = jira.puts().filter((c) => JSON.stringify(c.body).includes('"labels"'));
    expect(labelEdits).toHaveLength(1);
  });

  it("in the project's language, naming and notifying the configured group", async () => {
    await saveSettings({
      escalation: { projects: { SUP: { comments: true, language: 'en', group: 'support-leads' } } },
    });
    await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    expect(jira.comments.map((c) => c.body)).toEqual([
      '[~ivanov], support-leads: the reaction time of SUP-1 is breached — it was due 10 March 2026, 16:30 (Europe/Moscow), 4 h 30 min of working time ago.',
    ]);
    const notify = jira.calls.filter((c) => c.path === '/rest/api/2/issue/SUP-1/notify');
    expect(notify).toHaveLength(1);
    expect(notify[0]!.body).toMatchObject({ to: { groups: [{ name: 'support-leads' }] } });
  });

  it('a breached incident with comments off (the default): the label, no comment, nothing claimed', async () => {
    await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    clock.advance(3_600_000);
    await deliver(issueUpdated('SUP-1', 1773223200000), 'delivery-2');

    expect(svc.inbox.counts()).toMatchObject({ done: 2, failed: 0 });
    expect(jira.comments).toEqual([]);
    expect(jira.calls.filter((c) => c.path.endsWith('/comment'))).toEqual([]);
    expect(labelsOf('SUP-1')).toEqual(['sla-breached']);
    expect(await svc.store.listNotices!('SUP-1')).toEqual([]);
  });

  describe('an error linked to an incident is fixed', () => {
    const link = (key: string, issueType: string, outward = true) => ({
      type: { name: 'Relates' },
      [outward ? 'outwardIssue' : 'inwardIssue']: {
        key,
        fields: { issuetype: { name: issueType }, status: { statusCategory: { key: 'new' } } },
      },
    });

    beforeEach(() => {
      jira.issues.set(
        'SUP-3',
        incidentIssue('SUP-3', { assignee: ASSIGNEE, issuelinks: [link('SUP-7', 'Bug', false)] }),
      );
      jira.issues.set(
        'SUP-7',
        incidentIssue('SUP-7', {
          summary: 'Отчёт падает на пустом периоде',
          issuetype: { id: '10002', name: 'Bug' },
          created: '2026-03-09T10:00:00.000+0300',
          fixVersions: [{ id: '10500', name: '6.0.1' }],
          issuelinks: [link('SUP-3', 'Incident')],
        }),
      );
      jira.versions.set('SUP', [{ id: '10500', name: '6.0.1', releaseDate: '2026-03-20', released: false }]);
    });

    const fixComments = () => jira.comments.filter((c) => c.body.includes('SUP-7'));

    it('its fix version released (version webhook): the incident is told once, naming the patch; not on redelivery or the next events', async () => {
      // The error changes while its version is unreleased: nothing to tell.
      await deliver(issueUpdated('SUP-7', 1773219600000), 'd-error-1');
      expect(fixComments()).toEqual([]);

      clock.set(Date.parse('2026-03-20T15:00:00+03:00'));
      jira.versions.get('SUP')![0]!.released = true;
      await deliver(versionReleased(1773997200000), 'd-version-1');
      expect(svc.inbox.counts()).toMatchObject({ failed: 0, pending: 0 });
      expect(fixComments()).toEqual([
        {
          key: 'SUP-3',
          body: 'Ошибка SUP-7, связанная с вашим обращением SUP-3, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).',
          internal: false,
        },
      ]);
      expect(await svc.store.listNotices!('SUP-3')).toContain('fixed:SUP-7:6.0.1');

      // Redelivery (same id), the same delivery after its key was pruned, another version event, and
      // an event on the error: the claim holds.
      expect((await deliver(versionReleased(1773997200000), 'd-version-1')).event.duplicate).toBe(true);
      svc.inbox.prune(clock.now() + 1);
      expect((await deliver(versionReleased(1773997200000), 'd-version-1')).event.duplicate).toBe(false);
      await deliver(
        { ...versionReleased(1773997300000), webhookEvent: 'jira:version_updated' },
        'd-version-2',
      );
      await deliver(issueUpdated('SUP-7', 1773997400000), 'd-error-2');
      expect(svc.inbox.counts()).toMatchObject({ failed: 0, pending: 0 });
      expect(fixComments()).toHaveLength(1);
    });

    it('resolved without a fix version: the incident is told once; none on redelivery', async () => {
      const error = jira.issues.get('SUP-7')!;
      error.fields.fixVersions = [];
      error.fields.resolutiondate = '2026-03-12T11:00:00.000+0300';
      error.fields.status = { id: '6', name: 'Closed' };
      clock.set(Date.parse('2026-03-12T11:05:00+03:00'));

      await deliver(issueUpdated('SUP-7', 1773302700000), 'd-error-1');
      expect(fixComments()).toEqual([
        {
          key: 'SUP-3',
          body: 'Ошибка SUP-7, связанная с вашим обращением SUP-3, исправлена.',
          internal: false,
        },
      ]);
      svc.inbox.prune(clock.now() + 1);
      await deliver(issueUpdated('SUP-7', 1773302700000), 'd-error-1');
      await deliver(issueUpdated('SUP-7', 1773302800000), 'd-error-2');
      expect(svc.inbox.counts()).toMatchObject({ failed: 0, pending: 0 });
      expect(fixComments()).toHaveLength(1);
    });
  });

  it('notices survive a restart: a new service on the same data dir posts nothing again', async () => {
    await commentsOn();
    await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1');
    expect(jira.comments).toHaveLength(1);

    await svc.close();
    svc = await start(); // a new process: new adapter (no memory), the same SQLite file
    // The same delivery id is still known to the inbox…
    expect((await deliver(issueUpdated('SUP-1', 1773219600000), 'delivery-1')).event.duplicate).toBe(true);
    // …and a later event is processed, the notice found claimed in the store.
    clock.advance(3_600_000);
    await deliver(issueUpdated('SUP-1', 1773223200000), 'delivery-2');
    expect(svc.inbox.counts()).toMatchObject({ done: 2, failed: 0, pending: 0 });
    expect(jira.comments).toHaveLength(1);
    expect(await svc.store.listNotices!('SUP-1')).toEqual(['reaction:breached']);
    expect(labelsOf('SUP-1')).toEqual(['sla-breached']);
  });
});
