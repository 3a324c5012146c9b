/**
 * Issue #18 end to end through the service: a declared Zammad or Yandex Tracker source (the real
 * adapters behind the registry's factories, src/server/source-adapters.ts) receives its system's own
 * recorded webhook body with its own authentication at POST /webhooks/<name>; the worker re-reads the
 * ticket over the system's REST API (recorded answers through a fake that checks the auth headers)
 * and writes SPEC §8 example 1 back: priority 5, reaction due Tuesday 2026-03-10 16:30 Moscow time.
 */
import * as fs from 'node:fs';
import { signHmac } from '../../src/app/webhook-auth';
import type { SourceConfig } from '../../src/server/source-config';
import { fakeApi, fixture, fixtureBytes, type FakeRoutes } from '../support/fake-api';
import { manualClock, service, tempDir, type TestService } from './helpers';

type Row = Record<string, unknown>;
const SECRET = 'zammad-webhook-secret-0123';
const TRIGGER_TOKEN = 'tracker-trigger-token-0123';

function fakeSystems() {
  const ticket: Row = fixture<Row>('zammad', 'ticket-81.json');
  const issue: Row = fixture<Row>('yandex-tracker', 'issue-SUP-12.json');
  const zammad: FakeRoutes = {
    'GET /api/v1/tickets/81': () => ({ status: 200, body: ticket }),
    'GET /api/v1/ticket_articles/by_ticket/81': () => ({
      status: 200,
      body: fixture('zammad', 'articles-81.json'),
    }),
    'GET /api/v1/ticket_history/81': () => ({ status: 200, body: fixture('zammad', 'history-81.json') }),
    'PUT /api/v1/tickets/81': (c) => {
      Object.assign(ticket, c.body as Row);
      return { status: 200, body: ticket };
    },
  };
  const tracker: FakeRoutes = {
    'GET /v3/issues/SUP-12': () => ({ status: 200, body: issue }),
    'GET /v3/issues/SUP-12/changelog': () => ({
      status: 200,
      body: fixture('yandex-tracker', 'changelog-SUP-12.json'),
    }),
    'GET /v3/statuses': () => ({ status: 200, body: fixture('yandex-tracker', 'statuses.json') }),
    'PATCH /v3/issues/SUP-12': (c) => {
      Object.assign(issue, c.body as Row);
      return { status: 200, body: issue };
    },
  };
  const z = fakeApi(zammad, { authorization: 'Token token=zammad-token' });
  const y = fakeApi(tracker, { authorization: 'OAuth y0_token', 'x-org-id': '7654321' });
  const f = ((url: string | URL, init?: RequestInit) =>
    new URL(String(url)).host === 'helpdesk.example.com'
      ? z.fetch(url, init)
      : y.fetch(url, init)) as typeof fetch;
  return { fetch: f, zammad: z, tracker: y, ticket, issue };
}

describe('declared Zammad and Yandex Tracker sources through the service', () => {
  let dir: string;
  let svc: TestService;
  let systems: ReturnType<typeof fakeSystems>;
  const sources: SourceConfig[] = [
    {
      name: 'helpdesk',
      kind: 'zammad',
      url: 'https://helpdesk.example.com',
      credentials: { token: 'zammad-token' },
      auth: { scheme: 'hmac-sha1', secret: SECRET, header: 'x-hub-signature' },
      pollSeconds: 0,
    },
    {
      name: 'tracker',
      kind: 'yandex-tracker',
      credentials: { token: 'y0_token', orgId: '7654321' },
      auth: { scheme: 'bearer', token: TRIGGER_TOKEN },
      options: { queues: ['SUP'] },
      pollSeconds: 0,
    },
  ];

  beforeEach(async () => {
    dir = tempDir();
    systems = fakeSystems();
    svc = await service(
      dir,
      { sources },
      { now: manualClock('2026-03-10T12:00:00+03:00').now, sourceFetch: systems.fetch },
    );
    const settings = await svc.store.getSettings();
    await svc.store.saveSettings({
      ...settings,
      issueTypes: { incident: ['Incident', 'incident'], error: ['Problem', 'bug'] },
    });
  });
  afterEach(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("Zammad's documented webhook body, signed sha1= by Zammad's scheme: 202, then priority 5 and the 16:30 reaction deadline written to the ticket", async () => {
    const body = fixtureBytes('zammad', 'webhook-payload.json').toString('utf8');
    const unsigned = await svc.inject({
      method: 'POST',
      url: '/webhooks/helpdesk',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    const res = await svc.inject({
      method: 'POST',
      url: '/webhooks/helpdesk',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': signHmac('sha1', SECRET, body),
        'x-zammad-delivery': 'c1b8a7e2-delivery',
        'x-zammad-trigger': 'reglament',
      },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ events: [{ key: 'Z#81', duplicate: false }] });
    await svc.worker.drain();
    expect(await svc.inbox.counts()).toMatchObject({ failed: 0, pending: 0 });
    expect(systems.ticket).toMatchObject({
      sla_priority: 5,
      sla_state: 'running',
      sla_deadline: '2026-03-10T16:30:00+03:00',
    });
    expect(await svc.store.getSlaRecord('Z#81')).toMatchObject({
      kind: 'incident',
      priority: 5,
      class: 'critical',
    });
  });

  it("Yandex Tracker's recommended trigger body with its bearer token: 202, then priority 5 and the deadline patched into the issue", async () => {
    const body = JSON.stringify(fixture('yandex-tracker', 'trigger-body.json'));
    const wrong = await svc.inject({
      method: 'POST',
      url: '/webhooks/tracker',
      payload: body,
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const res = await svc.inject({
      method: 'POST',
      url: '/webhooks/tracker',
      payload: body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TRIGGER_TOKEN}` },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ events: [{ key: 'SUP-12', duplicate: false }] });
    await svc.worker.drain();
    expect(await svc.inbox.counts()).toMatchObject({ failed: 0, pending: 0 });
    const patch = systems.tracker.calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toMatchObject({ slaPriority: 5, slaDeadline: '2026-03-10T16:30:00+03:00' });
    expect(await svc.store.getSlaRecord('SUP-12')).toMatchObject({ kind: 'incident', priority: 5 });
  });

  it('a source whose adapter configuration is wrong fails the start, naming the source and the field', async () => {
    await expect(
      service(tempDir(), { sources: [{ ...sources[0]!, name: 'broken', credentials: {} }] }),
    ).rejects.toThrow(/sources\[broken\]: .*token/);
  });
});
