/**
 * Preloaded (`node -r`) into the bench's server process: counts the database statements the process
 * runs, so `bench:server` can report statements (round trips) per event.
 *
 * - PostgreSQL: every `pg` `Client.prototype.query` call is one round trip to the server (the client
 *   sends the next query after the previous answer).
 * - SQLite: every executed statement (`run`, `get`, `all`, `iterate`, and `exec` for BEGIN/COMMIT):
 *   not a round trip (in process), but the same count of statements.
 *
 * The counts are written as JSON to BENCH_COUNT_FILE every 500 ms and at exit.
 */
/* global setInterval */
'use strict';
const fs = require('node:fs');

const counts = { pg: 0, sqlite: 0 };
const file = process.env.BENCH_COUNT_FILE;

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
      return original.apply(this, args);
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function countedExec(...args) {
    counts.sqlite += 1;
    return exec.apply(this, args);
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
