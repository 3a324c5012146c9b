/**
 * Versioned schema migrations (src/adapters/sql/migrations.ts): a database made by every earlier
 * released schema upgrades to the current version with its data intact; a fresh one gets every step;
 * a second start changes nothing; a newer schema is refused with a message. SQLite always, PostgreSQL
 * when installed (CI installs it).
 *
 * Released schemas: version 1 (release 0.1.0, test/server/fixtures/schema-v1.<dialect>.sql, no
 * version table). When a release ships version N, add its fixture and a row to RELEASED.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HEALTH_TABLE,
  MIGRATIONS,
  placeholders,
  SCHEMA_VERSION,
  TABLES,
  VERSION_TABLE,
} from '../../src/adapters/sql';
import { openPostgres, PostgresStore } from '../../src/adapters/store-postgres';
import {
  AGGREGATES_TABLE,
  ROLLUP_TABLE,
  SQLITE_PARTIAL_INDEXES,
  SQLITE_UNREAD_RECORD_INDEXES,
} from '../../src/adapters/sql/aggregates';
import { pruneDone } from '../../src/adapters/sql/inbox';
import { listDueRecords, listRecords } from '../../src/adapters/sql/records';
import { DatabaseError, openDatabase, SqliteStore } from '../../src/adapters/store-sqlite';
import { factId, type Fact } from '../../src/domain/ledger';
import { serveCommand } from '../../src/server/main';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';
import { tempDir } from './helpers';

const RELEASED: { version: number; fixture: (dialect: string) => string }[] = [
  { version: 1, fixture: (d) => path.join(__dirname, 'fixtures', `schema-v1.${d}.sql`) },
];

/** The fixture's statements (split on the `;` that ends each). */
function statements(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/;\s*$/m)
    .map((s) => s.replace(/^--.*$/gm, '').trim())
    .filter((s) => s !== '');
}

const RECORD_ROW = [
  'SUP-1',
  'SUP',
  'error',
  'medium',
  5,
  '2026-03-02T10:00:00+03:00',
  Date.parse('2026-03-02T10:00:00+03:00'),
  '2026-04-15T18:00:00+03:00',
  Date.parse('2026-04-15T18:00:00+03:00'),
  null,
  null,
  0,
  'running',
  null,
  null,
  'Сбой печати',
  '{"key":"SUP-1"}',
  '2026-03-10T12:00:00+03:00',
];
/**
 * Schema 13's cases (the agreed deadline filled from the verdict): [key, agreed, done, verdict JSON,
 * the agreed_due_ms expected after the upgrade]. Only open agreed records are filled; a verdict that is
 * not JSON, or whose agreed deadline is not an instant, stays NULL (the live read keeps it).
 */
const AGREED_CASES: [string, number, string | null, string, number | null][] = [
  ['A-1', 1, null, '{"agreed":{"due":"2026-04-20T18:00:00+03:00"}}', Date.parse('2026-04-20T18:00:00+03:00')],
  [
    'A-2',
    1,
    null,
    '{"fix":{"agreed":true,"due":"2026-04-21T09:30:15.250+03:00"}}',
    Date.parse('2026-04-21T09:30:15.250+03:00'),
  ],
  ['A-3', 1, null, '{"fix":{"agreed":false,"due":"2026-04-21T09:30:00+03:00"}}', null],
  ['A-4', 1, null, 'not json', null],
  ['A-5', 1, null, '{"agreed":{"due":"soon"}}', null],
  ['A-6', 1, '2026-04-01T10:00:00+03:00', '{"agreed":{"due":"2026-04-20T18:00:00+03:00"}}', null],
  ['A-7', 0, null, '{"agreed":{"due":"2026-04-20T18:00:00+03:00"}}', null],
  ['A-8', 1, null, '{"agreed":{"due":"2026-04-20T15:00:00Z"}}', Date.parse('2026-04-20T15:00:00Z')],
];
/** RECORD_ROW as one of AGREED_CASES. */
const agreedRow = ([key, agreed, done, verdict]: (typeof AGREED_CASES)[number]): unknown[] => {
  const row = [...RECORD_ROW];
  row[0] = key;
  row[9] = done;
  row[10] = done === null ? null : Date.parse(done);
  row[11] = agreed;
  row[16] = verdict;
  return row;
};

/** A SQLite database made by the migrations up to `version` only, as that release left it (still open). */
function sqliteAtVersion(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.exec(
    `CREATE TABLE ${VERSION_TABLE} (version INTEGER NOT NULL, name VARCHAR(191) NOT NULL, applied_ms INTEGER NOT NULL, PRIMARY KEY (version))`,
  );
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    for (const sql of m.statements('sqlite')) db.exec(sql);
    db.prepare(`INSERT INTO ${VERSION_TABLE} (version, name, applied_ms) VALUES (?, ?, 1)`).run(
      m.version,
      m.name,
    );
  }
  return db;
}

const INSERT_RECORD = `INSERT INTO ${TABLES.records} (issue_key, project_key, kind, priority_class, priority_value, registered_at, registered_ms, due_at, due_ms, done_at, done_ms, agreed, clock_state, verification_due, estimate_at, summary, verdict_json, updated_at) VALUES (${RECORD_ROW.map(() => '?').join(', ')})`;

describe('schema migrations on SQLite', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('reglament-migrate-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const versions = (db: Database.Database) =>
    (db.prepare(`SELECT version FROM ${VERSION_TABLE} ORDER BY version`).all() as { version: number }[]).map(
      (r) => r.version,
    );

  it.each(RELEASED)(
    'upgrades a database of released schema version $version with its data',
    async ({ fixture }) => {
      const file = path.join(dir, 'reglament.sqlite');
      const old = new Database(file);
      for (const sql of statements(fixture('sqlite'))) old.exec(sql);
      old.prepare(INSERT_RECORD).run(...RECORD_ROW);
      old
        .prepare(`INSERT INTO ${TABLES.settings} (name, doc, updated_at) VALUES (?, ?, ?)`)
        .run('settings', '{}', 'x');
      old.close();

      const db = openDatabase({ file, now: () => 1 });
      try {
        expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
        expect(Math.max(...versions(db))).toBe(SCHEMA_VERSION);
        expect(db.prepare(`SELECT issue_key, summary FROM ${TABLES.records}`).all()).toEqual([
          { issue_key: 'SUP-1', summary: 'Сбой печати' },
        ]);
        expect(db.prepare(`SELECT COUNT(*) AS n FROM ${TABLES.settings}`).get()).toEqual({ n: 1 });
        db.prepare(`INSERT INTO ${HEALTH_TABLE} (probe, written_ms) VALUES ('x', 1)`).run();
        // Version 4: the buckets table starts empty; the first dashboard read builds it from the records.
        expect(db.prepare(`SELECT COUNT(*) AS n FROM ${AGGREGATES_TABLE}`).get()).toEqual({ n: 0 });
        // Version 8: so does the rollup, built by the same first read.
        expect(db.prepare(`SELECT COUNT(*) AS n FROM ${ROLLUP_TABLE}`).get()).toEqual({ n: 0 });
        const upgraded = new SqliteStore(db, () => 1);
        const buckets = await upgraded.listAggregates('standard');
        expect(buckets.map((b) => [b.project, b.kind, b.dueMonth, b.outcome, b.n])).toEqual([
          ['SUP', 'error', '2026-04', 'late', 1],
        ]);
        const year = { first: '2026-01', last: '2026-12' };
        for (const projects of [[], ['SUP']])
          expect(
            (await upgraded.listAggregates('standard', projects, year, true)).map((b) => [
              b.project,
              b.kind,
              b.dueMonth,
              b.outcome,
              b.n,
            ]),
          ).toEqual([['', 'error', '2026-04', 'late', 1]]);
        expect(await upgraded.listAggregateProjects()).toEqual(['SUP']);
      } finally {
        db.close();
      }
      // A second start applies nothing.
      const again = openDatabase({ file, now: () => 2 });
      try {
        expect(
          again.prepare(`SELECT version, applied_ms FROM ${VERSION_TABLE} ORDER BY version`).all(),
        ).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_ms: 1 })));
      } finally {
        again.close();
      }
    },
  );

  // Issue #14, session 20: four records indexes no SQLite statement reads any more (each list and the
  // live read name theirs: test/server/aggregates.test.ts checks those plans) were still written with
  // every record. Version 15 drops them on SQLite; the records and the other indexes stay.
  it('version 15 drops the four records indexes no statement reads, and keeps the rest', () => {
    const file = path.join(dir, 'reglament.sqlite');
    const old = sqliteAtVersion(file, 14);
    old.prepare(INSERT_RECORD).run(...RECORD_ROW);
    const indexes = (db: Database.Database) =>
      (db.prepare(`PRAGMA index_list(${TABLES.records})`).all() as { name: string }[])
        .map((r) => r.name)
        .filter((n) => !n.startsWith('sqlite_autoindex'))
        .sort();
    const before = indexes(old);
    for (const name of SQLITE_UNREAD_RECORD_INDEXES) expect(before).toContain(name);
    old.close();
    const db = openDatabase({ file, now: () => 1 });
    try {
      expect(versions(db)).toContain(15);
      expect(indexes(db)).toEqual(
        before.filter((n) => !(SQLITE_UNREAD_RECORD_INDEXES as readonly string[]).includes(n)),
      );
      expect(indexes(db)).toEqual(
        expect.arrayContaining([
          'reglament_records_open_pending',
          'reglament_records_state_due',
          'reglament_records_state_customer',
          'reglament_records_agreed_open',
          'reglament_records_next_change',
        ]),
      );
      expect(db.prepare(`SELECT issue_key FROM ${TABLES.records}`).all()).toEqual([{ issue_key: 'SUP-1' }]);
    } finally {
      db.close();
    }
  });

  // Issue #14, session 21: each index a written row enters is one more page in the batch's commit.
  it('version 16 keeps in four SQLite indexes only the rows their statements read, and those still read them', () => {
    const file = path.join(dir, 'reglament.sqlite');
    const old = sqliteAtVersion(file, 15);
    old.prepare(INSERT_RECORD).run(...RECORD_ROW);
    const sqlOf = (db: Database.Database, name: string) =>
      (
        db.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').get('index', name) as {
          sql: string;
        }
      ).sql;
    for (const i of SQLITE_PARTIAL_INDEXES) expect(sqlOf(old, i.name)).not.toMatch(/WHERE/);
    old.close();
    const db = openDatabase({ file, now: () => 1 });
    try {
      expect(versions(db)).toContain(16);
      for (const i of SQLITE_PARTIAL_INDEXES)
        expect(sqlOf(db, i.name)).toMatch(new RegExp(`WHERE ${i.where}$`));
      expect(db.prepare(`SELECT issue_key FROM ${TABLES.records}`).all()).toEqual([{ issue_key: 'SUP-1' }]);
      const plan = (st: { sql: string; params: unknown[] }) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${st.sql}`).all(...st.params) as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      expect(plan(listDueRecords({ untilMs: 5, afterKey: null, limit: 100 }))).toMatch(
        /USING INDEX reglament_records_next_change/,
      );
      expect(plan(listRecords({ customer: 'c1' }))).toMatch(/USING INDEX reglament_records_customer/);
      expect(plan(pruneDone(5))).toMatch(/USING INDEX reglament_inbox_done/);
    } finally {
      db.close();
    }
  });

  // Issue #14: each fact was written to four B-trees, one of them keyed by the fact id (a hash: a
  // random index page per fact, 1.8 of the 10 pages written per ingested event). Version 9 rebuilds
  // the SQLite ledger keyed by (issue id, fact id), WITHOUT ROWID, with the facts of a database at 8.
  it('version 9 rebuilds the ledger of a version-8 database keyed by issue, its facts intact', async () => {
    const file = path.join(dir, 'reglament.sqlite');
    const old = sqliteAtVersion(file, 8);
    const fact = (issueId: string, day: number): Fact => {
      const base = {
        issueId,
        type: 'registered' as const,
        at: `2026-03-0${day}T10:00:00+03:00`,
        data: { day },
      };
      return { ...base, id: factId(base), recordedAt: '2026-03-09T10:00:00+03:00' };
    };
    const facts = [fact('10002', 1), fact('10001', 2), fact('10001', 1), fact('10003', 3)];
    const insert = old.prepare(
      'INSERT INTO reglament_ledger (fact_id, issue_id, fact_type, clock, at_ms, recorded_ms, fact_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const f of facts)
      insert.run(
        f.id,
        f.issueId,
        f.type,
        null,
        Date.parse(f.at),
        Date.parse(f.recordedAt),
        JSON.stringify(f),
      );
    old.close();

    const db = openDatabase({ file, now: () => 1 });
    try {
      expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
      const table = db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reglament_ledger'")
        .get() as {
        sql: string;
      };
      expect(table.sql).toMatch(/PRIMARY KEY \(issue_id, fact_id\)\s*\) WITHOUT ROWID$/);
      const indexes = (name: string) =>
        (
          db.prepare(`SELECT name, origin FROM pragma_index_list('${name}') ORDER BY name`).all() as {
            name: string;
            origin: string;
          }[]
        )
          .filter((i) => i.origin === 'c')
          .map((i) => i.name);
      expect(indexes('reglament_ledger')).toEqual(['reglament_ledger_at']);
      expect(indexes(TABLES.records)).not.toContain('reglament_records_due');
      const store = new SqliteStore(db, () => 1);
      expect((await store.listFacts('10001')).map((f) => f.id)).toEqual([facts[2]!.id, facts[1]!.id]);
      expect((await store.listFactsBetween(0, Date.parse('2026-04-01'))).map((f) => f.id)).toEqual(
        [facts[2]!, facts[0]!, facts[1]!, facts[3]!].map((f) => f.id),
      );
      // Insert-if-absent as before: the facts it has add nothing, a new one is added once.
      expect(await store.appendFacts(facts)).toBe(0);
      expect(await store.appendFacts([fact('10001', 4), fact('10001', 4)])).toBe(1);
      expect(db.prepare('SELECT COUNT(*) AS n FROM reglament_ledger').get()).toEqual({ n: 5 });
    } finally {
      db.close();
    }
  });

  it('version 13 fills the agreed deadline of the open agreed records of a version-12 database', () => {
    const file = path.join(dir, 'reglament.sqlite');
    const old = sqliteAtVersion(file, 12);
    const insert = old.prepare(INSERT_RECORD);
    for (const c of AGREED_CASES) insert.run(...agreedRow(c));
    old.close();

    const db = openDatabase({ file, now: () => 1 });
    try {
      expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
      const got = db
        .prepare(`SELECT issue_key, agreed_due_ms FROM ${TABLES.records} ORDER BY issue_key`)
        .all() as { issue_key: string; agreed_due_ms: number | null }[];
      expect(got.map((r) => [r.issue_key, r.agreed_due_ms])).toEqual(AGREED_CASES.map((c) => [c[0], c[4]]));
    } finally {
      db.close();
    }
  });

  it('creates a fresh database at the current version', () => {
    const db = openDatabase({ file: path.join(dir, 'new.sqlite') });
    try {
      expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
  });

  it('refuses a database of a newer schema, naming it and what to do, and changes nothing', async () => {
    const file = path.join(dir, 'reglament.sqlite');
    openDatabase({ file }).close();
    const db = new Database(file);
    db.prepare(`INSERT INTO ${VERSION_TABLE} (version, name, applied_ms) VALUES (99, 'future', 1)`).run();
    db.close();
    const before = fs.readFileSync(file);
    expect(() => openDatabase({ file })).toThrow(DatabaseError);
    expect(() => openDatabase({ file })).toThrow(
      `${file} has schema version 99, newer than this reglament understands (${SCHEMA_VERSION}): run the release that wrote it (or newer), or restore a backup made by this release`,
    );
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await serveCommand(['--data-dir', dir, '--port', '0', '--demo', 'off'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toMatch(/^reglament serve: .*reglament\.sqlite has schema version 99, newer/);
    expect(err.join('').trim().split('\n')).toHaveLength(1);
  });
});

const pgAvailable = postgresAvailable();
(pgAvailable ? describe : describe.skip)('schema migrations on PostgreSQL', () => {
  let pg: Postgres;
  const fresh = (): Promise<string> => pg.database('reglament_m');
  beforeAll(async () => {
    pg = (await startPostgres())!;
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it.each(RELEASED)(
    'upgrades a database of released schema version $version with its data',
    async ({ fixture }) => {
      const url = await fresh();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Client } = require('pg') as typeof import('pg');
      const c = new Client({ connectionString: url });
      await c.connect();
      for (const sql of statements(fixture('postgres'))) await c.query(sql);
      await c.query(placeholders(INSERT_RECORD, 'postgres'), RECORD_ROW);
      await c.end();

      const db = await openPostgres({ url, max: 2 });
      try {
        const rows = (await db.pool.query(`SELECT version FROM ${VERSION_TABLE} ORDER BY version`)).rows;
        expect(rows.map((r: { version: number }) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
        expect((await db.pool.query(`SELECT summary FROM ${TABLES.records}`)).rows).toEqual([
          { summary: 'Сбой печати' },
        ]);
        await db.pool.query(`INSERT INTO ${HEALTH_TABLE} (probe, written_ms) VALUES ('x', 1)`);
        const store = new PostgresStore(db, () => 1);
        await store.load();
        expect((await store.listAggregates('standard')).map((b) => [b.project, b.dueMonth, b.n])).toEqual([
          ['SUP', '2026-04', 1],
        ]);
      } finally {
        await db.close();
      }
      // Instances starting together (or again) apply nothing twice.
      await Promise.all([openPostgres({ url, max: 1 }), openPostgres({ url, max: 1 })]).then((dbs) =>
        Promise.all(dbs.map((d) => d.close())),
      );
      const check = await openPostgres({ url, max: 1 });
      try {
        expect((await check.pool.query(`SELECT COUNT(*)::int AS n FROM ${VERSION_TABLE}`)).rows).toEqual([
          { n: MIGRATIONS.length },
        ]);
      } finally {
        await check.close();
      }
    },
    60_000,
  );

  it('version 13 fills the agreed deadline of the open agreed records, a verdict it cannot read left NULL', async () => {
    const url = await fresh();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as typeof import('pg');
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(
      `CREATE TABLE ${VERSION_TABLE} (version INTEGER NOT NULL, name VARCHAR(191) NOT NULL, applied_ms BIGINT NOT NULL, PRIMARY KEY (version))`,
    );
    for (const m of MIGRATIONS.filter((x) => x.version <= 12)) {
      for (const sql of m.statements('postgres')) await c.query(sql);
      await c.query(`INSERT INTO ${VERSION_TABLE} (version, name, applied_ms) VALUES ($1, $2, 1)`, [
        m.version,
        m.name,
      ]);
    }
    for (const row of AGREED_CASES) await c.query(placeholders(INSERT_RECORD, 'postgres'), agreedRow(row));
    await c.end();

    const db = await openPostgres({ url, max: 2 });
    try {
      const rows = (await db.pool.query(`SELECT version FROM ${VERSION_TABLE} ORDER BY version`)).rows;
      expect(rows.map((r: { version: number }) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const got = (
        await db.pool.query(`SELECT issue_key, agreed_due_ms FROM ${TABLES.records} ORDER BY issue_key`)
      ).rows as { issue_key: string; agreed_due_ms: string | null }[];
      expect(
        got.map((r) => [r.issue_key, r.agreed_due_ms === null ? null : Number(r.agreed_due_ms)]),
      ).toEqual(AGREED_CASES.map((x) => [x[0], x[4]]));
    } finally {
      await db.close();
    }
  }, 60_000);

  it('refuses a newer schema', async () => {
    const url = await fresh();
    await (await openPostgres({ url, max: 1 })).close();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as typeof import('pg');
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`INSERT INTO ${VERSION_TABLE} (version, name, applied_ms) VALUES (99, 'future', 1)`);
    await c.end();
    await expect(openPostgres({ url, max: 1 })).rejects.toThrow(
      /the PostgreSQL database has schema version 99, newer than this reglament understands/,
    );
  }, 60_000);
});
