import * as fs from 'node:fs';
import {
  createJiraHttpPort,
  JiraClient,
  JiraHttpError,
  type JiraHttpPort,
} from '../../src/adapters/jira-http';
import { defaultSettings } from '../../src/app/settings';
import { sign } from '../../src/server/signature';
import { FIELD_IDS, incidentIssue, startFakeJira, type FakeJira } from './fake-jira';
import { ADMIN, ADMIN_JSON, manualClock, service, tempDir, type TestService } from './helpers';

const JIRA_SECRET = 'jira-webhook-secret';

function jiraWebhook(
  body: unknown,
  secret: string | null = JIRA_SECRET,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  return {
    method: 'POST',
    url: '/webhooks/jira',
    payload,
    headers: {
      'content-type': 'application/json',
      ...(secret ? { 'x-hub-signature': sign(secret, payload) } : {}),
      ...headers,
    },
  };
}

const updated = (key: string, items: { field: string; fieldId?: string }[] = [{ field: 'summary' }]) => ({
  timestamp: 1773149400000,
  webhookEvent: 'jira:issue_updated',
  issue_event_type_name: 'issue_updated',
  issue: { id: '10001', key, fields: {} },
  changelog: { id: '1', items },
});

describe('Jira Data Center: webhooks in, REST v2 out', () => {
  let dir: string;
  let jira: FakeJira;
  let port: JiraHttpPort;
  let svc: TestService;
  const clock = manualClock('2026-03-10T12:00:00+03:00');
  const sleeps: number[] = [];

  beforeEach(async () => {
    dir = tempDir();
    jira = await startFakeJira();
    jira.issues.set('SUP-1', incidentIssue('SUP-1'));
    clock.set(Date.parse('2026-03-10T12:00:00+03:00'));
    sleeps.length = 0;
    port = createJiraHttpPort({
      baseUrl: jira.url,
      auth: { kind: 'bearer', token: 'pat-secret-token' },
      createFields: true,
      timeoutMs: 2000,
      retries: 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });
    svc = await service(
      dir,
      {
        jira: {
          url: jira.url,
          token: 'pat-secret-token',
          webhookSecret: JIRA_SECRET,
          fields: {},
          createFields: true,
          timeoutMs: 2000,
          retries: 1,
        },
      },
      { jira: port, now: clock.now },
    );
  });
  afterEach(async () => {
    await svc.close();
    await jira.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an issue event is queued (202), then the issue is read, evaluated and only the computed fields are written', async () => {
    const res = await svc.inject(jiraWebhook(updated('SUP-1')));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: true, event: { duplicate: false } });
    expect(jira.calls).toHaveLength(0); // nothing is called before the worker runs
    expect(await svc.worker.drain()).toBe(1);

    const created = jira.calls.filter((c) => c.method === 'POST' && c.path === '/rest/api/2/field');
    expect(created.map((c) => (c.body as { name: string }).name).sort()).toEqual([
      'SLA Agreed deadline',
      'SLA Estimate recorded',
      'SLA Override reason',
      'SLA Priority override',
      'SLA State',
      'SLA Visit date',
    ]);
    expect(created.find((c) => (c.body as { name: string }).name === 'SLA State')?.body).toMatchObject({
      type: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
    });
    const stateField = jira.fields.find((f) => f.name === 'SLA State')!.id;
    const puts = jira.puts();
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toBe('/rest/api/2/issue/SUP-1');
    expect(puts[0]!.auth).toBe('Bearer pat-secret-token');
    expect(puts[0]!.body).toEqual({
      fields: {
        [FIELD_IDS.slaPriority]: 5,
        [stateField]: 'running',
        [FIELD_IDS.reactionDue]: '2026-03-10T16:30:00.000+0300',
      },
    });
    expect(await svc.store.getSlaRecord('SUP-1')).toMatchObject({
      priority: 5,
      due: '2026-03-10T16:30:00+03:00',
      state: 'running',
    });
  });

  it('the sweep searches only the clocks due (key in …) and the never-evaluated issues (SLA State EMPTY)', async () => {
    await svc.inject(jiraWebhook(updated('SUP-1')));
    await svc.worker.drain();
    jira.issues.set('SUP-2', incidentIssue('SUP-2')); // no event reached the service
    const stateField = jira.fields.find((f) => f.name === 'SLA State')!.id.replace('customfield_', '');
    const searches = (from: number) =>
      jira.calls
        .slice(from)
        .filter((c) => c.path === '/rest/api/2/search')
        .map((c) => String((c.body as { jql: string }).jql));
    // 13:00: SUP-1 runs until its at-risk instant (14:30): only the discovery search, which finds SUP-2.
    clock.set(Date.parse('2026-03-10T13:00:00+03:00'));
    let from = jira.calls.length;
    expect(await svc.sweepNow()).toMatchObject({ ok: true });
    expect(searches(from)).toEqual([
      expect.stringMatching(
        new RegExp(`statusCategory != Done AND cf\\[${stateField}\\] is EMPTY ORDER BY key ASC$`),
      ),
    ]);
    expect(await svc.store.getSlaRecord('SUP-2')).toMatchObject({ state: 'running' });
    // 14:31: both are due (at risk): one search for their keys, then the empty discovery search.
    clock.set(Date.parse('2026-03-10T14:31:00+03:00'));
    from = jira.calls.length;
    await svc.sweepNow();
    expect(searches(from)).toEqual([
      expect.stringMatching(/AND key in \("SUP-1", "SUP-2"\) ORDER BY key ASC$/),
      expect.stringContaining('is EMPTY'),
    ]);
    expect(await svc.store.getSlaRecord('SUP-1')).toMatchObject({ state: 'at-risk' });
    // 15:00: nothing is due until the breach (16:30): no key search at all.
    clock.set(Date.parse('2026-03-10T15:00:00+03:00'));
    from = jira.calls.length;
    await svc.sweepNow();
    expect(searches(from)).toEqual([expect.stringContaining('is EMPTY')]);
  });

  it('a redelivered event and our own write coming back cause no second write', async () => {
    await svc.inject(jiraWebhook(updated('SUP-1')));
    await svc.worker.drain();
    // Same event again: the idempotency key (body digest) is known.
    const again = await svc.inject(jiraWebhook(updated('SUP-1')));
    expect(again.json().event.duplicate).toBe(true);
    // The echo of our write: only our output fields changed.
    const echo = await svc.inject(
      jiraWebhook({
        ...updated('SUP-1', [
          { field: 'SLA Priority', fieldId: FIELD_IDS.slaPriority },
          { field: 'SLA State' },
        ]),
        timestamp: 2,
      }),
    );
    expect(echo.json()).toEqual({ accepted: false, ignored: 'own-write' });
    // A real change re-reads the issue; nothing differs, so nothing is written.
    await svc.inject(jiraWebhook({ ...updated('SUP-1'), timestamp: 3 }));
    expect(await svc.worker.drain()).toBe(1);
    expect(jira.puts()).toHaveLength(1);
  });

  it('refuses a Jira event without a valid X-Hub-Signature when a secret is configured', async () => {
    expect((await svc.inject(jiraWebhook(updated('SUP-1'), null))).statusCode).toBe(401);
    const bad = await svc.inject(jiraWebhook(updated('SUP-1'), 'wrong-secret'));
    expect(bad.statusCode).toBe(401);
    expect(bad.json().message).toContain('X-Hub-Signature');
    expect(svc.inbox.counts().pending).toBe(0);
  });

  it('lists every problem of a malformed Jira payload; ignores event types it does not use', async () => {
    const bad = await svc.inject(jiraWebhook({ webhookEvent: 'issuelink_created', issueLink: { id: 5 } }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems).toHaveLength(2);
    expect(bad.json().problems.join('\n')).toMatch(/issueLink\.sourceIssueId/);
    expect(bad.json().problems.join('\n')).toMatch(/issueLink\.destinationIssueId/);
    const other = await svc.inject(jiraWebhook({ webhookEvent: 'project_created', project: {} }));
    expect(other.json()).toEqual({ accepted: false, ignored: 'event type project_created is not used' });
  });

  it('a Jira outage (503) leaves the event queued with backoff; it completes when Jira is back', async () => {
    jira.down = true;
    jira.retryAfter = '3';
    expect((await svc.inject(jiraWebhook(updated('SUP-1')))).statusCode).toBe(202);
    expect(await svc.worker.drain()).toBe(1);
    // The client retried once after Retry-After (3 s), then the inbox took over.
    expect(sleeps).toEqual([3000]);
    let [row] = svc.inbox.list('pending', 10);
    expect(row).toMatchObject({ attempts: 1, status: 'pending' });
    expect(row!.lastError).toBe('Jira GET /rest/api/2/field answered 503: Jira is starting');
    // Backoff: base 1000 ms × 2^0 with jitter 0.5 → 750 ms; not due before.
    expect(row!.nextAttemptMs - clock.now()).toBe(750);
    expect(await svc.worker.drain()).toBe(0);
    clock.advance(750);
    expect(await svc.worker.drain()).toBe(1);
    [row] = svc.inbox.list('pending', 10);
    expect(row).toMatchObject({ attempts: 2 });
    expect(row!.nextAttemptMs - clock.now()).toBe(1500);
    expect(svc.metrics.retried.get({ source: 'jira' })).toBe(2);

    jira.down = false;
    clock.advance(1500);
    expect(await svc.worker.drain()).toBe(1);
    expect(svc.inbox.counts()).toMatchObject({ pending: 0, done: 1, failed: 0 });
    expect(jira.puts()).toHaveLength(1);
    expect(await svc.store.getSlaRecord('SUP-1')).toMatchObject({ priority: 5 });
  });

  it('after the last attempt an event stays failed: visible in /metrics and /admin/inbox, and can be retried', async () => {
    await svc.close();
    svc = await service(
      dir,
      {
        inbox: { maxAttempts: 2 } as never,
        jira: {
          url: jira.url,
          token: 't',
          allowUnsignedWebhooks: true,
          fields: {},
          createFields: true,
          timeoutMs: 2000,
          retries: 0,
        },
      },
      { jira: port, now: clock.now },
    );
    jira.down = true;
    await svc.inject(jiraWebhook(updated('SUP-1'), null));
    await svc.worker.drain();
    clock.advance(10_000);
    await svc.worker.drain();
    expect(svc.inbox.counts()).toMatchObject({ failed: 1, pending: 0 });
    const metrics = (await svc.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('reglament_events_failed_total{source="jira"} 1');
    expect(metrics).toContain('reglament_inbox_events{status="failed"} 1');
    expect(metrics).toContain('reglament_queue_depth 0');
    const list = (await svc.inject({ url: '/admin/inbox?status=failed', headers: ADMIN })).json();
    expect(list.events).toHaveLength(1);
    expect(list.events[0]).toMatchObject({ type: 'issue', subject: 'SUP-1', attempts: 2, status: 'failed' });

    jira.down = false;
    const retry = await svc.inject({
      method: 'POST',
      url: '/admin/inbox/retry',
      payload: '{}',
      headers: ADMIN_JSON,
    });
    expect(retry.json()).toEqual({ requeued: 1 });
    expect(await svc.worker.drain()).toBe(1);
    expect(svc.inbox.counts()).toMatchObject({ failed: 0, done: 1 });
  });

  // Issue #13, 2: a forged jira:issue_deleted deleted the record of an issue that still exists.
  it('a deletion event is applied only after Jira answers 404 for the issue (forged, unsigned events included)', async () => {
    await svc.close();
    svc = await service(
      dir,
      {
        jira: {
          url: jira.url,
          token: 't',
          allowUnsignedWebhooks: true,
          fields: {},
          createFields: true,
          timeoutMs: 2000,
          retries: 0,
        },
      },
      { jira: port, now: clock.now },
    );
    await svc.inject(jiraWebhook(updated('SUP-1'), null));
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-1')).not.toBeNull();
    const forged = await svc.inject(
      jiraWebhook({ webhookEvent: 'jira:issue_deleted', issue: { id: '10001', key: 'SUP-1' } }, null),
    );
    expect(forged.statusCode).toBe(202);
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-1')).not.toBeNull();
    const probe = jira.calls.filter((c) => c.method === 'GET' && c.path === '/rest/api/2/issue/SUP-1');
    expect(probe.length).toBeGreaterThan(0);
    // Jira unreachable: nothing is deleted, the event waits for a retry.
    jira.down = true;
    await svc.inject(
      jiraWebhook({ webhookEvent: 'jira:issue_deleted', issue: { id: '10001', key: 'SUP-1' } }, null, {
        'x-atlassian-webhook-identifier': 'del-2',
      }),
    );
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-1')).not.toBeNull();
    expect(svc.inbox.counts()).toMatchObject({ pending: 1 });
  });

  it('refuses to start with a Jira URL and no webhook secret or token, saying how to set one', async () => {
    await expect(
      service(tempDir(), {
        jira: { url: jira.url, token: 't', fields: {}, createFields: true, timeoutMs: 2000, retries: 0 },
      }),
    ).rejects.toThrow(
      'Jira webhooks must be authenticated when a Jira URL is configured: set REGLAMENT_JIRA_WEBHOOK_SECRET or REGLAMENT_JIRA_WEBHOOK_TOKEN (or REGLAMENT_JIRA_ALLOW_UNSIGNED_WEBHOOKS=true)',
    );
  });

  it('a deleted issue loses its record; a version event recomputes the project', async () => {
    await svc.inject(jiraWebhook(updated('SUP-1')));
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-1')).not.toBeNull();
    jira.issues.delete('SUP-1');
    await svc.inject(
      jiraWebhook({ webhookEvent: 'jira:issue_deleted', issue: { id: '10001', key: 'SUP-1' } }),
    );
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-1')).toBeNull();

    const before = jira.calls.length;
    const res = await svc.inject(
      jiraWebhook({
        webhookEvent: 'jira:version_released',
        version: { id: 10500, projectId: 10000, name: '5.2', released: true },
      }),
    );
    expect(res.statusCode).toBe(202);
    await svc.worker.drain();
    const search = jira.calls.slice(before).find((c) => c.path === '/rest/api/2/search');
    // The app's version scope (its exact quoting is the app's): the project's open errors and the version's.
    const jql = (search?.body as { jql: string }).jql;
    expect(jql).toMatch(/project = "?10000"?/);
    expect(jql).toMatch(/fixVersion = "?10500"?/);
  });

  it('answers 503 to Jira events when no Jira is configured (demo)', async () => {
    const demoDir = tempDir();
    const demo = await service(demoDir, { demo: 'off' });
    try {
      const res = await demo.inject(jiraWebhook(updated('SUP-1'), null));
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('not-configured');
    } finally {
      await demo.close();
      fs.rmSync(demoDir, { recursive: true, force: true });
    }
  });
});

describe('Jira REST client retries', () => {
  const response = (status: number, body = '{}', headers: Record<string, string> = {}) =>
    new Response(status === 204 ? null : body, { status, headers });

  it('honours Retry-After on 429, then succeeds', async () => {
    const answers = [response(429, '{}', { 'retry-after': '7' }), response(200, '{"ok":true}')];
    const sleeps: number[] = [];
    const client = new JiraClient({
      baseUrl: 'http://jira.invalid',
      auth: { kind: 'basic', user: 'bob', password: 'pw' },
      timeoutMs: 1000,
      retries: 3,
      fetch: (async () => answers.shift()!) as typeof fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await expect(client.get('/rest/api/2/myself')).resolves.toEqual({ ok: true });
    expect(sleeps).toEqual([7000]);
    expect(client.requests).toBe(2);
  });

  it('gives up after the bounded retries with a transient error; 4xx is not retried', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const client = new JiraClient({
      baseUrl: 'http://jira.invalid',
      auth: { kind: 'bearer', token: 'x' },
      timeoutMs: 1000,
      retries: 2,
      random: () => 0,
      fetch: (async () => {
        calls += 1;
        return response(503, '{"errorMessages":["down"]}');
      }) as typeof fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const err = await client.get('/rest/api/2/issue/X-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JiraHttpError);
    expect((err as JiraHttpError).transient).toBe(true);
    expect((err as JiraHttpError).message).toBe('Jira GET /rest/api/2/issue/X-1 answered 503: down');
    expect(calls).toBe(3);
    // Backoff without Retry-After: 500 ms × 2^n, half fixed + half jitter (random 0 → the half).
    expect(sleeps).toEqual([250, 500]);

    const forbidden = new JiraClient({
      baseUrl: 'http://jira.invalid',
      auth: { kind: 'bearer', token: 'x' },
      timeoutMs: 1000,
      retries: 2,
      fetch: (async () => response(403, '{"errorMessages":["no permission"]}')) as typeof fetch,
    });
    await expect(forbidden.get('/rest/api/2/issue/X-1')).rejects.toThrow('answered 403: no permission');
  });
});

describe('Jira Data Center adapter: escalation members', () => {
  let jira: FakeJira;
  let port: JiraHttpPort;
  const settings = defaultSettings();

  beforeEach(async () => {
    jira = await startFakeJira();
    port = createJiraHttpPort({
      baseUrl: jira.url,
      auth: { kind: 'basic', user: 'reglament', password: 'pw' },
      createFields: true,
      timeoutMs: 2000,
      retries: 0,
    });
  });
  afterEach(() => jira.close());

  it('reads assignee, labels, links, affects versions, the visit date; its own comments are no reaction', async () => {
    const visitField = 'customfield_10120';
    jira.fields.push({ id: visitField, name: 'SLA Visit date', custom: true });
    jira.issues.set(
      'SUP-1',
      incidentIssue('SUP-1', {
        assignee: { name: 'ivanov', key: 'ivanov', displayName: 'Иван Петров' },
        labels: ['sla-at-risk', 'vip'],
        versions: [{ name: '5.1' }],
        issuelinks: [
          {
            type: { name: 'Relates' },
            outwardIssue: {
              key: 'SUP-9',
              fields: { issuetype: { name: 'Bug' }, status: { statusCategory: { key: 'done' } } },
            },
          },
        ],
        comment: {
          comments: [
            { author: { name: 'reglament' }, created: '2026-03-06T17:00:00.000+0300' },
            { author: { name: 'customer' }, created: '2026-03-06T17:10:00.000+0300' },
            { author: { name: 'petrov' }, created: '2026-03-10T10:00:00.000+0300' },
          ],
        },
        [visitField]: '2026-03-20',
      }),
    );
    jira.issues.get('SUP-1')!.changelog = {
      histories: [{ created: '2026-03-07T11:00:00.000+0300', items: [{ field: 'SLA Visit date' }] }],
    };
    const t = await port.readTicket('SUP-1', settings);
    expect(t).toMatchObject({
      assignee: { accountId: 'ivanov', displayName: 'Иван Петров' },
      labels: ['sla-at-risk', 'vip'],
      links: [{ key: 'SUP-9', issueType: 'Bug', type: 'Relates', done: true }],
      affectsVersions: ['5.1'],
      visit: { date: '2026-03-20', requestedAt: '2026-03-07T11:00:00.000+03:00' },
    });
    expect(t!.snapshot.reactions).toEqual([
      { at: '2026-03-06T17:10:00.000+03:00', type: 'comment', authorRole: 'reporter' },
      { at: '2026-03-10T10:00:00.000+03:00', type: 'comment', authorRole: 'agent' },
    ]);
  });

  it('posts comments in wiki markup: internal notes through Service Management where the project is one', async () => {
    jira.issues.set('SUP-1', incidentIssue('SUP-1'));
    jira.issues.set('OPS-1', incidentIssue('OPS-1'));
    jira.serviceDeskProjects.add('SUP');
    const body = {
      code: 'sla-breached' as const,
      locale: 'ru' as const,
      parts: [
        { type: 'mention' as const, accountId: 'ivanov' },
        { type: 'text' as const, text: ', [срок] ' },
        { type: 'issue' as const, key: 'SUP-1' },
      ],
      text: '@ivanov, [срок] SUP-1',
      mentions: ['ivanov'],
      audience: 'internal' as const,
      group: 'support-leads',
    };
    await port.addComment!('SUP-1', body);
    await port.addComment!('OPS-1', body);
    await port.addComment!('OPS-1', { ...body, group: null });
    expect(jira.comments).toEqual([
      { key: 'SUP-1', body: '[~ivanov], \\[срок\\] SUP-1', internal: true },
      { key: 'OPS-1', body: '[~ivanov], \\[срок\\] SUP-1', internal: false },
      { key: 'OPS-1', body: '[~ivanov], \\[срок\\] SUP-1', internal: false },
    ]);
    const paths = jira.calls.filter((c) => c.method === 'POST').map((c) => c.path);
    expect(paths).toEqual([
      '/rest/servicedeskapi/request/SUP-1/comment',
      '/rest/api/2/issue/SUP-1/notify',
      '/rest/servicedeskapi/request/OPS-1/comment', // 404: OPS is not a service desk, remembered
      '/rest/api/2/issue/OPS-1/comment',
      '/rest/api/2/issue/OPS-1/notify',
      '/rest/api/2/issue/OPS-1/comment',
    ]);
  });

  it('edits labels, creates an issue with its inputs chosen from the edit metadata, links issues, lists versions', async () => {
    jira.issues.set('SUP-1', incidentIssue('SUP-1', { labels: ['old', 'keep'] }));
    await port.updateLabels!('SUP-1', { add: ['sla-breached'], remove: ['old'] });
    expect(jira.issues.get('SUP-1')!.fields.labels).toEqual(['keep', 'sla-breached']);

    const created = await port.createIssue!(
      {
        project: 'SUP',
        issueType: 'Bug',
        summary: 'Ошибка из SUP-1',
        inputs: { impact: 'high', urgency: 'medium', mode: 'operation' },
      },
      settings,
    );
    expect(created.key).toMatch(/^SUP-\d+$/);
    const edit = jira.calls.filter(
      (c) => c.method === 'PUT' && c.path === `/rest/api/2/issue/${created.key}`,
    );
    expect(edit.map((c) => c.body)).toEqual([
      {
        fields: {
          [FIELD_IDS.impact]: { id: '100' },
          [FIELD_IDS.urgency]: { id: '101' },
          [FIELD_IDS.mode]: { id: '100' },
        },
      },
    ]);

    await port.linkIssues!({ type: 'Relates', from: created.key, to: 'SUP-1' });
    expect(jira.calls.find((c) => c.path === '/rest/api/2/issueLink')?.body).toEqual({
      type: { name: 'Relates' },
      outwardIssue: { key: created.key },
      inwardIssue: { key: 'SUP-1' },
    });
    jira.versions.set('SUP', [{ id: '1', name: '5.1', releaseDate: '2026-03-20', released: false }]);
    expect(await port.listVersions!('SUP')).toEqual([
      { name: '5.1', releaseDate: '2026-03-20', released: false },
    ]);
  });
});
