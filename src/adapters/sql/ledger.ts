/**
 * The SLA ledger (src/domain/ledger.ts) as portable statements: two NEW tables, so no existing table
 * changes (the versioned migrations can take them as they are).
 *
 * - `reglament_ledger`: one row per fact, append-only, keyed by the fact's deterministic id; appending
 *   is an insert that does nothing when the id is there, so re-deriving a fact, a redelivery or a
 *   replay after a crash never duplicates it.
 * - `reglament_issue_marks`: per issue id, its current key (a moved issue keeps its id: the old key's
 *   record is dropped instead of counted twice) and the newest applied `updatedAt` of its snapshots
 *   (an older snapshot is stale and changes nothing).
 */
import type { IssueMark } from '../../app/ports';
import type { Fact } from '../../domain/ledger';
import {
  bigint,
  insertIgnoreSql,
  largeText,
  toNumber,
  upsertSql,
  type SqlDialect,
  type SqlStatement,
} from './dialect';

export const LEDGER_TABLE = 'reglament_ledger';
export const MARKS_TABLE = 'reglament_issue_marks';

const FACT_COLUMNS = [
  'fact_id',
  'issue_id',
  'fact_type',
  'clock',
  'at_ms',
  'recorded_ms',
  'fact_json',
] as const;
const MARK_COLUMNS = ['issue_id', 'issue_key', 'updated_ms', 'changed_ms'] as const;

/**
 * DDL of the two ledger tables (idempotent: run at every start, or as named migrations).
 * @example ledgerSchema('mysql').length // 2
 */
export function ledgerSchema(dialect: SqlDialect): string[] {
  const index = (name: string, cols: string) => (dialect === 'mysql' ? [`,\n  INDEX ${name} (${cols})`] : []);
  const out = [
    `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (\n` +
      `  fact_id VARCHAR(64) NOT NULL,\n` +
      `  issue_id VARCHAR(191) NOT NULL,\n` +
      `  fact_type VARCHAR(32) NOT NULL,\n` +
      `  clock VARCHAR(16) NULL,\n` +
      `  at_ms ${bigint(dialect)} NOT NULL,\n` +
      `  recorded_ms ${bigint(dialect)} NOT NULL,\n` +
      `  fact_json ${largeText(dialect)} NOT NULL,\n` +
      `  PRIMARY KEY (fact_id)` +
      index('reglament_ledger_issue', 'issue_id, at_ms').join('') +
      index('reglament_ledger_at', 'at_ms').join('') +
      `\n)`,
    `CREATE TABLE IF NOT EXISTS ${MARKS_TABLE} (\n` +
      `  issue_id VARCHAR(191) NOT NULL,\n` +
      `  issue_key VARCHAR(191) NOT NULL,\n` +
      `  updated_ms ${bigint(dialect)} NULL,\n` +
      `  changed_ms ${bigint(dialect)} NOT NULL,\n` +
      `  PRIMARY KEY (issue_id)\n` +
      `)`,
  ];
  if (dialect !== 'mysql') {
    out.push(`CREATE INDEX IF NOT EXISTS reglament_ledger_issue ON ${LEDGER_TABLE} (issue_id, at_ms)`);
    out.push(`CREATE INDEX IF NOT EXISTS reglament_ledger_at ON ${LEDGER_TABLE} (at_ms)`);
  }
  return out;
}

/**
 * DDL of migration 9 (SQLite only; issue #14): the ledger rebuilt as a WITHOUT ROWID table keyed by
 * (issue id, fact id), so an issue's facts sit together in the table itself. Before, each fact was
 * written to four B-trees — the rows, the primary key on the fact id (a hash: a random page of the
 * index for each fact), (issue_id, at_ms) and (at_ms) — now to two: the facts of one event go to one
 * page, and the issue's reads need no index of their own. A fact id names its issue (it hashes the
 * issue id), so the key is as unique as before. Also drops `reglament_records_due` (due_ms), an index
 * of the records that no statement's plan uses, written on every record insert.
 * Measured with bench:ingest-sqlite (WAL frames per event by B-tree, from the frame headers): the
 * fact-id key alone was 1.8 of the 10 pages written per ingested event.
 */
export function ledgerByIssueSchema(dialect: SqlDialect): string[] {
  if (dialect !== 'sqlite') return [];
  const next = `${LEDGER_TABLE}_by_issue`;
  const cols = FACT_COLUMNS.join(', ');
  return [
    `DROP TABLE IF EXISTS ${next}`,
    `CREATE TABLE ${next} (\n` +
      `  fact_id VARCHAR(64) NOT NULL,\n` +
      `  issue_id VARCHAR(191) NOT NULL,\n` +
      `  fact_type VARCHAR(32) NOT NULL,\n` +
      `  clock VARCHAR(16) NULL,\n` +
      `  at_ms INTEGER NOT NULL,\n` +
      `  recorded_ms INTEGER NOT NULL,\n` +
      `  fact_json TEXT NOT NULL,\n` +
      `  PRIMARY KEY (issue_id, fact_id)\n` +
      `) WITHOUT ROWID`,
    `INSERT INTO ${next} (${cols}) SELECT ${cols} FROM ${LEDGER_TABLE}`,
    `DROP TABLE ${LEDGER_TABLE}`,
    `ALTER TABLE ${next} RENAME TO ${LEDGER_TABLE}`,
    `CREATE INDEX reglament_ledger_at ON ${LEDGER_TABLE} (at_ms)`,
    'DROP INDEX IF EXISTS reglament_records_due',
  ];
}

/**
 * DDL of migration 12 (PostgreSQL only; issue #14): the ledger keyed by (issue id, fact id), as SQLite's
 * since migration 9, and its (issue id, at) index dropped: the key serves an issue's facts (read by
 * issue, ordered in memory: a few rows), so a fact is written to two B-trees instead of three
 * (bench:server phase 3, session 11: the ledger's insert was the largest statement per event, 94–130
 * µs of execution for ~3.5 facts).
 */
export function ledgerKeyPostgresSchema(dialect: SqlDialect): string[] {
  if (dialect !== 'postgres') return [];
  return [
    `ALTER TABLE ${LEDGER_TABLE} DROP CONSTRAINT IF EXISTS ${LEDGER_TABLE}_pkey`,
    `ALTER TABLE ${LEDGER_TABLE} ADD CONSTRAINT ${LEDGER_TABLE}_pkey PRIMARY KEY (issue_id, fact_id)`,
    'DROP INDEX IF EXISTS reglament_ledger_issue',
  ];
}

/** Appends one fact unless its id is there (affected rows: 1 new, 0 already recorded). */
export function insertFactSql(dialect: SqlDialect, f: Fact): SqlStatement {
  return {
    // Keyed by (issue id, fact id): SQLite since migration 9, PostgreSQL since 12; MySQL ignores the key.
    sql: insertIgnoreSql(
      dialect,
      LEDGER_TABLE,
      FACT_COLUMNS,
      dialect === 'mysql' ? ['fact_id'] : ['issue_id', 'fact_id'],
    ),
    params: [
      f.id,
      f.issueId,
      f.type,
      f.clock ?? null,
      Date.parse(f.at),
      Date.parse(f.recordedAt),
      JSON.stringify(f),
    ],
  };
}

/** The facts of one issue, in the order of their instants. */
export function listFactsSql(issueId: string): SqlStatement {
  return {
    sql: `SELECT fact_json FROM ${LEDGER_TABLE} WHERE issue_id = ? ORDER BY at_ms, fact_id`,
    params: [issueId],
  };
}

/** The facts that happened in [fromMs, toMs), every issue (the export of a period). */
export function listFactsBetweenSql(fromMs: number, toMs: number): SqlStatement {
  return {
    sql: `SELECT fact_json FROM ${LEDGER_TABLE} WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, issue_id, fact_id`,
    params: [fromMs, toMs],
  };
}

export const factsFromRows = (rows: readonly Record<string, unknown>[]): Fact[] =>
  rows.map((r) => JSON.parse(String(r.fact_json)) as Fact);

/** The issue ids whose current key is `key` (a key names one issue; a moved issue's old key none). */
export function issueIdsByKeySql(key: string): SqlStatement {
  return { sql: `SELECT issue_id FROM ${MARKS_TABLE} WHERE issue_key = ?`, params: [key] };
}

export function getMarkSql(issueId: string): SqlStatement {
  return {
    sql: `SELECT issue_key, updated_ms FROM ${MARKS_TABLE} WHERE issue_id = ?`,
    params: [issueId],
  };
}

export function markFromRow(row: Record<string, unknown> | undefined | null): IssueMark | null {
  if (!row) return null;
  return { key: String(row.issue_key), updatedMs: toNumber(row.updated_ms) };
}

export function putMarkSql(
  dialect: SqlDialect,
  issueId: string,
  mark: IssueMark,
  nowMs: number,
): SqlStatement {
  return {
    sql: upsertSql(dialect, MARKS_TABLE, MARK_COLUMNS, ['issue_id']),
    params: [issueId, mark.key, mark.updatedMs, Math.round(nowMs)],
  };
}
