/**
 * Multi-row inserts on PostgreSQL as `INSERT … SELECT * FROM unnest($1::type[], …)` (issue #14).
 *
 * `multiRow` repeats the VALUES tuple: a batch of 100 events' facts is one statement of ~2,000
 * parameters whose text changes with the row count, so PostgreSQL parses and plans it anew each time.
 * bench:server phase 3 with pg_stat_statements (session 11): planning the ledger's multi-row insert
 * took 78 µs per event, more than half its 94 µs of execution; the records' 22 µs. With one array
 * parameter per column the text is the same for any row count and the plan is that of one row.
 *
 * The arrays' element types are the table's own column types, read once from the catalogue
 * (`format_type`), so the statements keep no second copy of the schema.
 */
import type { SqlStatement, SqlValue } from '../sql';

/** A table's column types (`column → 'bigint'`, `'character varying(191)'`, …). */
export type ColumnTypes = (table: string) => Promise<ReadonlyMap<string, string>>;

/** The catalogue query of `ColumnTypes` (`$1`: the table's name, unqualified, in the search path). */
export const COLUMN_TYPES_SQL =
  'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a ' +
  'WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped';

/** Every reglament table's column types at once (read when the database is opened). */
export const ALL_COLUMN_TYPES_SQL =
  'SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type ' +
  'FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace ' +
  "WHERE c.relname LIKE 'reglament\\_%' AND c.relkind = 'r' AND n.nspname = current_schema() " +
  'AND a.attnum > 0 AND NOT a.attisdropped';

const INSERT = /^INSERT INTO (\w+) \(([\w, ]+)\) VALUES \(([?, ]+)\)/;

/**
 * Several single-row statements of the same text (`INSERT INTO t (a, b) VALUES (?, ?) …`) as one
 * `INSERT INTO t (a, b) SELECT * FROM unnest(?::ta[], ?::tb[]) …` with one array per column; what
 * follows the VALUES tuple (`ON CONFLICT …`) is kept. Rows must not repeat a conflict key when the
 * statement updates on conflict (as with `multiRow`).
 * @example (await unnestRows([insertFactSql('postgres', a), insertFactSql('postgres', b)], types)).params.length // 7
 */
export async function unnestRows(rows: readonly SqlStatement[], types: ColumnTypes): Promise<SqlStatement> {
  const first = rows[0];
  if (!first) throw new RangeError('unnestRows: no rows');
  const m = INSERT.exec(first.sql);
  if (!m) throw new RangeError(`unnestRows: not an INSERT … VALUES (?, …): ${first.sql.slice(0, 80)}`);
  const [tuple, table, list] = [m[0], m[1]!, m[2]!];
  const columns = list.split(', ');
  const marks = m[3]!.split(', ');
  if (marks.length !== columns.length || marks.some((x) => x !== '?'))
    throw new RangeError(`unnestRows: the VALUES tuple is not one ? per column: ${first.sql.slice(0, 80)}`);
  const known = await types(table);
  const casts = columns.map((c) => {
    const t = known.get(c);
    if (!t) throw new RangeError(`unnestRows: no column ${c} in table ${table}`);
    return `?::${t}[]`;
  });
  const params: SqlValue[][] = columns.map(() => new Array<SqlValue>(rows.length));
  rows.forEach((r, i) => {
    if (r.sql !== first.sql) throw new RangeError('unnestRows: statements of different texts');
    for (let j = 0; j < columns.length; j++) params[j]![i] = r.params[j]!;
  });
  return {
    sql: first.sql.replace(tuple, `INSERT INTO ${table} (${list}) SELECT * FROM unnest(${casts.join(', ')})`),
    params: params as unknown as SqlValue[],
  };
}
