/**
 * The embedded database: one SQLite file in WAL mode, its schema brought to the current version by
 * the versioned migrations of src/adapters/sql/migrations.ts. `synchronous = NORMAL` in WAL mode
 * survives a killed process (a commit is in the OS once it returns); `FULL` also survives power loss
 * at some cost per commit (REGLAMENT_SQLITE_SYNC).
 *
 * Opening an existing file is checked before anything is written: a zero-byte file (a truncated
 * database) and one that fails `PRAGMA quick_check` are refused with a DatabaseError naming the file
 * and what to do, never opened as an empty database.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  APPLIED_VERSIONS_SQL,
  MIGRATIONS,
  plan,
  recordVersion,
  SchemaError,
  tableExists,
  TABLES,
  versionTableSql,
  type SqlStatement,
} from '../sql';

export type SqliteDb = Database.Database;

export interface OpenOptions {
  /** File path, or ':memory:'. */
  file: string;
  synchronous?: 'NORMAL' | 'FULL';
  /** Wall clock for the applied-version rows (default Date.now). */
  now?: () => number;
  /**
   * A second connection of a process that opened (checked and migrated) the file already: no
   * quick_check, no migration (issue #14: the ingest thread's connection).
   */
  second?: boolean;
}

/** A database the service cannot use as it is; the message names the file and what to do. */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

const RESTORE_HINT = 'restore the last backup (reglament restore --from FILE, docs/server.md "Operations")';

/** Refuses an existing file that cannot be a database this service wrote. */
function checkExisting(file: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) throw new DatabaseError(`${file} is not a file`, file);
  if (stat.size === 0) {
    throw new DatabaseError(
      `${file} is empty (0 bytes): a database was expected there, so it was probably truncated. ` +
        `Nothing was changed. To recover, ${RESTORE_HINT}; to start over with an empty database, delete the file`,
      file,
    );
  }
  return true;
}

/** The message of a SQLite failure at open, naming the file and the likely fix. */
function openFailure(file: string, e: unknown): DatabaseError {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const reason = `${err.message ?? String(e)}${code ? ` (${code})` : ''}`;
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM')
    return new DatabaseError(
      `cannot open the database ${file} for writing: ${reason}. ` +
        'The service needs to write the file, its folder and its -wal/-shm files: check owner and permissions, and free disk space',
      file,
    );
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new DatabaseError(
      `${file} is not a readable database: ${reason}. Nothing was changed. To recover, ${RESTORE_HINT}`,
      file,
    );
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))
    return new DatabaseError(
      `cannot use the database ${file}: ${reason}; free disk space and check the disk`,
      file,
    );
  if (e instanceof DatabaseError) return e;
  return new DatabaseError(`cannot open the database ${file}: ${reason}`, file);
}

/**
 * Opens (creating when needed) the database file and its folder, checks an existing file, sets WAL
 * mode and applies the pending migrations.
 * @throws DatabaseError naming the file for a truncated, damaged, unwritable or too new database.
 */
export function openDatabase(options: OpenOptions): SqliteDb {
  const memory = options.file === ':memory:';
  const file = memory ? options.file : path.resolve(options.file);
  let db: SqliteDb | undefined;
  try {
    let existed = false;
    if (!memory) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      existed = checkExisting(file);
    }
    db = new Database(file, { fileMustExist: existed });
    if (existed && !options.second) {
      const rows = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length > 0) {
        throw new DatabaseError(
          `${file} is damaged (SQLite quick_check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; … ${problems.length} problems` : ''}). ` +
            `Nothing was changed. To recover, ${RESTORE_HINT}`,
          file,
        );
      }
    }
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    // Statement and savepoint journals in memory (issue #14). The ingest path runs each unit of work in
    // a savepoint; by default a savepoint's journal spills to a temporary file past 64 KiB, so each
    // unit created, unlinked and wrote a file: in process, 110 µs of system CPU per ingested event, 42
    // with the journal in memory (bench:ingest-sqlite).
    db.pragma('temp_store = MEMORY');
    if (!options.second)
      migrateSqlite(db, options.now?.() ?? Date.now(), memory ? 'the in-memory database' : file);
    return db;
  } catch (e) {
    if (db?.open) db.close();
    if (e instanceof DatabaseError) throw e;
    if (e instanceof SchemaError) throw new DatabaseError((e as Error).message, file);
    throw openFailure(file, e);
  }
}

/**
 * Applies the pending migrations (each step one transaction). The synchronous twin of `migrate` in
 * src/adapters/sql/migrations.ts.
 * @returns the versions applied now.
 */
export function migrateSqlite(db: SqliteDb, nowMs: number, where: string): number[] {
  db.exec(versionTableSql('sqlite'));
  const applied = (db.prepare(APPLIED_VERSIONS_SQL).all() as { version: number }[]).map((r) => r.version);
  const legacy = get(db, tableExists('sqlite', TABLES.settings)) !== undefined;
  const p = plan(applied, legacy, where);
  if (p.baseline) run(db, recordVersion(MIGRATIONS[0]!, nowMs));
  for (const m of p.run) {
    db.transaction(() => {
      for (const sql of m.statements('sqlite')) db.exec(sql);
      run(db, recordVersion(m, nowMs));
    })();
  }
  return p.run.map((m) => m.version);
}

const prepared = new WeakMap<SqliteDb, Map<string, Database.Statement>>();

/**
 * The prepared statement for a SQL text, prepared once per connection (preparing costs more than
 * running a small statement). Statements with IN lists of varying length are bounded in number by
 * the batch sizes; the cache is cleared past 500 entries.
 */
export function statement(db: SqliteDb, sql: string): Database.Statement {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let st = cache.get(sql);
  if (!st) {
    if (cache.size >= 500) cache.clear();
    st = db.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}

/** Runs a portable statement; returns the number of rows changed. */
export function run(db: SqliteDb, s: SqlStatement): number {
  return statement(db, s.sql).run(...s.params).changes;
}

export function all<T = Record<string, unknown>>(db: SqliteDb, s: SqlStatement): T[] {
  return statement(db, s.sql).all(...s.params) as T[];
}

export function get<T = Record<string, unknown>>(db: SqliteDb, s: SqlStatement): T | undefined {
  return statement(db, s.sql).get(...s.params) as T | undefined;
}

/** How long a blocking statement waits for another connection's write lock (SQLite's busy handler). */
export const BUSY_TIMEOUT_MS = 5000;

/** The first and the longest pause (ms) between two tries of `writeWhenFree`. */
const FREE_RETRY_FIRST_MS = 1;
const FREE_RETRY_MAX_MS = 8;

/** SQLite's answer when another connection holds the write lock. */
const isBusy = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && /^SQLITE_BUSY/.test(String((e as { code?: unknown }).code));

/** Flags shared with the other writing thread (see shareWriteTurn), by connection. */
const writeTurns = new WeakMap<SqliteDb, Int32Array>();

/**
 * Shares a flag with the other thread that writes the same file (the ingest thread, issue #14): while a
 * `writeWhenFree` on `db` waits for the write lock, `flag[0]` is above 0, and that thread holds its
 * next transaction back (`yieldWriteTurn`). Without it the waiting write was starved: the other thread
 * begins its next batch right after each COMMIT, so the lock was almost never found free.
 */
export function shareWriteTurn(db: SqliteDb, flag: Int32Array): void {
  writeTurns.set(db, flag);
}

/**
 * The other writer's side of shareWriteTurn: before it begins a transaction, waits while a write of the
 * connection that shares `flag` is waiting for the lock, at most `maxMs` (then goes on: a stuck flag
 * must not stop it). Resolves at once when none is waiting.
 */
export async function yieldWriteTurn(flag: Int32Array | undefined, maxMs = 20): Promise<void> {
  if (!flag || Atomics.load(flag, 0) <= 0) return;
  const until = Date.now() + maxMs;
  while (Atomics.load(flag, 0) > 0 && Date.now() < until)
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
}

/**
 * Runs a write `fn` (synchronous statements) in a transaction of its own that begins once the write
 * lock is free, without holding the event loop meanwhile (session 18). SQLite's busy handler waits by
 * sleeping the thread: with the ingest thread writing batches back to back, a write on the main
 * thread's connection (a Jira event's inbox row, its settling, its ledger and record) slept there in
 * steps of 1, 2, 5, 10 … ms until it hit a gap, and `/healthz` and every webhook waited with it
 * (bench:server phase 5: 20 Jira events a second cut the generic events answered by a third). Here the
 * lock is tried without waiting (`busy_timeout` 0), and while another connection holds it the try is
 * repeated from a timer (1 ms, doubling up to 8), the event loop free in between; past BUSY_TIMEOUT_MS
 * the last try waits as a plain statement would. Inside an open transaction (a batch's, a caller's own)
 * `fn` runs at once, in it, as `atomically` runs it: a savepoint, or the unit of work's own. Another
 * flow's transaction found open on this connection at a retry is waited for, not joined.
 * @returns `fn`'s result: at once when the lock was free, else a promise.
 */
export function writeWhenFree<T>(db: SqliteDb, fn: () => T): T | Promise<T> {
  // In an open transaction: a savepoint of it (all-or-nothing, as before), or in a unit of work's.
  if (db.inTransaction) return atomically(db, fn);
  const run = (): T => {
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  };
  /** BEGIN IMMEDIATE without waiting; false when another connection holds the lock. */
  const tryBegin = (): boolean => {
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (e) {
      if (isBusy(e)) return false;
      throw e;
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  };
  if (tryBegin()) return run();
  const until = Date.now() + BUSY_TIMEOUT_MS;
  // The other writer holds its next transaction back while this one waits (shareWriteTurn): then the
  // lock is free right after its COMMIT, so the tries stay 1 ms apart.
  const flag = writeTurns.get(db);
  if (flag) Atomics.add(flag, 0, 1);
  const maxPause = flag ? FREE_RETRY_FIRST_MS : FREE_RETRY_MAX_MS;
  const waiting = new Promise<T>((resolve, reject) => {
    const attempt = (pause: number): void => {
      try {
        if (!db.open) throw new Error('the database is closed');
        if (db.inTransaction) {
          // Another flow's transaction (an explicit one spans awaits): not joined; tried again after it.
          setTimeout(() => attempt(pause), pause);
          return;
        }
        if (Date.now() >= until) {
          db.exec('BEGIN IMMEDIATE'); // waits as any statement would, then fails with SQLITE_BUSY
          resolve(run());
          return;
        }
        if (tryBegin()) resolve(run());
        else setTimeout(() => attempt(Math.min(pause * 2, maxPause)), pause);
      } catch (e) {
        reject(e);
      }
    };
    setTimeout(() => attempt(Math.min(FREE_RETRY_FIRST_MS * 2, maxPause)), FREE_RETRY_FIRST_MS);
  });
  if (!flag) return waiting;
  return waiting.finally(() => Atomics.sub(flag, 0, 1));
}

/** Connections running a unit of work of the worker's batch inside its savepoint (`unitOfWork`). */
const inUnit = new WeakMap<SqliteDb, number>();

/**
 * Runs `fn`'s statements all-or-nothing: in a transaction of its own (a savepoint when one is open),
 * or directly inside a unit of work of the worker's batch, whose savepoint already is all-or-nothing
 * (issue #14: two savepoints fewer per event).
 */
export function atomically<T>(db: SqliteDb, fn: () => T): T {
  // IMMEDIATE: the write lock first. A deferred transaction that reads, then writes after another
  // connection committed (the ingest thread's, issue #14) fails with SQLITE_BUSY at once (its snapshot
  // is stale) instead of waiting; nested, it is a savepoint of the open transaction either way.
  return (inUnit.get(db) ?? 0) > 0 ? fn() : db.transaction(fn).immediate();
}

/**
 * Runs one unit of work of the worker's batch (an open transaction) inside a savepoint: when `fn`
 * throws, everything it wrote is rolled back and the batch's other units are kept.
 */
export async function unitOfWork<T>(db: SqliteDb, fn: () => Promise<T>): Promise<T> {
  const depth = inUnit.get(db) ?? 0;
  db.exec('SAVEPOINT reglament_unit');
  inUnit.set(db, depth + 1);
  try {
    const out = await fn();
    db.exec('RELEASE reglament_unit');
    return out;
  } catch (e) {
    if (db.open && db.inTransaction) {
      db.exec('ROLLBACK TO reglament_unit');
      db.exec('RELEASE reglament_unit');
    }
    throw e;
  } finally {
    inUnit.set(db, depth);
  }
}

/** The end of the last explicit transaction each connection has begun or queued (see below). */
const turns = new WeakMap<SqliteDb, Promise<void>>();

/**
 * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (ROLLBACK when it throws), one such transaction at a
 * time per connection. An explicit transaction spans awaits — the worker's batch, a rebuild of the
 * aggregates — and SQLite has one transaction per connection: a second one begun meanwhile failed
 * with "cannot start a transaction within a transaction" (bench:server phase 4: the rebuild after
 * the seed, while the worker's idle claim held the batch's transaction). It now waits its turn.
 */
export async function explicitTransaction<T>(db: SqliteDb, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(db) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  turns.set(
    db,
    before.then(() => mine),
  );
  await before;
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      db.exec('COMMIT');
      return result;
    } catch (e) {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  } finally {
    done();
  }
}
