/**
 * GLPI as a ticket source (issue #18): webhook default payloads built from GLPI's API schema and
 * legacy REST answers in the shapes of apirest.md and GLPI's tables (test/fixtures/glpi/SOURCES.md),
 * replayed through a fake API that checks initSession's App-Token and user_token and the
 * Session-Token of every later call.
 */
import { createGlpiSource, glpiLevel, type GlpiConfig } from '../../src/adapters/glpi';
import { SourceConfigError } from '../../src/adapters/http-json';
import { SourcePayloadError, type IncomingDelivery } from '../../src/app/source';
import { onIssueChange } from '../../src/app/issue-change';
import { MemoryStore } from '../../src/adapters/memory';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar/instant';
import type { Settings } from '../../src/app/ports';
import { fakeApi, fixture, type FakeCall, type FakeRoutes, thrown } from '../support/fake-api';

const settings: Settings = {
  ...defaultSettings(),
  issueTypes: { incident: ['Incident'], error: ['Request'] },
};

const delivery: IncomingDelivery = { headers: {}, rawBody: Buffer.from(''), query: {}, nowMs: 0 };
type Row = Record<string, unknown>;
const SESSION = '83af7e620c83a50a18d3eac2f6ed05a3ca0bea62';

function glpi(opts: { agent?: boolean; ticket?: Row; put?: (input: Row) => Row } = {}) {
  const ticket: Row = { ...fixture<Row>('glpi', 'ticket-12.json'), ...opts.ticket };
  const withSession =
    (answer: (c: FakeCall) => { status: number; body?: unknown; headers?: Record<string, string> }) =>
    (c: FakeCall) =>
      c.headers['session-token'] === SESSION
        ? answer(c)
        : { status: 401, body: ['ERROR_SESSION_TOKEN_INVALID', 'session_token seems invalid'] };
  const routes: FakeRoutes = {
    'GET /apirest.php/initSession': (c) =>
      c.headers.authorization === 'user_token glpi-user-token'
        ? { status: 200, body: fixture('glpi', 'initSession.json') }
        : { status: 401, body: ['ERROR_GLPI_LOGIN_USER_TOKEN', 'parameter user_token seems invalid'] },
    'GET /apirest.php/Ticket/12': withSession(() => ({ status: 200, body: ticket })),
    'GET /apirest.php/Ticket/12/Ticket_User': withSession(() => ({
      status: 200,
      body: fixture('glpi', 'ticket-12-Ticket_User.json'),
    })),
    'GET /apirest.php/Ticket/12/ITILFollowup': withSession(() => ({
      status: 200,
      body: [
        ...fixture<Row[]>('glpi', 'ticket-12-ITILFollowup.json'),
        ...(opts.agent ? fixture<Row[]>('glpi', 'ticket-12-ITILFollowup-agent.json') : []),
      ],
    })),
    'GET /apirest.php/Ticket/12/Log': withSession(() => ({
      status: 200,
      body: [
        ...fixture<Row[]>('glpi', 'ticket-12-Log.json'),
        ...(opts.agent ? fixture<Row[]>('glpi', 'ticket-12-Log-agent.json') : []),
      ],
    })),
    'PUT /apirest.php/Ticket/12': withSession((c) => {
      const input = (c.body as { input: Row }).input;
      Object.assign(ticket, opts.put ? opts.put(input) : input);
      return { status: 200, body: [{ 12: true, message: '' }] };
    }),
  };
  const api = fakeApi(routes, { 'app-token': 'glpi-app-token' });
  const config: GlpiConfig = {
    name: 'glpi',
    url: 'https://glpi.example.com/apirest.php',
    appToken: 'glpi-app-token',
    userToken: 'glpi-user-token',
    timeZone: 'Europe/Moscow',
    categoryInputs: { '3': { mode: 'operation', nature: 'failure' } },
    webhookSecret: 'glpi-secret',
    http: { fetch: api.fetch, retries: 0 },
  };
  return { source: createGlpiSource(config), api, ticket };
}

const deps = (port: ReturnType<typeof glpi>['source']['port'], now = '2026-03-10T12:00:00+03:00') => ({
  jira: port,
  store: new MemoryStore(settings),
  clock: () => parseInstant(now),
});

describe('GLPI source', () => {
  it('parses the default webhook payloads of a ticket and of a followup', () => {
    const { source } = glpi();
    expect(source.parseEvent!(fixture('glpi', 'webhook-ticket-update.json'), delivery)).toEqual([
      { key: 'G#12', type: 'Ticket.update' },
    ]);
    expect(source.parseEvent!(fixture('glpi', 'webhook-followup-new.json'), delivery)).toEqual([
      { key: 'G#12', type: 'ITILFollowup.new' },
    ]);
    expect(source.parseEvent!({ event: 'delete', item: { id: 12 } }, delivery)).toEqual([
      { key: 'G#12', type: 'Ticket.delete', deleted: true },
    ]);
    expect(source.auth).toEqual({ scheme: 'glpi', secret: 'glpi-secret' });
    expect(source.owns('G#12')).toBe(true);
    expect(source.owns('Z#12')).toBe(false);
    expect(source.ticketUrl!('G#12')).toBe('https://glpi.example.com/front/ticket.form.php?id=12');
  });

  it('refuses bodies it cannot read, naming the field and the value', () => {
    const { source } = glpi();
    const err = (body: unknown) => thrown<SourcePayloadError>(() => source.parseEvent!(body, delivery));
    expect(err(null)).toMatchObject({ field: 'body', value: null });
    expect(err({ event: 'update' })).toMatchObject({ field: 'item', value: undefined });
    expect(err({ event: 'update', item: { id: 0 } })).toMatchObject({ field: 'item.id', value: 0 });
    expect(err({ event: 'new', item: { itemtype: 'Change', items_id: 4 } })).toMatchObject({
      field: 'item.itemtype',
      value: 'Change',
    });
    expect(err({ event: 'new', item: { itemtype: 'Ticket', items_id: '12' } })).toBeInstanceOf(
      SourcePayloadError,
    );
  });

  it('SPEC §8 example 1: impact 4 and urgency 5 are high; the requester’s followup is no reaction; time to own written', async () => {
    const { source, api, ticket } = glpi();
    const t = await source.port.readTicket('G#12', settings);
    expect(t!.snapshot).toMatchObject({
      key: 'G#12',
      kind: 'incident',
      registeredAt: '2026-03-06T16:30:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      resolvedAt: null,
      reactions: [{ at: '2026-03-06T17:00:00+03:00', type: 'comment', authorRole: 'reporter' }],
    });
    expect(api.calls.map((c) => c.path).sort()).toEqual([
      '/apirest.php/Ticket/12',
      '/apirest.php/Ticket/12/ITILFollowup?range=0-999',
      '/apirest.php/Ticket/12/Log?range=0-999',
      '/apirest.php/Ticket/12/Ticket_User?range=0-999',
      '/apirest.php/initSession',
    ]);
    expect(api.calls[0]).toMatchObject({ method: 'GET', path: '/apirest.php/initSession' });
    const out = await onIssueChange(deps(source.port), 'G#12');
    expect(out.verdict!.reaction).toMatchObject({ due: '2026-03-10T16:30:00+03:00' });
    // priority 5 (critical) is computed, but GLPI has no field for it: only the deadline goes there
    expect(out.changes).toMatchObject({ slaPriority: 5, reactionDue: '2026-03-10T16:30:00+03:00' });
    const put = api.calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe('/apirest.php/Ticket/12');
    expect(put.body).toEqual({ input: { time_to_own: '2026-03-10 16:30:00' } });
    expect(ticket.time_to_own).toBe('2026-03-10 16:30:00');
    // one session for every call
    expect(api.calls.filter((c) => c.path === '/apirest.php/initSession')).toHaveLength(1);
    // the next evaluation finds the deadline written: no second PUT
    await onIssueChange(deps(source.port), 'G#12');
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });

  it('a technician’s private followup is the reaction; urgency changes from the Log; solved → resolved', async () => {
    const { source } = glpi({ agent: true, ticket: { status: 5, solvedate: '2026-03-11 12:00:00' } });
    const t = await source.port.readTicket('12', settings);
    expect(t!.snapshot.reactions).toEqual([
      { at: '2026-03-06T17:00:00+03:00', type: 'comment', authorRole: 'reporter' },
      { at: '2026-03-10T13:00:00+03:00', type: 'comment', authorRole: 'agent' },
      { at: '2026-03-11T12:00:00+03:00', type: 'status', authorRole: 'agent' },
    ]);
    expect(t!.snapshot.history).toEqual([
      { field: 'urgency', from: 'high', to: 'medium', at: '2026-03-10T14:00:00+03:00', by: '4' },
    ]);
    expect(t!.snapshot.resolvedAt).toBe('2026-03-11T12:00:00+03:00');
    const out = await onIssueChange(deps(source.port, '2026-03-12T12:00:00+03:00'), 'G#12');
    expect(out.verdict!.reaction).toMatchObject({ state: 'met' });
  });

  it('reports a deadline GLPI recomputed (an SLA attached) as refused', async () => {
    const { source } = glpi({ put: () => ({ time_to_own: '2026-03-07 12:00:00' }) });
    const t = (await source.port.readTicket('G#12', settings))!;
    const report = await source.port.writeTicket(t, { reactionDue: '2026-03-10T16:30:00+03:00' }, settings);
    expect(report).toEqual({
      refused: [
        {
          issueKey: 'G#12',
          field: 'time_to_own',
          message: expect.stringContaining(
            "kept '2026-03-07 12:00:00' instead of '2026-03-10 16:30:00'",
          ) as unknown as string,
        },
      ],
    });
  });

  it('opens a new session when GLPI answers 401 for an expired one; lists tickets by range for the sweep', async () => {
    let sessions = 0;
    let expired = true;
    const api = fakeApi(
      {
        'GET /apirest.php/initSession': () => {
          sessions += 1;
          return { status: 200, body: { session_token: `s${sessions}` } };
        },
        'GET /apirest.php/Ticket/': (c) => {
          if (c.headers['session-token'] === 's1' && expired) {
            expired = false;
            return { status: 401, body: ['ERROR_SESSION_TOKEN_INVALID', 'session_token seems invalid'] };
          }
          const start = Number(/range=(\d+)-/.exec(c.path)![1]);
          const ids = start === 0 ? Array.from({ length: 100 }, (_, i) => i + 1) : [101, 102];
          return {
            status: start === 0 ? 206 : 200,
            body: ids.map((id) => ({ id })),
            headers: { 'content-range': `${start}-${start + ids.length - 1}/102` },
          };
        },
      },
      {},
    );
    const source = createGlpiSource({
      name: 'glpi',
      url: 'https://glpi.example.com/apirest.php',
      userToken: 'u',
      timeZone: 'Europe/Moscow',
      http: { fetch: api.fetch, retries: 0 },
    });
    const first = await source.port.searchKeys('statusCategory != Done');
    expect(first.keys).toHaveLength(100);
    expect(first.keys[0]).toBe('G#1');
    expect(first.nextPageToken).toBe('100');
    expect(await source.port.searchKeys('', first.nextPageToken)).toEqual({ keys: ['G#101', 'G#102'] });
    expect(sessions).toBe(2);
    expect(api.calls.map((c) => c.path)).toEqual([
      '/apirest.php/initSession',
      '/apirest.php/Ticket/?range=0-99&only_id=true',
      '/apirest.php/initSession',
      '/apirest.php/Ticket/?range=0-99&only_id=true',
      '/apirest.php/Ticket/?range=100-199&only_id=true',
    ]);
  });

  it('maps GLPI’s five levels to the regulation’s three', () => {
    expect([1, 2, 3, 4, 5].map(glpiLevel)).toEqual(['low', 'low', 'medium', 'high', 'high']);
    expect(glpiLevel('Very high')).toBe('high');
    expect(glpiLevel('')).toBeNull();
  });

  it('checks its configuration, naming the field and the value', () => {
    const base = {
      name: 'glpi',
      url: 'https://g.example.com/apirest.php',
      userToken: 'u',
      timeZone: 'Europe/Moscow',
    };
    const err = (c: Partial<GlpiConfig>) =>
      thrown<SourceConfigError>(() => createGlpiSource({ ...base, ...c } as GlpiConfig));
    expect(err({ timeZone: 'Moscow' })).toMatchObject({ field: 'timeZone', value: 'Moscow' });
    expect(err({ userToken: '' })).toMatchObject({ field: 'userToken', value: '' });
    expect(err({ categoryInputs: { reports: { mode: 'operation' } } })).toMatchObject({
      field: 'categoryInputs.reports',
    });
  });
});
