/**
 * The webhook inbox on SQLite (statements in src/adapters/sql/inbox.ts). Every call is one short
 * synchronous transaction, so a webhook's row is on disk before its HTTP reply is sent.
 */
import {
  claimHeldSqlite,
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
  markDoneMany,
  oldestPending,
  pruneDone,
  releaseAllProcessing,
  releaseRows,
  requeueFailed,
  selectByKey,
  selectByKeys,
  selectClaimable,
  settleHeldDoneSqlite,
  type ClaimSources,
  type InboxEvent,
  type InboxStatus,
} from '../sql';
import { all, get, run, writeWhenFree, type SqliteDb } from './db';
import type { SqliteReader } from './reader';

/** Keys per settling UPDATE (an IN list; far below SQLite's 32,766 parameters). */
const SETTLE_CHUNK = 500;
const EMPTY: ReadonlySet<string> = new Set();

export interface NewInboxEvent {
  key: string;
  source: string;
  type: string;
  subject: string;
  payload: string;
  /** Not claimable before this instant (epoch ms); default: at once. */
  notBeforeMs?: number;
}

export class SqliteInbox {
  private lastSeq = 0;
  /**
   * Inside a worker batch's transaction that claims by holding (`holdDuring`, session 20): the keys its
   * claim read and did not write. Null outside one.
   */
  private held: Set<string> | null = null;

  constructor(
    readonly db: SqliteDb,
    /** The views' reader thread: the whole-inbox count of `/metrics` runs there, off the event loop. */
    private readonly reader?: SqliteReader,
  ) {}

  /** A strictly increasing arrival number (ms × 1000 + counter), also across restarts on one clock. */
  private nextSeq(nowMs: number): number {
    this.lastSeq = Math.max(this.lastSeq + 1, nowMs * 1000);
    return this.lastSeq;
  }

  /** Stores an accepted event. @returns false when the key was already there (a redelivery). */
  enqueue(e: NewInboxEvent, nowMs: number): boolean {
    return run(this.db, insertEvent('sqlite', { ...e, seq: this.nextSeq(nowMs) }, nowMs)) === 1;
  }

  /**
   * Several events in one transaction (one commit), begun when the write lock is free (`writeWhenFree`:
   * at once, or a promise while another connection writes). @returns for each event whether it was new.
   */
  enqueueBatch(events: NewInboxEvent[], nowMs: number): boolean[] | Promise<boolean[]> {
    return writeWhenFree(this.db, () => events.map((e) => this.enqueue(e, nowMs)));
  }

  /**
   * Runs a worker batch's transaction (`fn`, already inside it) whose claims hold their rows instead of
   * writing a lease (issue #14, session 20): SQLite's one write lock, held by the transaction, keeps
   * every other connection from claiming them until it ends, and its settle writes each row once.
   */
  async holdDuring<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) return fn();
    this.held = new Set();
    try {
      return await fn();
    } finally {
      this.held = null;
    }
  }

  /**
   * Claims up to `limit` due events for `worker` with a lease until `leaseUntilMs`, oldest first. Inside
   * `holdDuring`'s transaction: read only, held by the transaction (no lease written).
   */
  claim(
    worker: string,
    limit: number,
    nowMs: number,
    leaseUntilMs: number,
    sources?: ClaimSources,
  ): InboxEvent[] | Promise<InboxEvent[]> {
    if (this.held && this.db.inTransaction) {
      const events = all(this.db, claimHeldSqlite(nowMs, limit, sources)).map(inboxFromRow);
      for (const e of events) this.held.add(e.key);
      return events;
    }
    // Read, then claim in a transaction that takes the write lock first (IMMEDIATE, `writeWhenFree`)
    // and claims only what is still claimable: with another connection writing (the ingest thread,
    // issue #14), a deferred read-then-write transaction fails with SQLITE_BUSY when that connection
    // commits in between, and an idle poll never takes the write lock at all.
    const found = all<{ event_key: string }>(this.db, selectClaimable('sqlite', nowMs, limit, sources)).map(
      (r) => r.event_key,
    );
    if (found.length === 0) return [];
    return writeWhenFree(this.db, () => {
      run(this.db, claimRows(found, worker, leaseUntilMs, nowMs, true));
      return all(this.db, selectByKeys(found))
        .map(inboxFromRow)
        .filter(
          (e) => e.claimedBy === worker && e.status === 'processing' && e.leaseUntilMs === leaseUntilMs,
        );
    });
  }

  /** Settles a batch in one transaction: the events done in one statement per SETTLE_CHUNK, each failure in its own. */
  settle(
    worker: string,
    nowMs: number,
    outcomes: (
      | { key: string; ok: true }
      | {
          key: string;
          ok: false;
          attempts: number;
          error: string;
          next: { status: 'pending'; nextAttemptMs: number } | { status: 'failed' };
        }
    )[],
  ): void | Promise<void> {
    const held = this.held ?? EMPTY;
    const done = outcomes.filter((o) => o.ok && !held.has(o.key)).map((o) => o.key);
    const doneHeld = outcomes.filter((o) => o.ok && held.has(o.key)).map((o) => o.key);
    return writeWhenFree(this.db, () => {
      for (let i = 0; i < doneHeld.length; i += SETTLE_CHUNK)
        run(this.db, settleHeldDoneSqlite(doneHeld.slice(i, i + SETTLE_CHUNK), worker, nowMs));
      for (let i = 0; i < done.length; i += SETTLE_CHUNK)
        run(this.db, markDoneMany(done.slice(i, i + SETTLE_CHUNK), worker, nowMs));
      for (const o of outcomes)
        if (!o.ok)
          run(this.db, markAttemptFailed(o.key, worker, o.attempts, o.error, o.next, nowMs, held.has(o.key)));
    });
  }

  /**
   * Writes the lease of events the batch's transaction holds (`holdDuring`): the worker runs them after
   * it, outside it, so they stay claimed by `worker` once it commits.
   */
  lease(keys: readonly string[], worker: string, nowMs: number, leaseUntilMs: number): void {
    if (keys.length === 0) return;
    run(this.db, claimRows(keys, worker, leaseUntilMs, nowMs));
    for (const k of keys) this.held?.delete(k);
  }

  /** Gives back claimed rows that were not started (a stopping worker). */
  release(keys: string[], worker: string, nowMs: number): number | Promise<number> {
    // Rows the batch's transaction holds were never written: nothing to give back.
    const leased = this.held ? keys.filter((k) => !this.held!.has(k)) : keys;
    return leased.length === 0
      ? 0
      : writeWhenFree(this.db, () => run(this.db, releaseRows(leased, worker, nowMs)));
  }

  /** At start: rows a dead process left `processing` go back to pending. @returns how many. */
  releaseAll(nowMs: number): number {
    return run(this.db, releaseAllProcessing(nowMs));
  }

  requeueFailed(nowMs: number, keys?: string[]): number | Promise<number> {
    return writeWhenFree(this.db, () => run(this.db, requeueFailed(nowMs, keys)));
  }

  counts(): Record<InboxStatus, number> {
    return countsOf(INBOX_STATUSES, all<{ status: InboxStatus; n: number }>(this.db, countByStatus()));
  }

  /**
   * `counts()` read on the reader thread when there is one (`/metrics`: a count of every row kept
   * for the retention period, ~90 ms at 1,000,000 rows, which on the serving connection held the
   * event loop that long at each scrape); the last committed state.
   */
  async countsOffLoop(): Promise<Record<InboxStatus, number>> {
    const reader = this.reader;
    if (!reader?.usable() || this.db.inTransaction) return this.counts();
    return countsOf(INBOX_STATUSES, (await reader.all(countByStatus())) as { status: unknown; n: unknown }[]);
  }

  /** The queue's rows by status (pending, processing, failed), without reading the done rows. */
  openCounts(): OpenCounts {
    return countsOf(OPEN_STATUSES, all<{ status: string; n: number }>(this.db, countOpenByStatus()));
  }

  oldestPendingMs(): number | null {
    return get<{ oldest: number | null }>(this.db, oldestPending())?.oldest ?? null;
  }

  list(status: InboxStatus, limit: number, offset = 0): InboxEvent[] {
    return all(this.db, listByStatus(status, limit, offset)).map(inboxFromRow);
  }

  get(key: string): InboxEvent | null {
    const row = get(this.db, selectByKey(key));
    return row ? inboxFromRow(row) : null;
  }

  prune(beforeMs: number): number | Promise<number> {
    return writeWhenFree(this.db, () => run(this.db, pruneDone(beforeMs)));
  }
}
