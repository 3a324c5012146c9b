/**
 * Yandex Tracker as a ticket source (issue #18), against request/response shapes from its public API
 * documentation (test/fixtures/yandex-tracker/SOURCES.md) replayed through a fake API that checks the
 * method, path and the Authorization / X-Org-ID headers like the real one.
 */
import { createYandexTrackerSource, type YandexTrackerConfig } from '../../src/adapters/yandex-tracker';
import { SourceConfigError } from '../../src/adapters/http-json';
import { SourcePayloadError, type IncomingDelivery } from '../../src/app/source';
import { onIssueChange } from '../../src/app/issue-change';
import { MemoryStore } from '../../src/adapters/memory';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar/instant';
import type { Settings } from '../../src/app/ports';
import { fakeApi, fixture, type FakeRoutes, thrown } from '../support/fake-api';

const settings: Settings = {
  ...defaultSettings(),
  issueTypes: { incident: ['incident'], error: ['bug'] },
  setDueDate: true,
};

const delivery: IncomingDelivery = { headers: {}, rawBody: Buffer.from(''), query: {}, nowMs: 0 };

type Issue = Record<string, unknown>;

function tracker(
  opts: { changelog?: string; patch?: (body: Record<string, unknown>, issue: Issue) => Issue } = {},
) {
  const issue: Issue = fixture('yandex-tracker', 'issue-SUP-12.json');
  const changes = [
    ...fixture<unknown[]>('yandex-tracker', 'changelog-SUP-12.json'),
    ...(opts.changelog ? fixture<unknown[]>('yandex-tracker', opts.changelog) : []),
  ];
  const routes: FakeRoutes = {
    'GET /v3/issues/SUP-12': () => ({ status: 200, body: issue }),
    'GET /v3/issues/SUP-12/changelog': (c) =>
      // two pages: the first answers with a Link rel="next" header, as Tracker does
      c.path.includes('id=')
        ? { status: 200, body: changes.slice(1) }
        : {
            status: 200,
            body: changes.slice(0, 1),
            headers: {
              link: '<https://api.tracker.yandex.net/v3/issues/SUP-12/changelog?perPage=100>; rel="first", <https://api.tracker.yandex.net/v3/issues/SUP-12/changelog?id=65f0c1a2b3c4d5e6f7a8b9d1&perPage=100>; rel="next"',
            },
          },
    'GET /v3/statuses': () => ({ status: 200, body: fixture('yandex-tracker', 'statuses.json') }),
    'PATCH /v3/issues/SUP-12': (c) => {
      const body = c.body as Record<string, unknown>;
      const after = opts.patch ? opts.patch(body, issue) : { ...issue, ...body };
      Object.assign(issue, after);
      return { status: 200, body: issue };
    },
  };
  const api = fakeApi(routes, { authorization: 'OAuth y0_token', 'x-org-id': '7654321' });
  const config: YandexTrackerConfig = {
    name: 'tracker',
    token: 'y0_token',
    orgId: '7654321',
    queues: ['SUP'],
    webhookToken: 'trigger-secret',
    http: { fetch: api.fetch, retries: 0 },
  };
  const source = createYandexTrackerSource(config);
  return { source, api, issue };
}

function deps(port: ReturnType<typeof tracker>['source']['port'], now = '2026-03-10T12:00:00+03:00') {
  return { jira: port, store: new MemoryStore(settings), clock: () => parseInstant(now) };
}

describe('Yandex Tracker source', () => {
  it('parses the recommended trigger body: the key, a delivery id from the change instant', () => {
    const { source } = tracker();
    expect(source.parseEvent!(fixture('yandex-tracker', 'trigger-body.json'), delivery)).toEqual([
      {
        key: 'SUP-12',
        deliveryId: 'SUP-12@2026-03-06T14:00:00.000Z',
        occurredAt: '2026-03-06T14:00:00.000Z',
      },
    ]);
    expect(source.auth).toEqual({ scheme: 'bearer', token: 'trigger-secret' });
    expect(source.owns('SUP-12')).toBe(true);
    expect(source.owns('OPS-3')).toBe(false);
    expect(source.ticketUrl!('SUP-12')).toBe('https://tracker.yandex.ru/SUP-12');
  });

  it('refuses bodies it cannot read, naming the field and the value', () => {
    const { source } = tracker();
    const err = (body: unknown) => thrown<SourcePayloadError>(() => source.parseEvent!(body, delivery));
    expect(err([1])).toMatchObject({ field: 'body', value: [1] });
    expect(err({ key: '{{issue.key}}' })).toMatchObject({ field: 'key', value: '{{issue.key}}' });
    expect(err({ key: 'SUP-12', updatedAt: '07 december 2021' })).toMatchObject({
      field: 'updatedAt',
      value: '07 december 2021',
    });
    expect(err({ key: 'SUP-12', updatedAt: '07 december 2021' }).message).toContain('iso8601');
    expect(err({})).toBeInstanceOf(SourcePayloadError);
  });

  it('reads the issue and its paged changelog: SPEC §8 example 1, the customer’s own comment is no reaction', async () => {
    const { source, api } = tracker();
    const t = await source.port.readTicket('SUP-12', settings);
    expect(t!.snapshot).toMatchObject({
      key: 'SUP-12',
      kind: 'incident',
      registeredAt: '2026-03-06T13:30:00.000Z',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      resolvedAt: null,
      project: 'SUP',
      reactions: [{ at: '2026-03-06T14:00:00.000Z', type: 'comment', authorRole: 'reporter' }],
    });
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v3/issues/SUP-12',
      'GET /v3/issues/SUP-12/changelog?perPage=100',
      'GET /v3/statuses',
      'GET /v3/issues/SUP-12/changelog?id=65f0c1a2b3c4d5e6f7a8b9d1&perPage=100',
    ]);
  });

  it('writes priority 5, the reaction deadline 2026-03-10 16:30 MSK and the due date back, checked in the answer', async () => {
    const { source, api, issue } = tracker();
    const out = await onIssueChange(deps(source.port), 'SUP-12');
    expect(out.result).toBe('written');
    const patch = api.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.path).toBe('/v3/issues/SUP-12');
    expect(patch.body).toEqual({
      slaPriority: 5,
      slaState: 'running',
      slaDeadline: '2026-03-10T16:30:00+03:00',
      deadline: '2026-03-10',
    });
    expect(issue.slaPriority).toBe(5);
    // the next read shows the written values: nothing more to write
    const again = await onIssueChange(deps(source.port), 'SUP-12');
    expect(again.result).toBe('unchanged');
  });

  it('counts an agent’s status change as the reaction, takes input changes and the resolution from the changelog', async () => {
    const { source } = tracker({ changelog: 'changelog-SUP-12-agent.json' });
    const t = await source.port.readTicket('SUP-12', settings);
    expect(t!.snapshot.reactions).toEqual([
      { at: '2026-03-06T14:00:00.000Z', type: 'comment', authorRole: 'reporter' },
      { at: '2026-03-10T10:00:00.000Z', type: 'status', authorRole: 'agent' },
      { at: '2026-03-11T09:00:00.000Z', type: 'status', authorRole: 'agent' },
    ]);
    expect(t!.snapshot.history).toEqual([
      {
        field: 'urgency',
        from: 'high',
        to: 'medium',
        at: '2026-03-10T11:00:00.000Z',
        by: '1120000000022222',
      },
    ]);
    // status "open" now: not resolved even though the changelog has a move to "closed"
    expect(t!.snapshot.resolvedAt).toBeNull();
    const out = await onIssueChange(deps(source.port, '2026-03-10T14:00:00+03:00'), 'SUP-12');
    expect(out.verdict!.reaction).toMatchObject({ state: 'met', due: '2026-03-10T16:30:00+03:00' });
  });

  it('reports the fields Tracker did not keep as refused', async () => {
    const { source } = tracker({
      patch: (body, issue) => ({ ...issue, deadline: body.deadline }), // the SLA fields are not in the queue
    });
    const t = (await source.port.readTicket('SUP-12', settings))!;
    const report = await source.port.writeTicket(t, { slaPriority: 5, dueDate: '2026-03-10' }, settings);
    expect(report).toEqual({
      refused: [
        {
          issueKey: 'SUP-12',
          field: 'slaPriority',
          message: expect.stringContaining("kept '' instead of '5'") as unknown as string,
        },
      ],
    });
  });

  it('lists the open issues of its queues for the sweep, page by page (X-Total-Pages)', async () => {
    const bodies: unknown[] = [];
    const api = fakeApi(
      {
        'POST /v3/issues/_search': (c) => {
          bodies.push(c.body);
          const page = Number(new URL(`http://x${c.path}`).searchParams.get('page'));
          return {
            status: 200,
            body: page === 1 ? [{ key: 'SUP-1' }, { key: 'SUP-2' }] : [{ key: 'SUP-3' }],
            headers: { 'x-total-pages': '2', 'x-total-count': '3' },
          };
        },
      },
      { authorization: 'Bearer iam-token', 'x-cloud-org-id': 'bpf-org' },
    );
    const source = createYandexTrackerSource({
      name: 'tracker',
      token: 'iam-token',
      tokenType: 'Bearer',
      cloudOrgId: 'bpf-org',
      queues: ['SUP'],
      http: { fetch: api.fetch, retries: 0 },
    });
    const first = await source.port.searchKeys('statusCategory != Done');
    expect(first).toEqual({ keys: ['SUP-1', 'SUP-2'], nextPageToken: '2' });
    expect(await source.port.searchKeys('statusCategory != Done', first.nextPageToken)).toEqual({
      keys: ['SUP-3'],
    });
    expect(bodies[0]).toEqual({ filter: { queue: ['SUP'], resolution: 'empty()' }, order: '+key' });
    expect(api.calls.map((c) => c.path)).toEqual([
      '/v3/issues/_search?perPage=100&page=1',
      '/v3/issues/_search?perPage=100&page=2',
    ]);
  });

  it('checks its configuration, naming the field and the value', () => {
    const base = { name: 'tracker', token: 't', orgId: '1' };
    const err = (c: Partial<YandexTrackerConfig>) =>
      thrown<SourceConfigError>(() => createYandexTrackerSource({ ...base, ...c } as YandexTrackerConfig));
    expect(err({ token: '' })).toMatchObject({ field: 'token', value: '' });
    expect(err({ cloudOrgId: '2' }).message).toContain('exactly one of orgId');
    expect(err({ queues: ['sup'] })).toMatchObject({ field: 'queues[0]', value: 'sup' });
    expect(err({ fields: { severity: 'x' } as never })).toMatchObject({ field: 'fields.severity' });
    expect(err({ apiUrl: 'ftp://x' })).toMatchObject({ field: 'apiUrl', value: 'ftp://x' });
  });
});
