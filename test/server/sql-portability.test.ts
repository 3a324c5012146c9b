/**
 * The shared SQL of src/adapters/sql on every dialect it promises: SQLite (always), MariaDB (Forge SQL
 * is MySQL-compatible) and PostgreSQL (the scale path) when they are installed. The same scenario
 * runs on each: schema twice, settings, SLA records, service-held tickets, the inbox life cycle, and
 * on PostgreSQL two workers claiming concurrently with SKIP LOCKED.
 */
import Database from 'better-sqlite3';
import type { SlaRecordRow } from '../../src/app/ports';
import {
  claimPostgres,
  claimRows,
  countByStatus,
  deleteRecord,
  getRecord,
  getSettingsDoc,
  getTicket,
  inboxFromRow,
  insertEvent,
  listRecords,
  listTicketKeys,
  markAttemptFailed,
  markDone,
  placeholders,
  pruneDone,
  putSettingsDoc,
  recordFromRow,
  releaseAllProcessing,
  requeueFailed,
  schemaStatements,
  listDueRecords,
  selectByKeys,
  selectClaimable,
  setTicketShown,
  upsertRecord,
  upsertTicket,
  migrate,
  MIGRATIONS,
  VERSION_TABLE,
  type MigrationConn,
  type SqlDialect,
  type SqlStatement,
} from '../../src/adapters/sql';
import { mariaDbAvailable, startMariaDb, type MariaDb } from '../support/fake-jira/mariadb';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';

type Row = Record<string, unknown>;
interface Conn {
  run(s: SqlStatement): Promise<{ rows: Row[]; changes: number }>;
}
interface Db extends Conn {
  dialect: SqlDialect;
  /** A transaction on its own connection. */
  tx<T>(fn: (c: Conn) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function sqliteDb(): Db {
  const db = new Database(':memory:');
  const conn: Conn = {
    async run(s) {
      const st = db.prepare(s.sql);
      if (st.reader) return { rows: st.all(...s.params) as Row[], changes: 0 };
      return { rows: [], changes: st.run(...s.params).changes };
    },
  };
  return {
    dialect: 'sqlite',
    ...conn,
    async tx(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const r = await fn(conn);
        db.exec('COMMIT');
        return r;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    async close() {
      db.close();
    },
  };
}

function mariaConn(q: (sql: string, params: unknown[]) => Promise<unknown>): Conn {
  return {
    async run(s) {
      const [result] = (await q(s.sql, s.params)) as [unknown];
      if (Array.isArray(result)) return { rows: result as Row[], changes: 0 };
      return { rows: [], changes: (result as { affectedRows: number }).affectedRows };
    },
  };
}

function mariaDb(m: MariaDb): Db {
  return {
    dialect: 'mysql',
    ...mariaConn((sql, p) => m.pool.query(sql, p as never[])),
    async tx(fn) {
      const c = await m.pool.getConnection();
      try {
        await c.beginTransaction();
        const r = await fn(mariaConn((sql, p) => c.query(sql, p as never[])));
        await c.commit();
        return r;
      } catch (e) {
        await c.rollback();
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => m.stop(),
  };
}

function pgConn(
  q: (sql: string, params: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>,
): Conn {
  return {
    async run(s) {
      const r = await q(placeholders(s.sql, 'postgres'), s.params);
      return { rows: r.rows, changes: r.rowCount ?? 0 };
    },
  };
}

function pgDb(pg: Postgres): Db {
  return {
    dialect: 'postgres',
    ...pgConn((sql, p) => pg.pool.query(sql, p)),
    async tx(fn) {
      const c = await pg.pool.connect();
      try {
        await c.query('BEGIN');
        const r = await fn(pgConn((sql, p) => c.query(sql, p)));
        await c.query('COMMIT');
        return r;
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pg.stop(),
  };
}

const record = (key: string, over: Partial<SlaRecordRow> = {}): SlaRecordRow => ({
  key,
  project: key.split('-')[0]!,
  kind: 'error',
  class: 'medium',
  priority: 5,
  registeredAt: '2026-03-02T10:00:00+03:00',
  due: '2026-04-15T18:00:00+03:00',
  doneAt: null,
  agreed: false,
  state: 'running',
  verificationDue: '2026-03-10T18:00:00+03:00',
  estimateAt: null,
  summary: 'Сбой печати «счёта» — ёлка',
  verdictJson: JSON.stringify({ key }),
  updatedAt: '2026-03-10T12:00:00+03:00',
  nextChangeMs: null,
  ...over,
});

const event = (key: string, seq: number, subject = 'SUP-1') => ({
  key,
  seq,
  source: 'generic',
  type: 'snapshot',
  subject,
  payload: JSON.stringify({ key: subject }),
});

const counts = async (db: Db) =>
  Object.fromEntries((await db.run(countByStatus())).rows.map((r) => [String(r.status), Number(r.n)]));

/** Claims like the stores do: select + update in one transaction (SKIP LOCKED where the dialect has it). */
async function claim(
  c: Conn,
  dialect: SqlDialect,
  worker: string,
  limit: number,
  now: number,
): Promise<string[]> {
  if (dialect === 'postgres')
    return (await c.run(claimPostgres(now, limit, worker, now + 60_000))).rows
      .map((r) => String(r.event_key))
      .sort();
  const keys = (await c.run(selectClaimable(dialect, now, limit))).rows.map((r) => String(r.event_key));
  if (keys.length > 0) await c.run(claimRows(keys, worker, now + 60_000, now));
  return keys.sort();
}

const dialects: { name: SqlDialect; available: boolean; open: () => Promise<Db> }[] = [
  { name: 'sqlite', available: true, open: async () => sqliteDb() },
  { name: 'mysql', available: mariaDbAvailable(), open: async () => mariaDb((await startMariaDb())!) },
  { name: 'postgres', available: postgresAvailable(), open: async () => pgDb((await startPostgres())!) },
];
for (const d of dialects)
  if (!d.available)
    console.warn(
      `SKIPPED the ${d.name} part of test/server/sql-portability.test.ts: the server is not installed.`,
    );

describe.each(dialects.filter((d) => d.available))('portable SQL on $name', ({ name, open }) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    for (const sql of [...schemaStatements(name), ...schemaStatements(name)])
      await db.run({ sql, params: [] });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('versioned migrations: a release-0.1.0 schema gets the later steps once, each recorded', async () => {
    const conn: MigrationConn = { run: async (s) => (await db.run(s)).rows };
    const step = (fn: (c: MigrationConn) => Promise<void>) =>
      db.tx((c) => fn({ run: async (s) => (await c.run(s)).rows }));
    expect(await migrate(name, conn, step, 1, name)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(await migrate(name, conn, step, 2, name)).toEqual([]);
    const rows = (await db.run({ sql: `SELECT version FROM ${VERSION_TABLE} ORDER BY version`, params: [] }))
      .rows;
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('settings: one document per name, replaced on save', async () => {
    await db.run(putSettingsDoc(name, '{"v":1}', '2026-03-10T09:00:00Z'));
    await db.run(putSettingsDoc(name, '{"v":2,"ru":"Высокая"}', '2026-03-10T10:00:00Z'));
    expect((await db.run(getSettingsDoc())).rows).toEqual([{ doc: '{"v":2,"ru":"Высокая"}' }]);
    expect((await db.run(getSettingsDoc('nothing'))).rows).toEqual([]);
  });

  it('SLA records: upsert, read back exactly, filter, delete', async () => {
    await db.run(upsertRecord(name, record('SUP-1')));
    await db.run(
      upsertRecord(
        name,
        record('SUP-1', { state: 'met', doneAt: '2026-04-01T12:00:00+03:00', agreed: true }),
      ),
    );
    await db.run(
      upsertRecord(name, record('OPS-7', { kind: 'incident', class: null, priority: null, due: null })),
    );
    const got = (await db.run(getRecord('SUP-1'))).rows.map(recordFromRow);
    expect(got).toEqual([
      record('SUP-1', { state: 'met', doneAt: '2026-04-01T12:00:00+03:00', agreed: true }),
    ]);
    expect((await db.run(listRecords({}))).rows.map((r) => r.issue_key)).toEqual(['OPS-7', 'SUP-1']);
    expect(
      (await db.run(listRecords({ projects: ['SUP'], kind: 'error' }))).rows.map((r) => r.issue_key),
    ).toEqual(['SUP-1']);
    expect((await db.run(listRecords({ kind: 'incident' }))).rows.map(recordFromRow)[0]).toEqual(
      record('OPS-7', { kind: 'incident', class: null, priority: null, due: null }),
    );
    expect((await db.run(deleteRecord('OPS-7'))).changes).toBe(1);
    expect((await db.run(getRecord('OPS-7'))).rows).toEqual([]);
  });

  it('due records (migration 5): next_change_ms <= until, key order after a key, bounded; NULL never due', async () => {
    const at = (k: string, nextChangeMs: number | null) => upsertRecord(name, record(k, { nextChangeMs }));
    await db.run(at('DUE-1', 1_000));
    await db.run(at('DUE-2', 2_000));
    await db.run(at('DUE-3', 3_000));
    await db.run(at('DUE-4', null)); // closed: no next change
    await db.run(at('DUE-5', 1_500));
    const due = async (untilMs: number, afterKey: string | null, limit: number) =>
      (await db.run(listDueRecords({ untilMs, afterKey, limit }))).rows
        .map(recordFromRow)
        .filter((r) => r.key.startsWith('DUE-'))
        .map((r) => [r.key, r.nextChangeMs]);
    expect(await due(2_000, null, 10)).toEqual([
      ['DUE-1', 1_000],
      ['DUE-2', 2_000],
      ['DUE-5', 1_500],
    ]);
    expect(await due(2_000, 'DUE-1', 1)).toEqual([['DUE-2', 2_000]]);
    expect(await due(999, null, 10)).toEqual([]);
    expect(await due(Number.MAX_SAFE_INTEGER, 'DUE-3', 10)).toEqual([['DUE-5', 1_500]]);
    // A row built without an evaluation instant (nextChangeMs absent) is stored due at once (0).
    const { nextChangeMs: _n, ...unknown } = record('DUE-6');
    await db.run(upsertRecord(name, unknown));
    expect(await due(0, 'DUE-5', 10)).toEqual([['DUE-6', 0]]);
  });

  it('service-held tickets: upsert keeps what was shown; keyset paging', async () => {
    for (const k of ['T-1', 'T-2', 'T-3'])
      await db.run(
        upsertTicket(name, {
          key: k,
          project: 'T',
          source: 'generic',
          snapshotJson: `{"key":"${k}"}`,
          updatedMs: 1,
        }),
      );
    await db.run(setTicketShown('T-2', '{"slaPriority":5}', 2));
    await db.run(
      upsertTicket(name, {
        key: 'T-2',
        project: 'T',
        source: 'generic',
        snapshotJson: '{"key":"T-2","v":2}',
        updatedMs: 3,
      }),
    );
    const [t] = (await db.run(getTicket('T-2'))).rows;
    expect([t!.snapshot_json, t!.shown_json, Number(t!.updated_ms)]).toEqual([
      '{"key":"T-2","v":2}',
      '{"slaPriority":5}',
      3,
    ]);
    expect((await db.run(listTicketKeys(null, 2))).rows.map((r) => r.ticket_key)).toEqual(['T-1', 'T-2']);
    expect((await db.run(listTicketKeys('T-2', 2))).rows.map((r) => r.ticket_key)).toEqual(['T-3']);
  });

  it('inbox: dedup on the key, claim, settle, back-off, release, requeue, prune', async () => {
    const now = 1_773_000_000_000;
    expect((await db.run(insertEvent(name, event('generic:a', 1), now))).changes).toBe(1);
    expect((await db.run(insertEvent(name, event('generic:a', 9), now))).changes).toBe(0);
    for (const [k, seq] of [
      ['generic:b', 2],
      ['generic:c', 3],
      ['generic:d', 4],
    ] as const)
      await db.run(insertEvent(name, event(k, seq), now));
    expect(await db.tx((c) => claim(c, name, 'w1', 3, now))).toEqual(['generic:a', 'generic:b', 'generic:c']);
    expect(await counts(db)).toEqual({ pending: 1, processing: 3 });
    expect((await db.run(markDone('generic:a', 'other-worker', now))).changes).toBe(0);
    expect((await db.run(markDone('generic:a', 'w1', now + 5))).changes).toBe(1);
    await db.run(
      markAttemptFailed(
        'generic:b',
        'w1',
        1,
        'Jira answered 503',
        { status: 'pending', nextAttemptMs: now + 750 },
        now,
      ),
    );
    await db.run(markAttemptFailed('generic:c', 'w1', 10, 'gave up', { status: 'failed' }, now));
    // b is not due yet; d is; a is done, c failed.
    expect(await db.tx((c) => claim(c, name, 'w2', 10, now))).toEqual(['generic:d']);
    expect(await db.tx((c) => claim(c, name, 'w2', 10, now + 750))).toEqual(['generic:b']);
    const rows = (await db.run(selectByKeys(['generic:b', 'generic:c']))).rows.map(inboxFromRow);
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.lastError])).toEqual([
      ['generic:b', 'processing', 1, 'Jira answered 503'],
      ['generic:c', 'failed', 10, 'gave up'],
    ]);
    expect((await db.run(releaseAllProcessing(now + 1000))).changes).toBe(2);
    expect((await db.run(requeueFailed(now + 1000))).changes).toBe(1);
    expect(await counts(db)).toEqual({ pending: 3, done: 1 });
    expect((await db.run(pruneDone(now + 6))).changes).toBe(1);
    expect(await counts(db)).toEqual({ pending: 3 });
  });

  // The scale path (several instances, docs/server.md) is PostgreSQL; InnoDB's locking reads lock every
  // row the sort examines, so on MySQL/MariaDB one worker claims at a time.
  if (name === 'postgres')
    it('two workers claiming at once get disjoint rows (FOR UPDATE SKIP LOCKED)', async () => {
      const now = 1_774_000_000_000;
      await db.run(releaseAllProcessing(now));
      for (let i = 0; i < 6; i++) await db.run(insertEvent(name, event(`skip:${i}`, 100 + i, `S-${i}`), now));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let firstClaimed!: (keys: string[]) => void;
      const first = new Promise<string[]>((r) => (firstClaimed = r));
      // Worker A claims 2 rows and keeps its transaction open while worker B claims.
      const a = db.tx(async (c) => {
        const keys = await claim(c, name, 'A', 2, now);
        firstClaimed(keys);
        await held;
        return keys;
      });
      const aKeys = await first;
      const bKeys = await db.tx((c) => claim(c, name, 'B', 20, now));
      release();
      await a;
      expect(aKeys).toHaveLength(2);
      expect(bKeys.filter((k) => aKeys.includes(k))).toEqual([]);
      expect([...aKeys, ...bKeys].filter((k) => k.startsWith('skip:')).sort()).toEqual([
        'skip:0',
        'skip:1',
        'skip:2',
        'skip:3',
        'skip:4',
        'skip:5',
      ]);
    });
});
