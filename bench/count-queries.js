/**
 * Preloaded (`node -r`) into the bench's server process: counts the database statements the process
 * runs, so `bench:server` can report statements (round trips) per event.
 *
 * - PostgreSQL: every `pg` `Client.prototype.query` call is one round trip to the server (the client
 *   sends the next query after the previous answer).
 * - SQLite: every executed statement (`run`, `get`, `all`, `iterate`, and `exec` for BEGIN/COMMIT):
 *   not a round trip (in process), but the same count of statements.
 *
 * The counts are written as JSON to BENCH_COUNT_FILE every 500 ms and at exit, each worker thread's to
 * a file of its own (`BENCH_COUNT_FILE.t<threadId>`).
 */
/* global setInterval */
'use strict';
const fs = require('node:fs');
const { isMainThread, threadId } = require('node:worker_threads');

const counts = { pg: 0, sqlite: 0, commits: 0 };
// `-r` preloads into worker threads too (the SQLite ingest thread, the reader that checkpoints): each
// thread writes a file of its own beside the main thread's (`<file>.t<threadId>`); the bench sums them.
const file = process.env.BENCH_COUNT_FILE
  ? isMainThread
    ? process.env.BENCH_COUNT_FILE
    : `${process.env.BENCH_COUNT_FILE}.t${threadId}`
  : undefined;
// BENCH_SQL_TIMES=1: also the time and count of each SQLite statement text (`counts.times`), to see
// which statements an event's cost is made of.
const times = process.env.BENCH_SQL_TIMES === '1' ? {} : null;
if (times) counts.times = times;
function tally(sql, t0) {
  const key = sql.replace(/\s+/g, ' ').slice(0, 160);
  const e = times[key] ?? (times[key] = { n: 0, us: 0 });
  e.n += 1;
  e.us += Number(process.hrtime.bigint() - t0) / 1000;
}

try {
  const pg = require('pg');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    counts.pg += 1;
    return query.apply(this, args);
  };
} catch {
  // pg not installed: nothing to count
}

try {
  const Database = require('better-sqlite3');
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = Statement[name];
    Statement[name] = function countedStatement(...args) {
      counts.sqlite += 1;
      if (this.source.startsWith('COMMIT')) counts.commits += 1;
      if (!times) return original.apply(this, args);
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        tally(this.source, t0);
      }
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function countedExec(...args) {
    counts.sqlite += 1;
    if (String(args[0]).startsWith('COMMIT')) counts.commits += 1;
    if (!times) return exec.apply(this, args);
    const t0 = process.hrtime.bigint();
    try {
      return exec.apply(this, args);
    } finally {
      tally(String(args[0]), t0);
    }
  };
} catch {
  // better-sqlite3 not installed
}

const write = () => {
  if (file) fs.writeFileSync(file, JSON.stringify(counts));
};
if (file) {
  setInterval(write, 500).unref();
  process.on('exit', write);
}
// For a bench that runs the service in its own process (bench/ingest-sqlite.js).
globalThis.__benchCounts = counts;
