/**
 * PostgreSQL connection for the self-hosted scale path: a `pg` pool, the portable statements of
 * src/adapters/sql run with `$n` placeholders, and the schema brought to the current version at open
 * by the versioned migrations (src/adapters/sql/migrations.ts), in one transaction under an advisory
 * lock so instances starting together do not race.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Pool, type PoolClient } from 'pg';
import { migrate, placeholders, type MigrationConn, type SqlStatement } from '../sql';
import { PgBatch } from './batch';
import { ALL_COLUMN_TYPES_SQL, COLUMN_TYPES_SQL, type ColumnTypes } from './bulk';

/** Something that runs queries: the pool, or one client inside a transaction. */
type Queryable = Pick<Pool, 'query'> | PoolClient;

/** A lock id of its own (the schema migration); any constant unlikely to clash with other apps. */
const SCHEMA_LOCK = 0x7265676c; // 'regl'

export class PgDb {
  private closed = false;
  /** The connection of the group transaction (`group`) the current async call runs in, if any. */
  private readonly grouped = new AsyncLocalStorage<PoolClient>();
  /** The batch (reads served from memory, writes kept until its end) of the current group, if any. */
  private readonly batches = new AsyncLocalStorage<PgBatch>();

  private readonly types = new Map<string, Promise<ReadonlyMap<string, string>>>();

  constructor(readonly pool: Pool) {}

  /** Reads every reglament table's column types in one query (at open, after the migrations). */
  async loadColumnTypes(): Promise<void> {
    const byTable = new Map<string, Map<string, string>>();
    for (const r of (await this.pool.query<{ tbl: string; name: string; type: string }>(ALL_COLUMN_TYPES_SQL))
      .rows) {
      const t = byTable.get(r.tbl) ?? new Map<string, string>();
      t.set(r.name, r.type);
      byTable.set(r.tbl, t);
    }
    for (const [table, cols] of byTable) this.types.set(table, Promise.resolve(cols));
  }

  /** A table's column types from the catalogue, read once per process (the bulk inserts' array casts). */
  readonly columnTypes: ColumnTypes = (table) => {
    let hit = this.types.get(table);
    if (!hit) {
      hit = this.pool
        .query<{ name: string; type: string }>(COLUMN_TYPES_SQL, [table])
        .then((r) => new Map(r.rows.map((x) => [x.name, x.type])));
      hit.catch(() => this.types.delete(table));
      this.types.set(table, hit);
    }
    return hit;
  };

  get open(): boolean {
    return !this.closed;
  }

  /** Runs a portable statement; returns the number of rows changed. */
  async run(s: SqlStatement, on?: Queryable): Promise<number> {
    const r = await (on ?? this.grouped.getStore() ?? this.pool).query(
      placeholders(s.sql, 'postgres'),
      s.params,
    );
    return r.rowCount ?? 0;
  }

  async all<T = Record<string, unknown>>(s: SqlStatement, on?: Queryable): Promise<T[]> {
    const r = await (on ?? this.grouped.getStore() ?? this.pool).query(
      placeholders(s.sql, 'postgres'),
      s.params,
    );
    return r.rows as T[];
  }

  async get<T = Record<string, unknown>>(s: SqlStatement, on?: Queryable): Promise<T | undefined> {
    return (await this.all<T>(s, on))[0];
  }

  /**
   * Runs `fn` as one transaction whose statements (`run`, `all`, `get` and `tx` called from it, however
   * deep) all go to one connection: one commit for a batch of events (the worker's group commit, as on
   * SQLite). A `tx` inside is a savepoint, so its failure leaves the group usable.
   *
   * With `batch` (the worker's batch on PostgreSQL, issue #14): a `PgBatch` for the subjects is
   * opened first (their locks taken, their rows read in a few statements), the stores serve reads and
   * keep writes through it (`batch()`), and its writes go out as multi-row statements before COMMIT
   * (`zone`: the calendar zone of the compliance buckets).
   */
  async group<T>(
    fn: () => Promise<T>,
    batch?: { subjects: readonly string[]; zone: () => Promise<string>; now: () => number },
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      let out: T;
      if (batch) {
        const b = new PgBatch(client, batch.now, this.columnTypes);
        out = await this.grouped.run(client, () =>
          this.batches.run(b, async () => {
            await b.prefetch(batch.subjects);
            const result = await fn();
            await b.flush(await batch.zone());
            return result;
          }),
        );
      } else out = await this.grouped.run(client, fn);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** The batch the current async call runs in (see `group`), if any. */
  batch(): PgBatch | undefined {
    return this.batches.getStore();
  }

  /** Runs `fn` in one transaction on one pooled connection (rolled back when it throws). */
  async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const outer = this.grouped.getStore();
    if (outer) {
      await outer.query('SAVEPOINT reglament_tx');
      try {
        const out = await fn(outer);
        await outer.query('RELEASE SAVEPOINT reglament_tx');
        return out;
      } catch (e) {
        await outer.query('ROLLBACK TO SAVEPOINT reglament_tx').catch(() => undefined);
        throw e;
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Runs `fn` while holding the session advisory lock named `name` (`pg_try_advisory_lock` on one pooled
   * connection); when another session holds it, does not run `fn` and answers false. The lock goes with
   * `fn`'s end, or with the connection if the process dies (PostgreSQL releases session locks then).
   */
  async exclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    const key = advisoryKey(name);
    const client = await this.pool.connect();
    let locked = false;
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
      locked = r.rows[0]?.ok === true;
      if (!locked) return false;
      await fn();
      return true;
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      client.release();
    }
  }

  /** Whether the database answers. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * The 64-bit advisory-lock key of a name: 'reglament:' + name hashed (FNV-1a, 64 bits) into a signed
 * bigint, as text (pg passes it as int8). Stable across releases and instances.
 * @example advisoryKey('sweep') // the same string on every instance
 */
export function advisoryKey(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(`reglament:${name}`, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h).toString();
}

export interface PgOpenOptions {
  /** `postgres://user:password@host:port/database` (also `postgresql://`). */
  url: string;
  /** Connections in the pool (default 10). */
  max?: number;
}

/** Connects and creates the tables when missing. */
export async function openPostgres(options: PgOpenOptions): Promise<PgDb> {
  const pool = new Pool({ connectionString: options.url, max: options.max ?? 10 });
  // A pooled idle connection dropped by the server emits 'error' on the pool; queries reject on their own.
  pool.on('error', () => undefined);
  const db = new PgDb(pool);
  try {
    await db.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      const conn: MigrationConn = {
        run: async (st) => (await c.query(placeholders(st.sql, 'postgres'), st.params)).rows,
      };
      await migrate('postgres', conn, (fn) => fn(conn), Date.now(), 'the PostgreSQL database');
    });
    await db.loadColumnTypes();
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
