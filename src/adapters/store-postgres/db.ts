/**
 * PostgreSQL connection for the self-hosted scale path: a `pg` pool, the portable statements of
 * src/adapters/sql run with `$n` placeholders, and the schema created at open (idempotent, under an
 * advisory lock so instances starting together do not race on `CREATE TABLE IF NOT EXISTS`).
 */
import { Pool, type PoolClient } from 'pg';
import { placeholders, schemaStatements, type SqlStatement } from '../sql';
import { ledgerSchema } from '../sql/ledger';
import { noticesSchema } from '../sql/notices';

/** Something that runs queries: the pool, or one client inside a transaction. */
type Queryable = Pick<Pool, 'query'> | PoolClient;

/** A lock id of its own (the schema migration); any constant unlikely to clash with other apps. */
const SCHEMA_LOCK = 0x7265676c; // 'regl'

export class PgDb {
  private closed = false;

  constructor(readonly pool: Pool) {}

  get open(): boolean {
    return !this.closed;
  }

  /** Runs a portable statement; returns the number of rows changed. */
  async run(s: SqlStatement, on: Queryable = this.pool): Promise<number> {
    const r = await on.query(placeholders(s.sql, 'postgres'), s.params);
    return r.rowCount ?? 0;
  }

  async all<T = Record<string, unknown>>(s: SqlStatement, on: Queryable = this.pool): Promise<T[]> {
    const r = await on.query(placeholders(s.sql, 'postgres'), s.params);
    return r.rows as T[];
  }

  async get<T = Record<string, unknown>>(s: SqlStatement, on: Queryable = this.pool): Promise<T | undefined> {
    return (await this.all<T>(s, on))[0];
  }

  /** Runs `fn` in one transaction on one pooled connection (rolled back when it throws). */
  async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
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
      for (const sql of [
        ...schemaStatements('postgres'),
        ...noticesSchema('postgres'),
        ...ledgerSchema('postgres'),
      ])
        await c.query(sql);
    });
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
