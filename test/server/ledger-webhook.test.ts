/**
 * The SLA ledger through the self-hosted service's generic webhook (issue #11): stale snapshots change
 * nothing, a delivery id reused with another body is refused, a recorded breach survives a later
 * change of inputs, a moved issue (same id, new key) keeps one record, and the ledger survives a
 * restart without duplicates. SPEC §8 example 1: critical incident, reaction due 2026-03-10 16:30 MSK.
 */
import * as fs from 'node:fs';
import type { SqliteStore } from '../../src/adapters/store-sqlite';
import { ADMIN, example1, service, signedGeneric, tempDir, type TestService } from './helpers';

describe('the ledger through POST /webhooks/generic', () => {
  let dir: string;
  let svc: TestService;
  let now = Date.parse('2026-03-10T12:00:00+03:00');
  const store = () => svc.store as unknown as SqliteStore;
  beforeEach(async () => {
    dir = tempDir();
    now = Date.parse('2026-03-10T12:00:00+03:00');
    svc = await service(dir, {}, { now: () => now });
  });
  afterEach(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges an older snapshot as stale and changes nothing (the reaction stays)', async () => {
    const newer = example1({
      updatedAt: '2026-03-10T10:05:00+03:00',
      reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'comment' }],
    });
    expect((await svc.inject(signedGeneric(newer))).statusCode).toBe(200);
    await svc.worker.drain();
    now = Date.parse('2026-03-10T17:00:00+03:00');
    const older = example1({ updatedAt: '2026-03-10T09:00:00+03:00' });
    const res = await svc.inject(signedGeneric(older));
    expect(res.statusCode).toBe(200);
    expect(res.json().stale).toBe(true);
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-101')).toMatchObject({
      state: 'met',
      doneAt: '2026-03-10T10:00:00+03:00',
    });
  });

  it('keeps the newest of several queued snapshots by updatedAt, not by arrival', async () => {
    const newer = example1({
      updatedAt: '2026-03-10T10:05:00+03:00',
      reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'comment' }],
    });
    await svc.inject(signedGeneric(newer));
    await svc.inject(signedGeneric(example1({ updatedAt: '2026-03-10T09:00:00+03:00' })));
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-101')).toMatchObject({ state: 'met' });
  });

  it('refuses the same delivery id with a different body (409) and keeps the first', async () => {
    const a = await svc.inject(signedGeneric(example1(), { 'x-request-id': 'd-1' }));
    expect(a.statusCode).toBe(200);
    const b = await svc.inject(signedGeneric(example1({ urgency: 'low' }), { 'x-request-id': 'd-1' }));
    expect(b.statusCode).toBe(409);
    expect(b.json()).toMatchObject({ error: 'delivery-conflict' });
    expect(b.json().message).toContain('d-1 was already received with a different body');
    // The same body again is a plain duplicate.
    const c = await svc.inject(signedGeneric(example1(), { 'x-request-id': 'd-1' }));
    expect(c.statusCode).toBe(200);
    expect(c.json().event.duplicate).toBe(true);
    await svc.worker.drain();
    expect((await svc.store.getSlaRecord('SUP-101'))?.priority).toBe(5);
  });

  it('a breached reaction stays breached after the urgency is lowered', async () => {
    now = Date.parse('2026-03-10T17:00:00+03:00');
    await svc.inject(signedGeneric(example1({ updatedAt: '2026-03-10T16:59:00+03:00' })));
    await svc.worker.drain();
    expect(await svc.store.getSlaRecord('SUP-101')).toMatchObject({ state: 'breached' });
    now = Date.parse('2026-03-11T11:00:00+03:00');
    const lowered = example1({
      urgency: 'low',
      updatedAt: '2026-03-11T10:30:00+03:00',
      reactions: [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }],
    });
    const res = await svc.inject(signedGeneric(lowered));
    // The answer is evaluated before the ledger is read; the record is what counts.
    expect(res.statusCode).toBe(200);
    await svc.worker.drain();
    const record = await svc.store.getSlaRecord('SUP-101');
    expect(record).toMatchObject({
      state: 'breached',
      due: '2026-03-10T16:30:00+03:00',
      doneAt: '2026-03-11T10:00:00+03:00',
      priority: 3,
    });
    const facts = await store().listFacts('SUP-101');
    expect(facts.filter((f) => f.type === 'breached')).toHaveLength(1);
  });

  it('a moved issue (same id, new key) keeps one record', async () => {
    await svc.inject(signedGeneric(example1({ id: '10001', key: 'OLD-1' })));
    await svc.worker.drain();
    await svc.inject(signedGeneric(example1({ id: '10001', key: 'NEW-7' })));
    await svc.worker.drain();
    const keys = (await svc.store.listSlaRecords({})).map((r) => r.key);
    expect(keys).toEqual(['NEW-7']);
    expect((await store().listFacts('10001')).filter((f) => f.type === 'registered')).toHaveLength(2);
  });

  it('survives a restart with nothing lost or duplicated', async () => {
    now = Date.parse('2026-03-10T17:00:00+03:00');
    await svc.inject(signedGeneric(example1()));
    await svc.worker.drain();
    const before = (await store().listFacts('SUP-101')).map((f) => f.id).sort();
    expect(before.length).toBeGreaterThanOrEqual(4);
    await svc.close();
    svc = await service(dir, {}, { now: () => now });
    // The same snapshot again after the restart adds nothing.
    await svc.inject(signedGeneric(example1({ summary: 'again' })));
    await svc.worker.drain();
    const after = (await store().listFacts('SUP-101')).map((f) => f.id).sort();
    expect(after).toEqual(before);
  });
});

describe('GET /admin/ledger (export)', () => {
  let dir: string;
  let svc: TestService;
  beforeAll(async () => {
    dir = tempDir();
    svc = await service(dir, {}, { now: () => Date.parse('2026-03-10T17:00:00+03:00') });
    await svc.inject(signedGeneric(example1({ summary: 'a "quoted", summary' })));
    await svc.worker.drain();
  });
  afterAll(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports an issue as JSON Lines, one fact a line', async () => {
    const res = await svc.inject({ url: '/admin/ledger?issue=SUP-101', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const facts = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; issueId: string });
    expect(facts.map((f) => f.type)).toEqual(['registered', 'priority', 'deadline', 'breached']);
    expect(new Set(facts.map((f) => f.issueId))).toEqual(new Set(['SUP-101']));
  });

  it('exports a period as CSV with a header', async () => {
    const res = await svc.inject({
      url: '/admin/ledger?from=2026-03-01&to=2026-03-31&format=csv',
      headers: ADMIN,
    });
    expect(res.statusCode).toBe(200);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('issue_id,fact_id,type,clock,at,recorded_at,by,source,data');
    expect(lines.some((l) => l.includes(',breached,reaction,2026-03-10T16:30:00+03:00,'))).toBe(true);
    expect(lines).toHaveLength(5);
  });

  it('refuses a request without an issue or a period, and an unknown format', async () => {
    expect((await svc.inject({ url: '/admin/ledger?issue=SUP-101' })).statusCode).toBe(401); // administrators only
    expect((await svc.inject({ url: '/admin/ledger', headers: ADMIN })).statusCode).toBe(400);
    const bad = await svc.inject({ url: '/admin/ledger?issue=SUP-101&format=xml', headers: ADMIN });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('"xml"');
  });
});
