/**
 * The SQL dialects the stores run on: SQLite (self-hosted default), MySQL/TiDB (Forge SQL) and
 * PostgreSQL (the self-hosted scale path). Statements in this folder are written once with `?`
 * placeholders and only standard SQL; the few places where the dialects differ (upserts, large text
 * types, inline indexes, skip-locked claiming) are decided here, in one place.
 */
export type SqlDialect = 'sqlite' | 'mysql' | 'postgres';

export const SQL_DIALECTS: readonly SqlDialect[] = ['sqlite', 'mysql', 'postgres'];

/** A statement and its positional parameters. */
export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

/** Values every driver binds: strings, numbers (integers fit in 53 bits), null. */
export type SqlValue = string | number | null;

/**
 * Rewrites `?` placeholders to the dialect's form: `$1, $2, …` for PostgreSQL, unchanged otherwise.
 * Statements in this folder never contain `?` inside string literals.
 * @example placeholders('SELECT a FROM t WHERE b = ? AND c = ?', 'postgres') // 'SELECT … b = $1 AND c = $2'
 */
export function placeholders(sql: string, dialect: SqlDialect): string {
  if (dialect !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Column type of a large text document (settings, verdicts, payloads). */
export function largeText(dialect: SqlDialect): string {
  return dialect === 'mysql' ? 'MEDIUMTEXT' : 'TEXT';
}

/** A 64-bit integer column (epoch milliseconds). PostgreSQL drivers return BIGINT as a string: read it with `toNumber`. */
export function bigint(dialect: SqlDialect): string {
  return dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
}

/**
 * An upsert on a primary key: insert the row, or update every non-key column from the new values.
 * SQLite (3.24+) and PostgreSQL: `ON CONFLICT (...) DO UPDATE SET c = excluded.c`;
 * MySQL/TiDB: `ON DUPLICATE KEY UPDATE c = VALUES(c)`.
 */
export function upsertSql(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
): string {
  return memoized(UPSERTS, dialect, table, columns, keyColumns, buildUpsert);
}

/**
 * Statement texts built once per (columns array, dialect, table, key columns): the hot paths call the
 * builders per row with the same module-level column arrays, and a text that is the same string each
 * time is also found at once in the prepared-statement caches (issue #14: building them was ~5 % of
 * the SQLite ingest thread's time).
 */
type Builder = (
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
) => string;
function memoized(
  cache: WeakMap<readonly string[], Map<string, string>>,
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
  build: Builder,
): string {
  let byRest = cache.get(columns);
  if (!byRest) {
    byRest = new Map();
    cache.set(columns, byRest);
  }
  const memo = `${dialect}|${table}|${keyColumns.join(',')}`;
  let sql = byRest.get(memo);
  if (sql === undefined) {
    sql = build(dialect, table, columns, keyColumns);
    byRest.set(memo, sql);
  }
  return sql;
}

const UPSERTS = new WeakMap<readonly string[], Map<string, string>>();
const INSERT_IGNORES = new WeakMap<readonly string[], Map<string, string>>();

function buildUpsert(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
): string {
  const cols = columns.join(', ');
  const marks = columns.map(() => '?').join(', ');
  const rest = columns.filter((c) => !keyColumns.includes(c));
  const base = `INSERT INTO ${table} (${cols}) VALUES (${marks})`;
  if (dialect === 'mysql') {
    return `${base} ON DUPLICATE KEY UPDATE ${rest.map((c) => `${c} = VALUES(${c})`).join(', ')}`;
  }
  return `${base} ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${rest
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
}

/**
 * An insert that does nothing when the primary key exists (idempotency keys). The driver's
 * affected-row count tells whether the row was new (1) or a duplicate (0).
 */
export function insertIgnoreSql(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
): string {
  return memoized(INSERT_IGNORES, dialect, table, columns, keyColumns, buildInsertIgnore);
}

function buildInsertIgnore(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
): string {
  const cols = columns.join(', ');
  const marks = columns.map(() => '?').join(', ');
  if (dialect === 'mysql') return `INSERT IGNORE INTO ${table} (${cols}) VALUES (${marks})`;
  return `INSERT INTO ${table} (${cols}) VALUES (${marks}) ON CONFLICT (${keyColumns.join(', ')}) DO NOTHING`;
}

/** Reads an integer column that a driver may return as number, bigint or string; null stays null. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return null;
}

/** Builds `IN (?, ?, …)` for n values (n ≥ 1). */
export function inList(n: number): string {
  return `(${Array.from({ length: n }, () => '?').join(', ')})`;
}

/**
 * Several single-row statements of the same text (`INSERT … VALUES (?, …) …`) as one multi-row
 * statement: the VALUES tuple repeated, the parameters concatenated. Rows must not repeat a conflict
 * key when the statement updates on conflict (the callers keep one row per key).
 * @example multiRow([insertFactSql('postgres', a), insertFactSql('postgres', b)]).params.length // 14
 */
export function multiRow(rows: readonly SqlStatement[]): SqlStatement {
  const first = rows[0];
  if (!first) throw new RangeError('multiRow: no rows');
  const params: SqlValue[] = [];
  for (const r of rows) {
    if (r.sql !== first.sql) throw new RangeError('multiRow: statements of different texts');
    for (const v of r.params) params.push(v);
  }
  // The text for n rows, built once per single-row text and n (the same string each time).
  let entry = MULTI_ROW.get(first.sql);
  if (!entry) {
    const m = /VALUES (\([?, ]+\))/.exec(first.sql);
    if (!m) throw new RangeError(`multiRow: no VALUES tuple in ${first.sql.slice(0, 80)}`);
    if (MULTI_ROW.size >= 200) MULTI_ROW.clear();
    entry = { values: m[0], tuple: m[1]!, byCount: [] };
    MULTI_ROW.set(first.sql, entry);
  }
  let sql = entry.byCount[rows.length];
  if (sql === undefined) {
    const { tuple } = entry;
    sql = first.sql.replace(entry.values, `VALUES ${rows.map(() => tuple).join(', ')}`);
    if (rows.length <= 1000) entry.byCount[rows.length] = sql;
  }
  return { sql, params };
}

/** multiRow's texts: single-row text → its VALUES tuple and [row count] → multi-row text. */
const MULTI_ROW = new Map<string, { values: string; tuple: string; byCount: string[] }>();
