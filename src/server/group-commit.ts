/**
 * Group commit for the webhook inbox: the events accepted during one turn of the event loop are
 * inserted in one SQLite transaction (one commit instead of one per event), and each request gets
 * its answer only after that commit — so "stored before the 2xx" still holds, at the cost of one
 * `setImmediate` of latency.
 *
 * While another transaction is open on the connection (the worker's batch, see worker.ts), the flush
 * waits: an insert must never join a transaction it does not control.
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
    const settled = (fresh: boolean[]) => {
      this.commits += 1;
      this.events += batch.length;
      batch.forEach((w, i) => w.resolve(fresh[i]!));
    };
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
