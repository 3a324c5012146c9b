/**
 * `npm run bench:wal-pages` (issue #14, session 20): which tables and indexes the SQLite ingest path's
 * WAL pages belong to. The same events and groups as `bench:ingest-sqlite` (accepts committed in groups
 * of 8, worker batches of 16) are ingested once by the real service with its checkpoints stopped (the
 * reader thread closed, the connection's automatic checkpoint off), so the WAL keeps every frame; then
 * each frame's page number is mapped to its B-tree through SQLite's `dbstat` table. Prints the frames
 * per event of each table or index, largest first: the pages a change must avoid writing (the
 * checkpoints copy each of them again into the database file). They do not depend on the machine's
 * speed, so two versions compare in one run (BENCH_SRC, as for bench:ingest-sqlite).
 *
 * BENCH_EVENTS (default 3,000).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { transpile } = require('./server');
const { payloads, open, ACCEPT_GROUP, WORKER_BATCH } = require('./ingest-sqlite');

async function main() {
  transpile();
  const rows = await payloads();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-wal-pages-'));
  const svc = await open(dir);
  try {
    const db = svc.storage.db;
    // Every frame kept: no reader thread checkpointing, no automatic checkpoint, an empty WAL to start.
    await svc.storage.reader?.close();
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    let i = 0;
    while (i < rows.length) {
      for (let g = 0; g < WORKER_BATCH / ACCEPT_GROUP && i < rows.length; g++) {
        await svc.inbox.enqueueBatch(rows.slice(i, i + ACCEPT_GROUP), Date.now());
        i += ACCEPT_GROUP;
      }
      await svc.worker.runOnce();
    }
    while ((await svc.worker.runOnce()) > 0);
    const done = svc.inbox.counts().done;
    if (done !== rows.length) throw new Error(`${done} of ${rows.length} events done`);
    const wal = fs.readFileSync(`${svc.storage.file}-wal`);
    const pageSize = wal.readUInt32BE(8);
    const owner = new Map(
      db
        .prepare('SELECT name, pageno FROM dbstat')
        .all()
        .map((r) => [r.pageno, r.name]),
    );
    const by = new Map();
    let frames = 0;
    for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
      const name = owner.get(wal.readUInt32BE(off)) ?? '(free)';
      by.set(name, (by.get(name) ?? 0) + 1);
      frames += 1;
    }
    const n = rows.length;
    console.log(
      `node ${process.version}; ${n} events; src ${process.env.BENCH_SRC || 'src'}; page ${pageSize} bytes: ` +
        `${frames} WAL frames = ${(frames / n).toFixed(2)} per event`,
    );
    for (const [name, count] of [...by].sort((a, b) => b[1] - a[1]))
      console.log(`  ${(count / n).toFixed(3).padStart(7)}  ${name}`);
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
