/**
 * The issue #14 phases of `npm run bench:server` (kept apart from bench/server.js's phases 1–2):
 *
 * Phase 3 — PostgreSQL: the same webhook load as phase 1 against the server on a throw-away
 *   PostgreSQL (initdb in a temporary directory, as test/server/postgres.ts does; skipped when
 *   PostgreSQL is not installed): accepted events/s and processed events/s (ingest with the ledger),
 *   beside SQLite's phase 1 figures.
 * Phase 4 — responsiveness during a sweep and during dashboard views, on SQLite and on PostgreSQL: a
 *   service holding BENCH_SWEEP_RECORDS (default 100,000) tickets whose records are all due (the worst
 *   case: every clock changes in this sweep) runs one sweep, then answers BENCH_DASH_SECONDS (default
 *   8) of dashboard views (getCompliance, this year, over HTTP, back to back), while the bench asks
 *   GET /healthz every 20 ms and posts a signed webhook every 50 ms; p50/p99/max of both, against
 *   the same requests with no sweep running (same run).
 */
/* global fetch, setTimeout */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { transpileRepoFiles, POSTGRES_HELPERS } = require('./transpile');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', process.env.BENCH_SRC ? 'bench-server-src' : 'bench-server');
const SWEEP_RECORDS = Number(process.env.BENCH_SWEEP_RECORDS || 100_000);
// Closed history beside the due records (phase 4): BENCH_SWEEP_HISTORY=990000 with
// BENCH_SWEEP_RECORDS=10000 is a site of 1,000,000 records of which 1 % change state in this sweep.
const HISTORY = Number(process.env.BENCH_SWEEP_HISTORY || 0);

/** Transpiles the throw-away PostgreSQL helper of the tests (test/server/postgres.ts) next to src. */
function transpileTestHelpers() {
  transpileRepoFiles(POSTGRES_HELPERS, OUT);
}

const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), max: s.length ? s[s.length - 1] : NaN };
}
const r1 = (x) => Math.round(x * 10) / 10;
const line = (name, s) => `${name}: n ${s.n}, p50 ${r1(s.p50)} ms, p99 ${r1(s.p99)} ms, max ${r1(s.max)} ms`;

/**
 * CPU time (ms) of the PostgreSQL cluster listening on `port`: its postmaster (found by its command
 * line), the children it reaped (cutime + cstime: backends that exited) and its live children
 * (backends, writers). Linux only; null when not found.
 */
function clusterCpuMs(port) {
  const stat = (pid) => {
    try {
      const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let master = null;
  for (const pid of pids) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = cmd.indexOf('-p');
    if (/postgres$/.test(cmd[0] ?? '') && i >= 0 && cmd[i + 1] === String(port)) master = pid;
  }
  if (master === null) return null;
  const ticks = (f, from, to) => f.slice(from, to + 1).reduce((a, x) => a + Number(x), 0);
  const m = stat(master);
  if (!m) return null;
  let total = ticks(m, 11, 14); // utime, stime, cutime, cstime
  for (const pid of pids) {
    const f = stat(pid);
    if (f && f[1] === master) total += ticks(f, 11, 12);
  }
  return total * 10; // clock ticks of 10 ms
}

/**
 * Phase 3: runs `load(base)` (phase 1's throughput run) against a server on a fresh PostgreSQL.
 * @param h bench/server.js's helpers: startServer(port, dataDir, env), waitHealthy, stop, freePort, runPhase
 */
async function postgresPhase(h) {
  transpileTestHelpers();
  const { startPostgres, postgresAvailable } = require(path.join(OUT, 'test', 'server', 'postgres.js'));
  if (!postgresAvailable()) {
    process.stdout.write('\nphase 3 (PostgreSQL): SKIPPED, PostgreSQL is not installed\n');
    return null;
  }
  // BENCH_PG_STATEMENTS=1: PostgreSQL's time per statement (pg_stat_statements), printed per event.
  const statements = process.env.BENCH_PG_STATEMENTS === '1';
  if (statements)
    process.env.REGLAMENT_PG_OPTIONS =
      '-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on';
  const pg = await startPostgres();
  try {
    await pg.pool.query('CREATE DATABASE reglament_bench');
    // BENCH_PG_ASYNC=1: commits do not wait for the disk (a diagnostic: how much is fsync per event).
    if (process.env.BENCH_PG_ASYNC === '1') {
      await pg.pool.query('ALTER SYSTEM SET synchronous_commit = off');
      await pg.pool.query('SELECT pg_reload_conf()');
      process.stdout.write('\n(PostgreSQL with synchronous_commit = off)');
    }
    const client = await pg.pool.connect();
    const port = client.port;
    client.release();
    const url = `postgres://postgres@127.0.0.1:${port}/reglament_bench`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-bench-pg-'));
    try {
      let stmts = null;
      if (statements) {
        stmts = new (require('pg').Pool)({ connectionString: url, max: 1 });
        await stmts.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      }
      // The statistics are reset when the measured load starts (after the warm-up).
      let reset = null;
      const cpu = () => {
        if (stmts && !reset) reset = stmts.query('SELECT pg_stat_statements_reset()');
        return clusterCpuMs(port);
      };
      const r = await h.runPhase(dir, { REGLAMENT_DATABASE_URL: url }, cpu);
      if (stmts) {
        // Statements of one kind (a multi-row statement of any row count) as one line: its first 90 characters.
        const rows = (
          await stmts.query(
            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q, sum(calls)::float8 AS calls, " +
              'sum(total_exec_time)::float8 AS exec, sum(total_plan_time)::float8 AS plan ' +
              'FROM pg_stat_statements GROUP BY 1 ORDER BY sum(total_exec_time + total_plan_time) DESC',
          )
        ).rows;
        const per = (ms) => ((ms * 1000) / r.processed).toFixed(1).padStart(6);
        process.stdout.write(
          '  PostgreSQL statements per processed event: execution µs, planning µs, calls; top 12 kinds\n',
        );
        for (const x of rows.slice(0, 12))
          process.stdout.write(
            `    ${per(x.exec)} ${per(x.plan)} ${(x.calls / r.processed).toFixed(3).padStart(6)}  ${x.q}\n`,
          );
        const sum = (k) => rows.reduce((a, x) => a + x[k], 0);
        process.stdout.write(`    ${per(sum('exec'))} ${per(sum('plan'))}  in all\n`);
        await stmts.end();
      }
      return r;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await pg.stop();
  }
}

/**
 * The harness the phase-4 child runs: a service (SQLite, or PostgreSQL with BENCH_DB_URL), the
 * tickets and records (all due), then one sweep per SIGUSR2.
 */
const HARNESS = `
const path = require('node:path');
const OUT = process.env.BENCH_OUT;
const { createService } = require(path.join(OUT, 'server', 'service.js'));
const { DEFAULT_CONFIG } = require(path.join(OUT, 'server', 'config.js'));
const { upsertRecord, upsertTicketWithShown, placeholders } = require(path.join(OUT, 'adapters', 'sql', 'index.js'));
(async () => {
  const n = Number(process.env.BENCH_N);
  const url = process.env.BENCH_DB_URL || undefined;
  const dialect = url ? 'postgres' : 'sqlite';
  const config = {
    ...DEFAULT_CONFIG,
    dataDir: process.env.BENCH_DIR, port: Number(process.env.BENCH_PORT), host: '127.0.0.1',
    webhookSecret: process.env.BENCH_SECRET, demo: 'off', sweepMinutes: 0, logLevel: 'warn',
    adminToken: process.env.BENCH_TOKEN,
    limits: { ...DEFAULT_CONFIG.limits, webhookPerMinute: 0, apiPerMinute: 0 },
    ...(url ? { databaseUrl: url } : {}),
  };
  const svc = await createService({ config, logger: false });
  const t0 = Date.now();
  const rows = (i) => {
    const key = 'SW-' + i;
    const registeredAt = new Date(Date.now() - (i % 500) * 3600000).toISOString();
    const snapshot = { key, kind: 'incident', registeredAt, impact: 'high', urgency: ['high','medium','low'][i % 3], mode: 'operation', nature: 'failure' };
    return [
      upsertTicketWithShown(dialect, { key, project: 'SW', source: 'generic', snapshotJson: JSON.stringify(snapshot), shownJson: 'null', updatedMs: 1 }),
      upsertRecord(dialect, { key, project: 'SW', kind: 'incident', class: null, priority: null, registeredAt, due: null, doneAt: null, agreed: false, state: null, verificationDue: null, estimateAt: null, summary: null, verdictJson: '{}', updatedAt: registeredAt, nextChangeMs: 0 }),
    ];
  };
  // BENCH_HISTORY: closed history (bench/records.js: three years, five projects, ~700-byte verdicts)
  // beside the due records, so the sweep and the dashboard views run over a site's whole history.
  const history = Number(process.env.BENCH_HISTORY || 0);
  const { generateRecords, RECORD_COLUMNS } = require(process.env.BENCH_RECORDS_JS);
  const recordRow = '(' + RECORD_COLUMNS.map(() => '?').join(', ') + ')';
  // PostgreSQL: the records' secondary indexes built once after the rows (as bench:dashboard loads).
  const pgIndexes =
    url && history > 0
      ? (await svc.storage.db.pool.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reglament_sla_records' AND indexdef NOT LIKE '%UNIQUE%'")).rows
      : [];
  if (url) {
    const pool = svc.storage.db.pool;
    for (const i of pgIndexes) await pool.query('DROP INDEX ' + i.indexname);
    for (const chunk of history > 0 ? generateRecords(history, 14, 500) : []) {
      const sql = 'INSERT INTO reglament_sla_records (' + RECORD_COLUMNS.join(', ') + ') VALUES ' + chunk.map(() => recordRow).join(', ');
      await pool.query(placeholders(sql, 'postgres'), chunk.flat());
    }
  }
  if (url) {
    // Rows of one statement text as one multi-row INSERT (the VALUES tuple repeated).
    const multiRow = (list) => {
      const m = /VALUES (\\([?, ]+\\))/.exec(list[0].sql);
      return { sql: list[0].sql.replace(m[0], 'VALUES ' + list.map(() => m[1]).join(', ')), params: list.flatMap((x) => x.params) };
    };
    const pool = svc.storage.db.pool;
    for (let i = 0; i < n; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) batch.push(rows(j));
      for (const k of [0, 1]) {
        const st = multiRow(batch.map((b) => b[k]));
        await pool.query(placeholders(st.sql, 'postgres'), st.params);
      }
    }
    for (const i of pgIndexes) await pool.query(i.indexdef);
    await pool.query(history > 0 ? 'VACUUM ANALYZE' : 'ANALYZE');
  } else {
    const db = svc.db;
    // The records' secondary indexes are built once after the rows (as bench:dashboard loads).
    const indexes = history > 0
      ? db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reglament_sla_records' AND sql IS NOT NULL").all()
      : [];
    for (const i of indexes) db.exec('DROP INDEX ' + i.name);
    const st = db.prepare('INSERT INTO reglament_sla_records (' + RECORD_COLUMNS.join(', ') + ') VALUES ' + recordRow);
    const insertHistory = db.transaction((chunk) => { for (const r of chunk) st.run(...r); });
    for (const chunk of history > 0 ? generateRecords(history, 14, 20000) : []) insertHistory(chunk);
    const insert = db.transaction((from, to) => {
      for (let i = from; i < to; i++) for (const s of rows(i)) db.prepare(s.sql).run(...s.params);
    });
    for (let i = 0; i < n; i += 5000) insert(i, Math.min(n, i + 5000));
    for (const i of indexes) db.exec(i.sql);
    if (history > 0) db.exec('ANALYZE');
  }
  await svc.storage.store.rebuildAggregates();
  const base = await svc.listen();
  process.stdout.write(JSON.stringify({ ready: true, base, seedMs: Date.now() - t0 }) + '\\n');
  process.on('SIGUSR2', async () => {
    const s = Date.now();
    const status = await svc.sweepNow();
    process.stdout.write(JSON.stringify({ swept: true, ms: Date.now() - s, status }) + '\\n');
  });
  process.on('SIGTERM', async () => { await svc.close(); process.exit(0); });
})().catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });
`;

/** Samples /healthz (every 20 ms) and signed webhooks (every 50 ms) until `until()` resolves. */
async function sample(base, secret, prefix, until) {
  const health = [];
  const hooks = [];
  let done = false;
  until.then(() => (done = true));
  let n = 0;
  const timed = async (fn, into) => {
    const t = process.hrtime.bigint();
    await fn();
    into.push(Number(process.hrtime.bigint() - t) / 1e6);
  };
  const healthLoop = (async () => {
    while (!done) {
      await timed(() => fetch(`${base}/healthz`).then((r) => r.arrayBuffer()), health);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const hookLoop = (async () => {
    while (!done) {
      n += 1;
      const body = JSON.stringify({
        key: `${prefix}-${n}`,
        kind: 'incident',
        registeredAt: '2026-03-06T16:30:00+03:00',
        impact: 'high',
        urgency: 'high',
        mode: 'operation',
        nature: 'failure',
      });
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = `sha256=${crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
      await timed(
        () =>
          fetch(`${base}/webhooks/generic`, {
            method: 'POST',
            body,
            headers: {
              'content-type': 'application/json',
              'x-reglament-timestamp': ts,
              'x-reglament-signature': sig,
            },
          }).then((r) => r.arrayBuffer()),
        hooks,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await until;
  await Promise.all([healthLoop, hookLoop]);
  return { health: stats(health), hooks: stats(hooks) };
}

const TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
const DASH_SECONDS = Number(process.env.BENCH_DASH_SECONDS || 8);

/** Dashboard views (getCompliance for this year, over HTTP) one after another until `until` resolves. */
async function dashboardLoop(base, until) {
  let done = false;
  until.then(() => (done = true));
  const ms = [];
  const year = new Date().getUTCFullYear();
  const body = JSON.stringify({ from: `${year}-01-01`, to: `${year}-12-31` });
  while (!done) {
    const t = process.hrtime.bigint();
    const r = await fetch(`${base}/api/getCompliance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`getCompliance: ${r.status} ${text.slice(0, 200)}`);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return stats(ms);
}

/**
 * Phase 4 on one backend. @param h { freePort, secret, url? (PostgreSQL), label }
 * Idle, during one sweep over SWEEP_RECORDS all-due records, and during DASH_SECONDS of dashboard
 * views back to back: p50/p99/max of /healthz and of a webhook POST.
 */
async function sweepLatencyPhase(h) {
  const port = await h.freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-bench-sweep-'));
  const label = h.label ?? 'SQLite';
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the service's threads, written when it exits.
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_CPU_PROF)]
    : [];
  const child = spawn(process.execPath, [...prof, '-e', HARNESS], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_OUT: OUT,
      BENCH_DIR: dir,
      BENCH_PORT: String(port),
      BENCH_SECRET: h.secret,
      BENCH_TOKEN: TOKEN,
      BENCH_N: String(SWEEP_RECORDS),
      BENCH_HISTORY: String(HISTORY),
      BENCH_RECORDS_JS: path.join(__dirname, 'records.js'),
      ...(h.url ? { BENCH_DB_URL: h.url } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const messages = [];
  const waiters = [];
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      messages.push(msg);
      for (const w of waiters.splice(0)) w();
    }
  });
  const next = (key) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = messages.find((x) => x[key]);
        if (m) return resolve(m);
        if (child.exitCode !== null) return reject(new Error('sweep harness exited'));
        waiters.push(check);
      };
      check();
    });
  try {
    const ready = await next('ready');
    // Warm-up (JIT, first connections), not counted.
    await sample(ready.base, h.secret, 'WARM', new Promise((r) => setTimeout(r, 2000)));
    const idle = await sample(ready.base, h.secret, 'IDLE', new Promise((r) => setTimeout(r, 5000)));
    const swept = next('swept');
    child.kill('SIGUSR2');
    const during = await sample(ready.base, h.secret, 'SWEEP', swept);
    const result = await swept;
    // Dashboard views back to back (after the sweep: every record now carries a real verdict).
    const dashEnd = new Promise((r) => setTimeout(r, DASH_SECONDS * 1000));
    const [dash, views] = await Promise.all([
      sample(ready.base, h.secret, 'DASH', dashEnd),
      dashboardLoop(ready.base, dashEnd),
    ]);
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    process.stdout.write(
      `\nphase 4 (responsiveness, ${label}): ${SWEEP_RECORDS.toLocaleString('en')} stored records, all due` +
        (HISTORY > 0
          ? `, beside ${HISTORY.toLocaleString('en')} records of history (${(SWEEP_RECORDS + HISTORY).toLocaleString('en')} in all)`
          : '') +
        ' ' +
        `(seeded in ${ready.seedMs} ms); the sweep took ${result.ms} ms (${result.status.ok ? 'ok' : result.status.error}); load average ${load}\n` +
        `  idle      — ${line('/healthz', idle.health)}; ${line('webhook', idle.hooks)}\n` +
        `  sweep     — ${line('/healthz', during.health)}; ${line('webhook', during.hooks)}\n` +
        `  dashboard — ${line('/healthz', dash.health)}; ${line('webhook', dash.hooks)}; ${line('getCompliance (year)', views)}\n` +
        `  ratio to idle p99: sweep /healthz ${r1(during.health.p99 / idle.health.p99)}×, webhook ${r1(during.hooks.p99 / idle.hooks.p99)}×; ` +
        `dashboard /healthz ${r1(dash.health.p99 / idle.health.p99)}×, webhook ${r1(dash.hooks.p99 / idle.hooks.p99)}×\n`,
    );
    const pass =
      during.health.p99 < 100 && during.hooks.p99 < 100 && dash.health.p99 < 100 && dash.hooks.p99 < 100;
    process.stdout.write(
      `  target p99 < 100 ms during the sweep and the dashboard views (${label}): ${pass ? 'PASS' : 'FAIL'}\n`,
    );
    return { pass, idle, during, dash, views, sweepMs: result.ms };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Phase 4 on PostgreSQL: a throw-away cluster (skipped when PostgreSQL is not installed). */
async function sweepLatencyPostgres(h) {
  transpileTestHelpers();
  const { startPostgres, postgresAvailable } = require(path.join(OUT, 'test', 'server', 'postgres.js'));
  if (!postgresAvailable()) {
    process.stdout.write('\nphase 4 (PostgreSQL): SKIPPED, PostgreSQL is not installed\n');
    return { pass: true };
  }
  const pg = await startPostgres();
  try {
    await pg.pool.query('CREATE DATABASE reglament_sweep');
    const client = await pg.pool.connect();
    const port = client.port;
    client.release();
    return await sweepLatencyPhase({
      ...h,
      url: `postgres://postgres@127.0.0.1:${port}/reglament_sweep`,
      label: 'PostgreSQL',
    });
  } finally {
    await pg.stop();
  }
}

module.exports = {
  postgresPhase,
  sweepLatencyPhase,
  sweepLatencyPostgres,
  transpileTestHelpers,
  OUT,
  stats,
  line,
};
