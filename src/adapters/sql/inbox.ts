/**
 * The webhook inbox as portable statements. Life of a row:
 *
 *   pending --claim--> processing --done--> done (pruned after the retention period, except
 *                                                notifications: source `notify`, kept as their log)
 *      ^                   |
 *      +--retry (backoff)--+--attempts exhausted / permanent error--> failed (kept forever)
 *
 * A claim takes a lease (`lease_until_ms`); a row whose lease expired (its worker died) is claimable
 * again, so nothing accepted is lost. On SQLite (one process owns the file) every `processing` row is
 * released at start. PostgreSQL claims with `FOR UPDATE SKIP LOCKED` so several instances share the
 * queue without blocking each other (docs/server.md).
 */
import {
  inList,
  insertIgnoreSql,
  toNumber,
  type SqlDialect,
  type SqlStatement,
  type SqlValue,
} from './dialect';
import { TABLES } from './schema';

export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';
export const INBOX_STATUSES: readonly InboxStatus[] = ['pending', 'processing', 'done', 'failed'];

export interface InboxEvent {
  /** Idempotency key: `<source>:<delivery id>` or `<source>:sha256:<hex of the body>`. */
  key: string;
  /** Arrival order (epoch ms × 1000 + a per-process counter). */
  seq: number;
  source: string;
  type: string;
  /** What the event is about (issue key, `project:<id>`, …); events of one subject are processed in order. */
  subject: string;
  /** The normalized event as JSON (what the worker needs, not the whole webhook body). */
  payload: string;
  status: InboxStatus;
  attempts: number;
  nextAttemptMs: number;
  leaseUntilMs: number | null;
  claimedBy: string | null;
  lastError: string | null;
  receivedMs: number;
  doneMs: number | null;
  updatedMs: number;
}

export const INBOX_COLUMNS = [
  'event_key',
  'seq',
  'source',
  'event_type',
  'subject',
  'payload',
  'status',
  'attempts',
  'next_attempt_ms',
  'lease_until_ms',
  'claimed_by',
  'last_error',
  'received_ms',
  'done_ms',
  'updated_ms',
] as const;

const SELECT = `SELECT ${INBOX_COLUMNS.join(', ')} FROM ${TABLES.inbox}`;

/** Inserts a new pending event; affects 0 rows when the key is already there (a redelivery). */
export function insertEvent(
  dialect: SqlDialect,
  e: Pick<InboxEvent, 'key' | 'seq' | 'source' | 'type' | 'subject' | 'payload'> & { notBeforeMs?: number },
  nowMs: number,
): SqlStatement {
  return {
    sql: insertIgnoreSql(dialect, TABLES.inbox, INBOX_COLUMNS, ['event_key']),
    params: [
      e.key,
      e.seq,
      e.source,
      e.type,
      e.subject,
      e.payload,
      'pending',
      0,
      // Not claimable before then (a notification waiting for working hours); else at once.
      Math.max(nowMs, e.notBeforeMs ?? nowMs),
      null,
      null,
      null,
      nowMs,
      null,
      nowMs,
    ],
  };
}

/** Claimable rows: pending and due, or processing with an expired lease. */
const CLAIMABLE = `(status = 'pending' AND next_attempt_ms <= ?) OR (status = 'processing' AND lease_until_ms < ?)`;

/**
 * PostgreSQL's claims, in `seq` order through the partial index of the rows not settled
 * (`inboxClaimIndexSchema`, migration 11); the first term states the index's predicate.
 */
const CLAIMABLE_PG = `status IN ('pending', 'processing') AND (${CLAIMABLE})`;

/**
 * DDL of migration 11 (PostgreSQL, issue #14): the claim's index holds only the rows not yet settled,
 * in arrival order (`seq`), instead of every row by (status, next_attempt_ms). The claim reads it in
 * order and stops at its limit; it used to gather the due rows of both statuses and sort them (bench:
 * server phase 3 with pg_stat_statements, session 11: 48–60 µs of the claim per event). A settled row
 * leaves it, so settling writes one index entry fewer. Lookups of one status keep the (status,
 * done_ms) index. SQLite keeps its index (its ingest path is tuned apart); MySQL has no partial index.
 */
export function inboxClaimIndexSchema(dialect: SqlDialect): string[] {
  if (dialect !== 'postgres') return [];
  return [
    `CREATE INDEX IF NOT EXISTS reglament_inbox_claim ON ${TABLES.inbox} (seq) WHERE status IN ('pending', 'processing')`,
    'DROP INDEX IF EXISTS reglament_inbox_due',
  ];
}

/**
 * SQLite and MySQL: select the candidates, then `claimRows` them, both inside one transaction.
 * SQLite serializes writers. On MySQL/MariaDB the select is a locking read (`FOR UPDATE SKIP LOCKED`),
 * but InnoDB locks every row the ORDER BY examines, so concurrent workers there take turns rather
 * than share; several instances claiming at once is the PostgreSQL path (`claimPostgres`).
 */
export function selectClaimable(
  dialect: SqlDialect,
  nowMs: number,
  limit: number,
  sources?: ClaimSources,
): SqlStatement {
  const lock = dialect === 'mysql' || dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const filter = sourceFilter(sources);
  return {
    sql: `SELECT event_key FROM ${TABLES.inbox} WHERE (${CLAIMABLE})${filter.sql} ORDER BY seq LIMIT ${Math.max(1, Math.floor(limit))}${lock}`,
    params: [nowMs, nowMs, ...filter.params],
  };
}

/**
 * Which sources a worker claims (issue #14: on SQLite the ingest thread claims the generic webhooks'
 * events and the main thread's worker everything else): `only` these, or all `except` these.
 */
export interface ClaimSources {
  only?: readonly string[];
  except?: readonly string[];
}

function sourceFilter(sources: ClaimSources | undefined): { sql: string; params: string[] } {
  if (sources?.only)
    return { sql: ` AND source IN ${inList(sources.only.length)}`, params: [...sources.only] };
  if (sources?.except?.length)
    return { sql: ` AND source NOT IN ${inList(sources.except.length)}`, params: [...sources.except] };
  return { sql: '', params: [] };
}

/**
 * SQLite, inside the worker's batch transaction (issue #14, session 20): the claimable rows, read and not
 * written. The transaction holds SQLite's one write lock, so no other connection can claim them before it
 * ends, and its settle writes each row once (`settleHeldDoneSqlite`) instead of twice (the claim's lease,
 * then the settle): one UPDATE and one index move fewer per event. A rollback leaves them as they were.
 */
export function claimHeldSqlite(nowMs: number, limit: number, sources?: ClaimSources): SqlStatement {
  const filter = sourceFilter(sources);
  return {
    sql: `${SELECT} WHERE (${CLAIMABLE})${filter.sql} ORDER BY seq LIMIT ${Math.max(1, Math.floor(limit))}`,
    params: [nowMs, nowMs, ...filter.params],
  };
}

/** SQLite: settles rows held by the current batch transaction (`claimHeldSqlite`): done, by `worker`. */
export function settleHeldDoneSqlite(keys: readonly string[], worker: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'done', done_ms = ?, lease_until_ms = NULL, claimed_by = ?, last_error = NULL, updated_ms = ? WHERE event_key IN ${inList(keys.length)}`,
    params: [nowMs, worker, nowMs, ...keys],
  };
}

/** @param recheck claim only the rows still claimable at `nowMs` (read before, outside the transaction). */
export function claimRows(
  keys: readonly string[],
  worker: string,
  leaseUntilMs: number,
  nowMs: number,
  recheck = false,
): SqlStatement {
  return {
    sql:
      `UPDATE ${TABLES.inbox} SET status = 'processing', lease_until_ms = ?, claimed_by = ?, updated_ms = ? WHERE event_key IN ${inList(keys.length)}` +
      (recheck ? ` AND (${CLAIMABLE})` : ''),
    params: [leaseUntilMs, worker, nowMs, ...keys, ...(recheck ? [nowMs, nowMs] : [])],
  };
}

/**
 * PostgreSQL: claim in one statement; concurrent instances skip each other's locked rows.
 * (Not run by the SQLite store; kept here so the scale path uses the same queue semantics.)
 */
export function claimPostgres(
  nowMs: number,
  limit: number,
  worker: string,
  leaseUntilMs: number,
): SqlStatement {
  return {
    sql:
      `UPDATE ${TABLES.inbox} SET status = 'processing', lease_until_ms = ?, claimed_by = ?, updated_ms = ? ` +
      `WHERE event_key IN (SELECT event_key FROM ${TABLES.inbox} WHERE ${CLAIMABLE_PG} ORDER BY seq LIMIT ${Math.max(1, Math.floor(limit))} FOR UPDATE SKIP LOCKED) ` +
      `RETURNING ${INBOX_COLUMNS.join(', ')}`,
    params: [leaseUntilMs, worker, nowMs, nowMs, nowMs],
  };
}

/**
 * PostgreSQL, inside the worker's batch transaction (issue #14): the claimable rows, locked by the
 * transaction (`FOR UPDATE SKIP LOCKED`) and not written. The row lock is the claim: other workers skip
 * the rows until the transaction ends, and a worker that dies takes its locks with it, so no lease is
 * needed. The batch's settle then writes each row once (`settleHeld`) instead of twice (claim, then
 * settle): one tuple version, index entries and WAL record fewer per event.
 */
export function claimHeldPostgres(nowMs: number, limit: number): SqlStatement {
  return {
    sql: `SELECT ${INBOX_COLUMNS.join(', ')} FROM ${TABLES.inbox} WHERE ${CLAIMABLE_PG} ORDER BY seq LIMIT ${Math.max(1, Math.floor(limit))} FOR UPDATE SKIP LOCKED`,
    params: [nowMs, nowMs],
  };
}

/** PostgreSQL: whether any row is claimable at `nowMs` (one index probe, outside a transaction). */
export function anyClaimablePostgres(nowMs: number): SqlStatement {
  return {
    sql: `SELECT 1 AS one FROM ${TABLES.inbox} WHERE ${CLAIMABLE_PG} LIMIT 1`,
    params: [nowMs, nowMs],
  };
}

/** Settles rows held by the current transaction's row locks (`claimHeldPostgres`): done, by `worker`. */
export function settleHeldDone(keys: readonly string[], worker: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'done', done_ms = ?, lease_until_ms = NULL, claimed_by = ?, last_error = NULL, updated_ms = ? WHERE event_key = ANY(?)`,
    params: [nowMs, worker, nowMs, keys as unknown as SqlValue],
  };
}

export function selectByKeys(keys: readonly string[]): SqlStatement {
  return { sql: `${SELECT} WHERE event_key IN ${inList(keys.length)} ORDER BY seq`, params: [...keys] };
}

export function selectByKey(key: string): SqlStatement {
  return { sql: `${SELECT} WHERE event_key = ?`, params: [key] };
}

/** Marks a claimed row done (only if this worker still holds it). */
export function markDone(key: string, worker: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'done', done_ms = ?, lease_until_ms = NULL, last_error = NULL, updated_ms = ? WHERE event_key = ? AND claimed_by = ? AND status = 'processing'`,
    params: [nowMs, nowMs, key, worker],
  };
}

/** Marks several processed events done in one statement (they must be claimed by `worker`). */
export function markDoneMany(keys: readonly string[], worker: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'done', done_ms = ?, lease_until_ms = NULL, last_error = NULL, updated_ms = ? WHERE status = 'processing' AND claimed_by = ? AND event_key IN ${inList(keys.length)}`,
    params: [nowMs, nowMs, worker, ...keys],
  };
}

/** Records a failed attempt: back to pending at `nextAttemptMs`, or `failed` for good. */
export function markAttemptFailed(
  key: string,
  worker: string,
  attempts: number,
  error: string,
  next: { status: 'pending'; nextAttemptMs: number } | { status: 'failed' },
  nowMs: number,
  held = false,
): SqlStatement {
  const nextMs = next.status === 'pending' ? next.nextAttemptMs : nowMs;
  // `held`: the row is held by the current transaction's row lock (claimHeldPostgres), not by a lease.
  const which = held ? 'event_key = ?' : `event_key = ? AND claimed_by = ? AND status = 'processing'`;
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, lease_until_ms = NULL, ${held ? 'claimed_by = NULL, ' : ''}updated_ms = ? WHERE ${which}`,
    params: [next.status, attempts, nextMs, error.slice(0, 2000), nowMs, key, ...(held ? [] : [worker])],
  };
}

/** A stopping worker gives back rows it claimed but did not start. */
export function releaseRows(keys: readonly string[], worker: string, nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'pending', lease_until_ms = NULL, claimed_by = NULL, updated_ms = ? WHERE status = 'processing' AND claimed_by = ? AND event_key IN ${inList(keys.length)}`,
    params: [nowMs, worker, ...keys],
  };
}

/** At start of a single-process store: rows left `processing` by a dead process go back to pending. */
export function releaseAllProcessing(nowMs: number): SqlStatement {
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'pending', lease_until_ms = NULL, claimed_by = NULL, next_attempt_ms = ?, updated_ms = ? WHERE status = 'processing'`,
    params: [nowMs, nowMs],
  };
}

/** An administrator retries failed rows (all, or the given keys): attempts start again. */
export function requeueFailed(nowMs: number, keys?: readonly string[]): SqlStatement {
  const params: SqlValue[] = [nowMs, nowMs];
  let where = `status = 'failed'`;
  if (keys && keys.length > 0) {
    where += ` AND event_key IN ${inList(keys.length)}`;
    params.push(...keys);
  }
  return {
    sql: `UPDATE ${TABLES.inbox} SET status = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ? WHERE ${where}`,
    params,
  };
}

export function countByStatus(): SqlStatement {
  return { sql: `SELECT status, COUNT(*) AS n FROM ${TABLES.inbox} GROUP BY status`, params: [] };
}

/**
 * The answer of a count by status (`countByStatus`, `countOpenByStatus`) as a record of `statuses`,
 * 0 for a status without rows; drivers may return the count as number, bigint or string.
 */
export function countsOf<S extends string>(
  statuses: readonly S[],
  rows: readonly { status: unknown; n: unknown }[],
): Record<S, number> {
  const out = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  for (const r of rows) if (statuses.includes(r.status as S)) out[r.status as S] = toNumber(r.n) ?? 0;
  return out;
}

/** The statuses a queue check counts: the rows not settled, and the failed ones (never pruned). */
export const OPEN_STATUSES = ['pending', 'processing', 'failed'] as const;
export type OpenCounts = Record<(typeof OPEN_STATUSES)[number], number>;

/**
 * The rows of `OPEN_STATUSES` by status, through the indexes that lead with the status: the cost
 * follows the queue, not the done rows kept for the retention period, which `countByStatus` reads
 * all of (issue #14, session 11: 92 ms at 1,000,000 rows on SQLite, on the serving connection, at
 * every /healthz).
 */
export function countOpenByStatus(): SqlStatement {
  return {
    sql: `SELECT status, COUNT(*) AS n FROM ${TABLES.inbox} WHERE status IN ('pending', 'processing', 'failed') GROUP BY status`,
    params: [],
  };
}

/** Oldest due pending row's age: the queue's lag. */
export function oldestPending(): SqlStatement {
  return {
    sql: `SELECT MIN(received_ms) AS oldest FROM ${TABLES.inbox} WHERE status = 'pending'`,
    params: [],
  };
}

export function listByStatus(status: InboxStatus, limit: number, offset = 0): SqlStatement {
  return {
    sql: `${SELECT} WHERE status = ? ORDER BY seq LIMIT ${Math.max(1, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`,
    params: [status],
  };
}

/** Deletes done rows older than the retention; failed and pending rows are never deleted. */
export function pruneDone(beforeMs: number): SqlStatement {
  // Notifications stay: their rows are the delivery log and what makes each message go out once, ever.
  return {
    sql: `DELETE FROM ${TABLES.inbox} WHERE status = 'done' AND done_ms < ? AND source <> 'notify'`,
    params: [beforeMs],
  };
}

export function inboxFromRow(row: Record<string, unknown>): InboxEvent {
  return {
    key: String(row.event_key),
    seq: toNumber(row.seq) ?? 0,
    source: String(row.source),
    type: String(row.event_type),
    subject: String(row.subject),
    payload: String(row.payload),
    status: String(row.status) as InboxStatus,
    attempts: toNumber(row.attempts) ?? 0,
    nextAttemptMs: toNumber(row.next_attempt_ms) ?? 0,
    leaseUntilMs: toNumber(row.lease_until_ms),
    claimedBy: row.claimed_by === null || row.claimed_by === undefined ? null : String(row.claimed_by),
    lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
    receivedMs: toNumber(row.received_ms) ?? 0,
    doneMs: toNumber(row.done_ms),
    updatedMs: toNumber(row.updated_ms) ?? 0,
  };
}
