/**
 * What the service needs from its database, as interfaces both backends implement: SQLite (one
 * process, synchronous driver) and PostgreSQL (several instances, asynchronous). Methods may answer
 * directly or with a promise (`Awaitable`); the service always awaits them.
 */
import type { JiraPort, Settings, ShownValues, Store } from '../app/ports';
import type { Snapshot } from '../domain/snapshot';
import type { ClaimSources, InboxEvent, InboxStatus, OpenCounts } from '../adapters/sql';
import {
  openDatabase,
  SqliteInbox,
  SqliteStore,
  SqliteTicketPort,
  unitOfWork,
  explicitTransaction,
  type NewInboxEvent,
  type SqliteDb,
} from '../adapters/store-sqlite';
import { getSettingsDoc, HEALTH_TABLE, putSettingsDoc, upsertSql, type SqlStatement } from '../adapters/sql';
import {
  CHECKPOINT_EVERY_MS,
  SAFETY_AUTOCHECKPOINT_PAGES,
  READER_THREADS,
  SqliteReader,
} from '../adapters/store-sqlite/reader';
import { writeWhenFree } from '../adapters/store-sqlite/db';
import {
  openPostgres,
  PostgresInbox,
  PostgresStore,
  PostgresTicketPort,
  type PgDb,
} from '../adapters/store-postgres';

export type Awaitable<T> = T | Promise<T>;

export type InboxOutcome =
  | { key: string; ok: true }
  | {
      key: string;
      ok: false;
      attempts: number;
      error: string;
      next: { status: 'pending'; nextAttemptMs: number } | { status: 'failed' };
    };

export interface InboxPort {
  enqueueBatch(events: NewInboxEvent[], nowMs: number): Awaitable<boolean[]>;
  /** `sources`: only these, or all but these (SQLite's ingest thread and main worker; PostgreSQL claims all). */
  claim(
    worker: string,
    limit: number,
    nowMs: number,
    leaseUntilMs: number,
    sources?: ClaimSources,
  ): Awaitable<InboxEvent[]>;
  settle(worker: string, nowMs: number, outcomes: InboxOutcome[]): Awaitable<void>;
  /**
   * Writes the lease of events a claim inside the worker's batch transaction holds only by that
   * transaction (PostgreSQL: its row locks; SQLite since session 20: its write lock), so they stay
   * claimed after it commits (the worker runs them outside it).
   */
  lease?(keys: readonly string[], worker: string, nowMs: number, leaseUntilMs: number): Awaitable<void>;
  /** PostgreSQL: whether any event is claimable (an idle worker polls with it, not with a transaction). */
  anyClaimable?(nowMs: number): Awaitable<boolean>;
  release(keys: string[], worker: string, nowMs: number): Awaitable<number>;
  releaseAll(nowMs: number): Awaitable<number>;
  requeueFailed(nowMs: number, keys?: string[]): Awaitable<number>;
  counts(): Awaitable<Record<InboxStatus, number>>;
  /** `counts()` off the event loop where the driver is synchronous (SQLite: on the reader thread). */
  countsOffLoop?(): Promise<Record<InboxStatus, number>>;
  /** Pending, processing and failed rows, through indexes (the health checks: no scan of the done rows). */
  openCounts(): Awaitable<OpenCounts>;
  oldestPendingMs(): Awaitable<number | null>;
  list(status: InboxStatus, limit: number, offset?: number): Awaitable<InboxEvent[]>;
  get(key: string): Awaitable<InboxEvent | null>;
  prune(beforeMs: number): Awaitable<number>;
}

/** Service-held tickets (generic webhooks, demo): a JiraPort plus what the service writes directly. */
export interface TicketStore extends JiraPort {
  put(snapshot: Snapshot, source: string): Awaitable<void>;
  shownOf(key: string): Awaitable<ShownValues | null>;
  putWithShown(snapshot: Snapshot, source: string, shown: ShownValues): Awaitable<void>;
  remove(key: string): Awaitable<void>;
  count(): Awaitable<number>;
  /** `count()` off the event loop where the driver is synchronous (SQLite: on the reader thread). */
  countOffLoop?(): Promise<number>;
}

/** The Store port plus the in-memory settings the webhook routes check on every request. */
export interface ServiceStore extends Store {
  getSettingsSync(): Settings;
  readonly settingsVersion: number;
}

/** The database as a whole. */
export interface Storage {
  kind: 'sqlite' | 'postgres';
  store: ServiceStore;
  inbox: InboxPort;
  tickets: TicketStore;
  /** Another named document (e.g. the demo data's marker), or null. */
  getDoc(name: string): Awaitable<string | null>;
  putDoc(name: string, doc: string, nowMs: number): Awaitable<void>;
  /** Throws when the database does not answer. */
  ping(): Awaitable<void>;
  /** Writes one small row in its own transaction (the health probe); throws when the write fails. */
  probeWrite(nowMs: number): Awaitable<void>;
  /** The SQLite file (absent on PostgreSQL). */
  file?: string;
  /**
   * Runs `fn` as one transaction when the backend can group the worker's statements (SQLite: one
   * connection); null when each statement commits on its own (PostgreSQL pool; see postgresStorage).
   */
  group: (<T>(fn: () => Promise<T>, events?: readonly { subject: string }[]) => Promise<T>) | null;
  /** Runs one unit of work inside `group` all-or-nothing (SQLite: a savepoint); absent: as it is. */
  unit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Whether group commits must wait (a transaction is open on the only connection), and whether it is closed. */
  busy(): boolean;
  closed(): boolean;
  /** Whether rows left `processing` at start belong to a dead process (only one process uses the database). */
  singleProcess: boolean;
  /**
   * Runs `fn` unless another instance on the same database runs the same `name` now (PostgreSQL: a
   * session advisory lock, `pg_try_advisory_lock`, released when `fn` ends or its connection drops);
   * answers whether it ran. SQLite: one process owns the file, so it always runs.
   */
  exclusive(name: string, fn: () => Promise<void>): Promise<boolean>;
  close(): Promise<void>;
}

export interface SqliteStorage extends Storage {
  kind: 'sqlite';
  db: SqliteDb;
  store: SqliteStore;
  inbox: SqliteInbox;
  tickets: SqliteTicketPort;
  /** The views' reader thread, which also checkpoints the WAL (absent for a database in memory). */
  reader?: SqliteReader;
}

export interface PostgresStorage extends Storage {
  kind: 'postgres';
  db: PgDb;
  store: PostgresStore;
  inbox: PostgresInbox;
  tickets: PostgresTicketPort;
}

const PROBE_COLUMNS = ['probe', 'written_ms'] as const;

/** The health probe's write: one row in reglament_health. */
function probeStatement(dialect: 'sqlite' | 'postgres', nowMs: number): SqlStatement {
  return {
    sql: upsertSql(dialect, HEALTH_TABLE, PROBE_COLUMNS, ['probe']),
    params: ['ready', nowMs],
  };
}

/**
 * @param options.second a second connection to a file this process opened already (the ingest
 *   thread's, issue #14): no check, no migration, no reader thread of its own.
 */
export function sqliteStorage(
  file: string,
  synchronous: 'NORMAL' | 'FULL',
  now: () => number,
  options: { second?: boolean } = {},
): SqliteStorage {
  const db = openDatabase({ file, synchronous, now, ...(options.second ? { second: true } : {}) });
  // The views' reads on other connections in worker threads (issue #14): a dashboard over a long
  // history does not hold the event loop, and its statements run two at a time. A database in memory
  // is one connection's: read here. The first reader thread checkpoints the WAL, so the writers'
  // COMMITs copy little; their own automatic checkpoint, at a high threshold, restarts the WAL (the
  // thread's cannot under a steady writer).
  const reader =
    db.memory || options.second
      ? undefined
      : new SqliteReader(db.name, { checkpointMs: CHECKPOINT_EVERY_MS, threads: READER_THREADS });
  if (reader || options.second) db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
  const store = new SqliteStore(db, now, reader);
  const inbox = new SqliteInbox(db, reader);
  return {
    kind: 'sqlite',
    db,
    file: db.name,
    ...(reader ? { reader } : {}),
    store,
    inbox,
    tickets: new SqliteTicketPort(db, now, reader),
    getDoc: (name) => {
      const s = getSettingsDoc(name);
      return (db.prepare(s.sql).get(...s.params) as { doc: string } | undefined)?.doc ?? null;
    },
    // A poller's cursor, an account, the demo's marker: off the event loop while another writes.
    putDoc: (name, doc, nowMs) => {
      const s = putSettingsDoc('sqlite', doc, new Date(nowMs).toISOString(), name);
      return writeWhenFree(db, () => void db.prepare(s.sql).run(...s.params));
    },
    ping: () => {
      db.prepare('SELECT 1').get();
    },
    probeWrite: (nowMs) => {
      const s = probeStatement('sqlite', nowMs);
      const st = db.prepare(s.sql);
      db.transaction(() => st.run(...s.params))();
    },
    // A batch's bucket changes are written summed at its end where no view reads on this connection
    // (SqliteStore.inBatch); a database in memory serves its views on its only connection. A claim
    // inside the batch holds its rows by the transaction (`SqliteInbox.holdDuring`, the worker's
    // `claimHeld`): each event's inbox row is written once, when settled (session 20).
    group: <T>(fn: () => Promise<T>): Promise<T> =>
      explicitTransaction(db, () => inbox.holdDuring(db.memory ? fn : () => store.inBatch(fn))),
    unit: (fn) => unitOfWork(db, () => store.inUnit(fn)),
    busy: () => db.inTransaction,
    closed: () => !db.open,
    singleProcess: true,
    exclusive: async (_name, fn) => {
      await fn();
      return true;
    },
    close: async () => {
      await reader?.close();
      db.close();
    },
  };
}

export async function postgresStorage(url: string, now: () => number): Promise<PostgresStorage> {
  const db = await openPostgres({ url });
  const store = new PostgresStore(db, now);
  await store.load();
  return {
    kind: 'postgres',
    db,
    store,
    inbox: new PostgresInbox(db),
    tickets: new PostgresTicketPort(db, now),
    getDoc: (name) => store.getDoc(name),
    putDoc: (name, doc) => store.putDoc(name, doc),
    ping: () => db.ping(),
    probeWrite: async (nowMs) => {
      const s = probeStatement('postgres', nowMs);
      await db.run(s);
    },
    // One transaction per worker batch with its subjects' rows read up front and its writes sent as
    // multi-row statements (PgDb.group with a PgBatch, issue #14): a few round trips per batch
    // instead of ~20 per event. (PgDb.group without the batch measured slower than per-statement
    // commits: the same ~20 round trips, now one after another on one connection.)
    group: <T>(fn: () => Promise<T>, events?: readonly { subject: string }[]) =>
      db.group(fn, {
        subjects: (events ?? []).map((e) => e.subject),
        zone: async () => (await store.getSettings()).calendar.zone,
        now,
      }),
    busy: () => false,
    closed: () => !db.open,
    singleProcess: false,
    exclusive: (name, fn) => db.exclusive(name, fn),
    close: () => db.close(),
  };
}
