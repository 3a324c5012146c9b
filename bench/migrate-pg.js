/**
 * `npm run bench:migrate-pg`: what the upgrade to this release costs a large PostgreSQL site
 * (issue #14: migrations 10–12 had not been run at 1,000,000 records).
 *
 * 1. A throw-away PostgreSQL (as test/server/postgres.ts). The database is created by the release
 *    before migration 10 (`git archive 16f4f35^ src`, transpiled apart: schema version 9, its own
 *    migrations), so the tables and indexes are exactly what such a site has.
 * 2. It is filled as a busy site's: BENCH_RECORDS SLA records (default 1,000,000; bench/records.js,
 *    the secondary indexes built after the rows), their compliance buckets rebuilt by that release,
 *    4.66 ledger facts per record (bench:server's ratio) and BENCH_INBOX settled inbox rows (default
 *    1,000,000: seven days of a very busy site) plus 100 pending ones, then VACUUM ANALYZE.
 * 3. This release opens it: its migrations run as at a real start (`openPostgres`). Each statement is
 *    timed; meanwhile another connection inserts a ledger fact and claims the inbox every 100 ms, so
 *    the figures say how long writers waited (the service is down during an upgrade anyway: the
 *    migrations run before it listens; the writes say which statements lock a table, and for how
 *    long, for an operator who upgrades one node of several).
 * 4. The migrated database is checked: schema version, the ledger's key, the indexes.
 *
 * Options: BENCH_RECORDS, BENCH_INBOX, BENCH_FROM (the commit whose src/ creates the old database).
 */
/* global setTimeout */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { transpileTree, transpileRepoFiles, POSTGRES_HELPERS } = require('./transpile');
const { generateRecords, RECORD_COLUMNS } = require('./records');

const ROOT = path.join(__dirname, '..');
const RECORDS = Number(process.env.BENCH_RECORDS || 1_000_000);
const INBOX = Number(process.env.BENCH_INBOX || 1_000_000);
const FACTS_PER_RECORD = 4.66;
const FROM = process.env.BENCH_FROM || '16f4f35^';

/** Transpiles a src/ tree (and the tests' PostgreSQL helper) to CommonJS under `out`. */
function transpile(srcDir, out) {
  fs.rmSync(out, { recursive: true, force: true });
  transpileTree(srcDir, path.join(out, 'src'));
  transpileRepoFiles(POSTGRES_HELPERS, out);
}

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  const tmp = path.join(ROOT, '.tmp', 'bench-migrate');
  const oldSrc = path.join(tmp, 'old-src');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(oldSrc, { recursive: true });
  execFileSync('bash', ['-c', `git archive ${FROM} src | tar -x -C ${JSON.stringify(oldSrc)}`], {
    cwd: ROOT,
  });
  transpile(path.join(oldSrc, 'src'), path.join(tmp, 'old'));
  transpile(path.join(ROOT, 'src'), path.join(tmp, 'new'));
  const oldMod = (rel) => require(path.join(tmp, 'old', rel));
  const newMod = (rel) => require(path.join(tmp, 'new', rel));

  const { startPostgres, postgresAvailable } = newMod('test/server/postgres.js');
  if (!postgresAvailable()) {
    console.log('bench:migrate-pg: SKIPPED, PostgreSQL is not installed');
    return;
  }
  const pg = await startPostgres();
  try {
    await pg.pool.query('CREATE DATABASE reglament_migrate');
    const client = await pg.pool.connect();
    const port = client.port;
    client.release();
    const url = `postgres://postgres@127.0.0.1:${port}/reglament_migrate`;
    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs; ${fmt(RECORDS)} records, ${fmt(Math.round(RECORDS * FACTS_PER_RECORD))} ledger facts, ${fmt(INBOX)} settled inbox rows; old database by ${FROM}`,
    );

    // ---- The old release's database, filled. ----
    const t0 = performance.now();
    const old = oldMod('src/adapters/store-postgres/index.js');
    const odb = await old.openPostgres({ url, max: 2 });
    const version = async (db) =>
      Number((await db.pool.query('SELECT MAX(version) AS v FROM reglament_schema_version')).rows[0].v);
    const fromVersion = await version(odb);
    const { rows: indexes } = await odb.pool.query(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reglament_sla_records' AND indexdef NOT LIKE '%UNIQUE%'",
    );
    for (const i of indexes) await odb.pool.query(`DROP INDEX ${i.indexname}`);
    // The old release's columns: schema 13's agreed deadline is not there yet (the upgrade fills it).
    const oldColumns = RECORD_COLUMNS.filter((c) => c !== 'agreed_due_ms');
    const keep = oldColumns.map((c) => RECORD_COLUMNS.indexOf(c));
    const row = `(${oldColumns.map(() => '?').join(', ')})`;
    for (const chunk of generateRecords(RECORDS, 14, 500)) {
      const sql = `INSERT INTO reglament_sla_records (${oldColumns.join(', ')}) VALUES ${chunk.map(() => row).join(', ')}`;
      await odb.run({ sql, params: chunk.flatMap((r) => keep.map((i) => r[i])) });
    }
    for (const i of indexes) await odb.pool.query(i.indexdef);
    const ostore = new old.PostgresStore(odb);
    await ostore.load();
    await ostore.rebuildAggregates();
    // Ledger facts: ~4.66 per record, of the records' issues, JSON of a real fact's size (~330 bytes).
    const facts = Math.round(RECORDS * FACTS_PER_RECORD);
    await odb.pool.query(
      `INSERT INTO reglament_ledger (fact_id, issue_id, fact_type, clock, at_ms, recorded_ms, fact_json)
       SELECT md5(g::text), 'SUP-' || (g % ${RECORDS}), 'deadline', 'fix',
              1735700000000 + g::bigint * 6000, 1735700000000 + g::bigint * 6000,
              '{"id":"' || md5(g::text) || '","issueId":"SUP-' || (g % ${RECORDS}) || '","type":"deadline","clock":"fix","at":"2025-01-01T00:00:00.000Z","recordedAt":"2025-01-01T00:00:00.000Z","deadline":"2025-01-10T18:00:00.000+03:00","basis":{"priority":"P2","class":"error","rule":"fix-days","settingsHash":"0123456789abcdef"}}'
       FROM generate_series(1, ${facts}) AS g`,
    );
    await odb.pool.query(
      `INSERT INTO reglament_inbox (event_key, seq, source, event_type, subject, payload, status, attempts,
         next_attempt_ms, lease_until_ms, claimed_by, last_error, received_ms, done_ms, updated_ms)
       SELECT 'generic:sha256:' || md5(g::text), 1735700000000000 + g, 'generic', 'snapshot', 'SUP-' || g,
              '{"snapshot":{"key":"SUP-' || g || '","kind":"incident","registeredAt":"2026-02-02T10:00:00.000Z","impact":"high","urgency":"medium","mode":"operation","nature":"failure","reactions":[]},"bodySha256":"' || md5(g::text) || md5(g::text) || '"}',
              CASE WHEN g > ${INBOX} THEN 'pending' ELSE 'done' END, 0,
              1735700000000 + g, NULL, NULL, NULL, 1735700000000 + g,
              CASE WHEN g > ${INBOX} THEN NULL ELSE 1735700000000 + g END, 1735700000000 + g
       FROM generate_series(1, ${INBOX + 100}) AS g`,
    );
    await odb.pool.query('VACUUM ANALYZE');
    const sizes = (
      await odb.pool.query(
        `SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class
         WHERE relname IN ('reglament_sla_records', 'reglament_ledger', 'reglament_inbox') ORDER BY relname`,
      )
    ).rows;
    await odb.close();
    const fillS = (performance.now() - t0) / 1000;
    console.log(
      `old database (schema version ${fromVersion}) filled in ${fmt(fillS, 1)} s: ` +
        sizes.map((s) => `${s.relname} ${fmt(Number(s.bytes) / 2 ** 20)} MiB`).join(', '),
    );

    // ---- This release's start: the migrations, each statement timed; a writer beside them. ----
    const pgLib = require('pg');
    const query = pgLib.Client.prototype.query;
    const timed = [];
    pgLib.Client.prototype.query = function timedQuery(...args) {
      const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
      const t = performance.now();
      const out = query.apply(this, args);
      if (out && typeof out.then === 'function' && /^\s*(ALTER|CREATE|DROP)/i.test(text ?? ''))
        out.then(
          () => timed.push({ sql: text.replace(/\s+/g, ' ').slice(0, 110), ms: performance.now() - t }),
          () => undefined,
        );
      return out;
    };
    const writer = new pgLib.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'reglament_migrate',
    });
    await writer.connect();
    let writing = true;
    const waits = [];
    const writes = (async () => {
      let n = 0;
      while (writing) {
        const t = performance.now();
        n += 1;
        await query.call(
          writer,
          `INSERT INTO reglament_ledger (fact_id, issue_id, fact_type, clock, at_ms, recorded_ms, fact_json)
           VALUES ($1, 'SUP-W', 'deadline', 'fix', 0, 0, '{}') ON CONFLICT DO NOTHING`,
          [`w-${n}`],
        );
        await query.call(
          writer,
          "SELECT event_key FROM reglament_inbox WHERE status IN ('pending', 'processing') ORDER BY seq LIMIT 100",
        );
        waits.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t1 = performance.now();
    const cur = newMod('src/adapters/store-postgres/index.js');
    const ndb = await cur.openPostgres({ url, max: 2 });
    const migrateS = (performance.now() - t1) / 1000;
    writing = false;
    await writes;
    await writer.end();
    pgLib.Client.prototype.query = query;
    const toVersion = await version(ndb);
    const key = (
      await ndb.pool.query(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'reglament_ledger_pkey'",
      )
    ).rows[0]?.def;
    const ledgerIndexes = (
      await ndb.pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'reglament_ledger' ORDER BY 1")
    ).rows.map((r) => r.indexname);
    await ndb.close();

    console.log(
      `\nthis release's start: schema ${fromVersion} → ${toVersion} in ${fmt(migrateS, 1)} s (the service listens after this)`,
    );
    for (const t of timed.sort((a, b) => b.ms - a.ms).slice(0, 12))
      console.log(`  ${fmt(t.ms).padStart(8)} ms  ${t.sql}`);
    const sorted = [...waits].sort((a, b) => a - b);
    console.log(
      `  a writer beside it (a ledger insert and an inbox claim every 100 ms): ${waits.length} rounds, ` +
        `longest ${fmt(sorted[sorted.length - 1] ?? 0)} ms, median ${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0, 1)} ms`,
    );
    console.log(`  ledger key ${key}; ledger indexes ${ledgerIndexes.join(', ')}`);
    const ok =
      toVersion === 12 &&
      key === 'PRIMARY KEY (issue_id, fact_id)' &&
      !ledgerIndexes.includes('reglament_ledger_issue');
    console.log(
      `result: ${ok ? 'PASS' : 'FAIL'} (schema 12, the ledger keyed by (issue_id, fact_id), its (issue_id, at_ms) index gone)`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
