/**
 * The worker's batch on PostgreSQL (issue #14): one transaction per claimed batch, the subjects' rows
 * read up front and the writes sent as multi-row statements (src/adapters/store-postgres/batch.ts).
 *
 * - The same webhooks give the same SLA records, ledger, marks, tickets and compliance buckets on
 *   PostgreSQL (batched) as on SQLite (the reference), including updates of one issue inside one
 *   batch, an issue moved to another key, and a stale snapshot.
 * - A batch of 40 new events costs fewer than 0.5 statements (round trips) per event (it was about
 *   20 per event with one statement per read and write).
 * Skips with a message when PostgreSQL is not installed.
 */
import type { Snapshot } from '../../src/domain/snapshot';
import type { PostgresStorage, Storage } from '../../src/server/storage';
import { multiRow, PREFETCH_SQL } from '../../src/adapters/store-postgres/batch';
import { unnestRows, type ColumnTypes } from '../../src/adapters/store-postgres/bulk';
import { insertFactSql } from '../../src/adapters/sql/ledger';
import { claimHeldPostgres, claimPostgres, countOpenByStatus, placeholders } from '../../src/adapters/sql';
import { openPostgres, PostgresInbox } from '../../src/adapters/store-postgres';
import type { Fact } from '../../src/domain/ledger';
import { config, example1, service, signedGeneric, tempDir, type TestService } from './helpers';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';

const available = postgresAvailable();
if (!available)
  console.warn(
    'SKIPPED test/server/postgres-batch.test.ts: PostgreSQL is not installed (apt-get install postgresql).',
  );

const NOW = Date.parse('2026-03-12T09:00:00Z');

/** A registered fact of SUP-1 (the multi-row statements' tests). */
const fact = (id: string): Fact =>
  ({
    id,
    issueId: 'SUP-1',
    type: 'registered',
    at: '2026-03-06T13:30:00.000Z',
    recordedAt: '2026-03-06T13:30:00.000Z',
    data: {},
  }) as unknown as Fact;

describe('multiRow', () => {
  it('repeats the VALUES tuple and concatenates the parameters', () => {
    const one = insertFactSql('postgres', fact('a'));
    const two = multiRow([one, insertFactSql('postgres', fact('b'))]);
    expect(two.params).toEqual([...one.params, ...insertFactSql('postgres', fact('b')).params]);
    expect(two.sql).toBe(
      one.sql.replace('VALUES (?, ?, ?, ?, ?, ?, ?)', 'VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)'),
    );
  });

  it('gives each row count its own text, however the counts alternate (the texts are kept once built)', () => {
    const tuple = '(?, ?, ?, ?, ?, ?, ?)';
    const rows = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => insertFactSql('postgres', fact(`${tag}${i}`)));
    const single = rows(1, 'x')[0]!.sql;
    for (const n of [3, 1, 2, 3, 5, 2]) {
      const s = multiRow(rows(n, `n${n}-`));
      expect(s.sql).toBe(single.replace(`VALUES ${tuple}`, `VALUES ${Array(n).fill(tuple).join(', ')}`));
      expect(s.params).toHaveLength(7 * n);
      expect(s.params[0]).toBe(`n${n}-0`);
    }
    // Another text of the same shape is not mixed up with the first.
    const other = multiRow([
      { sql: 'INSERT INTO x (a) VALUES (?)', params: [1] },
      { sql: 'INSERT INTO x (a) VALUES (?)', params: [2] },
    ]);
    expect(other).toEqual({ sql: 'INSERT INTO x (a) VALUES (?), (?)', params: [1, 2] });
  });

  it('refuses no rows, statements of different texts and a statement without a VALUES tuple', () => {
    expect(() => multiRow([])).toThrow('multiRow: no rows');
    expect(() =>
      multiRow([insertFactSql('postgres', fact('a')), { sql: 'INSERT INTO x (a) VALUES (?)', params: [1] }]),
    ).toThrow('multiRow: statements of different texts');
    expect(() => multiRow([{ sql: 'DELETE FROM x WHERE a = ?', params: [1] }])).toThrow(
      'multiRow: no VALUES tuple in DELETE FROM x WHERE a = ?',
    );
  });
});

describe('unnestRows', () => {
  const types: ColumnTypes = async (table) =>
    new Map(
      table === 'reglament_ledger'
        ? [
            ['fact_id', 'character varying(64)'],
            ['issue_id', 'character varying(191)'],
            ['fact_type', 'character varying(32)'],
            ['clock', 'character varying(16)'],
            ['at_ms', 'bigint'],
            ['recorded_ms', 'bigint'],
            ['fact_json', 'text'],
          ]
        : [],
    );
  const insert = (id: string) => insertFactSql('postgres', fact(id));

  it("one array per column, of the column's type; the conflict clause kept; the same text for any row count", async () => {
    const two = await unnestRows([insert('a'), insert('b')], types);
    expect(two.sql).toBe(
      'INSERT INTO reglament_ledger (fact_id, issue_id, fact_type, clock, at_ms, recorded_ms, fact_json) ' +
        'SELECT * FROM unnest(?::character varying(64)[], ?::character varying(191)[], ?::character varying(32)[], ' +
        '?::character varying(16)[], ?::bigint[], ?::bigint[], ?::text[]) ON CONFLICT (issue_id, fact_id) DO NOTHING',
    );
    expect(two.params.slice(0, 2)).toEqual([
      ['a', 'b'],
      ['SUP-1', 'SUP-1'],
    ]);
    expect((await unnestRows([insert('a'), insert('b'), insert('c')], types)).sql).toBe(two.sql);
  });

  it('refuses no rows, different texts, a tuple that is not one ? per column and an unknown column', async () => {
    await expect(unnestRows([], types)).rejects.toThrow('unnestRows: no rows');
    await expect(
      unnestRows([insert('a'), { sql: 'INSERT INTO x (a) VALUES (?)', params: [1] }], types),
    ).rejects.toThrow('unnestRows: statements of different texts');
    await expect(unnestRows([{ sql: 'DELETE FROM x WHERE a = ?', params: [1] }], types)).rejects.toThrow(
      'unnestRows: not an INSERT … VALUES (?, …): DELETE FROM x WHERE a = ?',
    );
    await expect(
      unnestRows(
        [{ sql: 'INSERT INTO reglament_ledger (fact_id, at_ms) VALUES (?, ?, ?)', params: [1] }],
        types,
      ),
    ).rejects.toThrow('unnestRows: the VALUES tuple is not one ? per column');
    await expect(
      unnestRows(
        [{ sql: 'INSERT INTO reglament_ledger (fact_id, nope) VALUES (?, ?)', params: [1, 2] }],
        types,
      ),
    ).rejects.toThrow('unnestRows: no column nope in table reglament_ledger');
  });
});

(available ? describe : describe.skip)('the worker batch on PostgreSQL', () => {
  let pg: Postgres;
  let port: number;
  let sqlite: TestService;
  let postgres: Omit<TestService, 'storage'> & { storage: PostgresStorage };

  beforeAll(async () => {
    pg = (await startPostgres())!;
    const client = await pg.pool.connect();
    port = (client as unknown as { port: number }).port;
    client.release();
    await pg.pool.query('CREATE DATABASE reglament_batch');
    const over = { inbox: { ...config('.').inbox, batch: 100 } };
    sqlite = await service(tempDir(), over, { now: () => NOW });
    postgres = (await service(
      tempDir(),
      { ...over, databaseUrl: `postgres://postgres@127.0.0.1:${port}/reglament_batch` },
      { now: () => NOW },
    )) as unknown as Omit<TestService, 'storage'> & { storage: PostgresStorage };
  }, 60_000);
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
    await pg?.stop();
  });

  /** Posts the snapshots to both services (in this order), then lets both workers drain. */
  const deliver = async (snapshots: Snapshot[]) => {
    for (const svc of [sqlite, postgres])
      for (const s of snapshots) {
        const r = await svc.inject(signedGeneric(s, {}, undefined, NOW));
        expect(r.statusCode).toBe(200);
      }
  };

  /** Everything the worker wrote, through the ports, in a comparable form. */
  const contents = async (storage: Storage, keys: string[], ids: string[]) => {
    const store = storage.store;
    const tickets = [];
    for (const k of keys) {
      const t = await storage.tickets.readTicket(k, store.getSettingsSync());
      tickets.push(t && { key: t.key, snapshot: t.snapshot, shown: t.shown });
    }
    const facts: Record<string, unknown> = {};
    const marks: Record<string, unknown> = {};
    for (const id of ids) {
      facts[id] = await store.listFacts!(id);
      marks[id] = await store.getIssueMark!(id);
    }
    const buckets = (await store.listAggregates!('standard'))
      .filter((b) => b.n !== 0)
      .map((b) => JSON.stringify(b))
      .sort();
    const records = (await store.listSlaRecords({})).map((r) => ({ ...r, nextChangeMs: r.nextChangeMs }));
    return { records, facts, marks, tickets, buckets };
  };

  it('gives the same records, ledger, marks, tickets and buckets as SQLite; under 0.5 round trips per event', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `SUP-${200 + i}`);
    const first = keys.map((key, i) =>
      example1({
        key,
        ...(i === 7 ? { id: 'ID-7' } : {}),
        kind: i % 3 === 0 ? 'error' : 'incident',
        ...(i % 3 === 0
          ? {
              workaround: 'none',
              versions: [{ name: '5.2', releaseDate: '2026-06-15', released: false }],
              nature: undefined,
            }
          : {}),
        impact: (['high', 'medium', 'low'] as const)[i % 3],
        updatedAt: '2026-03-06T13:30:00Z',
      } as Partial<Snapshot>),
    );

    // Round 1: 40 new issues in one batch; the round trips of PostgreSQL's batch are counted (the
    // claim is inside its transaction, so a drain's last, empty, claim is one more transaction).
    await deliver(first);
    await sqlite.worker.drain();
    const { Client } = await import('pg');
    const query = Client.prototype.query;
    let trips = 0;
    Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
      trips += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      expect(await postgres.worker.runOnce()).toBe(40);
    } finally {
      Client.prototype.query = query;
    }
    expect(await postgres.worker.drain()).toBe(0);
    console.info(`postgres-batch: 40 new events, ${trips} statements (${(trips / 40).toFixed(2)} per event)`);
    expect(trips).toBeLessThan(20);

    // Round 2, one batch: two updates of one issue (a reaction, then a lower impact: its buckets move),
    // an issue moved to another key (same id), a stale snapshot (older updatedAt: changes nothing),
    // a new issue.
    const second: Snapshot[] = [
      {
        ...first[1]!,
        reactions: [{ at: '2026-03-06T14:00:00Z', type: 'status' }],
        updatedAt: '2026-03-06T14:00:00Z',
      },
      {
        ...first[1]!,
        reactions: [{ at: '2026-03-06T14:00:00Z', type: 'status' }],
        impact: 'low',
        updatedAt: '2026-03-06T15:00:00Z',
      },
      { ...first[7]!, key: 'OPS-207', updatedAt: '2026-03-07T10:00:00Z' },
      { ...first[2]!, impact: 'high', updatedAt: '2026-03-01T10:00:00Z' },
      example1({ key: 'SUP-999', updatedAt: '2026-03-08T10:00:00Z' }),
      { ...first[4]!, resolvedAt: '2026-03-09T10:00:00Z', updatedAt: '2026-03-09T10:00:00Z' } as Snapshot,
    ];
    await deliver(second);
    await sqlite.worker.drain();
    await postgres.worker.drain();

    const allKeys = [...keys, 'OPS-207', 'SUP-999'];
    const ids = [...keys.filter((k) => k !== 'SUP-207'), 'ID-7', 'SUP-999'];
    const a = await contents(sqlite.storage, allKeys, ids);
    const b = await contents(postgres.storage, allKeys, ids);
    expect(b.records.map((r) => r.key)).toContain('OPS-207');
    expect(b.records.map((r) => r.key)).not.toContain('SUP-207');
    expect(b.records.length).toBe(41);
    expect(b).toEqual(a);

    // The buckets kept by the batches equal a full recount.
    const kept = b.buckets;
    await postgres.storage.store.rebuildAggregates!();
    expect((await contents(postgres.storage, [], [])).buckets).toEqual(kept);

    // A sweep over every record (all made due): on PostgreSQL one transaction per batch of due records
    // (SweepOptions.page); the same results as SQLite's sweep, in few statements per record.
    sqlite.storage.db.prepare('UPDATE reglament_sla_records SET next_change_ms = 0').run();
    await postgres.storage.db.pool.query('UPDATE reglament_sla_records SET next_change_ms = 0');
    expect(await sqlite.sweepNow()).toMatchObject({ ok: true });
    trips = 0;
    Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
      trips += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      expect(await postgres.sweepNow()).toMatchObject({ ok: true });
    } finally {
      Client.prototype.query = query;
    }
    console.info(
      `postgres-batch: sweep of 41 due records, ${trips} statements (${(trips / 41).toFixed(2)} per record)`,
    );
    expect(trips).toBeLessThan(2 * 41);
    const a2 = await contents(sqlite.storage, allKeys, ids);
    const b2 = await contents(postgres.storage, allKeys, ids);
    expect(b2.records.every((r) => r.nextChangeMs !== 0)).toBe(true);
    expect(b2).toEqual(a2);
  }, 90_000);

  type PgService = Omit<TestService, 'storage'> & { storage: PostgresStorage };
  const impacts = ['low', 'medium', 'high'] as const;

  /** 20 issues × 3 snapshots (newer updatedAt each time, the impact changing so buckets move), posted round-robin to `to`, several at once. */
  async function post60(to: PgService[]): Promise<void> {
    const posts = [];
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 20; i++) {
        const s = example1({
          key: `TWO-${i}`,
          impact: impacts[(i + round) % 3],
          updatedAt: `2026-03-0${7 + round}T10:00:00Z`,
        });
        posts.push(to[(i + round) % to.length]!.inject(signedGeneric(s, {}, undefined, NOW)));
      }
    expect((await Promise.all(posts)).map((r) => r.statusCode)).toEqual(Array(60).fill(200));
  }

  /** Each event once, the newest snapshot decided each record, and the kept buckets equal a recount. */
  async function expectEachOnce(all: PgService[]): Promise<void> {
    const a = all[0]!;
    expect(await a.storage.inbox.counts()).toEqual({ pending: 0, processing: 0, done: 60, failed: 0 });
    expect(all.reduce((n, s) => n + s.metrics.processed.total(), 0)).toBe(60);
    const records = await a.storage.store.listSlaRecords({ projects: ['TWO'] });
    expect(records.length).toBe(20);
    // The newest snapshot of each issue (round 2) decided its record, whichever worker took it.
    for (const r of records) {
      const i = Number(r.key.slice(4));
      const expected = { low: 'low', medium: 'high', high: 'critical' }[impacts[(i + 2) % 3]!];
      expect({ key: r.key, class: r.class }).toEqual({ key: r.key, class: expected });
    }
    const kept = (await a.storage.store.listAggregates!('standard'))
      .filter((x) => x.n !== 0)
      .map((x) => JSON.stringify(x))
      .sort();
    await a.storage.store.rebuildAggregates!();
    const recount = (await a.storage.store.listAggregates!('standard'))
      .filter((x) => x.n !== 0)
      .map((x) => JSON.stringify(x))
      .sort();
    expect(kept).toEqual(recount);
  }

  it('two instances with background workers: each event once, the newest snapshot wins, buckets equal a recount', async () => {
    await pg.pool.query('CREATE DATABASE reglament_batch2');
    const url = `postgres://postgres@127.0.0.1:${port}/reglament_batch2`;
    const start = () =>
      service(
        tempDir(),
        { databaseUrl: url, inbox: { ...config('.').inbox, batch: 10, pollMs: 20 } },
        { now: () => NOW, background: true },
      ) as unknown as Promise<PgService>;
    const [a, b] = await Promise.all([start(), start()]);
    try {
      await post60([a, b]);
      for (let i = 0; i < 600 && (await a.storage.inbox.counts()).done < 60; i++)
        await new Promise((r) => setTimeout(r, 50));
      await expectEachOnce([a, b]);
      // Each instance runs two workers; /healthz counts the second too: stopped, the service is stalled.
      expect((await a.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ worker: 'ok' });
      await a.workers[1]!.stop();
      const h = await a.inject({ method: 'GET', url: '/healthz' });
      expect({ code: h.statusCode, worker: h.json().worker }).toEqual({ code: 503, worker: 'stalled' });
    } finally {
      await a.close();
      await b.close();
    }
  }, 90_000);

  // Issue #14, session 9: one instance runs two inbox workers on PostgreSQL by default (bench:server
  // phase 3: one batch's round trips overlap the other's). Their batches run at the same time on
  // events of the same issues; a SQLite file keeps one.
  it('one instance runs two workers by default, whose concurrent batches take disjoint events, each once', async () => {
    await pg.pool.query('CREATE DATABASE reglament_batch3');
    const url = `postgres://postgres@127.0.0.1:${port}/reglament_batch3`;
    const one = (await service(
      tempDir(),
      { databaseUrl: url, inbox: { ...config('.').inbox, batch: 10 } },
      { now: () => NOW },
    )) as unknown as PgService;
    const lite = await service(tempDir(), {}, { now: () => NOW });
    try {
      expect(one.workers.length).toBe(2);
      expect(lite.workers.length).toBe(1);
      expect(one.workers[0]).toBe(one.worker);
      await post60([one]);
      // Both workers' batches at once, until the inbox is empty: 10 events each per turn.
      for (let turn = 0; turn < 20; turn++) {
        const n = await Promise.all(one.workers.map((w) => w.runOnce()));
        if (turn === 0) expect(n).toEqual([10, 10]);
        if (n.every((x) => x === 0)) break;
      }
      const by = await one.storage.db.all({
        sql: `SELECT claimed_by, count(*) AS n FROM reglament_inbox WHERE status = 'done' GROUP BY claimed_by ORDER BY claimed_by`,
        params: [],
      });
      expect(by.map((r) => String(r.claimed_by)).sort()).toEqual(one.workers.map((w) => w.id).sort());
      expect(by.reduce((n, r) => n + Number(r.n), 0)).toBe(60);
      await expectEachOnce([one]);
    } finally {
      await one.close();
      await lite.close();
    }
  }, 90_000);

  it('writes through unnest exactly what the multi-row VALUES statement writes (quotes, backslashes, nulls, unicode, 64-bit)', async () => {
    const db = postgres.storage.db;
    for (const t of ['bulk_values', 'bulk_unnest'])
      await db.pool.query(
        `CREATE TABLE ${t} (k VARCHAR(20) PRIMARY KEY, n BIGINT NULL, j TEXT NOT NULL, c VARCHAR(8) NULL)`,
      );
    const rows = (t: string) =>
      [
        ['a', 1, '{"x":"q\\"uote"}', 'ok'],
        ['b', null, 'back\\slash, {braces} "and" NULL', null],
        ['c', 9_007_199_254_740_991, 'Ошибка — «кавычки» 🙂', 'NULL'],
        ['d', -5, '', ''],
      ].map((p) => ({
        sql: `INSERT INTO ${t} (k, n, j, c) VALUES (?, ?, ?, ?) ON CONFLICT (k) DO NOTHING`,
        params: p,
      }));
    await db.run(multiRow(rows('bulk_values')));
    const u = await unnestRows(rows('bulk_unnest'), db.columnTypes);
    expect(u.sql).toContain(
      'unnest(?::character varying(20)[], ?::bigint[], ?::text[], ?::character varying(8)[])',
    );
    await db.run(u);
    const read = async (t: string) => (await db.pool.query(`SELECT * FROM ${t} ORDER BY k`)).rows;
    expect(await read('bulk_unnest')).toEqual(await read('bulk_values'));
    expect((await read('bulk_unnest')).map((r) => r.c)).toEqual(['ok', null, 'NULL', '']);
    // The conflict clause still applies: a second write changes nothing.
    expect(await db.run(await unnestRows(rows('bulk_unnest'), db.columnTypes))).toBe(0);
  });

  // Issue #14, session 11: the batch's claim is its transaction's row locks (claimHeldPostgres), so an
  // event's inbox row is written once, when the batch settles it (it was claimed, then settled: two
  // tuple versions, each with its index entries and WAL).
  /** A service of its own on a fresh database (`name`), workers run by the test. */
  const fresh = async (name: string): Promise<PgService> => {
    await pg.pool.query(`CREATE DATABASE ${name}`);
    return (await service(
      tempDir(),
      {
        databaseUrl: `postgres://postgres@127.0.0.1:${port}/${name}`,
        inbox: { ...config('.').inbox, batch: 100 },
      },
      { now: () => NOW },
    )) as unknown as PgService;
  };

  it("writes each processed event once: claimed by the batch transaction's row locks, then settled", async () => {
    const svc = await fresh('reglament_batch_once');
    try {
      const pool = svc.storage.db.pool;
      await pool.query('CREATE TABLE inbox_updates (event_key TEXT NOT NULL, status TEXT NOT NULL)');
      await pool.query(
        `CREATE FUNCTION count_update() RETURNS trigger AS $$ BEGIN INSERT INTO inbox_updates VALUES (NEW.event_key, NEW.status); RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await pool.query(
        'CREATE TRIGGER count_update AFTER UPDATE ON reglament_inbox FOR EACH ROW EXECUTE FUNCTION count_update()',
      );
      for (let i = 0; i < 40; i++) {
        const r = await svc.inject(signedGeneric(example1({ key: `ONE-${i}` }), {}, undefined, NOW));
        expect(r.statusCode).toBe(200);
      }
      expect(await svc.worker.drain()).toBe(40);
      expect(await svc.storage.inbox.counts()).toEqual({ pending: 0, processing: 0, done: 40, failed: 0 });
      const updates = (
        await pool.query(
          'SELECT status, count(*)::int AS n FROM inbox_updates GROUP BY status ORDER BY status',
        )
      ).rows;
      expect(updates).toEqual([{ status: 'done', n: 40 }]);
      const by = (await pool.query('SELECT DISTINCT claimed_by FROM reglament_inbox')).rows;
      expect(by).toEqual([{ claimed_by: svc.worker.id }]);
      expect((await svc.storage.store.listSlaRecords({ projects: ['ONE'] })).length).toBe(40);
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('an idle worker polls with one statement, not a transaction; the next event is claimed as before', async () => {
    const svc = await fresh('reglament_batch_idle');
    try {
      expect(await svc.worker.runOnce()).toBe(0); // the first claim: a transaction (nothing known yet)
      const { Client } = await import('pg');
      const query = Client.prototype.query;
      const sent: string[] = [];
      Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
        const a = args[0] as string | { text: string };
        sent.push(typeof a === 'string' ? a : a.text);
        return (query as (...x: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      try {
        for (let i = 0; i < 3; i++) expect(await svc.worker.runOnce()).toBe(0);
      } finally {
        Client.prototype.query = query;
      }
      expect(sent.length).toBe(3);
      expect(sent.every((q) => /^SELECT 1 AS one FROM reglament_inbox/.test(q))).toBe(true);
      const r = await svc.inject(signedGeneric(example1({ key: 'IDL-1' }), {}, undefined, NOW));
      expect(r.statusCode).toBe(200);
      expect(await svc.worker.runOnce()).toBe(1);
      expect(await svc.storage.inbox.counts()).toEqual({ pending: 0, processing: 0, done: 1, failed: 0 });
    } finally {
      await svc.close();
    }
  }, 60_000);

  it("another worker's claim skips the events a batch holds; the batch's rollback gives them back untouched", async () => {
    const svc = await fresh('reglament_batch_held');
    const other = new PostgresInbox(
      await openPostgres({ url: `postgres://postgres@127.0.0.1:${port}/reglament_batch_held` }),
    );
    try {
      const db = svc.storage.db;
      const inbox = svc.storage.inbox as PostgresInbox;
      const e = (i: number) => ({
        key: `h-${i}`,
        source: 'test',
        type: 't',
        subject: `H-${i}`,
        payload: '{}',
      });
      for (let i = 0; i < 6; i++) await inbox.enqueue(e(i), NOW);
      const rows = async () =>
        (
          await db.pool.query(
            'SELECT event_key, status, attempts, claimed_by FROM reglament_inbox ORDER BY seq',
          )
        ).rows.map((r) => `${r.event_key} ${r.status} ${r.attempts} ${r.claimed_by}`);
      let during: string[] = [];
      let others: string[] = [];
      await expect(
        svc.storage.group!(async () => {
          const mine = await inbox.claim('w1', 4, NOW, NOW + 60_000);
          expect(mine.map((x) => x.key)).toEqual(['h-0', 'h-1', 'h-2', 'h-3']);
          // Another worker (its own connection) meanwhile: the held rows are skipped, not waited for.
          others = (await other.claim('w2', 10, NOW, NOW + 60_000)).map((x) => x.key);
          during = await rows();
          throw new Error('the batch failed');
        }),
      ).rejects.toThrow('the batch failed');
      expect(others).toEqual(['h-4', 'h-5']);
      // Held, not written: other connections still see them pending.
      expect(during.slice(0, 4)).toEqual([
        'h-0 pending 0 null',
        'h-1 pending 0 null',
        'h-2 pending 0 null',
        'h-3 pending 0 null',
      ]);
      expect(await rows()).toEqual([
        'h-0 pending 0 null',
        'h-1 pending 0 null',
        'h-2 pending 0 null',
        'h-3 pending 0 null',
        'h-4 processing 0 w2',
        'h-5 processing 0 w2',
      ]);
    } finally {
      await other.db.close();
      await svc.close();
    }
  }, 60_000);

  it('a batch whose transaction fails runs again event by event: the others are done, the failing one counts its attempt', async () => {
    const svc = await fresh('reglament_batch_poison');
    try {
      const pool = svc.storage.db.pool;
      // The database refuses one issue's SLA record: the batch's multi-row write fails as a whole.
      await pool.query(
        `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.issue_key = 'POI-3' THEN RAISE EXCEPTION 'refused POI-3'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await pool.query(
        'CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON reglament_sla_records FOR EACH ROW EXECUTE FUNCTION refuse()',
      );
      for (let i = 1; i <= 5; i++) {
        const r = await svc.inject(signedGeneric(example1({ key: `POI-${i}` }), {}, undefined, NOW));
        expect(r.statusCode).toBe(200);
      }
      await expect(svc.worker.runOnce()).rejects.toThrow('refused POI-3');
      // Rolled back: nothing claimed, nothing counted.
      expect(await svc.storage.inbox.counts()).toEqual({ pending: 5, processing: 0, done: 0, failed: 0 });
      // The next batch runs outside the group: one event at a time, each failure its own.
      expect(await svc.worker.runOnce()).toBe(5);
      expect(await svc.storage.inbox.counts()).toEqual({ pending: 1, processing: 0, done: 4, failed: 0 });
      const poison = (
        await pool.query(
          "SELECT subject, attempts, last_error, next_attempt_ms > $1 AS later FROM reglament_inbox WHERE status = 'pending'",
          [NOW],
        )
      ).rows;
      expect(poison).toEqual([
        { subject: 'POI-3', attempts: 1, last_error: expect.stringContaining('refused POI-3'), later: true },
      ]);
      expect(
        (await svc.storage.store.listSlaRecords({ projects: ['POI'] })).map((r) => r.key).sort(),
      ).toEqual(['POI-1', 'POI-2', 'POI-4', 'POI-5']);
      // And the batch after that is grouped again: its event's row is written once (held, settled).
      await pool.query('CREATE TABLE inbox_updates (event_key TEXT NOT NULL, status TEXT NOT NULL)');
      await pool.query(
        `CREATE FUNCTION count_update() RETURNS trigger AS $$ BEGIN INSERT INTO inbox_updates VALUES (NEW.event_key, NEW.status); RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await pool.query(
        'CREATE TRIGGER count_update AFTER UPDATE ON reglament_inbox FOR EACH ROW EXECUTE FUNCTION count_update()',
      );
      const r = await svc.inject(signedGeneric(example1({ key: 'POI-6' }), {}, undefined, NOW));
      expect(r.statusCode).toBe(200);
      expect(await svc.worker.runOnce()).toBe(1);
      expect(await svc.storage.inbox.counts()).toEqual({ pending: 1, processing: 0, done: 5, failed: 0 });
      expect((await pool.query('SELECT status FROM inbox_updates')).rows).toEqual([{ status: 'done' }]);
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('accepts several webhooks in one statement: a key already there or repeated in the call is not new', async () => {
    const inbox = postgres.storage.inbox as PostgresInbox;
    const e = (key: string) => ({ key, source: 'test', type: 't', subject: key, payload: '{}' });
    expect(await inbox.enqueueBatch([e('k-1')], NOW)).toEqual([true]);
    expect(await inbox.enqueueBatch([e('k-1'), e('k-2'), e('k-2'), e('k-3')], NOW)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect((await inbox.get('k-3'))?.status).toBe('pending');
  });
});

// Issue #14, session 8: perf on bench:server phase 3 put most of PostgreSQL's time in sequential scans
// (parallel ones too) of the ledger. The batch's prefetch read it with `issue_id = ANY($1)`; before the
// table's first ANALYZE (a fresh site under load is not analysed in time) the planner took 0.5 % of
// the rows per key, half the ledger for 100 keys, and scanned all of it on every batch.
(available ? describe : describe.skip)('the batch prefetch on a ledger never analysed', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = (await startPostgres())!;
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('reads the subjects by index, never scanning a table, and in the ledger order', async () => {
    const db = await openPostgres({ url: await pg.database('reglament_prefetch'), max: 2 });
    try {
      const client = await db.pool.connect();
      try {
        for (const t of [
          'reglament_ledger',
          'reglament_issue_marks',
          'reglament_tickets',
          'reglament_sla_records',
        ])
          await client.query(`ALTER TABLE ${t} SET (autovacuum_enabled = false)`);
        // 4,000 issues with 5 facts each, inserted 500 rows a statement, never analysed.
        const facts: Fact[] = [];
        for (let i = 0; i < 4_000; i++)
          for (let j = 0; j < 5; j++)
            facts.push({
              id: `f-${i}-${j}`,
              issueId: `ISS-${i}`,
              type: 'registered',
              at: new Date(Date.UTC(2026, 2, 1, 9, 0) + (4 - j) * 60_000).toISOString(),
              recordedAt: '2026-03-06T13:30:00.000Z',
              data: {},
            } as unknown as Fact);
        for (let i = 0; i < facts.length; i += 500) {
          const s = multiRow(facts.slice(i, i + 500).map((f) => insertFactSql('postgres', f)));
          let n = 0;
          await client.query(
            s.sql.replace(/\?/g, () => `$${++n}`),
            s.params,
          );
        }
        // And the other three tables' rows of the same issues.
        await client.query(
          "INSERT INTO reglament_issue_marks (issue_id, issue_key, updated_ms, changed_ms) SELECT 'ISS-' || i, 'ISS-' || i, 1, 1 FROM generate_series(0, 3999) AS i",
        );
        await client.query(
          "INSERT INTO reglament_tickets (ticket_key, project_key, source, snapshot_json, shown_json, updated_ms) SELECT 'ISS-' || i, 'ISS', 'generic', '{}', NULL, 1 FROM generate_series(0, 3999) AS i",
        );
        await client.query(
          "INSERT INTO reglament_sla_records (issue_key, project_key, kind, registered_at, agreed, verdict_json, updated_at) SELECT 'ISS-' || i, 'ISS', 'incident', '2026-03-01T09:00:00Z', 0, '{}', 'x' FROM generate_series(0, 3999) AS i",
        );
        const stats = await client.query(
          "SELECT relname, last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname IN ('reglament_ledger', 'reglament_issue_marks', 'reglament_tickets', 'reglament_sla_records') AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)",
        );
        expect(stats.rows).toEqual([]);
        const keys = Array.from({ length: 100 }, (_, i) => `ISS-${i * 37}`);
        const nodes = (plan: Record<string, unknown>): string[] => [
          `${String(plan['Node Type'])}${plan['Relation Name'] ? ` on ${String(plan['Relation Name'])}` : ''}`,
          ...((plan.Plans as Record<string, unknown>[] | undefined) ?? []).flatMap(nodes),
        ];
        const planOf = async (sql: string) =>
          (
            (await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, [keys])).rows[0]['QUERY PLAN'] as {
              Plan: Record<string, unknown>;
            }[]
          )[0]!.Plan;
        // The ledger: one index lookup per issue, never a scan of the table.
        expect(nodes(await planOf(PREFETCH_SQL.facts)).filter((n) => /Seq Scan/.test(n))).toEqual([]);
        // Migration 12: keyed by (issue id, fact id), which serves those lookups; two B-trees per fact.
        expect(
          (
            await client.query(
              "SELECT indexdef FROM pg_indexes WHERE tablename = 'reglament_ledger' ORDER BY indexname",
            )
          ).rows.map((r: { indexdef: string }) =>
            r.indexdef.replace(' USING btree', '').replace('ON public.', 'ON '),
          ),
        ).toEqual([
          'CREATE INDEX reglament_ledger_at ON reglament_ledger (at_ms)',
          'CREATE UNIQUE INDEX reglament_ledger_pkey ON reglament_ledger (issue_id, fact_id)',
        ]);
        // The other three are read by their primary keys: the planner expects one row per key at most,
        // so a large table is read by its index (at 4,000 narrow rows a scan may still be cheaper).
        for (const name of ['marks', 'tickets', 'records'] as const)
          expect({
            name,
            rows: Number((await planOf(PREFETCH_SQL[name]))['Plan Rows']) <= keys.length,
          }).toEqual({
            name,
            rows: true,
          });
        // The same facts as before, in the ledger's order: by issue, then instant, then id.
        const got = await client.query(PREFETCH_SQL.facts, [keys.slice(0, 2)]);
        expect(
          got.rows.map((r: { issue_id: string; fact_json: string }) => [
            r.issue_id,
            JSON.parse(r.fact_json).id,
          ]),
        ).toEqual([
          ...[4, 3, 2, 1, 0].map((j) => ['ISS-0', `f-0-${j}`]),
          ...[4, 3, 2, 1, 0].map((j) => ['ISS-37', `f-37-${j}`]),
        ]);
      } finally {
        client.release();
      }
    } finally {
      await db.pool.end();
    }
  }, 60_000);

  // Issue #14, session 11 (migration 11): the claim read the due rows of both statuses through the
  // (status, next_attempt_ms) index and sorted them by seq; it now reads the partial index of the rows
  // not settled in seq order and stops at its limit.
  it('claims through the partial index of the rows not settled, in arrival order, with no sort', async () => {
    const db = await openPostgres({ url: await pg.database('reglament_claim_plan'), max: 2 });
    try {
      const client = await db.pool.connect();
      try {
        // 20,000 settled rows and 300 pending ones (a busy site's inbox before its retention).
        await client.query(
          "INSERT INTO reglament_inbox (event_key, seq, source, event_type, subject, payload, status, attempts, next_attempt_ms, received_ms, done_ms, updated_ms) SELECT 'k-' || i, i, 'generic', 'snapshot', 'S-' || (i % 500), '{}', CASE WHEN i > 20000 THEN 'pending' ELSE 'done' END, 0, i, i, CASE WHEN i > 20000 THEN NULL ELSE i END, i FROM generate_series(1, 20300) AS i",
        );
        await client.query('ANALYZE reglament_inbox');
        const indexes = (
          await client.query(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'reglament_inbox' ORDER BY 1",
          )
        ).rows.map((r: { indexname: string }) => r.indexname);
        expect(indexes).toEqual(['reglament_inbox_claim', 'reglament_inbox_done', 'reglament_inbox_pkey']);
        const nodes = (plan: Record<string, unknown>): string[] => [
          `${String(plan['Node Type'])}${plan['Index Name'] ? ` using ${String(plan['Index Name'])}` : ''}`,
          ...((plan.Plans as Record<string, unknown>[] | undefined) ?? []).flatMap(nodes),
        ];
        for (const st of [claimHeldPostgres(30_000, 100), claimPostgres(30_000, 100, 'w', 40_000)]) {
          const plan = (
            (await client.query(`EXPLAIN (FORMAT JSON) ${placeholders(st.sql, 'postgres')}`, st.params))
              .rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[]
          )[0]!.Plan;
          const all = nodes(plan);
          expect(all).toContain('Index Scan using reglament_inbox_claim');
          expect(all.filter((n) => /Sort|Seq Scan/.test(n))).toEqual([]);
        }
        // The health checks' count of the queue reads no done row either (an index, no table scan).
        const count = (
          (await client.query(`EXPLAIN (FORMAT JSON) ${countOpenByStatus().sql}`)).rows[0]['QUERY PLAN'] as {
            Plan: Record<string, unknown>;
          }[]
        )[0]!.Plan;
        expect(nodes(count).filter((n) => /Seq Scan/.test(n))).toEqual([]);
        expect(await db.all(countOpenByStatus())).toEqual([{ status: 'pending', n: '300' }]);
        // And the oldest due rows come first.
        const claimed = await client.query(
          placeholders(claimHeldPostgres(30_000, 3).sql, 'postgres'),
          claimHeldPostgres(30_000, 3).params,
        );
        expect(claimed.rows.map((r: { event_key: string }) => r.event_key)).toEqual([
          'k-20001',
          'k-20002',
          'k-20003',
        ]);
      } finally {
        client.release();
      }
    } finally {
      await db.pool.end();
    }
  }, 60_000);
});
