/**
 * The tables, as DDL per dialect. Portable rules: no auto-increment (keys are natural: issue key,
 * setting name, idempotency key), VARCHAR(191) keys (fits a MySQL utf8mb4 index), epoch-ms BIGINT
 * columns beside ISO text for range queries, booleans as INTEGER 0/1, `CREATE TABLE IF NOT EXISTS`.
 * MySQL has no `CREATE INDEX IF NOT EXISTS`, so its indexes are declared inside CREATE TABLE.
 */
import { bigint, largeText, type SqlDialect } from './dialect';

export const TABLES = {
  settings: 'reglament_settings',
  records: 'reglament_sla_records',
  tickets: 'reglament_tickets',
  inbox: 'reglament_inbox',
} as const;

interface TableDef {
  name: string;
  columns: (d: SqlDialect) => string[];
  primaryKey: string[];
  indexes: { name: string; columns: string[] }[];
}

const SETTINGS: TableDef = {
  name: TABLES.settings,
  columns: (d) => [
    'name VARCHAR(64) NOT NULL',
    `doc ${largeText(d)} NOT NULL`,
    'updated_at VARCHAR(40) NOT NULL',
  ],
  primaryKey: ['name'],
  indexes: [],
};

const RECORDS: TableDef = {
  name: TABLES.records,
  columns: (d) => [
    'issue_key VARCHAR(191) NOT NULL',
    'project_key VARCHAR(64) NOT NULL',
    'kind VARCHAR(16) NOT NULL',
    'priority_class VARCHAR(16) NULL',
    'priority_value INTEGER NULL',
    'registered_at VARCHAR(40) NOT NULL',
    `registered_ms ${bigint(d)} NULL`,
    'due_at VARCHAR(40) NULL',
    `due_ms ${bigint(d)} NULL`,
    'done_at VARCHAR(40) NULL',
    `done_ms ${bigint(d)} NULL`,
    'agreed INTEGER NOT NULL',
    'clock_state VARCHAR(16) NULL',
    'verification_due VARCHAR(40) NULL',
    'estimate_at VARCHAR(40) NULL',
    'summary TEXT NULL',
    `verdict_json ${largeText(d)} NOT NULL`,
    'updated_at VARCHAR(40) NOT NULL',
  ],
  primaryKey: ['issue_key'],
  indexes: [
    { name: 'reglament_records_project', columns: ['project_key', 'kind'] },
    { name: 'reglament_records_due', columns: ['due_ms'] },
    { name: 'reglament_records_done', columns: ['done_ms'] },
  ],
};

/** Tickets known to the service without a ticket system to read them from (generic webhooks, demo). */
const TICKETS: TableDef = {
  name: TABLES.tickets,
  columns: (d) => [
    'ticket_key VARCHAR(191) NOT NULL',
    'project_key VARCHAR(64) NOT NULL',
    'source VARCHAR(16) NOT NULL',
    `snapshot_json ${largeText(d)} NOT NULL`,
    'shown_json TEXT NULL',
    `updated_ms ${bigint(d)} NOT NULL`,
  ],
  primaryKey: ['ticket_key'],
  indexes: [{ name: 'reglament_tickets_project', columns: ['project_key'] }],
};

/** The webhook inbox: every accepted event, kept until processed (failed ones forever). */
const INBOX: TableDef = {
  name: TABLES.inbox,
  columns: (d) => [
    'event_key VARCHAR(191) NOT NULL',
    `seq ${bigint(d)} NOT NULL`,
    'source VARCHAR(16) NOT NULL',
    'event_type VARCHAR(64) NOT NULL',
    'subject VARCHAR(191) NOT NULL',
    `payload ${largeText(d)} NOT NULL`,
    'status VARCHAR(16) NOT NULL',
    'attempts INTEGER NOT NULL',
    `next_attempt_ms ${bigint(d)} NOT NULL`,
    `lease_until_ms ${bigint(d)} NULL`,
    'claimed_by VARCHAR(64) NULL',
    'last_error TEXT NULL',
    `received_ms ${bigint(d)} NOT NULL`,
    `done_ms ${bigint(d)} NULL`,
    `updated_ms ${bigint(d)} NOT NULL`,
  ],
  primaryKey: ['event_key'],
  indexes: [
    { name: 'reglament_inbox_due', columns: ['status', 'next_attempt_ms'] },
    { name: 'reglament_inbox_done', columns: ['status', 'done_ms'] },
  ],
};

const ALL: Record<keyof typeof TABLES, TableDef> = {
  settings: SETTINGS,
  records: RECORDS,
  tickets: TICKETS,
  inbox: INBOX,
};

function ddl(t: TableDef, d: SqlDialect): string[] {
  const lines = [...t.columns(d), `PRIMARY KEY (${t.primaryKey.join(', ')})`];
  if (d === 'mysql') for (const i of t.indexes) lines.push(`INDEX ${i.name} (${i.columns.join(', ')})`);
  const out = [`CREATE TABLE IF NOT EXISTS ${t.name} (\n  ${lines.join(',\n  ')}\n)`];
  if (d !== 'mysql') {
    for (const i of t.indexes)
      out.push(`CREATE INDEX IF NOT EXISTS ${i.name} ON ${t.name} (${i.columns.join(', ')})`);
  }
  return out;
}

/**
 * DDL statements creating the given tables (all by default) for a dialect, in order; each is
 * idempotent. The self-hosted databases apply them through the versioned migrations
 * (./migrations.ts: a new table is one new step there); Forge SQL through its migrationRunner.
 * @example schemaStatements('mysql', ['settings', 'records']) // for Forge SQL
 */
export function schemaStatements(
  dialect: SqlDialect,
  tables: readonly (keyof typeof TABLES)[] = ['settings', 'records', 'tickets', 'inbox'],
): string[] {
  return tables.flatMap((t) => ddl(ALL[t], dialect));
}
