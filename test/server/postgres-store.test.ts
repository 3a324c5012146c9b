/**
 * The PostgreSQL storage of the self-hosted service, on a real PostgreSQL (test/server/postgres.ts):
 * the Store port, the inbox, and two service instances sharing one database.
 * Skips with a message when PostgreSQL is not installed; fails under REQUIRE_REAL_DATABASES=1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SlaRecordRow } from '../../src/app/ports';
import { defaultSettings } from '../../src/app/settings';
import {
  openPostgres,
  PostgresInbox,
  PostgresStore,
  PostgresTicketPort,
  type PgDb,
} from '../../src/adapters/store-postgres';
import type { PostgresStorage } from '../../src/server/storage';
import { createService, type Service } from '../../src/server/service';
import { config, example1, request, setSigningClock, signedGeneric, tempDir } from './helpers';
import { formatProblems, loadConfig } from '../../src/server/config';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';
import { slaRow } from '../support/builders';

const available = postgresAvailable();
if (!available)
  console.warn(
    'SKIPPED test/server/postgres-store.test.ts: PostgreSQL is not installed (apt-get install postgresql).',
  );

const NOW = Date.parse('2026-03-10T09:00:00Z');

/** A running incident of SUP (test/support/builders slaRow); `over` changes any field. */
function record(key: string, over: Partial<SlaRecordRow> = {}): SlaRecordRow {
  return slaRow(key, {
    project: 'SUP',
    state: 'running',
    summary: 'Payments are down',
    verdictJson: '{"v":1}',
    updatedAt: '2026-03-10T09:00:00.000Z',
    nextChangeMs: null,
    ...over,
  });
}

describe('REGLAMENT_DATABASE_URL', () => {
  it('selects PostgreSQL with a postgres:// URL (env or file key databaseUrl); absent means SQLite', () => {
    const env = loadConfig({ env: { REGLAMENT_DATABASE_URL: 'postgres://u:p@db:5432/reglament' } });
    expect(env.ok && env.config.databaseUrl).toBe('postgres://u:p@db:5432/reglament');
    const file = path.join(tempDir(), 'reglament.json');
    fs.writeFileSync(file, JSON.stringify({ databaseUrl: 'postgresql://db/reglament' }));
    const fromFile = loadConfig({ env: {}, argv: ['--config', file] });
    expect(fromFile.ok && fromFile.config.databaseUrl).toBe('postgresql://db/reglament');
    fs.writeFileSync(file, JSON.stringify({ databaseUrl: 'reglament.sqlite' }));
    const bad = loadConfig({ env: {}, argv: ['--config', file] });
    expect(!bad.ok && formatProblems(bad.problems)).toMatch(
      /^reglament\.json: databaseUrl: must be a postgres:\/\/ URL/,
    );
    const none = loadConfig({ env: {} });
    expect(none.ok && none.config.databaseUrl).toBeUndefined();
  });

  it('refuses another URL, naming the setting and hiding the value (it may hold a password)', () => {
    const r = loadConfig({ env: { REGLAMENT_DATABASE_URL: 'mysql://u:secret@db/reglament' } });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(formatProblems(r.problems)).toBe(
        'REGLAMENT_DATABASE_URL: must be a postgres:// URL, e.g. postgres://user:password@host:5432/reglament, got (hidden)',
      );
  });
});

(available ? describe : describe.skip)('PostgreSQL storage of the service', () => {
  let pg: Postgres;
  /** A fresh database per test (instances of one test share it). */
  const freshDatabase = (): Promise<string> => pg.database('reglament_t');

  beforeAll(async () => {
    pg = (await startPostgres())!;
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  describe('adapters', () => {
    let db: PgDb;
    beforeAll(async () => {
      const url = await freshDatabase();
      db = await openPostgres({ url, max: 4 });
      // The schema is idempotent: a second open (another instance starting) changes nothing.
      await (await openPostgres({ url, max: 1 })).close();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('group: the statements of a batch on one connection, one commit; a failed tx inside is a savepoint', async () => {
      const pid = { sql: 'SELECT pg_backend_pid() AS pid', params: [] };
      await db.run({ sql: 'CREATE TABLE group_probe (n INTEGER PRIMARY KEY)', params: [] });
      const pids = await db.group(async () => {
        const a = (await db.get<{ pid: number }>(pid))!.pid;
        await db.run({ sql: 'INSERT INTO group_probe (n) VALUES (?)', params: [1] });
        // Not visible to another connection before the commit.
        expect((await db.pool.query('SELECT COUNT(*)::int AS n FROM group_probe')).rows[0].n).toBe(0);
        await expect(
          db.tx(async (c) => {
            await c.query('INSERT INTO group_probe (n) VALUES (2)');
            await c.query('INSERT INTO group_probe (n) VALUES (1)'); // duplicate key
          }),
        ).rejects.toThrow(/duplicate key/);
        await db.run({ sql: 'INSERT INTO group_probe (n) VALUES (?)', params: [3] });
        const b = (await db.get<{ pid: number }>(pid))!.pid;
        return [a, b];
      });
      expect(pids[0]).toBe(pids[1]);
      expect(
        (await db.all<{ n: number }>({ sql: 'SELECT n FROM group_probe ORDER BY n', params: [] })).map(
          (r) => r.n,
        ),
      ).toEqual([1, 3]);
      // A group that throws leaves nothing.
      await expect(
        db.group(async () => {
          await db.run({ sql: 'INSERT INTO group_probe (n) VALUES (?)', params: [4] });
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect((await db.all({ sql: 'SELECT n FROM group_probe WHERE n = 4', params: [] })).length).toBe(0);
      await db.run({ sql: 'DROP TABLE group_probe', params: [] });
    });

    it('Store: settings, SLA records and notices round-trip', async () => {
      const store = new PostgresStore(db, () => NOW);
      expect(await store.hasSettings()).toBe(false);
      const loaded = await store.load();
      expect(loaded).toEqual(defaultSettings());
      await store.saveSettings({ ...loaded, webhookSecret: 'x'.repeat(20) });
      const other = new PostgresStore(db, () => NOW);
      expect((await other.load()).webhookSecret).toBe('x'.repeat(20));
      expect(await other.hasSettings()).toBe(true);

      await store.upsertSlaRecord(record('SUP-1'));
      await store.upsertSlaRecord(
        record('SUP-2', { kind: 'error', class: null, priority: null, agreed: true }),
      );
      await store.upsertSlaRecord(record('OPS-1', { project: 'OPS', state: 'breached' }));
      await store.upsertSlaRecord(record('SUP-1', { state: 'met', doneAt: '2026-03-10T12:00:00+03:00' }));
      expect(await store.getSlaRecord('SUP-1')).toEqual(
        record('SUP-1', { state: 'met', doneAt: '2026-03-10T12:00:00+03:00' }),
      );
      expect(await store.getSlaRecord('SUP-2')).toEqual(
        record('SUP-2', { kind: 'error', class: null, priority: null, agreed: true }),
      );
      expect((await store.listSlaRecords({ projects: ['SUP'] })).map((r) => r.key)).toEqual([
        'SUP-1',
        'SUP-2',
      ]);
      expect((await store.listSlaRecords({ kind: 'incident' })).map((r) => r.key)).toEqual([
        'OPS-1',
        'SUP-1',
      ]);
      await store.deleteSlaRecord('SUP-2');
      expect(await store.getSlaRecord('SUP-2')).toBeNull();

      expect(await store.claimNotice('SUP-1', 'reaction:breached')).toBe(true);
      expect(await other.claimNotice('SUP-1', 'reaction:breached')).toBe(false);
      expect(await store.listNotices('SUP-1')).toEqual(['reaction:breached']);
      await store.releaseNotice('SUP-1', 'reaction:breached');
      expect(await store.listNotices('SUP-1')).toEqual([]);
    });

    it('tickets: snapshot kept, shown values written, keys paged', async () => {
      const tickets = new PostgresTicketPort(db, () => NOW);
      await tickets.put(example1(), 'generic');
      expect(await tickets.count()).toBe(1);
      expect(await tickets.shownOf('SUP-101')).toMatchObject({ slaPriority: null });
      const t = (await tickets.readTicket('SUP-101', defaultSettings()))!;
      expect(t).toMatchObject({ key: 'SUP-101', project: 'SUP', issueType: 'incident' });
      await tickets.writeTicket(t, { slaPriority: 5 }, defaultSettings());
      expect((await tickets.shownOf('SUP-101'))?.slaPriority).toBe(5);
      expect(await tickets.searchKeys('')).toEqual({ keys: ['SUP-101'] });
      expect(await tickets.shownOf('NOPE-1')).toBeNull();
    });

    it('inbox: accept → claim → done; a redelivery is refused; two claimers get disjoint rows', async () => {
      const inbox = new PostgresInbox(db);
      const ev = (key: string, subject: string) => ({
        key,
        source: 'generic',
        type: 'snapshot',
        subject,
        payload: '{}',
      });
      expect(await inbox.enqueueBatch([ev('a', 'S-1'), ev('b', 'S-2'), ev('c', 'S-3')], NOW)).toEqual([
        true,
        true,
        true,
      ]);
      expect(await inbox.enqueueBatch([ev('a', 'S-1')], NOW)).toEqual([false]);
      expect(await inbox.counts()).toEqual({ pending: 3, processing: 0, done: 0, failed: 0 });

      const [one, two] = await Promise.all([
        inbox.claim('w1', 2, NOW, NOW + 60_000),
        new PostgresInbox(db).claim('w2', 2, NOW, NOW + 60_000),
      ]);
      const keys = [...one!, ...two!].map((e) => e.key).sort();
      expect(keys).toEqual(['a', 'b', 'c']);
      const mine = one!.map((e) => e.key);
      // Settling checks the holder: w2 cannot settle w1's rows.
      await inbox.settle(
        'w2',
        NOW,
        mine.map((key) => ({ key, ok: true as const })),
      );
      expect((await inbox.counts()).done).toBe(0);
      await inbox.settle(
        'w1',
        NOW + 5,
        mine.map((key) => ({ key, ok: true as const })),
      );
      await inbox.settle(
        'w2',
        NOW + 5,
        two!.map((e) => ({ key: e.key, ok: true as const })),
      );
      expect(await inbox.counts()).toEqual({ pending: 0, processing: 0, done: 3, failed: 0 });
      expect((await inbox.get('a'))?.doneMs).toBe(NOW + 5);
      expect(await inbox.prune(NOW + 6)).toBe(3);
    });
  });

  describe('two service instances on one database', () => {
    let url: string;
    let a: Service<PostgresStorage>;
    let b: Service<PostgresStorage>;
    let baseA: string;
    let baseB: string;

    beforeAll(async () => {
      url = await freshDatabase();
      setSigningClock(Date.now);
      const start = async () => {
        const svc = await createService<PostgresStorage>({
          config: config(tempDir(), {
            port: 0,
            host: '127.0.0.1',
            databaseUrl: url,
            inbox: { ...config('.').inbox, pollMs: 20, batch: 10 },
          }),
          logger: false,
          background: true,
        });
        return { svc, base: await svc.listen() };
      };
      // Started together, as instances behind a load balancer would be (the schema is created once).
      const [x, y] = await Promise.all([start(), start()]);
      ({ svc: a, base: baseA } = x);
      ({ svc: b, base: baseB } = y);
    }, 60_000);
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    const waitUntil = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 600; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`not reached: ${what}`);
    };

    it('sweep: one instance at a time (pg_try_advisory_lock): the other skips while one sweeps, then sweeps', async () => {
      // Instance A is held inside its sweep (it holds the lock) until the test lets it go.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const count = a.tickets.count.bind(a.tickets);
      a.tickets.count = async () => {
        entered();
        await gate;
        return count();
      };
      try {
        const swept = a.sweepNow();
        await inside;
        expect(await b.sweepNow()).toMatchObject({ ok: true, skipped: true });
        expect(await b.sweepNow()).toMatchObject({ skipped: true }); // still held
        release();
        const done = await swept;
        expect(done).toMatchObject({ ok: true });
        expect(done.skipped).toBeUndefined();
      } finally {
        a.tickets.count = count;
        release();
      }
      // The lock went with A's sweep: B sweeps now, and A and B at once sweep one after the other or skip.
      const again = await b.sweepNow();
      expect(again).toMatchObject({ ok: true });
      expect(again.skipped).toBeUndefined();
      const both = await Promise.all([a.sweepNow(), b.sweepNow()]);
      expect(both.every((s) => s.ok)).toBe(true);
      expect(both.filter((s) => !s.skipped).length).toBeGreaterThanOrEqual(1);
    });

    it('share the inbox: N events posted alternately are each processed exactly once', async () => {
      expect(a.storage.kind).toBe('postgres');
      const N = 40;
      const replies = [];
      for (let i = 0; i < N; i++) {
        const base = i % 2 === 0 ? baseA : baseB;
        replies.push(
          request(base, signedGeneric(example1({ key: `SUP-${1000 + i}` }), { 'x-request-id': `d-${i}` })),
        );
      }
      const done = await Promise.all(replies);
      expect(done.map((r) => r.statusCode)).toEqual(Array(N).fill(200));
      expect(done.every((r) => r.json().event.duplicate === false)).toBe(true);

      await waitUntil('all events done', async () => (await a.inbox.counts()).done === N);
      expect(await b.inbox.counts()).toEqual({ pending: 0, processing: 0, done: N, failed: 0 });
      const processedA = a.metrics.processed.total();
      const processedB = b.metrics.processed.total();
      // Exactly once: the two workers' processed counts add up to N (a row taken twice would add more).
      expect(processedA + processedB).toBe(N);
      console.info(
        `postgres-store: ${N} events, processed by instance A: ${processedA}, by B: ${processedB}`,
      );

      const records = await b.store.listSlaRecords({ projects: ['SUP'] });
      expect(records.map((r) => r.key)).toEqual(Array.from({ length: N }, (_, i) => `SUP-${1000 + i}`));
      // SPEC §8 example 1: incident, critical, priority 5, reaction due Tuesday 16:30 MSK.
      for (const r of records)
        expect(r).toMatchObject({
          kind: 'incident',
          class: 'critical',
          priority: 5,
          due: '2026-03-10T16:30:00+03:00',
        });
      expect(await a.tickets.count()).toBe(N);
    }, 60_000);

    it('deduplicates a redelivery that lands on the other instance', async () => {
      const before = a.metrics.processed.total() + b.metrics.processed.total();
      const first = await request(
        baseA,
        signedGeneric(example1({ key: 'SUP-7' }), { 'x-request-id': 'dup-1' }),
      );
      const again = await request(
        baseB,
        signedGeneric(example1({ key: 'SUP-7' }), { 'x-request-id': 'dup-1' }),
      );
      expect(first.json().event).toEqual({ id: 'generic:id:dup-1', duplicate: false });
      expect(again.json().event).toEqual({ id: 'generic:id:dup-1', duplicate: true });
      // Same body without a delivery id: the digest is the key, on either instance.
      const body = signedGeneric(example1({ key: 'SUP-8' }));
      const c = await request(baseB, body);
      const d = await request(baseA, body);
      expect([c.json().event.duplicate, d.json().event.duplicate]).toEqual([false, true]);

      await waitUntil(
        'both events done',
        async () => (await a.inbox.counts()).pending === 0 && (await a.inbox.counts()).processing === 0,
      );
      expect(a.metrics.processed.total() + b.metrics.processed.total() - before).toBe(2);
      expect(await a.store.getSlaRecord('SUP-7')).toMatchObject({ priority: 5 });
      expect(await b.store.getSlaRecord('SUP-8')).toMatchObject({ priority: 5 });
    }, 60_000);

    it('reports the database on /healthz', async () => {
      const h = await request(baseB, { url: '/healthz' });
      expect(h.json()).toMatchObject({ db: 'ok' });
    });
  });
});
