/**
 * The Redmine adapter and poller without a Redmine (recorded answers of Redmine 5.0.4 through a fake
 * fetch): values Redmine drops behind a 204 are reported as refused, the changed-since cursor neither
 * loses nor repeats an issue across polls and pages, retries of 429/5xx, and the settings' messages.
 */
import { createRedminePort, type RmIssue } from '../../src/adapters/redmine';
import { pollRedmine, type PollDeps } from '../../src/server/redmine-poller';
import { loadConfig, formatProblems, isDemo } from '../../src/server/config';
import { defaultSettings } from '../../src/app/settings';
import type { Settings } from '../../src/app/ports';
import { calendarFor } from '../../src/app/calendars';
import { evaluate } from '../../src/domain/evaluate';

const settings: Settings = {
  ...defaultSettings(),
  issueTypes: { incident: ['Support'], error: ['Bug'] },
  setDueDate: true,
};

const FIELDS = [
  { id: 1, name: 'Влияние' },
  { id: 2, name: 'Срочность' },
  { id: 3, name: 'Режим' },
  { id: 4, name: 'Характер' },
  { id: 5, name: 'Обходное решение' },
  { id: 6, name: 'SLA priority' },
  { id: 7, name: 'SLA deadline' },
  { id: 8, name: 'SLA state' },
  { id: 9, name: 'Agreed deadline' },
  { id: 10, name: 'Priority override' },
  { id: 11, name: 'Override reason' },
  { id: 12, name: 'Affected version' },
];

function issue(over: Partial<RmIssue> = {}, values: Record<number, unknown> = {}): RmIssue {
  return {
    id: 12,
    project: { id: 1, name: 'Support' },
    tracker: { id: 3, name: 'Support' },
    status: { id: 1, name: 'New' },
    priority: { id: 2, name: 'Normal' },
    author: { id: 6, name: 'Ivan Customer' },
    subject: 'Printer',
    start_date: '2026-11-30',
    due_date: null,
    created_on: '2026-11-30T07:00:00Z',
    updated_on: '2026-11-30T07:00:00Z',
    custom_fields: FIELDS.map((f) => ({
      ...f,
      value: values[f.id] ?? { 1: 'Высокая', 2: 'Высокая', 3: 'Эксплуатация', 4: 'Сбой' }[f.id] ?? null,
    })),
    journals: [],
    ...over,
  };
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** A fake Redmine: answers by method and path (without the query) from `routes`. */
function fakeFetch(routes: Record<string, (call: Call) => { status: number; body?: unknown }>) {
  const calls: Call[] = [];
  const f = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    const call: Call = {
      method: init?.method ?? 'GET',
      path: u.pathname + u.search,
      ...(init?.body ? { body: JSON.parse(String(init.body)) as unknown } : {}),
    };
    calls.push(call);
    const route = routes[`${call.method} ${u.pathname}`];
    const r = route ? route(call) : { status: 404, body: { errors: ['not found'] } };
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status });
  }) as typeof fetch;
  return { fetch: f, calls };
}

const lookups = {
  'GET /users/current.json': () => ({ status: 200, body: { user: { id: 7, login: 'reglament' } } }),
  'GET /issue_statuses.json': () => ({
    status: 200,
    body: {
      issue_statuses: [
        { id: 1, name: 'New', is_closed: false },
        { id: 5, name: 'Closed', is_closed: true },
      ],
    },
  }),
  'GET /projects/1.json': () => ({ status: 200, body: { project: { id: 1, identifier: 'support' } } }),
  'GET /projects/1/memberships.json': () => ({
    status: 200,
    body: {
      memberships: [
        { user: { id: 5 }, roles: [{ name: 'Manager' }] },
        { user: { id: 9 }, roles: [{ name: 'Reporter' }] },
      ],
      total_count: 2,
    },
  }),
};

const port = (f: typeof fetch, agentRoles: string[] = []) =>
  createRedminePort({
    baseUrl: 'http://redmine.test',
    apiKey: 'k',
    timeoutMs: 1000,
    retries: 2,
    fetch: f,
    sleep: async () => undefined,
    agentRoles,
  });

describe('Redmine port', () => {
  it('reads inputs from the mapped fields, reactions from journals (not the author, not ours, agents by role), resolution and input history', async () => {
    const journals = [
      { id: 1, user: { id: 7 }, notes: '', created_on: '2026-11-30T07:00:05Z', details: [] }, // ours
      { id: 2, user: { id: 6 }, notes: 'any news?', created_on: '2026-11-30T08:00:00Z', details: [] }, // author
      { id: 3, user: { id: 9 }, notes: 'me too', created_on: '2026-11-30T08:30:00Z', details: [] }, // not an agent
      {
        id: 4,
        user: { id: 5 },
        notes: '',
        created_on: '2026-11-30T09:00:00Z',
        details: [
          { property: 'attr', name: 'status_id', old_value: '1', new_value: '5' },
          { property: 'cf', name: '2', old_value: 'Высокая', new_value: 'Низкая' },
        ],
      },
    ];
    const { fetch } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () => ({
        status: 200,
        body: { issue: issue({ journals, status: { id: 5, name: 'Closed' } }, { 2: 'Низкая' }) },
      }),
    });
    const t = await port(fetch, ['Manager']).readTicket('#12', settings);
    expect(t).not.toBeNull();
    expect(t!.key).toBe('#12');
    expect(t!.project).toBe('support');
    expect(t!.snapshot).toMatchObject({
      kind: 'incident',
      registeredAt: '2026-11-30T07:00:00Z',
      impact: 'high',
      urgency: 'low',
      mode: 'operation',
      nature: 'failure',
      resolvedAt: '2026-11-30T09:00:00Z',
    });
    expect(t!.snapshot.reactions).toEqual([
      { at: '2026-11-30T08:00:00Z', type: 'comment', authorRole: 'reporter' },
      { at: '2026-11-30T08:30:00Z', type: 'comment', authorRole: 'other' },
      { at: '2026-11-30T09:00:00Z', type: 'status', authorRole: 'agent' },
    ]);
    expect(t!.snapshot.history).toEqual([
      { field: 'urgency', from: 'high', to: 'low', at: '2026-11-30T09:00:00Z', by: '5' },
    ]);
  });

  it('reports what Redmine dropped behind its 204 (re-read after writing), and writes nothing when nothing changed', async () => {
    // Redmine keeps the SLA state empty (the field not enabled for this tracker) but takes the rest.
    let current = issue();
    const { fetch, calls } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () => ({ status: 200, body: { issue: current } }),
      'PUT /issues/12.json': (c) => {
        const body = (
          c.body as { issue: { due_date?: string; custom_fields: { id: number; value: string }[] } }
        ).issue;
        current = issue(
          { due_date: body.due_date ?? null },
          Object.fromEntries(body.custom_fields.filter((f) => f.id !== 8).map((f) => [f.id, f.value])),
        );
        return { status: 204 };
      },
    });
    const p = port(fetch);
    const t = (await p.readTicket('12', settings))!;
    const report = await p.writeTicket(
      t,
      {
        slaPriority: 5,
        slaState: 'running',
        reactionDue: '2026-12-01T13:00:00.000+03:00',
        dueDate: '2026-12-01',
      },
      settings,
    );
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({
      issue: {
        due_date: '2026-12-01',
        custom_fields: [
          { id: 6, value: '5' },
          { id: 8, value: 'running' },
          { id: 7, value: '2026-12-01T13:00:00.000+03:00' },
        ],
      },
    });
    expect(report).toEqual({
      refused: [
        {
          issueKey: '#12',
          field: 'cf:8',
          message: expect.stringContaining("kept '' instead of 'running'") as unknown as string,
        },
      ],
    });
    const before = calls.length;
    expect(await p.writeTicket(t, { verificationDue: null }, settings)).toBeUndefined();
    expect(calls.length).toBe(before);
  });

  it('warns once, naming the role and the name, when a mapped custom field is not on the issue', async () => {
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const bare = issue();
    bare.custom_fields = bare.custom_fields!.filter((f) => f.id !== 8);
    const { fetch } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () => ({ status: 200, body: { issue: bare } }),
    });
    const p = createRedminePort({
      baseUrl: 'http://redmine.test',
      apiKey: 'k',
      timeoutMs: 1000,
      retries: 0,
      fetch,
      fields: { impact: 'Влияние' },
      log: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    await p.readTicket('#12', settings);
    await p.readTicket('#12', settings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj.fields).toEqual(["slaState: 'SLA state'"]);
    expect(warnings[0]!.msg).toContain('REGLAMENT_REDMINE_FIELDS');
  });

  it('retries 429 and 5xx answers, then gives up with the status in the message', async () => {
    let n = 0;
    const { fetch } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () =>
        ++n < 3 ? { status: n === 1 ? 429 : 503 } : { status: 200, body: { issue: issue() } },
    });
    expect(await port(fetch).readTicket('#12', settings)).not.toBeNull();
    expect(n).toBe(3);
    const down = fakeFetch({ 'GET /issues/12.json': () => ({ status: 502 }) });
    await expect(port(down.fetch).readTicket('#12', settings)).rejects.toThrow(
      'Redmine GET /issues/12.json answered 502',
    );
  });

  it('is out of scope for another tracker, a project not in the settings, and an issue the key may not see', async () => {
    const { fetch } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () => ({
        status: 200,
        body: { issue: issue({ tracker: { id: 2, name: 'Feature' } }) },
      }),
      'GET /issues/13.json': () => ({ status: 200, body: { issue: { ...issue(), id: 13 } } }),
      'GET /issues/14.json': () => ({ status: 403 }),
    });
    const p = port(fetch);
    expect(await p.readTicket('#12', settings)).toBeNull();
    expect(await p.readTicket('#13', { ...settings, projects: ['OTHER'] })).toBeNull();
    expect(await p.readTicket('#13', { ...settings, projects: ['SUPPORT'] })).not.toBeNull();
    expect(await p.readTicket('#14', settings)).toBeNull();
  });
});

describe('Redmine port: versions, relations, agreed deadlines, overrides and the escalation calls', () => {
  /** An error (tracker Bug) with low impact and urgency; relates to incident #12 (high, high). */
  const error = (over: Partial<RmIssue> = {}, values: Record<number, unknown> = {}) =>
    issue(
      {
        id: 20,
        tracker: { id: 1, name: 'Bug' },
        subject: 'Report crashes',
        relations: [{ id: 1, issue_id: 12, issue_to_id: 20, relation_type: 'relates' }],
        ...over,
      },
      { 1: 'Низкая', 2: 'Низкая', 3: 'Эксплуатация', 4: null, 5: 'Нет', ...values },
    );
  const routes = (err: RmIssue) => ({
    ...lookups,
    'GET /issues/20.json': () => ({ status: 200, body: { issue: err } }),
    'GET /issues.json': () => ({ status: 200, body: { issues: [issue()], total_count: 1 } }),
    'GET /projects/1/versions.json': () => ({
      status: 200,
      body: {
        versions: [
          { id: 31, name: '5.2.1', status: 'open', due_date: '2026-12-21' },
          { id: 30, name: '5.2.0', status: 'closed', due_date: '2026-11-02' },
        ],
      },
    }),
  });
  const calendar = calendarFor(settings.calendar);
  const at = Date.parse('2026-12-01T09:00:00Z');

  it("raises an error's inputs to its related incident's (§5.5): low/low alone is planned, with incident #12 (high/high) priority 10, critical, fixed in 10 working days", async () => {
    const { fetch, calls } = fakeFetch(routes(error()));
    const t = (await port(fetch).readTicket('#20', settings))!;
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(
      'GET /issues.json?issue_id=12&status_id=*&limit=1',
    );
    expect(t.snapshot.linkedIncidents).toEqual([{ impact: 'high', urgency: 'high', mode: 'operation' }]);
    expect(t.links).toEqual([{ key: '#12', issueType: 'Support', type: 'relates', done: false }]);
    const v = evaluate(t.snapshot, settings.policy, calendar, at);
    expect(v.priority).toMatchObject({ value: 10, class: 'critical' });
    expect(v.fix).toMatchObject({ rule: 'working-days' });
    const alone = evaluate({ ...t.snapshot, linkedIncidents: [] }, settings.policy, calendar, at);
    expect(alone.priority).toMatchObject({ value: 2, class: 'planned' });
  });

  it("reads the project's versions (closed = released, the version's date) and the target version, and the affected version by its id", async () => {
    const { fetch } = fakeFetch(
      routes(error({ relations: [], fixed_version: { id: 31, name: '5.2.1' } }, { 12: '30' })),
    );
    const p = port(fetch);
    const t = (await p.readTicket('#20', settings))!;
    expect(t.snapshot.fixVersion).toBe('5.2.1');
    expect(t.snapshot.versions).toEqual([
      { name: '5.2.1', releaseDate: '2026-12-21', released: false },
      { name: '5.2.0', releaseDate: '2026-11-02', released: true },
    ]);
    expect(t.affectsVersions).toEqual(['5.2.0']);
    expect(await p.listVersions!('1')).toHaveLength(2);
  });

  it('an agreed deadline replaces the fix deadline (rule agreed) and a priority override with its reason sets the priority', async () => {
    const { fetch } = fakeFetch(
      routes(
        error(
          { relations: [] },
          { 9: '2027-01-29', 10: '7', 11: 'Customer escalation agreed with the vendor' },
        ),
      ),
    );
    const t = (await port(fetch).readTicket('#20', settings))!;
    expect(t.snapshot.agreedDeadline).toBe('2027-01-29');
    expect(t.snapshot.priorityOverride).toEqual({
      value: 7,
      reason: 'Customer escalation agreed with the vendor',
    });
    const v = evaluate(t.snapshot, settings.policy, calendar, at);
    expect(v.priority).toMatchObject({ value: 7, class: 'high', overridden: true });
    expect(v.fix).toMatchObject({ rule: 'agreed', agreed: true });
    expect(v.fix?.due?.startsWith('2027-01-29')).toBe(true);
  });

  it('creates an issue (tracker by name, project identifier, inputs as list values), relates it, and posts private and public notes', async () => {
    let created: RmIssue | null = null;
    const { fetch, calls } = fakeFetch({
      ...lookups,
      'GET /issues/12.json': () => ({ status: 200, body: { issue: issue() } }),
      'GET /trackers.json': () => ({
        status: 200,
        body: {
          trackers: [
            { id: 1, name: 'Bug' },
            { id: 3, name: 'Support' },
          ],
        },
      }),
      'GET /custom_fields.json': () => ({ status: 403 }),
      'POST /issues.json': (c) => {
        const b = (c.body as { issue: { custom_fields: { id: number; value: string }[] } }).issue;
        created = error(
          { id: 21, relations: [] },
          Object.fromEntries(b.custom_fields.map((f) => [f.id, f.value])),
        );
        return { status: 201, body: { issue: { id: 21 } } };
      },
      'GET /issues/21.json': () => ({ status: 200, body: { issue: created } }),
      'POST /issues/21/relations.json': () => ({ status: 201, body: { relation: { id: 2 } } }),
      'PUT /issues/12.json': () => ({ status: 204 }),
    });
    const p = port(fetch);
    await p.readTicket('#12', settings); // resolves the field ids by name
    const r = await p.createIssue!(
      {
        project: 'support',
        issueType: 'Bug',
        summary: 'Report crashes',
        description: 'From incident #12',
        inputs: { impact: 'medium', urgency: 'high', mode: 'operation', workaround: 'moderate' },
      },
      settings,
    );
    expect(r).toEqual({ id: '21', key: '#21' });
    expect(calls.find((c) => c.method === 'POST' && c.path === '/issues.json')!.body).toEqual({
      issue: {
        project_id: 'support',
        tracker_id: 1,
        subject: 'Report crashes',
        description: 'From incident #12',
        custom_fields: [
          { id: 1, value: 'Средняя' },
          { id: 2, value: 'Высокая' },
          { id: 3, value: 'Эксплуатация' },
          { id: 5, value: 'Средне приемлемый' },
        ],
      },
    });
    await p.linkIssues!({ type: 'Blocks', from: '#21', to: '#12' });
    await p.linkIssues!({ type: 'Problem/Incident', from: '#21', to: '#12' });
    expect(calls.filter((c) => c.path === '/issues/21/relations.json').map((c) => c.body)).toEqual([
      { relation: { issue_to_id: 12, relation_type: 'blocks' } },
      { relation: { issue_to_id: 12, relation_type: 'relates' } },
    ]);
    const message = { code: 'x', locale: 'en', parts: [], text: 'Error #21 registered', mentions: [] };
    await p.addComment!('#12', { ...message, audience: 'internal' } as never);
    await p.addComment!('#12', { ...message, audience: 'customer' } as never);
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([
      { issue: { notes: 'Error #21 registered', private_notes: true } },
      { issue: { notes: 'Error #21 registered', private_notes: false } },
    ]);
    await expect(
      p.createIssue!({ project: 'support', issueType: 'Feature', summary: 'x', inputs: {} }, settings),
    ).rejects.toThrow("Redmine has no tracker named 'Feature'");
  });
});

describe('Redmine poller', () => {
  /** A listing of `issues` as Redmine gives it: updated_on >= since, ascending, `limit` per page. */
  function deps(issues: { id: number; updatedOn: string }[], pageSize = 2) {
    const clock = { serverMs: null as number | null };
    const docs = new Map<string, string>();
    const enqueued: string[] = [];
    const d: PollDeps = {
      port: {
        async changedSince(since, offset) {
          const all = issues
            .filter((i) => Date.parse(i.updatedOn) >= Date.parse(since))
            .sort((a, b) => Date.parse(a.updatedOn) - Date.parse(b.updatedOn) || a.id - b.id);
          return { issues: all.slice(offset, offset + pageSize), pageSize, serverMs: clock.serverMs };
        },
      },
      docs: { getDoc: (n) => docs.get(n) ?? null, putDoc: (n, doc) => void docs.set(n, doc) },
      inbox: {
        enqueueBatch: (events) => {
          const fresh = events.map((e) => !enqueued.includes(e.key));
          for (const e of events) enqueued.push(e.key);
          return fresh;
        },
      },
      now: () => Date.parse('2026-11-30T12:00:00Z'),
      initialDays: 30,
    };
    return { d, enqueued, issues, clock };
  }

  it('enqueues each change once across pages and polls, including issues sharing the cursor second', async () => {
    const { d, enqueued, issues } = deps([
      { id: 1, updatedOn: '2026-11-30T10:00:00Z' },
      { id: 2, updatedOn: '2026-11-30T10:00:01Z' },
      { id: 3, updatedOn: '2026-11-30T10:00:01Z' },
      { id: 4, updatedOn: '2026-11-30T10:00:01Z' },
      { id: 5, updatedOn: '2026-11-30T10:00:02Z' },
    ]);
    const first = await pollRedmine(d);
    expect(first.enqueued).toBe(5);
    expect(first.cursor).toEqual({ since: '2026-11-30T10:00:02Z', seen: ['5@2026-11-30T10:00:02Z'] });
    // Nothing new: the cursor's second is listed again and skipped.
    expect((await pollRedmine(d)).enqueued).toBe(0);
    // Another issue in the same second, and issue 1 changed again (our own write, say).
    issues.push({ id: 6, updatedOn: '2026-11-30T10:00:02Z' }, { id: 1, updatedOn: '2026-11-30T10:05:00Z' });
    issues.shift();
    const third = await pollRedmine(d);
    expect(third.enqueued).toBe(2);
    expect(enqueued).toEqual([
      'redmine:1@2026-11-30T10:00:00Z',
      'redmine:2@2026-11-30T10:00:01Z',
      'redmine:3@2026-11-30T10:00:01Z',
      'redmine:4@2026-11-30T10:00:01Z',
      'redmine:5@2026-11-30T10:00:02Z',
      'redmine:6@2026-11-30T10:00:02Z',
      'redmine:1@2026-11-30T10:05:00Z',
    ]);
  });

  it('lists an issue again while its updated_on second was still running when listed (a second change in that second keeps it)', async () => {
    const { d, enqueued, clock } = deps([{ id: 7, updatedOn: '2026-11-30T10:00:05Z' }]);
    // Redmine's Date header says it is still 10:00:05: a note in the same second would not move updated_on.
    clock.serverMs = Date.parse('2026-11-30T10:00:05Z');
    expect((await pollRedmine(d)).cursor).toEqual({ since: '2026-11-30T10:00:05Z', seen: [] });
    // Still that second (the note came in it): listed again, as an event of its own.
    expect((await pollRedmine(d)).enqueued).toBe(1);
    // The next poll, a second later: listed again (the note that followed is read), then sealed.
    clock.serverMs = Date.parse('2026-11-30T10:00:06Z');
    expect((await pollRedmine(d)).cursor.seen).toEqual(['7@2026-11-30T10:00:05Z']);
    expect((await pollRedmine(d)).enqueued).toBe(0);
    expect(enqueued).toEqual([
      expect.stringMatching(/^redmine:7@2026-11-30T10:00:05Z\/[0-9a-f-]{36}$/),
      expect.stringMatching(/^redmine:7@2026-11-30T10:00:05Z\/[0-9a-f-]{36}$/),
      'redmine:7@2026-11-30T10:00:05Z',
    ]);
    expect(enqueued[0]).not.toBe(enqueued[1]);
  });

  it('starts the first poll initialDays back', async () => {
    const { d } = deps([
      { id: 1, updatedOn: '2026-10-01T00:00:00Z' },
      { id: 2, updatedOn: '2026-11-29T00:00:00Z' },
    ]);
    expect((await pollRedmine({ ...d, initialDays: 7 })).enqueued).toBe(1);
  });
});

describe('Redmine settings', () => {
  const problems = (env: NodeJS.ProcessEnv) => {
    const r = loadConfig({ env });
    return r.ok ? '' : formatProblems(r.problems);
  };

  it.each([
    [
      { REGLAMENT_REDMINE_URL: 'http://redmine.local' },
      'REGLAMENT_REDMINE_API_KEY: is required when a Redmine URL is set',
    ],
    [
      { REGLAMENT_REDMINE_API_KEY: 'abc' },
      'REGLAMENT_REDMINE_URL: is required when a Redmine API key is set',
    ],
    [
      { REGLAMENT_REDMINE_URL: 'redmine.local', REGLAMENT_REDMINE_API_KEY: 'abc' },
      "REGLAMENT_REDMINE_URL: must be an http(s) URL, e.g. https://jira.example.com, got 'redmine.local'",
    ],
    [
      {
        REGLAMENT_REDMINE_URL: 'http://r',
        REGLAMENT_REDMINE_API_KEY: 'abc',
        REGLAMENT_REDMINE_POLL_SECONDS: '-1',
      },
      'REGLAMENT_REDMINE_POLL_SECONDS: must be an integer 0..86400, got -1',
    ],
    [
      {
        REGLAMENT_REDMINE_URL: 'http://r',
        REGLAMENT_REDMINE_API_KEY: 'abc',
        REGLAMENT_REDMINE_FIELDS: '{"impact":0}',
      },
      'REGLAMENT_REDMINE_FIELDS: impact: must be a custom field id (a positive integer) or a custom field name, got 0',
    ],
    [
      {
        REGLAMENT_REDMINE_URL: 'http://r',
        REGLAMENT_REDMINE_API_KEY: 'abc',
        REGLAMENT_REDMINE_FIELDS: '{"colour":1}',
      },
      'REGLAMENT_REDMINE_FIELDS: is not a setting of the service',
    ],
  ])('%j → %s', (env, message) => {
    expect(problems(env)).toBe(message);
  });

  it('takes ids and names, never echoes the key, and a Redmine ends the demo', () => {
    const r = loadConfig({
      env: {
        REGLAMENT_REDMINE_URL: 'http://redmine.local',
        REGLAMENT_REDMINE_API_KEY: 'secret-key',
        REGLAMENT_REDMINE_FIELDS: '{"impact":11,"slaState":"Состояние SLA"}',
        REGLAMENT_REDMINE_AGENT_ROLES: 'Manager, Developer',
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.redmine).toMatchObject({
      fields: { impact: 11, slaState: 'Состояние SLA' },
      agentRoles: 'Manager, Developer',
      pollSeconds: 60,
    });
    expect(isDemo(r.config)).toBe(false);
    expect(problems({ REGLAMENT_REDMINE_URL: 'x', REGLAMENT_REDMINE_API_KEY: 'secret-key' })).not.toContain(
      'secret-key',
    );
  });
});
