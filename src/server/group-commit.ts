/**
 * Group commit for the webhook inbox: the events accepted during one turn of the event loop are
 * inserted in one SQLite transaction (one commit instead of one per event), and each request gets
 * its answer only after that commit — so "stored before the 2xx" still holds, at the cost of one
 * `setImmediate` of latency.
 *
 * While another transaction is open on the connection (the worker's batch, see worker.ts), the flush
 * waits: an insert must never join a transaction it does not control. The one that controls it may
 * take the waiting events in (`carry`, the SQLite ingest thread's batches): they then share its
 * commit, and their answers wait for it.
 */
import type { NewInboxEvent } from '../adapters/store-sqlite';
import type { InboxPort, Storage } from './storage';

interface Waiting {
  event: NewInboxEvent;
  resolve: (fresh: boolean) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private queue: Waiting[] = [];
  private scheduled = false;
  /** Commits done and events in them (diagnostics). */
  commits = 0;
  events = 0;

  constructor(
    private readonly db: Pick<Storage, 'busy' | 'closed'>,
    private readonly inbox: InboxPort,
    private readonly now: () => number,
    /** Called once new events are stored (by a flush of its own or a carrying transaction). */
    private readonly onFlushed?: () => void,
  ) {}

  /** Stores an event with the others of this turn. @returns false when its key was already there. */
  add(event: NewInboxEvent): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Called inside a transaction the caller holds on this connection (the ingest thread's worker
   * batch, issue #14): inserts the events waiting for the next flush there, so they are committed
   * with the batch (one commit instead of two, and their inbox rows written once: the batch claims
   * and settles them in the same transaction). Returns what to call once that transaction has ended:
   * `ended(true)` (committed) answers them; `ended(false)` (rolled back) puts them back for a flush of
   * their own, so an event is answered only once it is stored. Null when nothing was waiting or the
   * insert failed (the events then wait for their own flush).
   * `nowMs`: their arrival instant (the batch's clock, so its claim finds them).
   * @example const ended = commit.carry(batchNowMs); … COMMIT …; ended?.(true)
   */
  carry(nowMs: number): ((committed: boolean) => void) | null {
    if (this.queue.length === 0) return null;
    const batch = this.queue;
    this.queue = [];
    let fresh: boolean[];
    try {
      // Inside the open transaction the batch's insert is a savepoint: it fails whole or not at all.
      const out = this.inbox.enqueueBatch(
        batch.map((w) => w.event),
        nowMs,
      );
      if (!Array.isArray(out)) throw new Error('carry needs a synchronous inbox (SQLite)');
      fresh = out;
    } catch {
      this.putBack(batch);
      return null;
    }
    return (committed) => (committed ? this.answer(batch, fresh) : this.putBack(batch));
  }

  /** A committed group: each event answered (new or not), the worker told when any was new. */
  private answer(batch: Waiting[], fresh: boolean[]): void {
    this.commits += 1;
    this.events += batch.length;
    batch.forEach((w, i) => w.resolve(fresh[i]!));
    if (this.onFlushed && fresh.some(Boolean)) this.onFlushed();
  }

  /** Events taken out of the queue that were not stored: first in line again, with a flush scheduled. */
  private putBack(batch: Waiting[]): void {
    this.queue = [...batch, ...this.queue];
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    if (this.db.busy() || this.db.closed()) {
      if (this.db.closed()) {
        const batch = this.drain();
        for (const w of batch) w.reject(new Error('the database is closed'));
        return;
      }
      setImmediate(() => this.flush());
      return;
    }
    const batch = this.drain();
    if (batch.length === 0) return;
    const settled = (fresh: boolean[]) => this.answer(batch, fresh);
    const failed = (e: unknown) => {
      for (const w of batch) w.reject(e);
    };
    try {
      const fresh = this.inbox.enqueueBatch(
        batch.map((w) => w.event),
        this.now(),
      );
      // SQLite answers at once (committed before this returns); PostgreSQL with a promise.
      if (Array.isArray(fresh)) settled(fresh);
      else fresh.then(settled, failed);
    } catch (e) {
      failed(e);
    }
  }

  private drain(): Waiting[] {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    return batch;
  }
}
