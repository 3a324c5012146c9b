/**
 * Zammad as a ticket source (issue #18): the webhook payload from Zammad's admin documentation and
 * REST answers in the shapes of its API documentation and source (test/fixtures/zammad/SOURCES.md),
 * replayed through a fake API that checks the method, path and `Authorization: Token token=…`.
 */
import { createZammadSource, type ZammadConfig } from '../../src/adapters/zammad';
import { SourceConfigError } from '../../src/adapters/http-json';
import { SourcePayloadError, type IncomingDelivery } from '../../src/app/source';
import { onIssueChange } from '../../src/app/issue-change';
import { MemoryStore } from '../../src/adapters/memory';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar/instant';
import type { Settings } from '../../src/app/ports';
import { fakeApi, fixture, fixtureBytes, type FakeRoutes, thrown } from '../support/fake-api';

const settings: Settings = {
  ...defaultSettings(),
  issueTypes: { incident: ['Incident'], error: ['Problem'] },
};

type Row = Record<string, unknown>;

function zammad(
  opts: {
    agent?: boolean;
    ticket?: Partial<Row>;
    put?: (body: Row, ticket: Row) => Row;
  } = {},
) {
  const ticket: Row = { ...fixture<Row>('zammad', 'ticket-81.json'), ...opts.ticket };
  const articles = [
    ...fixture<Row[]>('zammad', 'articles-81.json'),
    ...(opts.agent ? fixture<Row[]>('zammad', 'articles-81-agent.json') : []),
  ];
  const history = fixture<{ history: Row[] }>('zammad', 'history-81.json');
  if (opts.agent)
    history.history.push(...fixture<{ history: Row[] }>('zammad', 'history-81-agent.json').history);
  const routes: FakeRoutes = {
    'GET /api/v1/tickets/81': (c) => {
      expect(c.path).toBe('/api/v1/tickets/81?expand=true');
      return { status: 200, body: ticket };
    },
    'GET /api/v1/ticket_articles/by_ticket/81': () => ({ status: 200, body: articles }),
    'GET /api/v1/ticket_history/81': () => ({ status: 200, body: history }),
    'PUT /api/v1/tickets/81': (c) => {
      const body = c.body as Row;
      Object.assign(ticket, opts.put ? opts.put(body, ticket) : body);
      return { status: 200, body: ticket };
    },
  };
  const api = fakeApi(routes, { authorization: 'Token token=zammad-token' });
  const config: ZammadConfig = {
    name: 'zammad',
    url: 'https://helpdesk.example.com',
    token: 'zammad-token',
    webhookSecret: 'hub-secret',
    http: { fetch: api.fetch, retries: 0 },
  };
  return { source: createZammadSource(config), api, ticket };
}

const deps = (port: ReturnType<typeof zammad>['source']['port'], now = '2026-03-10T12:00:00+03:00') => ({
  jira: port,
  store: new MemoryStore(settings),
  clock: () => parseInstant(now),
});

describe('Zammad source', () => {
  it('parses the documented webhook payload: the ticket id, the delivery id and trigger from the headers', () => {
    const { source } = zammad();
    const raw = fixtureBytes('zammad', 'webhook-payload.json');
    const delivery: IncomingDelivery = {
      headers: { 'x-zammad-delivery': 'c1b8a7e2-delivery', 'x-zammad-trigger': 'reglament' },
      rawBody: raw,
      query: {},
      nowMs: 0,
    };
    expect(source.parseEvent!(JSON.parse(raw.toString('utf8')), delivery)).toEqual([
      {
        key: 'Z#81',
        deliveryId: 'c1b8a7e2-delivery',
        type: 'reglament',
        occurredAt: '2020-11-13T14:34:35.333Z',
      },
    ]);
    expect(source.auth).toEqual({ scheme: 'hmac-sha1', secret: 'hub-secret', header: 'x-hub-signature' });
    expect(source.owns('Z#81')).toBe(true);
    expect(source.owns('SUP-81')).toBe(false);
    expect(source.ticketUrl!('Z#81')).toBe('https://helpdesk.example.com/#ticket/zoom/81');
  });

  it('refuses bodies it cannot read, naming the field and the value', () => {
    const { source } = zammad();
    const d: IncomingDelivery = { headers: {}, rawBody: Buffer.from(''), query: {}, nowMs: 0 };
    const err = (body: unknown) => thrown<SourcePayloadError>(() => source.parseEvent!(body, d));
    expect(err('x')).toMatchObject({ field: 'body', value: 'x' });
    expect(err({ article: {} })).toMatchObject({ field: 'ticket', value: undefined });
    expect(err({ ticket: { id: '81' } })).toMatchObject({ field: 'ticket.id', value: '81' });
    expect(err({ ticket: { id: '81' } })).toBeInstanceOf(SourcePayloadError);
  });

  it('SPEC §8 example 1: reads ticket, articles and history; the customer’s own articles are no reaction', async () => {
    const { source, api } = zammad();
    const t = await source.port.readTicket('Z#81', settings);
    expect(t!.snapshot).toMatchObject({
      key: 'Z#81',
      kind: 'incident',
      registeredAt: '2026-03-06T13:30:00.000Z',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      resolvedAt: null,
      project: 'Service Desk',
      reactions: [
        { at: '2026-03-06T13:30:00.000Z', type: 'comment', authorRole: 'reporter' },
        { at: '2026-03-06T14:00:00.000Z', type: 'comment', authorRole: 'reporter' },
      ],
    });
    expect(api.calls.map((c) => `${c.method} ${c.path}`).sort()).toEqual([
      'GET /api/v1/ticket_articles/by_ticket/81',
      'GET /api/v1/ticket_history/81',
      'GET /api/v1/tickets/81?expand=true',
    ]);
    const out = await onIssueChange(deps(source.port), 'Z#81');
    expect(out.result).toBe('written');
    const put = api.calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe('/api/v1/tickets/81');
    expect(put.body).toEqual({
      sla_priority: 5,
      sla_state: 'running',
      sla_deadline: '2026-03-10T16:30:00+03:00',
    });
    expect((await onIssueChange(deps(source.port), 'Z#81')).result).toBe('unchanged');
  });

  it('an agent’s internal note is the reaction; input changes and the close come from the history', async () => {
    const { source } = zammad({ agent: true, ticket: { state: 'closed' } });
    const t = await source.port.readTicket('81', settings);
    expect(t!.snapshot.reactions).toEqual([
      { at: '2026-03-06T13:30:00.000Z', type: 'comment', authorRole: 'reporter' },
      { at: '2026-03-06T14:00:00.000Z', type: 'comment', authorRole: 'reporter' },
      { at: '2026-03-10T10:00:00.000Z', type: 'comment', authorRole: 'agent' },
      { at: '2026-03-11T09:00:00.000Z', type: 'status', authorRole: 'agent' },
    ]);
    expect(t!.snapshot.history).toEqual([
      { field: 'urgency', from: 'high', to: 'medium', at: '2026-03-10T11:00:00.000Z', by: '5' },
    ]);
    expect(t!.snapshot.resolvedAt).toBe('2026-03-11T09:00:00.000Z');
    const out = await onIssueChange(deps(source.port, '2026-03-12T12:00:00+03:00'), 'Z#81');
    expect(out.verdict!.reaction).toMatchObject({ state: 'met' });
  });

  it('reports the attributes Zammad did not keep as refused', async () => {
    const { source } = zammad({ put: (body) => ({ sla_state: body.sla_state }) });
    const t = (await source.port.readTicket('Z#81', settings))!;
    const report = await source.port.writeTicket(t, { slaPriority: 5, slaState: 'running' }, settings);
    expect(report).toEqual({
      refused: [
        {
          issueKey: 'Z#81',
          field: 'sla_priority',
          message: expect.stringContaining("kept '' instead of '5'") as unknown as string,
        },
      ],
    });
  });

  it('lists the tickets the token sees for the sweep, 100 per page', async () => {
    const api = fakeApi(
      {
        'GET /api/v1/tickets': (c) => ({
          status: 200,
          body: c.path.includes('page=1&')
            ? Array.from({ length: 100 }, (_, i) => ({ id: i + 1, number: String(10001 + i) }))
            : [{ id: 101, number: '10101' }],
        }),
      },
      { authorization: 'Token token=t' },
    );
    const source = createZammadSource({
      name: 'zammad',
      url: 'https://z.example.com',
      token: 't',
      http: { fetch: api.fetch, retries: 0 },
    });
    const first = await source.port.searchKeys('statusCategory != Done');
    expect(first.keys).toHaveLength(100);
    expect(first.keys[99]).toBe('Z#100');
    expect(await source.port.searchKeys('', first.nextPageToken)).toEqual({ keys: ['Z#101'] });
    expect(api.calls.map((c) => c.path)).toEqual([
      '/api/v1/tickets?page=1&per_page=100',
      '/api/v1/tickets?page=2&per_page=100',
    ]);
  });

  it('checks its configuration, naming the field and the value', () => {
    const base = { name: 'zammad', url: 'https://z.example.com', token: 't' };
    const err = (c: Partial<ZammadConfig>) =>
      thrown<SourceConfigError>(() => createZammadSource({ ...base, ...c } as ZammadConfig));
    expect(err({ url: 'helpdesk' })).toMatchObject({ field: 'url', value: 'helpdesk' });
    expect(err({ selfUserId: -1 })).toMatchObject({ field: 'selfUserId', value: -1 });
    expect(err({ defaultKind: 'task' as never })).toMatchObject({ field: 'defaultKind', value: 'task' });
  });
});
