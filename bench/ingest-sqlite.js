/**
 * `npm run bench:ingest-sqlite`: the SQLite ingest path in one process, without HTTP (issue #14).
 *
 * What bench:server's phase 1 does after the HTTP layer, with the same payloads: signed contract
 * snapshots (one new issue key each) are first accepted through the real routes of a throw-away
 * service to get their stored inbox rows; then, on a fresh database, the rows are stored by group
 * commits of ACCEPT_GROUP (8) events and the real worker drains them in batches of WORKER_BATCH
 * (16), one accept group commit between worker batches, as under load. It prints the CPU time of the
 * process (all threads, `process.cpuUsage`) per event, the SQLite statements and commits per event,
 * the WAL file's largest size, and the load average.
 *
 * BENCH_SRC=<dir>: another copy of src/ to measure (transpiled apart); run both back to back and
 * compare the ratio. BENCH_EVENTS (default 3,000), BENCH_ROUNDS (default 5: the minimum and the median
 * are printed; on a shared machine the minimum is the least disturbed round).
 * With BENCH_SQL_TIMES=1 (and `node -r ./bench/count-queries.js`), each statement's µs per event.
 */
/* global fetch */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
require('./count-queries');
const { transpile, ioOf } = require('./server');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', process.env.BENCH_SRC ? 'bench-server-src' : 'bench-server');
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const EVENTS = Number(process.env.BENCH_EVENTS || 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const ACCEPT_GROUP = 8;
const WORKER_BATCH = 16;
const IMPACT = ['high', 'medium', 'low'];
const MODE = ['operation', 'implementation'];

/** The same snapshots as bench:server's load generator. */
function snapshotOf(n) {
  const start = Date.parse('2026-02-02T10:00:00+03:00');
  const error = n % 3 === 0;
  const registered = new Date(start + (n % 5000) * 3_600_000 * 1.37).toISOString();
  return {
    key: `ING-${n}`,
    kind: error ? 'error' : 'incident',
    registeredAt: registered,
    impact: IMPACT[n % 3],
    urgency: IMPACT[(n >> 1) % 3],
    mode: MODE[n % 7 === 0 ? 1 : 0],
    ...(error
      ? { workaround: 'none', versions: [{ name: '5.2', releaseDate: '2026-06-15', released: false }] }
      : {
          nature: 'failure',
          reactions:
            n % 2 ? [{ at: new Date(Date.parse(registered) + 7_200_000).toISOString(), type: 'status' }] : [],
        }),
  };
}

function envFor(dataDir) {
  return {
    ...process.env,
    REGLAMENT_PORT: '0',
    REGLAMENT_HOST: '127.0.0.1',
    REGLAMENT_DATA_DIR: dataDir,
    REGLAMENT_WEBHOOK_SECRET: SECRET,
    REGLAMENT_DEMO: 'off',
    REGLAMENT_LOG_LEVEL: 'warn',
    REGLAMENT_SWEEP_MINUTES: '0',
    REGLAMENT_WEBHOOK_RATE_LIMIT: '0',
    REGLAMENT_WORKER_BATCH: String(WORKER_BATCH),
  };
}

async function open(dataDir) {
  const { loadConfig } = require(path.join(OUT, 'server', 'config.js'));
  const { createService } = require(path.join(OUT, 'server', 'service.js'));
  const loaded = loadConfig({ env: envFor(dataDir), argv: [] });
  if (!loaded.config) throw new Error(JSON.stringify(loaded.problems));
  return createService({ config: loaded.config, logger: false, background: false });
}

/** The inbox rows the real webhook route stores for EVENTS snapshots. */
async function payloads() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-ingest-rows-'));
  const svc = await open(dir);
  const base = await svc.listen();
  const rows = [];
  for (let n = 1; n <= EVENTS; n++) {
    const body = JSON.stringify(snapshotOf(n));
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
    const res = await fetch(`${base}/webhooks/generic`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-reglament-timestamp': ts,
        'x-reglament-signature': sig,
      },
    });
    if (res.status >= 300) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  }
  for (const e of svc.inbox.list('pending', EVENTS + 10))
    rows.push({ key: e.key, source: e.source, type: e.type, subject: e.subject, payload: e.payload });
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** CPU ms of this process's main thread (the event loop), from /proc (Linux); null elsewhere. */
function mainThreadCpuMs() {
  try {
    const stat = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

async function round(rows) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-ingest-'));
  const svc = await open(dir);
  const counts = globalThis.__benchCounts;
  const s0 = counts ? counts.sqlite : 0;
  const c0 = counts ? counts.commits : 0;
  const t0 = counts?.times ? JSON.parse(JSON.stringify(counts.times)) : null;
  const walFile = `${svc.storage.file}-wal`;
  let walMax = 0;
  const cpu0 = process.cpuUsage();
  const io0 = ioOf('self');
  const main0 = mainThreadCpuMs();
  const wall0 = process.hrtime.bigint();
  let i = 0;
  while (i < rows.length) {
    // Two accept group commits per worker batch (16 events accepted while 16 are processed).
    for (let g = 0; g < WORKER_BATCH / ACCEPT_GROUP && i < rows.length; g++) {
      svc.inbox.enqueueBatch(rows.slice(i, i + ACCEPT_GROUP), Date.now());
      i += ACCEPT_GROUP;
    }
    await svc.worker.runOnce();
    try {
      walMax = Math.max(walMax, fs.statSync(walFile).size);
    } catch {
      // no WAL file yet
    }
  }
  while ((await svc.worker.runOnce()) > 0);
  const cpu = process.cpuUsage(cpu0);
  const io1 = ioOf('self');
  const main1 = mainThreadCpuMs();
  const mainUs = main0 === null || main1 === null ? null : ((main1 - main0) * 1000) / rows.length;
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const done = svc.inbox.counts().done;
  if (done !== rows.length) throw new Error(`${done} of ${rows.length} events done`);
  const statements = counts ? counts.sqlite - s0 : null;
  const commits = counts ? counts.commits - c0 : null;
  const times = t0
    ? Object.entries(counts.times)
        .map(([sql, e]) => ({ sql, n: e.n - (t0[sql]?.n ?? 0), us: e.us - (t0[sql]?.us ?? 0) }))
        .filter((e) => e.n > 0)
        .sort((a, b) => b.us - a.us)
    : null;
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    mainUs,
    cpuUs: (cpu.user + cpu.system) / rows.length,
    sysUs: cpu.system / rows.length,
    wallMs,
    statements,
    times,
    walMax,
    commits,
    // Writes (WAL frames, the checkpoints' copies into the database file) and reads, per event: they
    // do not depend on the machine's speed, so they compare two versions where the CPU time is noisy.
    io:
      io0 && io1
        ? Object.fromEntries(['syscw', 'wchar', 'syscr', 'rchar'].map((k) => [k, io1[k] - io0[k]]))
        : null,
  };
}

async function main() {
  transpile();
  const rows = await payloads();
  const results = [];
  for (let r = 0; r < ROUNDS; r++) results.push(await round(rows));
  const sorted = [...results].sort((a, b) => a.cpuUs - b.cpuUs);
  const med = sorted[Math.floor(sorted.length / 2)];
  const n = rows.length;
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs; ${n} events; src ${process.env.BENCH_SRC || 'src'}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `ingest (SQLite, no HTTP): CPU ${fmt(sorted[0].cpuUs)} µs per event at least, ${fmt(med.cpuUs)} median (${ROUNDS} rounds: ${results
      .map((r) => fmt(r.cpuUs))
      .join(', ')}; system ${fmt(med.sysUs)}` +
      (med.mainUs !== null
        ? `; main thread ${fmt(Math.min(...results.map((r) => r.mainUs)))} at least`
        : '') +
      `), wall ${fmt((med.wallMs * 1000) / n)} µs per event` +
      (med.statements !== null ? `, ${fmt(med.statements / n, 2)} SQLite statements per event` : '') +
      `, ${fmt(med.commits / n, 3)} commits per event, WAL at most ${fmt(med.walMax / 1024)} KiB`,
  );
  if (med.io)
    console.log(
      `  I/O per event (median round): ${fmt(med.io.syscw / n, 1)} write calls, ${fmt(med.io.wchar / n / 1024, 1)} KiB written; ` +
        `${fmt(med.io.syscr / n, 1)} read calls, ${fmt(med.io.rchar / n / 1024, 1)} KiB read`,
    );
  if (med.times)
    for (const e of med.times.slice(0, 20))
      console.log(
        `  ${fmt(e.us / n, 1).padStart(8)} µs ${fmt(e.n / n, 2).padStart(6)}×  ${e.sql.slice(0, 120)}`,
      );
}

module.exports = { payloads, open, ACCEPT_GROUP, WORKER_BATCH };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
