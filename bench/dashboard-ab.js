/**
 * `node bench/dashboard-ab.js <src before> <data before> <data after> [sizes…]` (issue #14): the
 * dashboard call (`getCompliance`, the current year) in this process with the code before (the src/
 * directory given, e.g. `git archive <commit> src | tar -x -C /tmp/old`) and with this checkout's, on
 * the SQLite databases that `BENCH_DATA_DIR=<dir> npm run bench:dashboard` keeps (<dir>/sqlite-<n>/;
 * the code before needs its own copy when the schema changed: a newer schema is refused). The two
 * alternate, 30 calls each after a warm-up, and the bench prints the median CPU per call
 * (`process.cpuUsage`) of each, their ratio and the load average — a same-run pair that a loaded
 * machine cannot bias one way — and fails when the two answers differ.
 */
/* global performance */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { transpileTree } = require('./transpile');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', 'dashboard-ab');

function transpile(src, out) {
  transpileTree(src, path.join(out, 'src'));
}

function api(out, file) {
  const m = (r) => require(path.join(out, r));
  const { openDatabase, SqliteStore } = m('src/adapters/store-sqlite/index.js');
  const store = new SqliteStore(openDatabase({ file }));
  return m('src/app/api.js').createApi({ jira: {}, store, clock: () => Date.now() });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const [before, dataBefore, dataAfter, ...sizes] = process.argv.slice(2);
  if (!before || !dataBefore || !dataAfter) {
    process.stderr.write(
      'usage: node bench/dashboard-ab.js <src before> <data before> <data after> [sizes…]\n',
    );
    process.exit(2);
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  transpile(path.resolve(before), path.join(OUT, 'before'));
  transpile(path.join(ROOT, 'src'), path.join(OUT, 'after'));
  const year = new Date().getUTCFullYear();
  const req = { from: `${year}-01-01`, to: `${year}-12-31` };
  const growth = [];
  for (const n of sizes.length > 0 ? sizes : ['1000', '100000', '1000000']) {
    const a = api(path.join(OUT, 'before'), path.join(dataBefore, `sqlite-${n}`, 'reglament.sqlite'));
    const b = api(path.join(OUT, 'after'), path.join(dataAfter, `sqlite-${n}`, 'reglament.sqlite'));
    if (JSON.stringify(await a.getCompliance(req)) !== JSON.stringify(await b.getCompliance(req)))
      throw new Error(`${n} records: the answers differ`);
    const cpu = { a: [], b: [] };
    for (let i = 0; i < 3; i++) await Promise.all([a.getCompliance(req), b.getCompliance(req)]);
    for (let i = 0; i < 30; i++)
      for (const [k, x] of [
        ['a', a],
        ['b', b],
      ]) {
        const c0 = process.cpuUsage();
        await x.getCompliance(req);
        const c = process.cpuUsage(c0);
        cpu[k].push((c.user + c.system) / 1000);
      }
    const [ma, mb] = [median(cpu.a), median(cpu.b)];
    growth.push({ n, ma, mb });
    console.log(
      `${Number(n).toLocaleString('en')} records: before ${ma.toFixed(2)} ms CPU, after ${mb.toFixed(2)} ms CPU, ` +
        `after / before ${(mb / ma).toFixed(2)}; load average ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}; ${performance.now().toFixed(0)} ms`,
    );
  }
  const [f, l] = [growth[0], growth[growth.length - 1]];
  if (growth.length > 1)
    console.log(
      `growth ${f.n} → ${l.n}: before ×${(l.ma / f.ma).toFixed(1)}, after ×${(l.mb / f.mb).toFixed(1)}`,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
