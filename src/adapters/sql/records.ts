/**
 * SLA records and settings as portable statements and row mappings, shared by every SQL store
 * (SQLite here, Forge SQL/MySQL, PostgreSQL later). A store runs `sql` with `params` through its
 * driver (after `placeholders()` for PostgreSQL) and maps rows back with `recordFromRow`.
 */
import type { DueRecordsQuery, RecordFilter, SlaRecordRow } from '../../app/ports';
import { agreedDueMsOf } from '../../app/sla-record';
import type { Kind, PriorityClass } from '../../domain/codes';
import type { ClockState } from '../../domain/snapshot';
import {
  bigint,
  inList,
  toNumber,
  upsertSql,
  type SqlDialect,
  type SqlStatement,
  type SqlValue,
} from './dialect';
import { TABLES } from './schema';

export const RECORD_COLUMNS = [
  'issue_key',
  'project_key',
  'kind',
  'priority_class',
  'priority_value',
  'registered_at',
  'registered_ms',
  'due_at',
  'due_ms',
  'done_at',
  'done_ms',
  'agreed',
  'clock_state',
  'verification_due',
  'estimate_at',
  'summary',
  'verdict_json',
  'updated_at',
  'next_change_ms',
  'customer_id',
  'contract_id',
  'agreed_due_ms',
] as const;

const SELECT_RECORD = `SELECT ${RECORD_COLUMNS.join(', ')} FROM ${TABLES.records}`;

/** Epoch ms of an ISO instant, or null (unparseable text is stored as text only). */
export function isoToMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** Insert-or-replace one record (the whole row: a record is always rewritten from a fresh verdict). */
export function upsertRecord(dialect: SqlDialect, r: SlaRecordRow): SqlStatement {
  const params: SqlValue[] = [
    r.key,
    r.project,
    r.kind,
    r.class,
    r.priority,
    r.registeredAt,
    isoToMs(r.registeredAt),
    r.due,
    isoToMs(r.due),
    r.doneAt,
    isoToMs(r.doneAt),
    r.agreed ? 1 : 0,
    r.state,
    r.verificationDue,
    r.estimateAt,
    r.summary,
    r.verdictJson,
    r.updatedAt,
    // Unknown (a row built without an evaluation instant): due now, so the next sweep reads it.
    r.nextChangeMs === undefined ? 0 : r.nextChangeMs,
    r.customer ?? null,
    r.contract ?? null,
    // Schema 13: the agreed deadline out of the verdict (agreed records only: a JSON parse each).
    agreedDueMsOf(r),
  ];
  return { sql: upsertSql(dialect, TABLES.records, RECORD_COLUMNS, ['issue_key']), params };
}

export function getRecord(key: string): SqlStatement {
  return { sql: `${SELECT_RECORD} WHERE issue_key = ?`, params: [key] };
}

export function deleteRecord(key: string): SqlStatement {
  return { sql: `DELETE FROM ${TABLES.records} WHERE issue_key = ?`, params: [key] };
}

/** Records of the given projects (all when empty/absent) and kind, ordered by key. */
export function listRecords(filter: RecordFilter): SqlStatement {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.projects && filter.projects.length > 0) {
    where.push(`project_key IN ${inList(filter.projects.length)}`);
    params.push(...filter.projects);
  }
  if (filter.kind) {
    where.push('kind = ?');
    params.push(filter.kind);
  }
  if (filter.customer) {
    where.push('customer_id = ?');
    params.push(filter.customer);
  }
  return {
    sql: `${SELECT_RECORD}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY issue_key`,
    params,
  };
}

/** Maps a row of any driver back to the port's shape (integers may arrive as strings from PostgreSQL). */
export function recordFromRow(row: Record<string, unknown>): SlaRecordRow {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    key: String(row.issue_key),
    project: String(row.project_key),
    kind: String(row.kind) as Kind,
    class: str(row.priority_class) as PriorityClass | null,
    priority: toNumber(row.priority_value),
    registeredAt: String(row.registered_at),
    due: str(row.due_at),
    doneAt: str(row.done_at),
    agreed: toNumber(row.agreed) === 1,
    state: str(row.clock_state) as ClockState | null,
    verificationDue: str(row.verification_due),
    estimateAt: str(row.estimate_at),
    summary: str(row.summary),
    verdictJson: String(row.verdict_json),
    updatedAt: String(row.updated_at),
    nextChangeMs: toNumber(row.next_change_ms),
    // Issue #17: only when set, so records without a customer keep their earlier shape.
    ...(row.customer_id !== null && row.customer_id !== undefined
      ? { customer: String(row.customer_id) }
      : {}),
    ...(row.contract_id !== null && row.contract_id !== undefined
      ? { contract: String(row.contract_id) }
      : {}),
  };
}

/**
 * Records whose next state change has come (`next_change_ms <= untilMs`), in key order after
 * `afterKey`, at most `limit` (the sweep's batches; index `reglament_records_next_change`).
 */
export function listDueRecords(q: DueRecordsQuery): SqlStatement {
  const where = ['next_change_ms IS NOT NULL', 'next_change_ms <= ?'];
  const params: SqlValue[] = [q.untilMs];
  if (q.afterKey !== null) {
    where.push('issue_key > ?');
    params.push(q.afterKey);
  }
  return {
    sql: `${SELECT_RECORD} WHERE ${where.join(' AND ')} ORDER BY issue_key LIMIT ${Math.max(1, Math.floor(q.limit))}`,
    params,
  };
}

/**
 * Schema 5 (SQL migration 5, Forge SQL v005): the next state-change instant of each record and its
 * index. Rows written before it get `0` where the governing clock had not stopped (the first sweep reads
 * them once and stores their instant) and stay NULL where it had (closed clocks change with events only).
 */
export function nextChangeSchema(dialect: SqlDialect): string[] {
  return [
    `ALTER TABLE ${TABLES.records} ADD COLUMN next_change_ms ${bigint(dialect)} NULL`,
    `UPDATE ${TABLES.records} SET next_change_ms = 0 WHERE done_ms IS NULL`,
    `CREATE INDEX reglament_records_next_change ON ${TABLES.records} (next_change_ms, issue_key)`,
  ];
}

/**
 * Schema 13 (SQL migration 13, Forge SQL v012, issue #14): each agreed record's agreed deadline as
 * epoch ms (`agreed_due_ms`, written from the verdict with the record), so a view's live read leaves
 * out the open agreed records already settled (both deadlines passed) in SQL on every store. The open
 * agreed records written before it are filled from their verdicts where the dialect can read them
 * safely (SQLite: its JSON and date functions; PostgreSQL: row by row, a row it cannot read left
 * alone); on Forge SQL (MySQL) and for any row left NULL, the live read keeps the record, as before,
 * and its next write fills the column.
 */
export function agreedDueSchema(dialect: SqlDialect): string[] {
  const add = `ALTER TABLE ${TABLES.records} ADD COLUMN agreed_due_ms ${bigint(dialect)} NULL`;
  if (dialect === 'sqlite') {
    // The verdict's `agreed.due`, else the `due` of an agreed fix (agreedDueOf); only the canonical
    // ISO shape, read to the millisecond (`%s` whole seconds plus the milliseconds of `%f`).
    const at = (p: string) => `json_extract(verdict_json, '${p}')`;
    const due = `COALESCE(${at('$.agreed.due')}, CASE WHEN ${at('$.fix.agreed')} THEN ${at('$.fix.due')} END)`;
    const iso = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]*'";
    return [
      add,
      `UPDATE ${TABLES.records} SET agreed_due_ms = (SELECT CASE WHEN d GLOB ${iso} THEN ` +
        `CAST(strftime('%s', d) AS INTEGER) * 1000 + CAST(substr(strftime('%f', d), 4, 3) AS INTEGER) END ` +
        `FROM (SELECT ${due} AS d)) WHERE agreed = 1 AND done_ms IS NULL AND json_valid(verdict_json)`,
    ];
  }
  if (dialect === 'postgres') {
    // Row by row, each in its own block: a verdict that is not JSON, or a date PostgreSQL refuses,
    // leaves that row NULL instead of failing the upgrade. No question marks: the statement goes
    // through the placeholder rewrite.
    return [
      add,
      `DO $$\n` +
        `DECLARE r record; v jsonb; d text;\n` +
        `BEGIN\n` +
        `  FOR r IN SELECT issue_key, verdict_json FROM ${TABLES.records} WHERE agreed = 1 AND done_ms IS NULL LOOP\n` +
        `    BEGIN\n` +
        `      v := r.verdict_json::jsonb;\n` +
        `      d := COALESCE(v #>> '{agreed,due}', CASE WHEN v #>> '{fix,agreed}' = 'true' THEN v #>> '{fix,due}' END);\n` +
        `      IF d ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{3}){0,1}){0,1}(Z|[+-]\\d{2}:\\d{2})$' THEN\n` +
        `        UPDATE ${TABLES.records} SET agreed_due_ms = round(extract(epoch FROM d::timestamptz) * 1000)::bigint\n` +
        `          WHERE issue_key = r.issue_key;\n` +
        `      END IF;\n` +
        `    EXCEPTION WHEN others THEN NULL;\n` +
        `    END;\n` +
        `  END LOOP;\n` +
        `END $$`,
    ];
  }
  return [add];
}

/**
 * Schema 6 (SQL migration 6, Forge SQL v006, issue #17): the customer and the contract (certificate
 * number) of each record, and the index of one customer's records.
 */
export function contractsSchema(): string[] {
  return [
    `ALTER TABLE ${TABLES.records} ADD COLUMN customer_id VARCHAR(64) NULL`,
    `ALTER TABLE ${TABLES.records} ADD COLUMN contract_id VARCHAR(64) NULL`,
    `CREATE INDEX reglament_records_customer ON ${TABLES.records} (customer_id, issue_key)`,
  ];
}

/** The settings document is one row; `name` allows more documents later (e.g. per project). */
export const SETTINGS_NAME = 'settings';

export function getSettingsDoc(name = SETTINGS_NAME): SqlStatement {
  return { sql: `SELECT doc FROM ${TABLES.settings} WHERE name = ?`, params: [name] };
}

export function putSettingsDoc(
  dialect: SqlDialect,
  doc: string,
  updatedAt: string,
  name = SETTINGS_NAME,
): SqlStatement {
  return {
    sql: upsertSql(dialect, TABLES.settings, ['name', 'doc', 'updated_at'], ['name']),
    params: [name, doc, updatedAt],
  };
}
