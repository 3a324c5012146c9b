/**
 * The embedded database: one SQLite file in WAL mode, schema created at open (idempotent).
 * `synchronous = NORMAL` in WAL mode survives a killed process (a commit is in the OS once it
 * returns); `FULL` also survives power loss at some cost per commit (REGLAMENT_SQLITE_SYNC).
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { schemaStatements, type SqlStatement } from '../sql';
import { ledgerSchema } from '../sql/ledger';
import { noticesSchema } from '../sql/notices';

export type SqliteDb = Database.Database;

export interface OpenOptions {
  /** File path, or ':memory:'. */
  file: string;
  synchronous?: 'NORMAL' | 'FULL';
}

/** Opens (creating when needed) the database file and its folder, sets WAL mode, creates the tables. */
export function openDatabase(options: OpenOptions): SqliteDb {
  if (options.file !== ':memory:')
    fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new Database(options.file);
  if (options.file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  for (const sql of [...schemaStatements('sqlite'), ...noticesSchema('sqlite'), ...ledgerSchema('sqlite')])
    db.exec(sql);
  return db;
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
