/**
 * Escalation notices (src/app/escalation.ts): which notices went out for an issue — `reaction:breached`,
 * `fixed:SUP-7:6.0.1`, `visit:2026-05-08` — so each is posted at most once across redeliveries, sweeps
 * and concurrent deliveries. One row per (issue, notice); claiming is an insert that does nothing when
 * the row exists, and the driver's affected-row count says who won (1: claimed now, 0: there already):
 *
 * - SQLite: `INSERT … ON CONFLICT (issue_key, notice_id) DO NOTHING` — `changes` (better-sqlite3 `run`);
 * - PostgreSQL: the same statement — `rowCount`;
 * - MySQL / TiDB (Forge SQL): `INSERT IGNORE` — `affectedRows`.
 *
 * Portable as the rest of this folder: `?` placeholders (rewrite with `placeholders` for PostgreSQL),
 * no auto-increment, keys that fit a utf8mb4 index (191 + 512 characters = 2,812 bytes, within the
 * 3,072 of InnoDB and TiDB).
 */
import { bigint, insertIgnoreSql, type SqlDialect, type SqlStatement } from './dialect';

export const NOTICES_TABLE = 'reglament_notices';

/** The longest notice id (a split of 20 parts names 20 keys). */
export const MAX_NOTICE_ID = 512;
const MAX_ISSUE_KEY = 191;

/**
 * DDL of the notices table for a dialect (idempotent: run at every start, or as one named migration).
 * @example noticesSchema('mysql') // ['CREATE TABLE IF NOT EXISTS reglament_notices (…)']
 */
export function noticesSchema(dialect: SqlDialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${NOTICES_TABLE} (\n` +
      `  issue_key VARCHAR(${MAX_ISSUE_KEY}) NOT NULL,\n` +
      `  notice_id VARCHAR(${MAX_NOTICE_ID}) NOT NULL,\n` +
      `  created_ms ${bigint(dialect)} NOT NULL,\n` +
      `  PRIMARY KEY (issue_key, notice_id)\n` +
      `)`,
  ];
}

function checked(issueKey: string, notice: string): void {
  if (issueKey === '' || issueKey.length > MAX_ISSUE_KEY)
    throw new Error(`notice: issue key must be 1–${MAX_ISSUE_KEY} characters`);
  if (notice === '' || notice.length > MAX_NOTICE_ID)
    throw new Error(`notice: id must be 1–${MAX_NOTICE_ID} characters`);
}

/**
 * Records a notice if absent. Claimed when the statement affected one row; zero means another
 * delivery (or an earlier one) holds it.
 * @example claimNoticeSql('sqlite', 'SUP-1', 'reaction:breached', now).sql
 * // 'INSERT INTO reglament_notices (issue_key, notice_id, created_ms) VALUES (?, ?, ?) ON CONFLICT (issue_key, notice_id) DO NOTHING'
 */
export function claimNoticeSql(
  dialect: SqlDialect,
  issueKey: string,
  notice: string,
  nowMs: number,
): SqlStatement {
  checked(issueKey, notice);
  return {
    sql: insertIgnoreSql(
      dialect,
      NOTICES_TABLE,
      ['issue_key', 'notice_id', 'created_ms'],
      ['issue_key', 'notice_id'],
    ),
    params: [issueKey, notice, Math.round(nowMs)],
  };
}

/** The notices of one issue, ordered by id (rows: `{ notice_id }`). */
export function listNoticesSql(issueKey: string): SqlStatement {
  return {
    sql: `SELECT notice_id FROM ${NOTICES_TABLE} WHERE issue_key = ? ORDER BY notice_id`,
    params: [issueKey],
  };
}

/** Forgets one notice (its comment could not be posted, so the retry may claim it again). */
export function releaseNoticeSql(issueKey: string, notice: string): SqlStatement {
  return {
    sql: `DELETE FROM ${NOTICES_TABLE} WHERE issue_key = ? AND notice_id = ?`,
    params: [issueKey, notice],
  };
}

/** Forgets every notice of an issue (e.g. when the issue is deleted for good). */
export function deleteNoticesSql(issueKey: string): SqlStatement {
  return { sql: `DELETE FROM ${NOTICES_TABLE} WHERE issue_key = ?`, params: [issueKey] };
}

/** Reads the rows of `listNoticesSql`. */
export function noticeIdsFromRows(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((r) => String(r.notice_id));
}
