/**
 * Tickets the service holds itself (generic webhooks, demo data): the last snapshot received and
 * what the service last "showed" for it. Portable statements, like records.ts.
 */
import { upsertSql, type SqlDialect, type SqlStatement, type SqlValue } from './dialect';
import { TABLES } from './schema';

export const TICKET_COLUMNS = [
  'ticket_key',
  'project_key',
  'source',
  'snapshot_json',
  'shown_json',
  'updated_ms',
] as const;

const SNAPSHOT_COLUMNS = ['ticket_key', 'project_key', 'source', 'snapshot_json', 'updated_ms'] as const;

export function upsertTicket(
  dialect: SqlDialect,
  t: { key: string; project: string; source: string; snapshotJson: string; updatedMs: number },
): SqlStatement {
  // shown_json is kept on update: the ticket's snapshot changes, what was shown does not.
  return {
    sql: upsertSql(dialect, TABLES.tickets, SNAPSHOT_COLUMNS, ['ticket_key']),
    params: [t.key, t.project, t.source, t.snapshotJson, t.updatedMs],
  };
}

/** Insert-or-replace a ticket with what it shows (one statement where the caller knows both). */
export function upsertTicketWithShown(
  dialect: SqlDialect,
  t: {
    key: string;
    project: string;
    source: string;
    snapshotJson: string;
    shownJson: string;
    updatedMs: number;
  },
): SqlStatement {
  return {
    sql: upsertSql(dialect, TABLES.tickets, TICKET_COLUMNS, ['ticket_key']),
    params: [t.key, t.project, t.source, t.snapshotJson, t.shownJson, t.updatedMs],
  };
}

export function getTicketShown(key: string): SqlStatement {
  return { sql: `SELECT shown_json FROM ${TABLES.tickets} WHERE ticket_key = ?`, params: [key] };
}

export function setTicketShown(key: string, shownJson: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.tickets} SET shown_json = ?, updated_ms = ? WHERE ticket_key = ?`,
    params: [shownJson, nowMs, key],
  };
}

export function getTicket(key: string): SqlStatement {
  return {
    sql: `SELECT ${TICKET_COLUMNS.join(', ')} FROM ${TABLES.tickets} WHERE ticket_key = ?`,
    params: [key],
  };
}

export function deleteTicket(key: string): SqlStatement {
  return { sql: `DELETE FROM ${TABLES.tickets} WHERE ticket_key = ?`, params: [key] };
}

/** Keys after `afterKey` in key order, `limit` at a time (keyset paging; no OFFSET scans). */
export function listTicketKeys(afterKey: string | null, limit: number, project?: string): SqlStatement {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (afterKey !== null) {
    where.push('ticket_key > ?');
    params.push(afterKey);
  }
  if (project) {
    where.push('project_key = ?');
    params.push(project);
  }
  return {
    sql: `SELECT ticket_key FROM ${TABLES.tickets}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ticket_key LIMIT ${Math.max(1, Math.floor(limit))}`,
    params,
  };
}

export function countTickets(): SqlStatement {
  return { sql: `SELECT COUNT(*) AS n FROM ${TABLES.tickets}`, params: [] };
}
