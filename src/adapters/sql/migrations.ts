/**
 * Versioned schema migrations of the self-hosted databases (SQLite and PostgreSQL; the statements are
 * portable to MySQL too). One table, `reglament_schema_version`, lists the versions applied, each once,
 * in order; a start applies the missing ones and refuses a database newer than this release.
 *
 * Version 1 is the schema of the first release (0.1.0), which created its tables with
 * `CREATE TABLE IF NOT EXISTS` at every start and kept no version table: such a database is recognised
 * by its settings table and recorded as version 1 before the later steps run.
 *
 * HOW TO ADD A MIGRATION (a new table, a new column, an index): append ONE entry to MIGRATIONS with the
 * next version number, e.g.
 *
 *   { version: 4, name: 'accounts', statements: (d) => accountsSchema(d) },
 *
 * Never edit or reorder an entry that was released: databases out there have applied it. Statements of a
 * step run in one transaction on SQLite and PostgreSQL (their DDL is transactional), so a failed step
 * leaves the database at the previous version. Keep each statement idempotent where the dialect allows
 * (`CREATE TABLE IF NOT EXISTS`), since MySQL commits DDL one statement at a time. Then add the new
 * version's tables to test/server/migrations.test.ts (it checks every earlier version upgrades).
 */
import { bigint, type SqlDialect, type SqlStatement } from './dialect';
import { schemaStatements, TABLES } from './schema';
import { ledgerByIssueSchema, ledgerKeyPostgresSchema, ledgerSchema } from './ledger';
import { inboxClaimIndexSchema } from './inbox';
import {
  aggregatesSchema,
  customerIndexSchema,
  pendingIndexSchema,
  rollupSchema,
  stateCustomerIndexSchema,
  sqliteUnreadIndexesSchema,
  sqlitePartialIndexesSchema,
  stateDueWideSchema,
} from './aggregates';
import { noticesSchema } from './notices';
import { agreedDueSchema, contractsSchema, nextChangeSchema } from './records';

export interface Migration {
  version: number;
  /** What the step does, stored beside the version for people reading the table. */
  name: string;
  statements: (dialect: SqlDialect) => string[];
}

export const VERSION_TABLE = 'reglament_schema_version';
/** Rows the readiness probe writes (`/readyz`): a write that fails tells the disk or the database is full. */
export const HEALTH_TABLE = 'reglament_health';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings, SLA records, tickets, inbox, notices (release 0.1.0)',
    statements: (d) => [
      ...schemaStatements(d, ['settings', 'records', 'tickets', 'inbox']),
      ...noticesSchema(d),
    ],
  },
  {
    version: 2,
    name: 'health probe rows',
    statements: (d) => [
      `CREATE TABLE IF NOT EXISTS ${HEALTH_TABLE} (\n` +
        `  probe VARCHAR(64) NOT NULL,\n` +
        `  written_ms ${bigint(d)} NOT NULL,\n` +
        `  PRIMARY KEY (probe)\n` +
        `)`,
    ],
  },
  {
    version: 3,
    name: 'SLA ledger (append-only facts) and issue marks (key, newest snapshot)',
    statements: (d) => ledgerSchema(d),
  },
  {
    version: 4,
    name: 'compliance aggregates (buckets) and the issue list indexes',
    statements: (d) => aggregatesSchema(d),
  },
  {
    version: 5,
    name: 'next state-change instant of each SLA record (sweeps read only due clocks)',
    statements: (d) => nextChangeSchema(d),
  },
  {
    version: 6,
    name: 'customer and contract of each SLA record (issue #17)',
    statements: () => contractsSchema(),
  },
  {
    version: 7,
    name: 'open-records index covering the pending correction of the dashboard (issue #14)',
    statements: (d) => pendingIndexSchema(d),
  },
  {
    version: 8,
    name: 'rollup of the compliance buckets over customers and projects (issue #14: a view reads its months only)',
    statements: (d) => rollupSchema(d),
  },
  {
    version: 9,
    name: 'SQLite: the ledger keyed by issue (WITHOUT ROWID), one unused records index dropped (issue #14: fewer pages written per event)',
    statements: (d) => ledgerByIssueSchema(d),
  },
  {
    version: 10,
    name: "one customer's buckets and open records by state from indexes (issue #17: a customer's view)",
    statements: (d) => [...customerIndexSchema(d), ...stateCustomerIndexSchema(d)],
  },
  {
    version: 11,
    name: 'PostgreSQL: the inbox claim by a partial index of the rows not settled, in arrival order (issue #14)',
    statements: (d) => inboxClaimIndexSchema(d),
  },
  {
    version: 12,
    name: 'PostgreSQL: the ledger keyed by (issue id, fact id), one index fewer per fact (issue #14)',
    statements: (d) => ledgerKeyPostgresSchema(d),
  },
  {
    version: 13,
    name: "each agreed record's agreed deadline as a column: the settled ones left out of a view's live read in SQL (issue #14)",
    statements: (d) => agreedDueSchema(d),
  },
  {
    version: 14,
    name: "the records by state and deadline with every filter of the issue list: one state's list and count from the index alone (issue #14)",
    statements: (d) => stateDueWideSchema(d),
  },
  {
    version: 15,
    name: 'SQLite: four records indexes no statement reads dropped, four index entries fewer per record written (issue #14)',
    statements: (d) => sqliteUnreadIndexesSchema(d),
  },
  {
    version: 16,
    name: 'SQLite: four indexes hold only the rows their statements read (agreed, with a customer, with a next change, settled inbox rows): fewer index entries per event written (issue #14)',
    statements: (d) => sqlitePartialIndexesSchema(d),
  },
];

/** The schema version this release writes. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** A database this release cannot use as it is (a newer schema). */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** DDL of the version table. */
export function versionTableSql(dialect: SqlDialect): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (\n` +
    `  version INTEGER NOT NULL,\n` +
    `  name VARCHAR(191) NOT NULL,\n` +
    `  applied_ms ${bigint(dialect)} NOT NULL,\n` +
    `  PRIMARY KEY (version)\n` +
    `)`
  );
}

export const APPLIED_VERSIONS_SQL = `SELECT version FROM ${VERSION_TABLE} ORDER BY version`;

/** A statement answering one row when `table` exists in the current database/schema. */
export function tableExists(dialect: SqlDialect, table: string): SqlStatement {
  if (dialect === 'sqlite')
    return { sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", params: [table] };
  const schema = dialect === 'postgres' ? 'current_schema()' : 'DATABASE()';
  return {
    sql: `SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = ?`,
    params: [table],
  };
}

/** Records a version as applied. */
export function recordVersion(m: Migration, nowMs: number): SqlStatement {
  return {
    sql: `INSERT INTO ${VERSION_TABLE} (version, name, applied_ms) VALUES (?, ?, ?)`,
    params: [m.version, m.name, nowMs],
  };
}

/**
 * What a start must do: `baseline` (record version 1 without running it, for a release-0.1.0 database)
 * and the steps to run, in order.
 * @throws SchemaError when the database has a version this release does not know.
 * @example plan([], true)  // { baseline: true, run: [v2, …] }
 * @example plan([1, 2], false) // { baseline: false, run: [] }
 */
export function plan(
  applied: readonly number[],
  hasReleaseOneTables: boolean,
  where: string,
): { baseline: boolean; run: Migration[] } {
  const newest = applied.length > 0 ? Math.max(...applied) : 0;
  if (newest > SCHEMA_VERSION) {
    throw new SchemaError(
      `${where} has schema version ${newest}, newer than this reglament understands (${SCHEMA_VERSION}): ` +
        'run the release that wrote it (or newer), or restore a backup made by this release',
    );
  }
  const baseline = applied.length === 0 && hasReleaseOneTables;
  const done = new Set(baseline ? [1] : applied);
  return { baseline, run: MIGRATIONS.filter((m) => !done.has(m.version)) };
}

/** A connection the async runner uses: runs one statement, answers its rows. */
export interface MigrationConn {
  run(s: SqlStatement): Promise<Record<string, unknown>[]>;
}

/**
 * Brings a database to SCHEMA_VERSION (PostgreSQL, MySQL; SQLite has a synchronous twin in
 * store-sqlite/db.ts). `step` runs one group of statements as a transaction where the dialect can.
 * @returns the versions applied now.
 */
export async function migrate(
  dialect: SqlDialect,
  conn: MigrationConn,
  step: (fn: (c: MigrationConn) => Promise<void>) => Promise<void>,
  nowMs: number,
  where: string,
): Promise<number[]> {
  await conn.run({ sql: versionTableSql(dialect), params: [] });
  const applied = (await conn.run({ sql: APPLIED_VERSIONS_SQL, params: [] })).map((r) => Number(r.version));
  const legacy = (await conn.run(tableExists(dialect, TABLES.settings))).length > 0;
  const p = plan(applied, legacy, where);
  if (p.baseline) await conn.run(recordVersion(MIGRATIONS[0]!, nowMs));
  for (const m of p.run) {
    await step(async (c) => {
      for (const sql of m.statements(dialect)) await c.run({ sql, params: [] });
      await c.run(recordVersion(m, nowMs));
    });
  }
  return p.run.map((m) => m.version);
}
