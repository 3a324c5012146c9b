/**
 * Reads of the views (dashboard buckets, live records, issue-list pages) on other SQLite connections,
 * each in a worker thread of its own, so a view over a large history never holds the service's event
 * loop: the driver is synchronous, and on the serving connection a 30 ms query is 30 ms in which
 * `/healthz` and webhooks wait (issue #14: "/healthz and webhooks answer within 100 ms during a sweep
 * and a dashboard view at 1M records"). With several threads (the service runs READER_THREADS), a
 * statement goes to the thread with the fewest in hand, so statements asked for together run side by
 * side.
 *
 * In WAL mode a reader sees the last committed state and never blocks the writer. The connections are
 * `query_only`: a statement that would write fails instead. A file database only (`:memory:` is one
 * connection's), and never for reads that must see an open transaction's own writes (the store keeps
 * those on the serving connection).
 *
 * With `checkpointMs`, the first thread also checkpoints the WAL (PASSIVE, on a connection of its own)
 * every `checkpointMs`, so the serving connection's COMMITs do not (issue #14: a COMMIT that ran
 * SQLite's automatic checkpoint cost the event loop ~80 µs per ingested event). A PASSIVE checkpoint
 * never waits for or blocks the writer or the readers. It copies the WAL but cannot start it over
 * under a steady writer; the writing connections' automatic checkpoint (`SAFETY_AUTOCHECKPOINT_PAGES`)
 * does that, and bounds the WAL should this thread stop.
 *
 * @example
 *   const reader = new SqliteReader('/var/lib/reglament/reglament.sqlite');
 *   const rows = await reader.all({ sql: 'SELECT COUNT(*) AS n FROM reglament_sla_records', params: [] });
 *   await reader.close();
 */
import { Worker } from 'node:worker_threads';
import type { SqlStatement } from '../sql';

/** The worker's code, evaluated as CommonJS: one read-only connection, statements cached by text. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('query_only = 1');
const cache = new Map();
let checkpoint = null;
if (workerData.checkpointMs > 0) {
  const ck = new Database(workerData.file, { fileMustExist: true });
  const st = ck.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  checkpoint = () => st.get();
  // unref: an idle service's thread stays idle between checkpoints and never holds the process.
  setInterval(() => {
    try {
      checkpoint();
    } catch {
      // the next turn tries again; the serving connection's safety threshold bounds the WAL meanwhile
    }
  }, workerData.checkpointMs).unref();
}
parentPort.on('message', ({ id, sql, params, op }) => {
  try {
    if (op === 'checkpoint') {
      parentPort.postMessage({ id, rows: checkpoint ? [checkpoint()] : [] });
      return;
    }
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    parentPort.postMessage({ id, rows: st.all(...params) });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code } });
  }
});
`;

interface Waiting {
  resolve: (rows: unknown[]) => void;
  reject: (e: Error) => void;
}

/** An error the reader's connection raised, with SQLite's code (e.g. SQLITE_ERROR). */
export class ReaderError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ReaderError';
  }
}

/**
 * The writing connections' automatic checkpoint (pages) while a reader thread checkpoints: what
 * restarts the WAL under load, and a safety net. The reader's PASSIVE checkpoints copy the frames but
 * cannot restart the log: SQLite starts it over only when a write transaction begins with every frame
 * backfilled, and the ingest thread begins its next batch right after each COMMIT. So the WAL grows to
 * this threshold, and the COMMIT that crosses it copies the frames since the reader's last checkpoint
 * (≤ 50 ms of them, 5–15 ms of work) on the ingest thread. At 2,000 pages that was every ~230 events;
 * at 10,000 a fifth as often: `bench:server` phase 1 ×1.10–1.15, a WAL of ~42 MB instead of ~10 MB,
 * and during a sweep single answers of up to 0.76 s instead of ~0.1 s (p99 within the target; issue
 * #14, bench/README.md, session 14). Session 8's stalls at 10,000 (p99 133 / 174 ms) came from
 * `/healthz`'s write on the serving connection, at most once a second since session 12.
 */
export const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;
/**
 * How often the reader thread checkpoints the WAL (ms): often enough that each checkpoint is small, and
 * so is the tail left to the COMMIT that crosses the writers' threshold. At 200 ms, ~20,000 WAL frames a
 * second under load passed 2,000 between two checkpoints, and perf put 48 % of the ingest thread's
 * COMMIT time in walCheckpoint (issue #14, session 8). An idle database's checkpoint finds nothing to do.
 */
export const CHECKPOINT_EVERY_MS = 50;

/**
 * Reader threads of the service (issue #14, session 18): a dashboard view's statements (the rollup,
 * the pending correction, the live records, two list pages) are independent, so two threads run them
 * side by side on the machine's two cores while the event loop waits (at 1M records: the rollup's
 * ~6–9 ms beside the other four's ~7–10 ms, instead of one after the other). Two views at once no
 * longer queue behind each other either. Each thread is one connection (its own page cache).
 */
export const READER_THREADS = 2;

/** One thread of the reader: its worker and the statements it has in hand. */
interface ReaderThread {
  worker: Worker;
  waiting: Map<number, Waiting>;
  reads: number;
}

export class SqliteReader {
  private readonly threads: ReaderThread[];
  private nextId = 1;
  private failure: Error | null = null;

  /**
   * @param options.checkpointMs checkpoint the WAL every so many ms (0: never), in the first thread.
   * @param options.threads how many reader threads (connections) share the statements (default 1).
   */
  constructor(file: string, options: { checkpointMs?: number; threads?: number } = {}) {
    const count = Math.max(1, Math.floor(options.threads ?? 1));
    const fail = (e: Error) => {
      if (this.failure) return;
      this.failure = e;
      for (const t of this.threads) {
        for (const w of t.waiting.values()) w.reject(e);
        t.waiting.clear();
      }
      // A thread that failed takes the others down: the store then reads on its own connection.
      for (const t of this.threads) void t.worker.terminate();
    };
    this.threads = Array.from({ length: count }, (_, i) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file,
          driver: require.resolve('better-sqlite3'),
          checkpointMs: i === 0 ? (options.checkpointMs ?? 0) : 0,
        },
      });
      const thread: ReaderThread = { worker, waiting: new Map(), reads: 0 };
      // Idle, a thread does not keep the process alive (close() ends it on shutdown).
      worker.unref();
      worker.on(
        'message',
        (m: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
          const w = thread.waiting.get(m.id);
          if (!w) return;
          thread.waiting.delete(m.id);
          if (thread.waiting.size === 0) worker.unref();
          thread.reads += 1;
          if (m.error) w.reject(new ReaderError(m.error.message, m.error.code));
          else w.resolve(m.rows ?? []);
        },
      );
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the SQLite reader thread exited (code ${code})`)));
      return thread;
    });
  }

  /** Statements answered (diagnostics and tests), in all threads. */
  get reads(): number {
    return this.threads.reduce((n, t) => n + t.reads, 0);
  }

  /** Statements each thread answered (diagnostics and tests). */
  readsByThread(): number[] {
    return this.threads.map((t) => t.reads);
  }

  /** Whether the reader can take statements (its threads have not failed or been closed). */
  usable(): boolean {
    return this.failure === null;
  }

  /** The rows of one statement, read on the connection of the thread with the fewest in hand. */
  all<T = Record<string, unknown>>(s: SqlStatement): Promise<T[]> {
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.waiting.size < thread.waiting.size) thread = t;
    return this.send<T>(thread, { sql: s.sql, params: s.params });
  }

  private send<T>(
    thread: ReaderThread,
    message: { sql?: string; params?: unknown[]; op?: 'checkpoint' },
  ): Promise<T[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T[]>((resolve, reject) => {
      thread.waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      if (thread.waiting.size === 1) thread.worker.ref();
      thread.worker.postMessage({ id, ...message });
    });
  }

  /**
   * Checkpoints the WAL now in the first thread (PASSIVE) when it checkpoints at all.
   * @returns SQLite's answer `{ busy, log, checkpointed }` (frames), or null without a checkpointer.
   */
  async checkpoint(): Promise<{ busy: number; log: number; checkpointed: number } | null> {
    const rows = await this.send<{ busy: number; log: number; checkpointed: number }>(this.threads[0]!, {
      op: 'checkpoint',
    });
    return rows[0] ?? null;
  }

  async close(): Promise<void> {
    if (!this.failure) this.failure = new Error('the SQLite reader is closed');
    for (const t of this.threads) {
      for (const w of t.waiting.values()) w.reject(this.failure);
      t.waiting.clear();
    }
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
