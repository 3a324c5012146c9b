/**
 * Issue #18: the source layer over HTTP — POST /webhooks/<name> for declared sources with their own
 * authentication, the worker re-reading through the source's port, polling with a cursor per source,
 * the sweep of a source's own keys, and the admin API behind the "Sources" tab.
 */
import * as fs from 'node:fs';
import { createHmac } from 'node:crypto';
import { MemoryJira } from '../../src/adapters/memory';
import { SourcePayloadError, type SourceKind, type TicketSource } from '../../src/app/source';
import { signGlpi, signHmac } from '../../src/app/webhook-auth';
import type { SourceConfig } from '../../src/server/source-config';
import type { SourceFactory } from '../../src/server/sources';
import { sourceCursorDoc } from '../../src/server/sources';
import { incidentIssue } from '../support/builders';
import { ADMIN, ADMIN_JSON, manualClock, service, signedGeneric, tempDir, type TestService } from './helpers';
import { createGenericSource } from '../../src/server/generic-source';
import { createRegistry, parseDeliveryBody, pollSource } from '../../src/server/sources';

const NOW = Date.parse('2026-03-10T12:00:00+03:00');
const SHA1_SECRET = 'zammad-webhook-secret-0123';
const GLPI_SECRET = 'glpi-webhook-secret-0123456789';
const TOKEN = 'gitlab-token-0123456789abcdef';

/** A Zammad ticket webhook body (the shape of Zammad's webhook: { ticket: {...}, article: {...} }). */
const zammadBody = (id = 42) =>
  JSON.stringify({
    ticket: {
      id,
      number: '31001',
      title: 'Отчёт не формируется',
      created_at: '2026-03-06T13:30:00.000Z',
      priority: { name: '3 high' },
      state: 'open',
    },
    article: { id: 7, body: 'Reports fail since Friday' },
  });

/** A Zammad ticket mapped by a generic source: what failed before (400 "key, kind, registeredAt required"). */
const ZAMMAD_MAPPING = `{
  "key": "Z-" & $string(ticket.id),
  "kind": "incident",
  "registeredAt": ticket.created_at,
  "impact": ticket.priority.name = "3 high" ? "high" : "medium",
  "urgency": "high",
  "mode": "operation",
  "nature": "failure"
}`;

/** Bitrix24 outbound webhooks post forms: data[FIELDS][ID], auth[application_token]. */
const BITRIX_MAPPING = `{
  "key": "B-" & data.FIELDS.ID,
  "kind": "incident",
  "registeredAt": "2026-03-06T16:30:00+03:00",
  "impact": "high", "urgency": "high", "mode": "operation", "nature": "failure"
}`;

interface Fake {
  jira: MemoryJira;
  polls: (string | null)[];
  pollKeys: string[];
  failReads: number;
}

/** A ticket system with numeric ids (like Zammad, GLPI): keys `<prefix><id>`, tickets in a MemoryJira. */
function fakeFactory(fake: Fake): SourceFactory {
  return (config: SourceConfig) => {
    const prefix = config.keyPrefix ?? 'Z#';
    const port = fake.jira;
    const wrapped = Object.create(port) as typeof port;
    wrapped.readTicket = async (key, settings) => {
      if (fake.failReads > 0) {
        fake.failReads--;
        throw new Error('the system answered 503');
      }
      return port.readTicket(key, settings);
    };
    const source: TicketSource = {
      name: config.name,
      kind: config.kind,
      ...(config.auth ? { auth: config.auth } : {}),
      port: wrapped,
      parseEvent(body) {
        const id =
          (body as { ticket?: { id?: unknown }; item?: { id?: unknown } })?.ticket?.id ??
          (body as { item?: { id?: unknown } })?.item?.id;
        if (typeof id !== 'number')
          throw new SourcePayloadError(
            'ticket.id',
            id ?? null,
            `ticket.id must be a number, got ${JSON.stringify(id ?? null)}`,
          );
        return [{ key: `${prefix}${id}` }];
      },
      async poll(cursor) {
        fake.polls.push(cursor);
        return { keys: fake.pollKeys, cursor: `c${fake.polls.length}` };
      },
      owns: (key) => key.startsWith(prefix),
    };
    return source;
  };
}

describe('declared sources: POST /webhooks/<name>', () => {
  let dir: string;
  let svc: TestService;
  let fake: Fake;
  let clock: ReturnType<typeof manualClock>;
  const sources: SourceConfig[] = [
    {
      name: 'zammad',
      kind: 'zammad',
      keyPrefix: 'Z#',
      auth: { scheme: 'hmac-sha1', secret: SHA1_SECRET },
      pollSeconds: 0,
    },
    {
      name: 'glpi',
      kind: 'glpi',
      keyPrefix: 'G#',
      auth: { scheme: 'glpi', secret: GLPI_SECRET },
      pollSeconds: 0,
    },
    {
      name: 'zammad-mapped',
      kind: 'generic',
      auth: { scheme: 'hmac-sha1', secret: SHA1_SECRET },
      mapping: ZAMMAD_MAPPING,
    },
    {
      name: 'gitlab',
      kind: 'generic',
      auth: { scheme: 'header-token', header: 'X-Gitlab-Token', token: TOKEN },
    },
    { name: 'by-url', kind: 'generic', auth: { scheme: 'url-token', token: TOKEN } },
    { name: 'bitrix', kind: 'generic', auth: { scheme: 'bitrix24', token: TOKEN }, mapping: BITRIX_MAPPING },
  ];

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock('2026-03-10T12:00:00+03:00');
    fake = { jira: new MemoryJira(() => NOW), polls: [], pollKeys: [], failReads: 0 };
    const factory = fakeFactory(fake);
    const factories: Partial<Record<SourceKind, SourceFactory>> = { zammad: factory, glpi: factory };
    svc = await service(
      dir,
      { sources },
      {
        now: clock.now,
        sourceFactories: {
          ...factories,
          generic: createGenericSource,
        },
      },
    );
  });
  afterEach(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (name: string, body: string, headers: Record<string, string>, query = '') =>
    svc.inject({
      method: 'POST',
      url: `/webhooks/${name}${query}`,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('Zammad: X-Hub-Signature sha1 is accepted (was 401); the worker reads Z#42 through the source and writes its SLA back', async () => {
    fake.jira.add(incidentIssue({ id: '42', key: 'Z#42' }));
    const body = zammadBody();
    const res = await post('zammad', body, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, body) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: true, events: [{ key: 'Z#42', duplicate: false }] });
    await svc.worker.drain();
    // SPEC §8 example 1: priority 5, reaction due 16:30 on Tuesday.
    const record = await svc.store.getSlaRecord('Z#42');
    expect(record).toMatchObject({ key: 'Z#42' });
    expect(fake.jira.issues.get('Z#42')!.shown).toMatchObject({
      slaPriority: 5,
      reactionDue: '2026-03-10T16:30:00+03:00',
    });
    // The same delivery again is a duplicate, not a second event.
    const again = await post('zammad', body, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, body) });
    expect(again.json().events[0].duplicate).toBe(true);
  });

  it('refuses an unsigned or wrongly signed delivery with 401 naming the header, and a body it cannot read with 400 naming the field', async () => {
    const body = zammadBody();
    const unsigned = await post('zammad', body, {});
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().message).toContain('X-Hub-Signature');
    const sha256 = await post('zammad', body, { 'x-hub-signature': signHmac('sha256', SHA1_SECRET, body) });
    expect(sha256.statusCode).toBe(401);
    const bad = JSON.stringify({ ticket: { id: 'x' } });
    const res = await post('zammad', bad, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, bad) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid-payload',
      problems: [{ path: 'ticket.id', value: 'x', message: 'ticket.id must be a number, got "x"' }],
    });
    const unknown = await post('nope', body, {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('no source named "nope"');
  });

  it('GLPI: X-GLPI-signature of body + X-GLPI-timestamp is accepted (was 401)', async () => {
    fake.jira.add(incidentIssue({ id: '9', key: 'G#9' }));
    const body = JSON.stringify({ event: 'update', item: { id: 9, name: 'Printer' } });
    const ts = Math.floor(NOW / 1000);
    const res = await post('glpi', body, {
      'x-glpi-signature': signGlpi(GLPI_SECRET, ts, body),
      'x-glpi-timestamp': String(ts),
    });
    expect(res.statusCode).toBe(202);
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('G#9'))?.key).toBe('G#9');
  });

  it('a failing read keeps the event in the inbox and the retry processes it', async () => {
    fake.jira.add(incidentIssue({ id: '43', key: 'Z#43' }));
    fake.failReads = 1;
    const body = zammadBody(43);
    expect(
      (await post('zammad', body, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, body) })).statusCode,
    ).toBe(202);
    await svc.worker.runOnce();
    expect(await svc.store.getSlaRecord('Z#43')).toBeNull();
    const counts = await svc.inbox.counts();
    expect(counts.pending).toBe(1);
    // The retry is due later (retryBaseMs 1 s, with jitter): a minute on, the worker processes it.
    const pending = await svc.inbox.list('pending', 10);
    expect(pending[0]).toMatchObject({ source: 'zammad', subject: 'zammad:Z#43', attempts: 1 });
    clock.advance(60_000);
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('Z#43'))?.key).toBe('Z#43');
    const admin = await svc.inject({ url: '/admin/sources', headers: ADMIN });
    const zammad = admin.json().sources.find((s: { name: string }) => s.name === 'zammad');
    expect(zammad.status.lastError.message).toBe('Z#43: the system answered 503');
  });

  it('a generic source maps a Zammad ticket body with JSONata to a snapshot and answers the verdict (was 400)', async () => {
    const body = zammadBody(77);
    const res = await post('zammad-mapped', body, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, body) });
    expect(res.statusCode).toBe(200);
    // Registered Friday 16:30 MSK (13:30Z), high/high failure in operation: SPEC §8 example 1.
    expect(res.json().verdict.priority).toMatchObject({ kind: 'incident', value: 5, class: 'critical' });
    expect(res.json().verdict.reaction).toMatchObject({ due: '2026-03-10T16:30:00+03:00', usedMinutes: 270 });
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('Z-77'))?.key).toBe('Z-77');
    // A body the mapping turns into no valid snapshot: 400 with the schema's problems and the mapped snapshot.
    const bad = JSON.stringify({ ticket: { id: 78 } });
    const refused = await post('zammad-mapped', bad, {
      'x-hub-signature': signHmac('sha1', SHA1_SECRET, bad),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems.map((p: { path: string }) => p.path)).toContain('registeredAt');
    expect(refused.json().snapshot.key).toBe('Z-78');
  });

  it('GitLab X-Gitlab-Token and ?token= deliver a snapshot (were 401)', async () => {
    const snap = JSON.stringify({
      key: 'GL-1',
      kind: 'incident',
      registeredAt: '2026-03-06T16:30:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
    });
    const gitlab = await post('gitlab', snap, { 'x-gitlab-token': TOKEN });
    expect(gitlab.statusCode).toBe(200);
    expect(gitlab.json().verdict.priority.value).toBe(5);
    expect((await post('gitlab', snap, { 'x-gitlab-token': 'wrong' })).statusCode).toBe(401);
    const url = await post('by-url', snap.replace('GL-1', 'GL-2'), {}, `?token=${TOKEN}`);
    expect(url.statusCode).toBe(200);
    expect((await post('by-url', snap, {}, '?token=wrong')).statusCode).toBe(401);
  });

  it('Bitrix24: a form post with auth[application_token] is accepted and its fields mapped (was 401)', async () => {
    const form = new URLSearchParams({
      event: 'ONCRMDEALUPDATE',
      'data[FIELDS][ID]': '17',
      'auth[domain]': 'example.bitrix24.ru',
      'auth[application_token]': TOKEN,
    }).toString();
    const res = await post('bitrix', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(200);
    expect(res.json().verdict.key).toBe('B-17');
    const forged = await post('bitrix', form.replace(TOKEN, 'forged-token'), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(forged.statusCode).toBe(401);
  });

  it('polls a source with its own cursor document and enqueues each changed key once per cursor', async () => {
    fake.jira.add(incidentIssue({ id: '50', key: 'Z#50' }));
    fake.pollKeys = ['Z#50'];
    const zammad = svc.sources.get('zammad')!;
    expect(await pollSource({ source: zammad, docs: svc.storage, inbox: svc.inbox, now: () => NOW })).toBe(1);
    expect(await svc.storage.getDoc(sourceCursorDoc('zammad'))).toBe('c1');
    expect(await pollSource({ source: zammad, docs: svc.storage, inbox: svc.inbox, now: () => NOW })).toBe(1);
    expect(fake.polls).toEqual([null, 'c1']);
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('Z#50'))?.key).toBe('Z#50');
  });

  it('the sweep re-reads a source-owned record its search misses', async () => {
    fake.jira.add(incidentIssue({ id: '60', key: 'Z#60' }));
    const body = zammadBody(60);
    await post('zammad', body, { 'x-hub-signature': signHmac('sha1', SHA1_SECRET, body) });
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('Z#60'))?.key).toBe('Z#60');
    // Past the reaction deadline (16:30) the record is due; the system no longer has the ticket: the
    // source's sweep re-reads the key it owns (and the record goes).
    fake.jira.issues.delete('Z#60');
    clock.set(Date.parse('2026-03-10T17:00:00+03:00'));
    const reads = fake.jira.calls.readTicket;
    const status = await svc.sweepNow();
    expect(status.ok).toBe(true);
    expect(fake.jira.calls.readTicket).toBeGreaterThan(reads);
    expect(await svc.store.getSlaRecord('Z#60')).toBeNull();
  });

  it('GET /admin/sources lists implicit and declared sources without secrets; administrators only', async () => {
    expect((await svc.inject({ url: '/admin/sources' })).statusCode).toBe(401);
    const res = await svc.inject({ url: '/admin/sources', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const list = res.json().sources as {
      name: string;
      kind: string;
      auth: string;
      webhookUrl: string | null;
      implicit: boolean;
    }[];
    expect(list.map((s) => s.name)).toEqual([
      'generic',
      'zammad',
      'glpi',
      'zammad-mapped',
      'gitlab',
      'by-url',
      'bitrix',
    ]);
    expect(list.find((s) => s.name === 'zammad')).toMatchObject({
      kind: 'zammad',
      auth: 'HMAC-SHA1, X-Hub-Signature',
      webhookUrl: '/webhooks/zammad',
      implicit: false,
    });
    expect(list.find((s) => s.name === 'gitlab')!.auth).toBe('Token, X-Gitlab-Token');
    for (const secret of [SHA1_SECRET, GLPI_SECRET, TOKEN]) expect(res.body).not.toContain(secret);
    // The implicit generic source's own route reports its deliveries and refusals too.
    expect(list.find((s) => s.name === 'generic')).toMatchObject({
      implicit: true,
      status: { deliveries: 0 },
    });
    const snap = {
      key: 'SUP-101',
      kind: 'incident',
      registeredAt: '2026-03-06T16:30:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
    };
    expect((await svc.inject(signedGeneric(snap))).statusCode).toBe(200);
    expect(
      (await svc.inject({ ...signedGeneric(snap), headers: { 'content-type': 'application/json' } }))
        .statusCode,
    ).toBe(401);
    const after = (await svc.inject({ url: '/admin/sources', headers: ADMIN }))
      .json()
      .sources.find((s: { name: string }) => s.name === 'generic');
    expect(after.status.deliveries).toBe(1);
    expect(after.status.lastDeliveryMs).toBe(NOW);
    expect(after.status.lastError.message).toMatch(/^401 missing X-Reglament-Timestamp/);
  });

  it('POST /admin/sources/test maps a sample payload and answers the snapshot and verdict, or the problems', async () => {
    const ok = await svc.inject({
      method: 'POST',
      url: '/admin/sources/test',
      headers: ADMIN_JSON,
      payload: JSON.stringify({ mapping: ZAMMAD_MAPPING, payload: JSON.parse(zammadBody(5)) }),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      ok: true,
      snapshot: { key: 'Z-5', impact: 'high' },
      verdict: { priority: { value: 5 } },
    });
    const broken = await svc.inject({
      method: 'POST',
      url: '/admin/sources/test',
      headers: ADMIN_JSON,
      payload: JSON.stringify({ mapping: '{ "key": ', payload: {} }),
    });
    expect(broken.json()).toMatchObject({ ok: false, problems: [{ path: 'mapping' }] });
    expect(broken.json().message).toContain('not a valid JSONata expression');
    const invalid = await svc.inject({
      method: 'POST',
      url: '/admin/sources/test',
      headers: ADMIN_JSON,
      payload: JSON.stringify({
        mapping: '{ "key": "X-1", "kind": "incident", "impact": "huge" }',
        payload: {},
      }),
    });
    expect(invalid.json().ok).toBe(false);
    expect(invalid.json().problems.find((p: { path: string }) => p.path === 'impact').message).toContain(
      'huge',
    );
    const viewer = await svc.inject({
      method: 'POST',
      url: '/admin/sources/test',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(viewer.statusCode).toBe(401);
  });
});

it("a signed Zammad ticket body: the HMAC-SHA1 the test signs is Zammad's (sha1= hex of the body)", () => {
  const body = zammadBody();
  expect(signHmac('sha1', SHA1_SECRET, body)).toBe(
    `sha1=${createHmac('sha1', SHA1_SECRET).update(body).digest('hex')}`,
  );
});

describe('createRegistry', () => {
  const ctx = { now: () => NOW, log: { warn: () => undefined } };
  it('refuses a kind without an adapter in this build, naming the source and the way for Redmine', () => {
    expect(() => createRegistry([{ name: 'rm2', kind: 'redmine', pollSeconds: 60 }], ctx)).toThrow(
      "sources[rm2].kind: no adapter for kind 'redmine' in this build (available: generic, yandex-tracker, zammad, glpi; use REGLAMENT_REDMINE_* for one Redmine)",
    );
  });
  it('refuses a source that receives webhooks without an authentication scheme', () => {
    expect(() => createRegistry([{ name: 'g', kind: 'generic' }], ctx)).toThrow(
      'sources[g].auth: a source that receives webhooks needs an authentication scheme',
    );
  });
  it('parses form posts into nested objects without touching prototypes', () => {
    const body = parseDeliveryBody({
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      rawBody: Buffer.from('data[FIELDS][ID]=17&auth[domain]=b24.example&__proto__[x]=1&plain=a'),
      query: {},
      nowMs: NOW,
    });
    expect(body).toEqual({ data: { FIELDS: { ID: '17' } }, auth: { domain: 'b24.example' }, plain: 'a' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(() =>
      parseDeliveryBody({ headers: {}, rawBody: Buffer.from('{oops'), query: {}, nowMs: NOW }),
    ).toThrow(/^the body is not valid JSON/);
  });
});
