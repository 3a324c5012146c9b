/**
 * Compliance aggregates and the indexed issue list (issue #14) as portable statements, shared by the
 * SQLite, PostgreSQL and Forge SQL (MySQL) stores. The buckets (src/domain/aggregates.ts) live in
 * `reglament_sla_aggregates`, one row per bucket with its count `n`; a record write adds the new
 * record's buckets and takes the old one's out, in the same transaction (`bucketDeltas`).
 *
 * Migration 8 adds the rollup `reglament_sla_rollup`: the same buckets without the customer, kept at
 * two levels, summed over every project (scope `all`) and per project (scope `project`), plus one row
 * per project counting its records (scope `projects`, the dashboard's list of known projects). The
 * same record write updates it (`bucketWriteSql`: one more statement). A dashboard view reads the rows
 * of its months from the level it shows: all projects (the usual view) or the projects of its scope,
 * so the rows it reads depend on months × kinds × classes × outcomes (× projects when filtered), not
 * on the number of records nor on their customers (at 1M records in the bench: 1,080 rows read
 * instead of 14,832 summed in SQL).
 */
import type { IssuePage, IssueQuery, ListState, SlaRecordRow } from '../../app/ports';
import { toSlaRecord } from '../../app/sla-record';
import { cappedTotal } from '../../app/issue-list';
import {
  addBuckets,
  bucketId,
  contributions,
  pendingMonths,
  type AggMode,
  type AggOutcome,
  aggRowOf,
  type AggRow,
} from '../../domain/aggregates';
import type { AgreedCounting } from '../../domain/compliance-types';
import type { Kind, PriorityClass } from '../../domain/codes';
import { bigint, inList, toNumber, type SqlDialect, type SqlStatement, type SqlValue } from './dialect';
import { isoToMs, RECORD_COLUMNS, recordFromRow } from './records';
import { TABLES } from './schema';

export const AGGREGATES_TABLE = 'reglament_sla_aggregates';
export const ROLLUP_TABLE = 'reglament_sla_rollup';

/** The levels of the rollup: summed over all projects, per project, and records per project. */
export type RollupScope = 'all' | 'project' | 'projects';

const AGG_COLUMNS = [
  'bucket',
  'zone',
  'mode',
  'kind',
  'priority_class',
  'project_key',
  'customer',
  'due_month',
  'done_month',
  'reg_month',
  'outcome',
  'agreed',
  'kept',
  'n',
] as const;

/** The columns of a bucket row as read (listAggregatesSql), in order: all but the id. */
const READ_COLUMNS = AGG_COLUMNS.filter((c) => c !== 'bucket') as Exclude<
  (typeof AGG_COLUMNS)[number],
  'bucket'
>[];

/** The rollup's columns: a bucket's without the customer, with its level (RollupScope). */
const ROLLUP_COLUMNS = [
  'bucket',
  'scope',
  ...AGG_COLUMNS.filter((c) => c !== 'bucket' && c !== 'customer'),
] as const;

/** Indexes of the records table for the live records and each filter of the issue list. */
export const RECORD_LIST_INDEXES = [
  { name: 'reglament_records_open_due', columns: ['done_ms', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_state_open', columns: ['clock_state', 'done_ms', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_state_due', columns: ['clock_state', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_kind_due', columns: ['kind', 'done_ms', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_class_due', columns: ['priority_class', 'done_ms', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_project_due', columns: ['project_key', 'done_ms', 'due_ms', 'issue_key'] },
  { name: 'reglament_records_agreed_open', columns: ['agreed', 'done_ms'] },
] as const;

/** DDL of migration 4: the buckets table and the list indexes (MySQL: no IF NOT EXISTS on indexes). */
export function aggregatesSchema(d: SqlDialect): string[] {
  const table =
    `CREATE TABLE IF NOT EXISTS ${AGGREGATES_TABLE} (\n` +
    `  bucket VARCHAR(191) NOT NULL,\n` +
    `  zone VARCHAR(64) NOT NULL,\n` +
    `  mode VARCHAR(16) NOT NULL,\n` +
    `  kind VARCHAR(16) NOT NULL,\n` +
    `  priority_class VARCHAR(16) NULL,\n` +
    `  project_key VARCHAR(64) NOT NULL,\n` +
    `  customer VARCHAR(64) NULL,\n` +
    `  due_month VARCHAR(7) NULL,\n` +
    `  done_month VARCHAR(7) NULL,\n` +
    `  reg_month VARCHAR(7) NULL,\n` +
    `  outcome VARCHAR(16) NOT NULL,\n` +
    `  agreed INTEGER NOT NULL,\n` +
    `  kept INTEGER NULL,\n` +
    `  n ${bigint(d)} NOT NULL,\n` +
    `  PRIMARY KEY (bucket)\n` +
    `)`;
  const exists = d === 'mysql' ? '' : 'IF NOT EXISTS ';
  return [
    table,
    ...RECORD_LIST_INDEXES.map(
      (i) => `CREATE INDEX ${exists}${i.name} ON ${TABLES.records} (${i.columns.join(', ')})`,
    ),
  ];
}

/**
 * DDL of migration 7 (Forge v007): the open-records index (done_ms, due_ms, issue_key) widened with the
 * columns the pending correction groups and filters by (pendingBucketsSql), so that count is read from
 * the index alone: at 1M records and 3,500 open clocks due later, 14 ms of table lookups → 2.5 ms
 * (SQLite, in process). Same leading columns, so the issue list reads its order from it as before; a
 * replacement, not one more index to keep on every write.
 */
export function pendingIndexSchema(d: SqlDialect): string[] {
  const cols = [
    'done_ms',
    'due_ms',
    'issue_key',
    'agreed',
    'clock_state',
    'kind',
    'priority_class',
    'project_key',
    'customer_id',
  ];
  return [
    d === 'mysql'
      ? `DROP INDEX reglament_records_open_due ON ${TABLES.records}`
      : 'DROP INDEX IF EXISTS reglament_records_open_due',
    `CREATE INDEX ${d === 'mysql' ? '' : 'IF NOT EXISTS '}reglament_records_open_pending ON ${TABLES.records} (${cols.join(', ')})`,
  ];
}

/**
 * DDL of migration 10 (Forge v011, on both bucket tables): one customer's buckets by index (issue #17:
 * a customer's view reads that customer's buckets). A bucket's count changes with every write, its
 * customer never, so only a new bucket row writes an entry (PostgreSQL keeps such updates HOT).
 * bench:dashboard, SQLite, 1M records of ten customers: that view took 88.9 ms reading all 85,669
 * buckets without it.
 */
export function customerIndexSchema(d: SqlDialect, table: string = AGGREGATES_TABLE): string[] {
  const name = table === AGGREGATES_TABLE ? 'reglament_aggregates_customer' : `${table}_customer`;
  return [`CREATE INDEX ${d === 'mysql' ? '' : 'IF NOT EXISTS '}${name} ON ${table} (customer, mode)`];
}

/**
 * DDL of migration 10 (Forge v011) too: the open records by state (the dashboard's lists and their
 * totals, the issue list's state filter) widened with the customer, so one customer's count is read
 * from the index alone. Without it, bench:dashboard at 1M records (SQLite): the count of one
 * customer's open breached records looked up 12,131 table rows, 83 ms of that view's 84. Same
 * leading columns as before, so every other plan is unchanged: a replacement, not one more index.
 */
export function stateCustomerIndexSchema(d: SqlDialect): string[] {
  const cols = ['clock_state', 'done_ms', 'due_ms', 'issue_key', 'customer_id'];
  return [
    d === 'mysql'
      ? `DROP INDEX reglament_records_state_open ON ${TABLES.records}`
      : 'DROP INDEX IF EXISTS reglament_records_state_open',
    `CREATE INDEX ${d === 'mysql' ? '' : 'IF NOT EXISTS '}reglament_records_state_customer ON ${TABLES.records} (${cols.join(', ')})`,
  ];
}

/** The columns of migration 14's state index (Forge v013): the state and deadline order, then every filter. */
export const STATE_DUE_WIDE_COLUMNS = [
  'clock_state',
  'due_ms',
  'issue_key',
  'kind',
  'priority_class',
  'project_key',
  'customer_id',
] as const;

/**
 * DDL of migration 14 (Forge v013; issue #14, session 19): the records by state and deadline widened with
 * every column a filter of the issue list tests, so a list of one state over the whole history (met,
 * incomplete: closed records too) is read and counted from the index alone, whatever its filters. At
 * 1,000,000 records without statistics, the count of the incomplete errors looked up every error in
 * the table (1.8 s; met errors 2.6 s); from the index: 1.4 and 72 ms (PostgreSQL, the incomplete
 * errors' count: 117 → 4.7 ms; Forge SQL on MariaDB at 100,000 records, the met errors' first page
 * and count: 293 ms before). Same leading columns, same name: a replacement, not one more index per
 * record written.
 */
export function stateDueWideSchema(d: SqlDialect): string[] {
  return [
    d === 'mysql'
      ? `DROP INDEX reglament_records_state_due ON ${TABLES.records}`
      : 'DROP INDEX IF EXISTS reglament_records_state_due',
    `CREATE INDEX reglament_records_state_due ON ${TABLES.records} (${STATE_DUE_WIDE_COLUMNS.join(', ')})`,
  ];
}

/**
 * The records' indexes migration 15 drops on SQLite (issue #14, session 20): since session 19 every
 * SQLite statement that could read them names its index (`INDEXED BY`: the issue list through the open
 * records' or a state's index, the live read's stopped-after-now part through the open records' index,
 * whose first column is the stop), so they were only written: four index entries of every record
 * written, 1.30 of the 8.75 WAL pages an event wrote in `bench:ingest-sqlite` (the kind's 0.37, the
 * class's 0.49, the project's 0.28, the stop's 0.16). PostgreSQL and Forge SQL keep them: their planners
 * choose among them, with statistics, and no statement there names an index.
 */
export const SQLITE_UNREAD_RECORD_INDEXES = [
  'reglament_records_kind_due',
  'reglament_records_class_due',
  'reglament_records_project_due',
  'reglament_records_done',
] as const;

/** DDL of migration 15: SQLITE_UNREAD_RECORD_INDEXES dropped on SQLite; nothing elsewhere. */
export function sqliteUnreadIndexesSchema(d: SqlDialect): string[] {
  if (d !== 'sqlite') return [];
  return SQLITE_UNREAD_RECORD_INDEXES.map((name) => `DROP INDEX IF EXISTS ${name}`);
}

/**
 * Migration 16 (SQLite only; issue #14, session 21): four indexes rebuilt as partial indexes, holding
 * only the rows their statements read. Each index a written row enters is one more page in the batch's
 * commit (bench:wal-pages: 0.16–0.27 WAL frames per ingested event each), and most rows are none of
 * these: agreed deadlines are rare, customers exist only with contracts, closed clocks change no more,
 * and a pending inbox row is not purged. Their statements keep the index: `agreed = 1`,
 * `customer_id = ?`, `next_change_ms IS NOT NULL`, `status = 'done'` imply the index's condition.
 * PostgreSQL and Forge SQL (no partial indexes in MySQL) keep the full ones.
 */
export const SQLITE_PARTIAL_INDEXES = [
  { name: 'reglament_records_agreed_open', on: `${TABLES.records} (agreed, done_ms)`, where: 'agreed = 1' },
  {
    name: 'reglament_records_customer',
    on: `${TABLES.records} (customer_id, issue_key)`,
    where: 'customer_id IS NOT NULL',
  },
  {
    name: 'reglament_records_next_change',
    on: `${TABLES.records} (next_change_ms, issue_key)`,
    where: 'next_change_ms IS NOT NULL',
  },
  { name: 'reglament_inbox_done', on: `${TABLES.inbox} (status, done_ms)`, where: "status = 'done'" },
] as const;

/** DDL of migration 16: SQLITE_PARTIAL_INDEXES rebuilt as partial on SQLite; nothing elsewhere. */
export function sqlitePartialIndexesSchema(d: SqlDialect): string[] {
  if (d !== 'sqlite') return [];
  return SQLITE_PARTIAL_INDEXES.flatMap((i) => [
    `DROP INDEX IF EXISTS ${i.name}`,
    `CREATE INDEX ${i.name} ON ${i.on} WHERE ${i.where}`,
  ]);
}

/**
 * DDL of migration 8 (Forge v008): the rollup (see the top of this file). Its rows of one level and
 * project are found by the months a view counts: by the deadline's month, or by the stop's month
 * (open records: NULL), each through its index.
 */
export function rollupSchema(d: SqlDialect): string[] {
  const exists = d === 'mysql' ? '' : 'IF NOT EXISTS ';
  return [
    `CREATE TABLE IF NOT EXISTS ${ROLLUP_TABLE} (\n` +
      `  bucket VARCHAR(191) NOT NULL,\n` +
      `  scope VARCHAR(8) NOT NULL,\n` +
      `  zone VARCHAR(64) NOT NULL,\n` +
      `  mode VARCHAR(16) NOT NULL,\n` +
      `  kind VARCHAR(16) NOT NULL,\n` +
      `  priority_class VARCHAR(16) NULL,\n` +
      `  project_key VARCHAR(64) NOT NULL,\n` +
      `  due_month VARCHAR(7) NULL,\n` +
      `  done_month VARCHAR(7) NULL,\n` +
      `  reg_month VARCHAR(7) NULL,\n` +
      `  outcome VARCHAR(16) NOT NULL,\n` +
      `  agreed INTEGER NOT NULL,\n` +
      `  kept INTEGER NULL,\n` +
      `  n ${bigint(d)} NOT NULL,\n` +
      `  PRIMARY KEY (bucket)\n` +
      `)`,
    `CREATE INDEX ${exists}reglament_rollup_due ON ${ROLLUP_TABLE} (scope, project_key, due_month)`,
    `CREATE INDEX ${exists}reglament_rollup_done ON ${ROLLUP_TABLE} (scope, project_key, done_month)`,
  ];
}

/**
 * The net change of the buckets when a record goes from `before` to `after` (either may be null:
 * a new or a deleted record); buckets whose change is 0 are left out.
 */
export function bucketDeltas(
  before: SlaRecordRow | null,
  after: SlaRecordRow | null,
  zone: string,
): AggRow[] {
  const m = new Map<string, AggRow>();
  if (before) addBuckets(m, contributions(toSlaRecord(before), zone), -1);
  if (after) addBuckets(m, contributions(toSlaRecord(after), zone), 1);
  return [...m.values()].filter((b) => b.n !== 0);
}

/**
 * Changes of the buckets summed by bucket, in bucket id order, the zero sums left out: the changes of
 * a worker batch's records written as one (issue #14: a batch's events mostly share their buckets).
 */
export function sumBucketDeltas(deltas: Iterable<AggRow>): AggRow[] {
  const sums = new Map<string, AggRow>();
  for (const d of deltas) {
    const id = bucketId(d);
    const sum = sums.get(id);
    if (sum) sum.n += d.n;
    else sums.set(id, aggRowOf(d, d.n));
  }
  return [...sums.entries()]
    .filter(([, b]) => b.n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, b]) => b);
}

const flag = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

function aggParams(b: AggRow, bucketOf: (b: AggRow) => string): SqlValue[] {
  return [
    bucketOf(b),
    b.zone,
    b.mode,
    b.kind,
    b.cls,
    b.project,
    b.customer,
    b.dueMonth,
    b.doneMonth,
    b.regMonth,
    b.outcome,
    b.agreed ? 1 : 0,
    flag(b.kept),
    b.n,
  ];
}

/** Adds `n` of each bucket (inserting the buckets not there yet), several buckets per statement. */
export function addToBucketsSql(
  dialect: SqlDialect,
  buckets: readonly AggRow[],
  bucketOf: (b: AggRow) => string = bucketId,
): SqlStatement {
  const sql = addingSql(AGGREGATES_TABLE, AGG_COLUMNS, dialect, buckets.length);
  return { sql, params: buckets.flatMap((b) => aggParams(b, bucketOf)) };
}

/** `INSERT … VALUES (…) × rows … ON CONFLICT (bucket) DO UPDATE SET n = n + excluded.n`, built once per shape. */
function addingSql(table: string, columns: readonly string[], dialect: SqlDialect, rows: number): string {
  const memo = `${table}|${dialect}|${rows}`;
  let sql = ADDING.get(memo);
  if (sql === undefined) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    const base = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`;
    sql =
      dialect === 'mysql'
        ? `${base} ON DUPLICATE KEY UPDATE n = n + VALUES(n)`
        : `${base} ON CONFLICT (bucket) DO UPDATE SET n = ${table}.n + excluded.n`;
    // Row counts up to a statement's largest (bucketWriteSql's `per`): a few hundred texts at most.
    if (ADDING.size < 2000) ADDING.set(memo, sql);
  }
  return sql;
}
const ADDING = new Map<string, string>();

/** The rollup row of a bucket at a level (project '' and customer null at `all`). */
function rollupRow(b: AggRow, scope: RollupScope): AggRow {
  if (scope === 'projects')
    return {
      zone: b.zone,
      mode: '*',
      kind: b.kind,
      cls: null,
      project: b.project,
      customer: null,
      dueMonth: null,
      doneMonth: null,
      regMonth: null,
      outcome: 'undated',
      agreed: false,
      kept: null,
      n: b.n,
    };
  // Copied field by field (domain/aggregates.ts aggRowOf: a spread then fields is slow on Node 20).
  const row = aggRowOf(b, b.n);
  row.project = scope === 'all' ? '' : b.project;
  row.customer = null;
  return row;
}

/** The primary key of a rollup row: its level, then the bucket's id (project and customer as stored). */
function rollupId(scope: RollupScope, b: AggRow): string {
  return scope === 'projects' ? `projects|${b.project}|${b.kind}|${b.zone}` : `${scope}|${bucketId(b)}`;
}

/**
 * The rollup's change for a change of the buckets: each bucket summed into its `all` and `project`
 * rows, and the records of its project counted once (an agreed record has a bucket per reading: its
 * `agreed` one is not counted again). Rows whose change is 0 are left out; sorted by id.
 */
export function rollupDeltas(buckets: readonly AggRow[]): { scope: RollupScope; id: string; row: AggRow }[] {
  const m = new Map<string, { scope: RollupScope; id: string; row: AggRow }>();
  const add = (scope: RollupScope, b: AggRow) => {
    const row = rollupRow(b, scope);
    const id = rollupId(scope, row);
    const have = m.get(id);
    if (have) have.row.n += row.n;
    else m.set(id, { scope, id, row });
  };
  for (const b of buckets) {
    add('all', b);
    add('project', b);
    if (b.mode !== 'agreed') add('projects', b);
  }
  // In id order, as the buckets of a batch: concurrent transactions lock the rows in one order.
  return [...m.values()]
    .filter((x) => x.row.n !== 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Adds `n` of each rollup row (inserting the rows not there yet), several per statement. */
function addToRollupSql(
  dialect: SqlDialect,
  rows: readonly { scope: RollupScope; id: string; row: AggRow }[],
): SqlStatement {
  const sql = addingSql(ROLLUP_TABLE, ROLLUP_COLUMNS, dialect, rows.length);
  return {
    sql,
    params: rows.flatMap(({ scope, id, row: b }) => [
      id,
      scope,
      b.zone,
      b.mode,
      b.kind,
      b.cls,
      b.project,
      b.dueMonth,
      b.doneMonth,
      b.regMonth,
      b.outcome,
      b.agreed ? 1 : 0,
      flag(b.kept),
      b.n,
    ]),
  };
}

/**
 * The statements that apply a change of the buckets (bucketDeltas, or a rebuild's sums) to both
 * tables, at most `per` rows a statement: the buckets', then the rollup's. None for no change.
 */
export function bucketWriteSql(
  dialect: SqlDialect,
  buckets: readonly AggRow[],
  per = 200,
  withRollup = true,
): SqlStatement[] {
  const out: SqlStatement[] = [];
  for (let i = 0; i < buckets.length; i += per)
    out.push(addToBucketsSql(dialect, buckets.slice(i, i + per), bucketId));
  // Forge keeps no rollup (its paged rebuild switches whole bucket tables; see store-forge).
  if (!withRollup) return out;
  const rollup = rollupDeltas(buckets);
  for (let i = 0; i < rollup.length; i += per) out.push(addToRollupSql(dialect, rollup.slice(i, i + per)));
  return out;
}

/** Answers a row when there is any record (an empty bucket table with records means: rebuild). */
export const ANY_RECORD_SQL: SqlStatement = {
  sql: `SELECT issue_key FROM ${TABLES.records} LIMIT 1`,
  params: [],
};

export const CLEAR_AGGREGATES_SQL: SqlStatement = { sql: `DELETE FROM ${AGGREGATES_TABLE}`, params: [] };
export const CLEAR_ROLLUP_SQL: SqlStatement = { sql: `DELETE FROM ${ROLLUP_TABLE}`, params: [] };

/** Months 'YYYY-MM' [first, last] a view counts: only the buckets that can count in them are read. */
export interface MonthRange {
  first: string;
  last: string;
}

/**
 * The buckets of one reading (and `*`), of some projects, non-empty ones only; with `range`, only
 * those that count in it (deadline or stop in the range, or open undated registered before its end);
 * `merged`: summed over projects and customers (project '' and customer null; a fifth of the rows
 * with five projects, for a view that does not need them); `customer`: that customer's buckets only.
 */
export function listAggregatesSql(
  mode: AgreedCounting,
  projects?: readonly string[],
  range?: MonthRange,
  merged = false,
  customer?: string | null,
): SqlStatement {
  const params: SqlValue[] = [mode];
  let where = `mode IN ('*', ?) AND n <> 0` + scopeWhere(projects, params, customer, 'customer');
  if (range) {
    where +=
      ' AND ((due_month >= ? AND due_month <= ?) OR (done_month >= ? AND done_month <= ?)' +
      " OR (outcome = 'undated' AND done_month IS NULL AND (reg_month IS NULL OR reg_month <= ?)))";
    params.push(range.first, range.last, range.first, range.last, range.last);
  }
  // Not the bucket id: the key of the row, not read back.
  const cols = READ_COLUMNS;
  if (!merged) return { sql: `SELECT ${cols.join(', ')} FROM ${AGGREGATES_TABLE} WHERE ${where}`, params };
  // Merged: the projects' and customers' buckets summed in SQL (the figures do not tell them apart).
  const keys = cols.filter((c) => c !== 'project_key' && c !== 'customer' && c !== 'n');
  return {
    sql:
      `SELECT ${keys.join(', ')}, '' AS project_key, NULL AS customer, SUM(n) AS n FROM ${AGGREGATES_TABLE}` +
      ` WHERE ${where} GROUP BY ${keys.join(', ')} HAVING SUM(n) <> 0`,
    params,
  };
}

/**
 * The rollup's buckets of one reading that count in `range` (as listAggregatesSql's with `merged`:
 * project '', customer null): the `all` level when the view shows every project, else the `project`
 * rows of its projects summed in SQL. The rows read are the months' own, through the rollup's indexes.
 */
export function listRollupSql(
  mode: AgreedCounting,
  range: MonthRange,
  projects?: readonly string[],
): SqlStatement {
  const params: SqlValue[] = [];
  let where: string;
  if (projects && projects.length > 0) {
    where = `scope = 'project' AND project_key IN ${inList(projects.length)}`;
    params.push(...projects);
  } else where = `scope = 'all' AND project_key = ''`;
  where +=
    ` AND mode IN ('*', ?) AND n <> 0` +
    ' AND ((due_month >= ? AND due_month <= ?) OR (done_month >= ? AND done_month <= ?)' +
    " OR (done_month IS NULL AND outcome = 'undated' AND (reg_month IS NULL OR reg_month <= ?)))";
  params.push(mode, range.first, range.last, range.first, range.last, range.last);
  const keys = READ_COLUMNS.filter((c) => c !== 'project_key' && c !== 'customer' && c !== 'n');
  if (!projects || projects.length === 0)
    return {
      sql: `SELECT ${keys.join(', ')}, project_key, NULL AS customer, n FROM ${ROLLUP_TABLE} WHERE ${where}`,
      params,
    };
  return {
    sql:
      `SELECT ${keys.join(', ')}, '' AS project_key, NULL AS customer, SUM(n) AS n FROM ${ROLLUP_TABLE}` +
      ` WHERE ${where} GROUP BY ${keys.join(', ')} HAVING SUM(n) <> 0`,
    params,
  };
}

/**
 * A dashboard view's buckets pre-reduced in SQL to what its figures and trend read (one statement, four
 * `UNION ALL` parts, each row tagged `part` 'f' or 't'): the rollup rows of the months are summed
 * (a) for the figures, over the months: dated rows per kind, class, outcome, agreed and kept, placed in
 * one month of the range (a month the row counts in), and undated rows that count in the range per
 * kind; (b) for the trend, on-time and late rows per kind and month of the deadline, and per kind and
 * month of the stop when that is another month. So the view gets at most a few hundred rows, bounded
 * by kinds × classes × outcomes and kinds × months, whatever the number of records or the variety of
 * (deadline, stop) month pairs; summed with listRollupSql's rows they give the same figures and trend
 * (complianceFromBuckets, trendFromBuckets).
 */
export function dashboardRollupSql(
  mode: AgreedCounting,
  range: MonthRange,
  projects?: readonly string[],
): SqlStatement {
  return unionAll(dashboardRollupSqlHalves(mode, range, projects));
}

/**
 * The same pre-reduction read straight from the buckets table, per project (Forge SQL, which has no
 * rollup; a viewer's browse check drops the projects it may not see): at most a few hundred rows a
 * project, whatever the records, the customers or the (deadline, stop) month pairs. Summed over
 * customers unless `customer` is given (then of that customer only). A fifth part, `p`, has one row
 * per project with open records of any month (their lists can show them: the viewer's candidates).
 */
export function dashboardBucketsPreReducedSql(
  mode: AgreedCounting,
  range: MonthRange,
  projects?: readonly string[],
  customer?: string,
): SqlStatement {
  const scope = (params: SqlValue[]): string => 'n <> 0' + scopeWhere(projects, params, customer, 'customer');
  const s = preReducedSql(mode, range, { table: AGGREGATES_TABLE, scope, byProject: true });
  const params = [...s.params];
  const open =
    `SELECT 'p' AS part, MIN(zone) AS zone, '*' AS mode, MIN(kind) AS kind, NULL AS priority_class, ` +
    `NULL AS due_month, NULL AS done_month, NULL AS reg_month, 'late' AS outcome, 0 AS agreed, ` +
    `NULL AS kept, SUM(n) AS n, project_key, NULL AS customer FROM ${AGGREGATES_TABLE} WHERE ${scope(params)}` +
    ' AND done_month IS NULL GROUP BY project_key HAVING SUM(n) <> 0';
  return { sql: `${s.sql} UNION ALL ${open}`, params };
}

/**
 * The pre-reduction of dashboardRollupSql over a table's rows that `scope` selects (its WHERE, after
 * which the mode is checked), per project with `byProject`. Columns: part, zone, mode, kind,
 * priority_class, due_month, done_month, reg_month, outcome, agreed, kept, n, project_key, customer.
 */
function preReducedSql(
  mode: AgreedCounting,
  range: MonthRange,
  source: { table: string; scope: (params: SqlValue[]) => string; byProject: boolean },
): SqlStatement {
  return unionAll(preReducedParts(mode, range, source));
}

/** Statements of the same columns as one, their rows one after the other. */
function unionAll(parts: readonly SqlStatement[]): SqlStatement {
  return { sql: parts.map((p) => p.sql).join(' UNION ALL '), params: parts.flatMap((p) => p.params) };
}

/** preReducedSql's four parts, each a statement of its own: figures dated, undated; trend by deadline, by stop. */
function preReducedParts(
  mode: AgreedCounting,
  range: MonthRange,
  source: { table: string; scope: (params: SqlValue[]) => string; byProject: boolean },
): SqlStatement[] {
  const scope = (params: SqlValue[]): string => {
    const w = source.scope(params);
    params.push(mode);
    return `${w} AND mode IN ('*', ?)`;
  };
  const { first, last } = range;
  const from = `FROM ${source.table} WHERE`;
  const sum = 'SUM(n) AS n';
  const having = 'HAVING SUM(n) <> 0';
  const by = source.byProject ? ', project_key' : '';
  // project_key and customer as listAggregatesSql's merged rows (per project: its own).
  const project = source.byProject ? 'project_key' : "'' AS project_key";
  const parts: SqlStatement[] = [];
  const part = (build: (params: SqlValue[]) => string): void => {
    const params: SqlValue[] = [];
    const sql = build(params).replace(/ AS n FROM/, ` AS n, ${project}, NULL AS customer FROM`);
    parts.push({ sql, params });
  };
  // (a) figures, dated: one month of the range the rows count in (the deadline's, else the stop's).
  part((params) => {
    params.push(first, last);
    const sql =
      `SELECT 'f' AS part, zone, mode, kind, priority_class, ` +
      `MAX(CASE WHEN due_month >= ? AND due_month <= ? THEN due_month ELSE done_month END) AS due_month, ` +
      `NULL AS done_month, NULL AS reg_month, outcome, agreed, kept, ${sum} ${from} ${scope(params)}` +
      ` AND outcome <> 'undated' AND ((due_month >= ? AND due_month <= ?) OR (done_month >= ? AND done_month <= ?))` +
      ` GROUP BY zone, mode, kind, priority_class, outcome, agreed, kept${by} ${having}`;
    params.push(first, last, first, last);
    return sql;
  });
  // (a) figures, undated: those stopped in the range, or open and registered by its end. The two are
  // disjoint (a NULL stop is in no range), read as two index ranges of the stop's month and summed
  // (session 20: as one OR, SQLite read every row of the level through the stop's index, 0.77 ms at
  // 1,000,000 records; as two ranges 0.34 ms).
  part((params) => {
    const cols = `zone, mode, kind, priority_class, outcome, agreed, kept, n${source.byProject ? ', project_key' : ''}`;
    const stopped = `SELECT ${cols} ${from} ${scope(params)} AND outcome = 'undated' AND done_month >= ? AND done_month <= ?`;
    params.push(first, last);
    const open =
      `SELECT ${cols} ${from} ${scope(params)} AND outcome = 'undated' AND done_month IS NULL` +
      ' AND (reg_month IS NULL OR reg_month <= ?)';
    params.push(last);
    return (
      `SELECT 'f' AS part, zone, mode, kind, priority_class, NULL AS due_month, NULL AS done_month, ` +
      `NULL AS reg_month, outcome, agreed, kept, ${sum} FROM (${stopped} UNION ALL ${open}) u` +
      ` GROUP BY zone, mode, kind, priority_class, outcome, agreed, kept${by} ${having}`
    );
  });
  // (b) trend: per month of the deadline, and per month of the stop when another month.
  part((params) => {
    const sql =
      `SELECT 't' AS part, zone, mode, kind, NULL AS priority_class, due_month, NULL AS done_month, ` +
      `NULL AS reg_month, outcome, 0 AS agreed, NULL AS kept, ${sum} ${from} ${scope(params)}` +
      ` AND outcome IN ('on-time', 'late') AND due_month >= ? AND due_month <= ?` +
      ` GROUP BY zone, mode, kind, due_month, outcome${by} ${having}`;
    params.push(first, last);
    return sql;
  });
  part((params) => {
    const sql =
      `SELECT 't' AS part, zone, mode, kind, NULL AS priority_class, NULL AS due_month, done_month, ` +
      `NULL AS reg_month, outcome, 0 AS agreed, NULL AS kept, ${sum} ${from} ${scope(params)}` +
      ` AND outcome IN ('on-time', 'late') AND done_month >= ? AND done_month <= ? AND due_month <> done_month` +
      ` GROUP BY zone, mode, kind, done_month, outcome${by} ${having}`;
    params.push(first, last);
    return sql;
  });
  return parts;
}

/**
 * dashboardRollupSql as two statements, the figures' rows and the trend's (session 18): two reader
 * threads (SQLite) or two pool connections (PostgreSQL) run them side by side. Together their rows
 * are dashboardRollupSql's.
 */
export function dashboardRollupSqlHalves(
  mode: AgreedCounting,
  range: MonthRange,
  projects?: readonly string[],
): [figures: SqlStatement, trend: SqlStatement] {
  const parts = preReducedParts(mode, range, {
    table: ROLLUP_TABLE,
    scope: (params) => {
      if (projects && projects.length > 0) {
        params.push(...projects);
        return `scope = 'project' AND project_key IN ${inList(projects.length)}`;
      }
      return `scope = 'all' AND project_key = ''`;
    },
    byProject: false,
  });
  return [unionAll(parts.slice(0, 2)), unionAll(parts.slice(2))];
}

/**
 * A dashboard view's pre-reduced rollup rows with the pending correction at `nowMs` (the stores'
 * `listDashboardBuckets`), through the store's `all` (its reader, its connection or its pool).
 */
export async function readDashboardBuckets(
  mode: AgreedCounting,
  range: MonthRange,
  projects: string[],
  nowMs: number,
  zone: string,
  all: (s: SqlStatement) => Promise<Record<string, unknown>[]> | Record<string, unknown>[],
): Promise<{ figures: AggRow[]; trend: AggRow[] }> {
  const p = pendingBucketsSql(nowMs, zone, range, projects, true);
  // Asked for at once (session 18): two reader threads (SQLite) or pool connections (PostgreSQL) run
  // them side by side, the larger statements first.
  const [figures, trend] = dashboardRollupSqlHalves(mode, range, projects);
  const [f, t, pending] = await Promise.all([all(figures), all(trend), p ? all(p) : []]);
  return dashboardRollupRows([...f, ...t], pending.map(aggregateFromRow));
}

/** The rows of dashboardRollupSql split by part, each with the pending correction's rows (n < 0). */
export function dashboardRollupRows(
  rows: readonly Record<string, unknown>[],
  pending: readonly AggRow[],
): { figures: AggRow[]; trend: AggRow[] } {
  const figures: AggRow[] = [...pending];
  const trend: AggRow[] = [...pending];
  for (const r of rows) (r.part === 'f' ? figures : trend).push(aggregateFromRow(r));
  return { figures, trend };
}

/** The projects that hold records (the rollup's `projects` rows): a row per project, `project_key`. */
export const ROLLUP_PROJECTS_SQL: SqlStatement = {
  sql:
    `SELECT project_key FROM ${ROLLUP_TABLE} WHERE scope = 'projects'` +
    ` GROUP BY project_key HAVING SUM(n) <> 0 ORDER BY project_key`,
  params: [],
};

/**
 * Whether the buckets must be rebuilt before use: a row when some bucket is in another zone than the
 * settings' (the zone changed), or when there are records and no bucket at all (a database upgraded
 * to schema 4) or no rollup row (upgraded to schema 8). Asked once per zone by a store.
 */
export function staleAggregatesSql(zone: string, options: { rollup?: boolean } = {}): SqlStatement {
  return {
    sql:
      `SELECT 1 AS stale FROM ${AGGREGATES_TABLE} WHERE zone <> ?` +
      ` UNION ALL SELECT 1 AS stale FROM (SELECT issue_key FROM ${TABLES.records} LIMIT 1) r` +
      ` WHERE NOT EXISTS (SELECT 1 FROM ${AGGREGATES_TABLE})` +
      (options.rollup === false
        ? ''
        : ` UNION ALL SELECT 1 AS stale FROM (SELECT issue_key FROM ${TABLES.records} LIMIT 1) q` +
          ` WHERE NOT EXISTS (SELECT 1 FROM ${ROLLUP_TABLE})`) +
      ` LIMIT 1`,
    params: [zone],
  };
}

export function aggregateFromRow(r: Record<string, unknown>): AggRow {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const kept = toNumber(r.kept);
  return {
    zone: String(r.zone),
    mode: String(r.mode) as AggMode,
    kind: String(r.kind) as Kind,
    cls: str(r.priority_class) as PriorityClass | null,
    project: String(r.project_key),
    customer: str(r.customer),
    dueMonth: str(r.due_month),
    doneMonth: str(r.done_month),
    regMonth: str(r.reg_month),
    outcome: String(r.outcome) as AggOutcome,
    agreed: toNumber(r.agreed) === 1,
    kept: kept === null ? null : kept === 1,
    n: toNumber(r.n) ?? 0,
  };
}

const SELECT_RECORD = `SELECT ${RECORD_COLUMNS.join(', ')} FROM ${TABLES.records}`;

/**
 * The live records' columns: what compliance counts (src/app/sla-record.ts toSlaRecord), the verdict
 * JSON only of agreed records (their agreed deadline is in it; the others' is ''), no summary nor the
 * columns compliance does not read (NULL): a thousand verdicts were most of the live read's time, and
 * on Forge SQL the answer must stay under 4 MiB.
 */
const LIVE_UNUSED = new Set([
  'summary',
  'verification_due',
  'estimate_at',
  'updated_at',
  'priority_value',
  'registered_ms',
  'next_change_ms',
  'agreed_due_ms',
]);
const SELECT_LIVE = `SELECT ${RECORD_COLUMNS.map((c) =>
  c === 'verdict_json'
    ? `CASE WHEN agreed = 1 THEN verdict_json ELSE '' END AS verdict_json`
    : LIVE_UNUSED.has(c)
      ? `NULL AS ${c}`
      : c,
).join(', ')} FROM ${TABLES.records}`;

/**
 * ` AND …` limiting rows to some projects and one customer (issue #17), its parameters pushed in that
 * order; `customerColumn`: `customer_id` in the records, `customer` in the buckets.
 */
function scopeWhere(
  projects: readonly string[] | undefined,
  params: SqlValue[],
  customer?: string | null,
  customerColumn: 'customer_id' | 'customer' = 'customer_id',
): string {
  let where = '';
  if (projects && projects.length > 0) {
    params.push(...projects);
    where += ` AND project_key IN ${inList(projects.length)}`;
  }
  if (customer) {
    params.push(customer);
    where += ` AND ${customerColumn} = ?`;
  }
  return where;
}

/**
 * The records whose outcome depends on `now` and that the buckets cannot correct by a count
 * (src/domain/aggregates.ts `dependsOnNow`), as two disjoint indexed reads in one statement: stopped
 * after now; open and agreed. The other open clocks due later are counted by `pendingBucketsSql`.
 *
 * Every store also leaves out the open agreed records that are settled (`settledAt`: both deadlines
 * passed, so they count as their buckets say), by the agreed deadline's column (schema 13): they are
 * most of the open agreed records of a long history (177 of 309 at 1,000,000 records in
 * bench:dashboard), each read row costs its columns in JavaScript, and Forge SQL's live read is bounded
 * (LIVE_MAX). A record whose column is NULL (written before schema 13 and not filled, or without an
 * agreed deadline that parses) is read; the caller still drops the settled ones (`settledAt`), which
 * is the rule.
 */
export function liveRecordsSql(
  nowMs: number,
  projects?: readonly string[],
  customer?: string | null,
  options: { sqlite?: boolean } = {},
): SqlStatement {
  const params: SqlValue[] = [];
  // SQLite: each part through its index by name. Without statistics (the service never runs ANALYZE)
  // the planner read one customer's records through the customer's index, every one of them: 258 ms
  // at 1,000,000 records of ten customers, for 14 rows (session 19); an index led by the stop finds them at
  // once.
  const from = (index: string) => (options.sqlite ? `${SELECT_LIVE} INDEXED BY ${index}` : SELECT_LIVE);
  // The stopped-after-now part through the open records' index, whose first column is the stop (the
  // stop's own index is dropped on SQLite by migration 15).
  const first = `${from('reglament_records_open_pending')} WHERE done_ms > ?`;
  params.push(nowMs);
  const a = first + scopeWhere(projects, params, customer);
  const open =
    `${from('reglament_records_agreed_open')} WHERE agreed = 1 AND done_ms IS NULL` +
    ' AND (due_ms IS NULL OR due_ms >= ? OR agreed_due_ms IS NULL OR agreed_due_ms >= ?)';
  params.push(nowMs, nowMs);
  const b = open + scopeWhere(projects, params, customer);
  return { sql: `${a} UNION ALL ${b}`, params };
}

/**
 * The pending records' correction of the buckets (src/domain/aggregates.ts `pendingBuckets`): open
 * records, not agreed, neither breached nor waived, due at `now` or later within the months `range`,
 * counted per kind, class, month of the deadline (and project and customer unless `merged`), as
 * bucket rows with `n` = minus the count. Months are cut at their starts in the zone (parameters), so
 * the rows are few whatever the number of open clocks. Null when no month of the range is still ahead.
 * Columns as listAggregatesSql's, so that Forge SQL can append it to the buckets' query (UNION ALL).
 */
export function pendingBucketsSql(
  nowMs: number,
  zone: string,
  range: MonthRange,
  projects?: readonly string[],
  merged: boolean | 'customers' = false,
  customer?: string | null,
): SqlStatement | null {
  const pm = pendingMonths(range, zone, nowMs);
  if (!pm) return null;
  const params: SqlValue[] = [];
  const whens = pm.months.slice(0, -1).map((m) => {
    params.push(m.end, m.month);
    return `WHEN due_ms < ? THEN ?`;
  });
  params.push(pm.months[pm.months.length - 1]!.month);
  const month = whens.length > 0 ? `CASE ${whens.join(' ')} ELSE ? END` : '?';
  params.push(pm.start, pm.end);
  const where =
    'done_ms IS NULL AND agreed = 0 AND due_ms >= ? AND due_ms < ?' +
    " AND (clock_state IS NULL OR clock_state NOT IN ('breached', 'waived'))" +
    scopeWhere(projects, params, customer);
  const inner =
    `SELECT kind, priority_class, project_key, customer_id, ${month} AS due_month` +
    ` FROM ${TABLES.records} WHERE ${where}`;
  const group =
    merged === true
      ? 'kind, priority_class, due_month'
      : merged === 'customers'
        ? 'kind, priority_class, project_key, due_month'
        : 'kind, priority_class, project_key, customer_id, due_month';
  const cols: Record<(typeof READ_COLUMNS)[number], string> = {
    zone: '? AS zone',
    mode: "'*' AS mode",
    kind: 'kind',
    priority_class: 'priority_class',
    project_key: merged === true ? "'' AS project_key" : 'project_key',
    customer: merged ? 'NULL AS customer' : 'customer_id AS customer',
    due_month: 'due_month',
    done_month: 'NULL AS done_month',
    reg_month: 'NULL AS reg_month',
    outcome: "'late' AS outcome",
    agreed: '0 AS agreed',
    kept: 'NULL AS kept',
    n: '0 - COUNT(*) AS n',
  };
  return {
    sql: `SELECT ${READ_COLUMNS.map((c) => cols[c]).join(', ')} FROM (${inner}) p GROUP BY ${group}`,
    params: [zone, ...params],
  };
}

/** Cursor of the issue list: the last item's deadline (ms, or null when undated) and key. */
interface Cursor {
  d: number | null;
  k: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** @throws RangeError naming the cursor when it is not one this list gave. */
export function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.k === 'string' && (c.d === null || Number.isSafeInteger(c.d))) return c;
  } catch {
    // falls through
  }
  throw new RangeError(`cursor must be the nextCursor of a page, got ${JSON.stringify(text)}`);
}

const STATE_WHERE: Record<ListState, string> = {
  breached: "clock_state = 'breached'",
  'at-risk': "clock_state = 'at-risk'",
  running: "clock_state = 'running'",
  met: "clock_state = 'met'",
  incomplete: 'clock_state IS NULL',
};

/** The filters of a list query (without the cursor), as a WHERE clause and its parameters. */
function listWhere(q: IssueQuery): { where: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.state) {
    where.push(STATE_WHERE[q.state]);
    // The dashboard's lists (and the old list) show the breached and at-risk clocks still open.
    if (q.state === 'breached' || q.state === 'at-risk' || q.state === 'running')
      where.push('done_ms IS NULL');
  } else where.push('done_ms IS NULL');
  if (q.kind) {
    where.push('kind = ?');
    params.push(q.kind);
  }
  if (q.class) {
    where.push('priority_class = ?');
    params.push(q.class);
  }
  if (q.projects && q.projects.length > 0) {
    where.push(`project_key IN ${inList(q.projects.length)}`);
    params.push(...q.projects);
  }
  if (q.customer) {
    where.push('customer_id = ?');
    params.push(q.customer);
  }
  if (q.exclude && q.exclude.length > 0) {
    where.push(`issue_key NOT IN ${inList(q.exclude.length)}`);
    params.push(...q.exclude);
  }
  if (q.text) {
    // '!' escapes the wildcards (a backslash means different things in MySQL and PostgreSQL literals).
    const like = `%${q.text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
    where.push(`(LOWER(issue_key) LIKE ? ESCAPE '!' OR LOWER(summary) LIKE ? ESCAPE '!')`);
    params.push(like, like);
  }
  return { where: where.join(' AND '), params };
}

/** How a backend's planner is helped to the plan a page needs (issue #14). */
export interface PageSqlOptions {
  /**
   * PostgreSQL: for open records `done_ms` leads the order, for a state over the whole history
   * `clock_state` (see issuePageSql).
   */
  openFirst?: boolean;
  /**
   * SQLite: each list reads its records through an index named with `INDEXED BY`. Open records through
   * the open records' index (`reglament_records_open_pending`: done_ms, due_ms, issue_key, then every
   * column a filter of the list tests) or one state's (`openIndexOf`): the page comes in deadline order
   * and the filters are checked in the index, so a page and its count cost what the open records are,
   * whatever the filters (session 19, 1,000,000 records of which 17,102 open: 0.5–2.1 ms each, 14
   * filter combinations). A state over the whole history (met, incomplete) through migration 14's state
   * index: its count costs what that state's records are (met: 42–83 ms for 280,000 at 1M).
   * Left to itself the planner took the customer's index and read all 100,000 records of a customer
   * (230–250 ms) without statistics — the service never runs ANALYZE —, and with statistics a
   * skip-scan of the kind's index and a sort (64–74 ms for a customer's page, 3.6 ms for the first).
   */
  sqliteIndexes?: boolean;
}

/**
 * SQLite: the index a list of open records is read through. One state, alone or with the customer:
 * that state's open records (`reglament_records_state_customer`: clock_state, done_ms, due_ms,
 * issue_key, customer_id), few for most states — at-risk 0.04 ms at 1,000,000 records where the open
 * records' index took 1.4. Any other filter: every open record (`reglament_records_open_pending`, which
 * holds the kind, class, project and customer), bounded by their number — the state's index would look
 * up each of its records in the table for a kind (37 ms for the breached errors).
 */
function openIndexOf(q: IssueQuery): string {
  const others = q.kind || q.class || (q.projects && q.projects.length > 0) || q.text;
  return q.state && !others ? 'reglament_records_state_customer' : 'reglament_records_open_pending';
}

/** SQLite: the index of a list of one state over the whole history (migration 14's, every filter in it). */
const STATE_INDEX = 'reglament_records_state_due';

/**
 * The statements of one page: the dated records after the cursor, ordered by (due_ms, issue_key);
 * then, when the page is not full, the undated ones by key; and the total.
 */
export function issuePageSql(
  q: IssueQuery,
  options: PageSqlOptions = {},
): {
  dated: SqlStatement | null;
  undated: SqlStatement;
  total: SqlStatement;
} {
  const openFirst = options.openFirst ?? false;
  const { where, params } = listWhere(q);
  // SQLite: each list through an index by name (see PageSqlOptions.sqliteIndexes).
  const table = !options.sqliteIndexes
    ? TABLES.records
    : where.includes('done_ms IS NULL')
      ? `${TABLES.records} INDEXED BY ${openIndexOf(q)}`
      : q.state
        ? `${TABLES.records} INDEXED BY ${STATE_INDEX}`
        : TABLES.records;
  const selectRecord = `SELECT ${RECORD_COLUMNS.join(', ')} FROM ${table}`;
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const n = q.limit + 1;
  // `openFirst` (PostgreSQL): for open records `done_ms` leads the order (it is NULL in every row, so
  // the order is the same). PostgreSQL takes `done_ms IS NULL` as a range, not an equality, so without
  // it the indexes that start (…, done_ms, due_ms, issue_key) could not give the order: at 1M records
  // it read the open records through the deadline index, most of them closed (0.5 s), or sorted every
  // open breached one (80 ms); with it both stop after the page (under 2 ms). SQLite treats IS NULL as
  // an equality already, and after an ANALYZE the extra term made it sort in blocks (80 ms at 1M).
  // The same for a state over the whole history (met, incomplete): its index (clock_state, due_ms,
  // issue_key, …) gives the order only when the state leads it; without it PostgreSQL walked the primary
  // key for the undated met records, all 1,000,000 rows for none (1.8–2.2 s), and the deadline order for
  // the dated incomplete errors (4.2 s, none either) (session 19).
  const open = !openFirst
    ? ''
    : where.includes('done_ms IS NULL')
      ? 'done_ms, '
      : q.state
        ? 'clock_state, '
        : '';
  const dated =
    cursor && cursor.d === null
      ? null
      : {
          sql:
            `${selectRecord} WHERE ${where} AND due_ms IS NOT NULL` +
            (cursor ? ' AND (due_ms > ? OR (due_ms = ? AND issue_key > ?))' : '') +
            ` ORDER BY ${open}due_ms, issue_key LIMIT ${n}`,
          params: cursor ? [...params, cursor.d, cursor.d, cursor.k] : params,
        };
  const undated = {
    sql:
      `${selectRecord} WHERE ${where} AND due_ms IS NULL` +
      (cursor && cursor.d === null ? ' AND issue_key > ?' : '') +
      ` ORDER BY ${open}${open ? 'due_ms, ' : ''}issue_key LIMIT ${n}`,
    params: cursor && cursor.d === null ? [...params, cursor.k] : params,
  };
  // A capped count (`countUpTo`, the issue list's page): reads at most one record past the cap through
  // the same index, instead of every record that matches (the met records of years).
  const cap = q.countUpTo;
  return {
    dated,
    undated,
    total:
      cap === undefined
        ? { sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params }
        : {
            sql: `SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ${table} WHERE ${where} LIMIT ${Math.floor(cap) + 1}) capped`,
            params,
          },
  };
}

/** Runs the statements of a page through a store's driver (`all` answers the rows of a statement). */
export async function runIssuePage(
  q: IssueQuery,
  all: (s: SqlStatement) => Promise<Record<string, unknown>[]>,
  options: PageSqlOptions = {},
): Promise<IssuePage> {
  const s = issuePageSql(q, options);
  // The count beside the page (session 18: on SQLite's second reader thread, or another connection of
  // PostgreSQL's pool); awaited below, so its failure is still the page's.
  const counted = all(s.total);
  counted.catch(() => undefined);
  let rows = s.dated ? await all(s.dated) : [];
  if (rows.length <= q.limit) rows = [...rows, ...(await all(s.undated))];
  const total = toNumber((await counted)[0]?.n) ?? 0;
  const items = rows.slice(0, q.limit).map(recordFromRow);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor({ d: isoToMs(last.due), k: last.key }) : null,
    ...cappedTotal(total, q.countUpTo),
  };
}

/** The delta statements of one record write, buckets and rollup (none when its buckets did not change). */
export function recordWriteDeltas(
  dialect: SqlDialect,
  before: SlaRecordRow | null,
  after: SlaRecordRow | null,
  zone: string,
  options: { rollup?: boolean } = {},
): SqlStatement[] {
  return bucketWriteSql(dialect, bucketDeltas(before, after, zone), 200, options.rollup !== false);
}

/**
 * Rebuilds every bucket from the records (`reglament rebuild-aggregates`): reads the records a page at
 * a time by key, sums their buckets in memory (a few thousand), then clears and writes both tables
 * (buckets and rollup). Run
 * it inside one transaction where the driver has them. Returns the number of non-empty buckets.
 */
export async function rebuildBuckets(
  dialect: SqlDialect,
  zone: string,
  all: (s: SqlStatement) => Promise<Record<string, unknown>[]>,
  run: (s: SqlStatement) => Promise<unknown>,
  pageSize = 5000,
): Promise<number> {
  const sums = new Map<string, AggRow>();
  let after = '';
  for (;;) {
    const page = await all({
      sql: `${SELECT_RECORD} WHERE issue_key > ? ORDER BY issue_key LIMIT ${pageSize}`,
      params: [after],
    });
    for (const r of page) addBuckets(sums, contributions(toSlaRecord(recordFromRow(r)), zone), 1);
    if (page.length < pageSize) break;
    after = String(page[page.length - 1]!.issue_key);
  }
  await run(CLEAR_AGGREGATES_SQL);
  await run(CLEAR_ROLLUP_SQL);
  const buckets = [...sums.values()].filter((b) => b.n !== 0);
  for (const st of bucketWriteSql(dialect, buckets)) await run(st);
  return buckets.length;
}
