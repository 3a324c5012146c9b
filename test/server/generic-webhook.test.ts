import { sign } from '../../src/server/signature';
import { signTimestamped } from '../../src/app/webhook';
import {
  example1,
  legacySignedGeneric,
  service,
  signedGeneric,
  SECRET,
  tempDir,
  type TestService,
} from './helpers';
import * as fs from 'node:fs';

const NOW = '2026-03-10T12:00:00+03:00';

describe('POST /webhooks/generic', () => {
  let dir: string;
  let svc: TestService;
  beforeEach(async () => {
    dir = tempDir();
    svc = await service(dir, { bodyLimit: 4096 }, { now: () => Date.parse(NOW) });
  });
  afterEach(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers a signed snapshot with the verdict (SPEC §8 example 1) and queues it before replying', async () => {
    const res = await svc.inject(signedGeneric(example1()));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.verdict.priority).toMatchObject({ kind: 'incident', value: 5, class: 'critical' });
    // At 12:00 on Tuesday: 1.5 h on Friday + 3 h on Tuesday used (Monday 9 March is a day off), 3.5 h left.
    expect(body.verdict.reaction).toMatchObject({
      due: '2026-03-10T16:30:00+03:00',
      state: 'running',
      usedMinutes: 270,
      leftMinutes: 210,
    });
    expect(body.event.duplicate).toBe(false);
    // On disk before the reply; the record appears once the worker processed it.
    expect(svc.inbox.counts()).toEqual({ pending: 1, processing: 0, done: 0, failed: 0 });
    expect(await svc.store.getSlaRecord('SUP-101')).toBeNull();
    expect(await svc.worker.drain()).toBe(1);
    const record = await svc.store.getSlaRecord('SUP-101');
    expect(record).toMatchObject({
      kind: 'incident',
      class: 'critical',
      priority: 5,
      due: '2026-03-10T16:30:00+03:00',
    });
    expect(svc.inbox.counts()).toMatchObject({ pending: 0, done: 1 });
  });

  it('answers and stores the JSON that JSON.stringify makes of { verdict, event } and { snapshot, verdict, bodySha256 }', async () => {
    // The verdict's text is made once for both (issue #14); a reader of either cannot tell.
    const res = await svc.inject(signedGeneric(example1({ summary: 'Не работает «касса» \u2028 ✓' })));
    expect(res.statusCode).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const answer = res.json() as { verdict: unknown; event: { id: string; duplicate: boolean } };
    expect(res.body).toBe(JSON.stringify({ verdict: answer.verdict, event: answer.event }));
    expect(answer.event.duplicate).toBe(false);
    const [stored] = svc.inbox.list('pending', 1);
    const payload = JSON.parse(stored!.payload) as {
      snapshot: { summary: string };
      verdict: unknown;
      bodySha256: string;
    };
    expect(stored!.payload).toBe(
      JSON.stringify({
        snapshot: payload.snapshot,
        verdict: payload.verdict,
        bodySha256: payload.bodySha256,
      }),
    );
    expect(payload.verdict).toEqual(answer.verdict);
    expect(payload.snapshot.summary).toBe('Не работает «касса» \u2028 ✓');
    expect(payload.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    // A redelivery answers the same verdict text, as a duplicate.
    const again = await svc.inject(signedGeneric(example1({ summary: 'Не работает «касса» \u2028 ✓' })));
    expect(again.json()).toEqual({
      verdict: answer.verdict,
      event: { id: answer.event.id, duplicate: true },
    });
  });

  it('accepts the snapshot wrapped as { snapshot } and Russian labels', async () => {
    const res = await svc.inject(
      signedGeneric({
        snapshot: example1({ key: 'SUP-7', impact: 'Высокая' as never, mode: 'Внедрение' as never }),
      }),
    );
    expect(res.statusCode).toBe(200);
    // 5 − 1 for implementation mode = 4 high: 16 working hours.
    expect(res.json().verdict.priority).toMatchObject({ value: 4, class: 'high' });
  });

  const ts = String(Math.floor(Date.parse(NOW) / 1000));
  it.each([
    ['no signature', {}, 'missing X-Reglament-Timestamp'],
    [
      'no signature but a timestamp',
      { 'x-reglament-timestamp': ts },
      'missing or invalid X-Reglament-Signature',
    ],
    [
      'a wrong signature',
      signTimestamped('another-secret-value-123', JSON.stringify(example1()), Date.parse(NOW) / 1000),
      'missing or invalid',
    ],
    [
      'a malformed signature',
      { 'x-reglament-timestamp': ts, 'x-reglament-signature': 'sha256=zz' },
      'missing or invalid',
    ],
    [
      'a body-only (legacy) signature while legacy senders are not allowed',
      { 'x-reglament-signature': sign(SECRET, JSON.stringify(example1())) },
      'REGLAMENT_WEBHOOK_LEGACY_SIGNATURES=true',
    ],
  ])('refuses %s with 401 and stores nothing', async (_name, headers, message) => {
    const res = await svc.inject({
      method: 'POST',
      url: '/webhooks/generic',
      payload: JSON.stringify(example1()),
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'bad-signature' });
    expect(res.json().message).toContain(message);
    expect(svc.inbox.counts().pending).toBe(0);
    expect(svc.metrics.rejected.get({ source: 'generic', reason: 'bad-signature' })).toBe(1);
  });

  it('refuses a body signed for other bytes (tampered after signing)', async () => {
    const req = signedGeneric(example1());
    const res = await svc.inject({ ...req, payload: req.payload.replace('"high"', '"low"') });
    expect(res.statusCode).toBe(401);
  });

  it('accepts X-Hub-Signature-256 as well', async () => {
    const payload = JSON.stringify(example1());
    const { 'x-reglament-signature': signature, 'x-reglament-timestamp': stamp } = signTimestamped(
      SECRET,
      payload,
      Date.parse(NOW) / 1000,
    );
    const res = await svc.inject({
      method: 'POST',
      url: '/webhooks/generic',
      payload,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-reglament-timestamp': stamp,
      },
    });
    expect(res.statusCode).toBe(200);
  });

  // Issue #13, 2: a captured body replayed later under a new delivery id.
  it('refuses a captured delivery replayed more than 5 minutes later, even under a new delivery id', async () => {
    const captured = signedGeneric(
      example1(),
      { 'x-reglament-delivery': 'd-1' },
      SECRET,
      Date.parse(NOW) - 6 * 60_000,
    );
    const res = await svc.inject({
      ...captured,
      headers: { ...captured.headers, 'x-reglament-delivery': 'd-2' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'stale-timestamp' });
    expect(res.json().message).toBe(
      `X-Reglament-Timestamp ${Math.floor(Date.parse(NOW) / 1000) - 360} is 360 s away from the service's clock (${Math.floor(Date.parse(NOW) / 1000)}); at most 300 s is accepted`,
    );
    // Within the tolerance either way (a sender's clock a little ahead) it is accepted.
    const ahead = await svc.inject(signedGeneric(example1(), {}, SECRET, Date.parse(NOW) + 4 * 60_000));
    expect(ahead.statusCode).toBe(200);
    const garbled = await svc.inject({
      ...captured,
      headers: { ...captured.headers, 'x-reglament-timestamp': '17e8' },
    });
    expect(garbled.json()).toMatchObject({
      error: 'bad-timestamp',
      message: 'X-Reglament-Timestamp must be unix seconds, got "17e8"',
    });
    expect(svc.inbox.counts().pending).toBe(1);
  });

  it('refuses an oversized body with 413 and a clear JSON message', async () => {
    const big = example1({ summary: 'x'.repeat(5000) });
    const res = await svc.inject(signedGeneric(big));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'payload-too-large',
      message: 'the body is larger than the limit of 4096 bytes (REGLAMENT_BODY_LIMIT)',
    });
    expect(svc.inbox.counts().pending).toBe(0);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await svc.inject(signedGeneric('{"key": "SUP-1", '));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid-json');
    expect(res.json().message).toMatch(/^the body is not valid JSON: /);
  });

  it('lists every problem of an invalid snapshot', async () => {
    const res = await svc.inject(
      signedGeneric({
        key: 'SUP-1',
        kind: 'incident',
        registeredAt: '2026-03-06T16:30',
        impact: 'huge',
        urgency: 'high',
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid-snapshot');
    expect(body.message).toBe('the snapshot has 2 problem(s)');
    expect(body.problems.map((p: { path: string }) => p.path)).toEqual(['registeredAt', 'impact']);
    expect(svc.inbox.counts().pending).toBe(0);
  });

  it('processes a redelivered event once (same delivery id), and again-identical bodies once (same digest)', async () => {
    const a = await svc.inject(signedGeneric(example1(), { 'x-request-id': 'delivery-1' }));
    const b = await svc.inject(signedGeneric(example1(), { 'x-request-id': 'delivery-1' }));
    expect(a.json().event).toEqual({ id: 'generic:id:delivery-1', duplicate: false });
    expect(b.statusCode).toBe(200);
    expect(b.json().event).toEqual({ id: 'generic:id:delivery-1', duplicate: true });
    const c = await svc.inject(signedGeneric(example1({ key: 'SUP-2' })));
    const d = await svc.inject(signedGeneric(example1({ key: 'SUP-2' })));
    expect(c.json().event.duplicate).toBe(false);
    expect(d.json().event.duplicate).toBe(true);
    expect(c.json().event.id).toMatch(/^generic:sha256:[0-9a-f]{64}$/);
    expect(await svc.worker.drain()).toBe(2);
    expect(svc.metrics.accepted.get({ source: 'generic' })).toBe(2);
    expect(svc.metrics.duplicates.get({ source: 'generic' })).toBe(2);
    expect(svc.metrics.processed.get({ source: 'generic' })).toBe(2);
    expect(svc.inbox.counts()).toMatchObject({ done: 2, pending: 0 });
  });

  it('coalesces several snapshots of one issue in a batch and keeps the newest', async () => {
    await svc.inject(signedGeneric(example1({ impact: 'low' })));
    await svc.inject(signedGeneric(example1({ impact: 'medium' })));
    await svc.inject(signedGeneric(example1({ impact: 'high', urgency: 'medium' })));
    expect(await svc.worker.drain()).toBe(3);
    // high impact × medium urgency = 4 (SPEC §2).
    expect((await svc.store.getSlaRecord('SUP-101'))?.priority).toBe(4);
    expect(svc.metrics.processed.get({ source: 'generic' })).toBe(3);
  });
});

describe('POST /webhooks/generic from legacy senders (REGLAMENT_WEBHOOK_LEGACY_SIGNATURES)', () => {
  it('accepts body-only signatures only where the administrator allows them', async () => {
    const dir = tempDir();
    const svc = await service(dir, { webhookLegacySignatures: true }, { now: () => Date.parse(NOW) });
    try {
      expect((await svc.inject(legacySignedGeneric(example1()))).statusCode).toBe(200);
      expect((await svc.inject(signedGeneric(example1({ key: 'SUP-2' })))).statusCode).toBe(200);
      const wrong = await svc.inject(legacySignedGeneric(example1(), {}, 'another-secret-value-123'));
      expect(wrong.statusCode).toBe(401);
    } finally {
      await svc.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
