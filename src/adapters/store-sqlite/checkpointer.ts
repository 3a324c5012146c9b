/**
 * WAL checkpoints off the event loop (issue #14).
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past `wal_autocheckpoint`
 * pages: on the service's only connection, that is on the event loop, copying ~4 MB of pages back into
 * the database file and syncing it (bench:server: 40 % of COMMIT's time). The checkpointer instead
 * runs `PRAGMA wal_checkpoint(PASSIVE)` from a second connection in a worker thread (the second core):
 * PASSIVE never blocks the writer, and once every frame is copied, the writer's next transaction starts
 * the WAL over from its beginning, so the file does not grow.
 *
 * The serving connection keeps an automatic checkpoint as a bound (`BACKSTOP_PAGES`): should the
 * thread fall behind or stop, the WAL still cannot grow past that many pages (plus one transaction).
 */
import { Worker } from 'node:worker_threads';
import type { SqliteDb } from './db';

/** WAL pages at which the serving connection checkpoints by itself (the thread was too slow or stopped). */
export const BACKSTOP_PAGES = 2000;
/** How often the thread checkpoints (ms). */
export const CHECKPOINT_EVERY_MS = 100;
/** WAL bytes above which the file is truncated after a complete checkpoint (SQLite's journal_size_limit). */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** What one checkpoint did (SQLite's `wal_checkpoint` row): frames in the WAL and frames copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** The thread's code (CommonJS, evaluated: the same under ts-jest, SWC and the built package). */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    return { busy: r.busy, log: r.log, checkpointed: r.checkpointed };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
};
let timer = workerData.everyMs > 0 ? setInterval(checkpoint, workerData.everyMs) : null;
parentPort.on('message', (m) => {
  if (m.type === 'now') parentPort.postMessage({ id: m.id, result: checkpoint() });
  else if (m.type === 'pause') {
    if (timer) clearInterval(timer);
    timer = null;
    parentPort.postMessage({ id: m.id, result: null });
  } else if (m.type === 'stop') {
    if (timer) clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ id: 0, result: 'ready' });
`;

export class Checkpointer {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  private readonly ready: Promise<unknown>;
  private exited = false;
  /** The last error the thread reported (a checkpoint that failed), for diagnostics. */
  lastError: string | null = null;

  /**
   * Starts the thread on the database file of `db` and sets the serving connection's automatic
   * checkpoint to the backstop. `everyMs` 0: checkpoints only when asked (`now`; tests).
   */
  constructor(
    private readonly db: SqliteDb,
    everyMs = CHECKPOINT_EVERY_MS,
  ) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    this.worker = new Worker(THREAD, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file: db.name, everyMs },
    });
    this.worker.unref();
    let resolveReady: (v: unknown) => void = () => undefined;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.waiting.set(0, resolveReady);
    this.worker.on('message', (m: { id: number; result: unknown }) => {
      const r = m.result as { error?: string } | null;
      if (r && typeof r === 'object' && r.error) this.lastError = r.error;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      w?.(m.result);
    });
    this.worker.on('error', (e) => {
      this.lastError = e.message;
    });
    this.worker.on('exit', () => {
      this.exited = true;
      // The backstop takes over: the serving connection checkpoints at SQLite's default again.
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      for (const w of this.waiting.values()) w(null);
      this.waiting.clear();
    });
  }

  /**
   * Keeps the process alive while `wait` is pending (the thread is unref'd so it never holds the
   * process open by itself; a caller awaiting its answer must not see the process exit first).
   */
  private async held<T>(wait: Promise<T>): Promise<T> {
    this.worker.ref();
    try {
      return await wait;
    } finally {
      this.worker.unref();
    }
  }

  private ask(type: 'now' | 'pause'): Promise<unknown> {
    if (this.exited) return Promise.resolve(null);
    const id = this.nextId++;
    return this.held(
      new Promise((resolve) => {
        this.waiting.set(id, resolve);
        this.worker.postMessage({ type, id });
      }),
    );
  }

  /** One checkpoint now, in the thread; null when the thread has stopped. */
  async now(): Promise<CheckpointResult | null> {
    await this.held(this.ready);
    return (await this.ask('now')) as CheckpointResult | null;
  }

  /** Stops the periodic checkpoints (tests: the backstop alone bounds the WAL). */
  async pause(): Promise<void> {
    await this.held(this.ready);
    await this.ask('pause');
  }

  /** Closes the thread's connection and ends the thread (before the serving connection closes). */
  async stop(): Promise<void> {
    if (this.exited) return;
    await this.held(this.ready);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'stop' });
    await this.held(exited);
  }
}
