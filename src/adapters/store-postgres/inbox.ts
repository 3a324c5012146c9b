/**
 * The webhook inbox on PostgreSQL, shared by every instance on the database. Accepting is
 * `INSERT … ON CONFLICT (event_key) DO NOTHING` (a redelivery to any instance is recognised).
 *
 * Claiming, two ways:
 * - outside a worker batch: one `UPDATE … WHERE event_key IN (SELECT … FOR UPDATE SKIP LOCKED)
 *   RETURNING …` (`claimPostgres`) writes a lease, so concurrent workers get disjoint rows without
 *   waiting for each other; settling checks `claimed_by`, so a worker whose lease expired cannot
 *   overwrite another's work;
 * - inside a worker batch's transaction (`PgDb.group`, issue #14): `SELECT … FOR UPDATE SKIP LOCKED`
 *   (`claimHeldPostgres`). The transaction's row locks are the claim; the rows are written once, when
 *   the batch settles them in the same transaction. Events the batch cannot run in its transaction get
 *   their lease written before it commits (`lease`).
 */
import {
  anyClaimablePostgres,
  claimHeldPostgres,
  claimPostgres,
  claimRows,
  countByStatus,
  countOpenByStatus,
  countsOf,
  OPEN_STATUSES,
  type OpenCounts,
  INBOX_STATUSES,
  inboxFromRow,
  insertEvent,
  listByStatus,
  markAttemptFailed,
  oldestPending,
  pruneDone,
  releaseAllProcessing,
  releaseRows,
  requeueFailed,
  selectByKey,
  settleHeldDone,
  TABLES,
  toNumber,
  type InboxEvent,
  type InboxStatus,
  type SqlStatement,
  type SqlValue,
} from '../sql';
import { unnestRows } from './bulk';
import type { PgDb } from './db';

export interface NewInboxEvent {
  key: string;
  source: string;
  type: string;
  subject: string;
  payload: string;
}

export type InboxOutcome =
  | { key: string; ok: true }
  | {
      key: string;
      ok: false;
      attempts: number;
      error: string;
      next: { status: 'pending'; nextAttemptMs: number } | { status: 'failed' };
    };

export class PostgresInbox {
  private lastSeq = 0;

  constructor(readonly db: PgDb) {}

  /** Arrival number: ms × 1000 + a per-process counter (instances' clocks order their events). */
  private nextSeq(nowMs: number): number {
    this.lastSeq = Math.max(this.lastSeq + 1, nowMs * 1000);
    return this.lastSeq;
  }

  /** Stores an accepted event. @returns false when the key was already there (a redelivery). */
  async enqueue(e: NewInboxEvent, nowMs: number): Promise<boolean> {
    return (await this.db.run(insertEvent('postgres', { ...e, seq: this.nextSeq(nowMs) }, nowMs))) === 1;
  }

  /**
   * Several events in one statement (one round trip, one commit): a multi-row insert that skips the
   * keys already there. @returns for each event whether it was new (a key repeated in the same call:
   * the first one).
   */
  async enqueueBatch(events: NewInboxEvent[], nowMs: number): Promise<boolean[]> {
    if (events.length === 1) return [await this.enqueue(events[0]!, nowMs)];
    const first = new Map<string, number>();
    events.forEach((e, i) => {
      if (!first.has(e.key)) first.set(e.key, i);
    });
    const rows = [...first.values()].map((i) =>
      insertEvent('postgres', { ...events[i]!, seq: this.nextSeq(nowMs) }, nowMs),
    );
    const fresh = new Set<string>();
    for (let i = 0; i < rows.length; i += 500) {
      const s = await unnestRows(rows.slice(i, i + 500), this.db.columnTypes);
      for (const r of await this.db.all<{ event_key: string }>({
        sql: `${s.sql} RETURNING event_key`,
        params: s.params,
      }))
        fresh.add(r.event_key);
    }
    return events.map((e, i) => first.get(e.key) === i && fresh.has(e.key));
  }

  /**
   * Claims up to `limit` due events for `worker`, oldest first, skipping rows other workers hold.
   * Inside a worker batch (`PgDb.group`): held by the transaction's row locks, no lease written, and
   * the batch reads their subjects' rows at once (`PgBatch.prefetch`).
   */
  async claim(worker: string, limit: number, nowMs: number, leaseUntilMs: number): Promise<InboxEvent[]> {
    const batch = this.db.batch();
    if (batch) {
      const events = (await this.db.all(claimHeldPostgres(nowMs, limit)))
        .map(inboxFromRow)
        .sort((a, b) => a.seq - b.seq);
      for (const e of events) batch.held.add(e.key);
      await batch.prefetch(events.map((e) => e.subject));
      return events;
    }
    const rows = await this.db.all(claimPostgres(nowMs, limit, worker, leaseUntilMs));
    return rows.map(inboxFromRow).sort((a, b) => a.seq - b.seq);
  }

  /** Whether any event is claimable now (an idle worker's poll, before it opens a transaction). */
  async anyClaimable(nowMs: number): Promise<boolean> {
    return (await this.db.all(anyClaimablePostgres(nowMs))).length > 0;
  }

  /**
   * Writes the lease of events held by the current batch's row locks (the worker runs them after the
   * transaction, outside it): they stay claimed by `worker` once the locks go.
   */
  async lease(keys: readonly string[], worker: string, nowMs: number, leaseUntilMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db.run(claimRows(keys, worker, leaseUntilMs, nowMs));
    const batch = this.db.batch();
    for (const k of keys) batch?.held.delete(k);
  }

  /**
   * Settles a batch: the done rows in one statement, then each failed one; in one transaction when
   * there are several statements (inside the worker's group: on its connection). Rows the group's
   * transaction holds by lock are settled without the lease check.
   */
  async settle(worker: string, nowMs: number, outcomes: InboxOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const held = this.db.batch()?.held ?? new Set<string>();
    const done = outcomes.filter((o) => o.ok && !held.has(o.key)).map((o) => o.key);
    const doneHeld = outcomes.filter((o) => o.ok && held.has(o.key)).map((o) => o.key);
    const statements: SqlStatement[] = [];
    if (doneHeld.length > 0) statements.push(settleHeldDone(doneHeld, worker, nowMs));
    if (done.length > 0)
      statements.push({
        sql:
          `UPDATE ${TABLES.inbox} SET status = 'done', done_ms = ?, lease_until_ms = NULL, last_error = NULL, updated_ms = ? ` +
          `WHERE event_key = ANY(?) AND claimed_by = ? AND status = 'processing'`,
        params: [nowMs, nowMs, done as unknown as SqlValue, worker],
      });
    for (const o of outcomes)
      if (!o.ok)
        statements.push(
          markAttemptFailed(o.key, worker, o.attempts, o.error, o.next, nowMs, held.has(o.key)),
        );
    if (statements.length === 1) {
      await this.db.run(statements[0]!);
      return;
    }
    await this.db.tx(async (c) => {
      for (const st of statements) await this.db.run(st, c);
    });
  }

  /** Gives back claimed rows that were not started (a stopping worker). */
  async release(keys: string[], worker: string, nowMs: number): Promise<number> {
    // Rows held by the batch's row locks were never written: the transaction's end gives them back.
    const held = this.db.batch()?.held;
    const leased = held ? keys.filter((k) => !held.has(k)) : keys;
    return leased.length === 0 ? 0 : this.db.run(releaseRows(leased, worker, nowMs));
  }

  /**
   * Releases every `processing` row. Not called at start on PostgreSQL (other instances may be
   * working on those rows; expired leases are claimed again instead); kept for administration.
   */
  async releaseAll(nowMs: number): Promise<number> {
    return this.db.run(releaseAllProcessing(nowMs));
  }

  async requeueFailed(nowMs: number, keys?: string[]): Promise<number> {
    return this.db.run(requeueFailed(nowMs, keys));
  }

  async counts(): Promise<Record<InboxStatus, number>> {
    return countsOf(INBOX_STATUSES, await this.db.all<{ status: unknown; n: unknown }>(countByStatus()));
  }

  /** The queue's rows by status (pending, processing, failed), without reading the done rows. */
  async openCounts(): Promise<OpenCounts> {
    return countsOf(OPEN_STATUSES, await this.db.all<{ status: unknown; n: unknown }>(countOpenByStatus()));
  }

  async oldestPendingMs(): Promise<number | null> {
    return toNumber((await this.db.get<{ oldest: unknown }>(oldestPending()))?.oldest);
  }

  async list(status: InboxStatus, limit: number, offset = 0): Promise<InboxEvent[]> {
    return (await this.db.all(listByStatus(status, limit, offset))).map(inboxFromRow);
  }

  async get(key: string): Promise<InboxEvent | null> {
    const row = await this.db.get(selectByKey(key));
    return row ? inboxFromRow(row) : null;
  }

  async prune(beforeMs: number): Promise<number> {
    return this.db.run(pruneDone(beforeMs));
  }
}
