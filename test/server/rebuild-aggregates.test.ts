/**
 * `reglament rebuild-aggregates` (issue #14) on the service's SQLite database: buckets damaged by hand
 * are rebuilt equal to a full recount; the command names the count and zone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toSlaRecord } from '../../src/app/sla-record';
import { AGGREGATES_TABLE, ROLLUP_TABLE } from '../../src/adapters/sql/aggregates';
import { addBuckets, bucketId, contributions, type AggRow } from '../../src/domain/aggregates';
import { rebuildAggregatesCommand } from '../../src/server/rebuild-aggregates';
import { sqliteStorage } from '../../src/server/storage';
import { generateRows } from '../support/record-gen';
import { tempDir } from './helpers';

const byId = (rows: AggRow[]) => [...rows].sort((a, b) => (bucketId(a) < bucketId(b) ? -1 : 1));

it('rebuilds damaged buckets from the records', async () => {
  const dir = tempDir('reglament-rebuild-');
  try {
    const rows = generateRows(300, 5);
    let s = sqliteStorage(path.join(dir, 'reglament.sqlite'), 'NORMAL', Date.now);
    for (const r of rows) await s.store.upsertSlaRecord(r);
    s.db.prepare(`UPDATE ${AGGREGATES_TABLE} SET n = n + 3 WHERE outcome = 'late'`).run();
    s.db.prepare(`DELETE FROM ${AGGREGATES_TABLE} WHERE outcome = 'on-time'`).run();
    // The rollup (migration 8) damaged too: every level.
    s.db.prepare(`UPDATE ${ROLLUP_TABLE} SET n = n + 2 WHERE outcome = 'late'`).run();
    s.db.prepare(`DELETE FROM ${ROLLUP_TABLE} WHERE outcome = 'waived' OR scope = 'projects'`).run();
    const zone = s.store.getSettingsSync().calendar.zone;
    const ever = { first: '1970-01', last: '2099-12' };
    // The rollup a full recount gives: every bucket summed over projects and customers.
    const rollup = (buckets: AggRow[]) => {
      const m = new Map<string, AggRow>();
      for (const b of buckets) addBuckets(m, [{ ...b, project: '', customer: null }], b.n);
      return byId([...m.values()].filter((b) => b.n !== 0));
    };
    const want = new Map<string, AggRow>();
    for (const r of rows) addBuckets(want, contributions(toSlaRecord(r), zone), 1);
    const wantStd = byId([...want.values()].filter((b) => b.mode !== 'agreed'));
    expect(byId(await s.store.listAggregates('standard'))).not.toEqual(wantStd);
    expect(byId(await s.store.listAggregates('standard', ['SUP'], ever, true))).not.toEqual(
      rollup(wantStd.filter((b) => b.project === 'SUP')),
    );
    await s.close();

    const out: string[] = [];
    const err: string[] = [];
    const code = await rebuildAggregatesCommand(
      ['--data-dir', dir],
      { write: (t: string) => (out.push(t), true) },
      { write: (t: string) => (err.push(t), true) },
    );
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(
        `^compliance aggregates rebuilt \\(sqlite\\): ${want.size} buckets in zone ${zone}, \\d+ ms\\n$`,
      ),
    );
    s = sqliteStorage(path.join(dir, 'reglament.sqlite'), 'NORMAL', Date.now);
    expect(byId(await s.store.listAggregates('standard'))).toEqual(wantStd);
    expect(byId(await s.store.listAggregates('standard', [], ever, true))).toEqual(rollup(wantStd));
    expect(byId(await s.store.listAggregates('standard', ['SUP'], ever, true))).toEqual(
      rollup(wantStd.filter((b) => b.project === 'SUP')),
    );
    expect(await s.store.listAggregateProjects()).toEqual(['OPS', 'SUP', 'WEB']);
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps a bucket per customer, exact after a rebuild (issue #17)', async () => {
  const dir = tempDir('reglament-rebuild-cust-');
  try {
    const owners = ['acme', 'globex', null];
    const rows = generateRows(300, 6).map((r, i) => {
      const c = owners[i % owners.length];
      return c ? { ...r, customer: c, contract: `${c}-1` } : r;
    });
    let s = sqliteStorage(path.join(dir, 'reglament.sqlite'), 'NORMAL', Date.now);
    for (const r of rows) await s.store.upsertSlaRecord(r);
    // The record keeps its customer and certificate through the SQL store.
    expect(await s.store.getSlaRecord(rows[0]!.key)).toMatchObject({ customer: 'acme', contract: 'acme-1' });
    expect((await s.store.listSlaRecords({ customer: 'globex' })).map((r) => r.key)).toEqual(
      rows
        .filter((r) => r.customer === 'globex')
        .map((r) => r.key)
        .sort(),
    );
    // A record moved to another customer moves its buckets.
    await s.store.upsertSlaRecord({ ...rows[0]!, customer: 'globex', contract: 'globex-1' });
    await s.store.upsertSlaRecord(rows[0]!);
    s.db.prepare(`UPDATE ${AGGREGATES_TABLE} SET customer = 'globex' WHERE customer = 'acme'`).run();
    await s.close();
    const code = await rebuildAggregatesCommand(
      ['--data-dir', dir],
      { write: () => true },
      { write: () => true },
    );
    expect(code).toBe(0);
    s = sqliteStorage(path.join(dir, 'reglament.sqlite'), 'NORMAL', Date.now);
    const buckets = await s.store.listAggregates('standard');
    // Every record counts once in the standard reading: per customer, the buckets hold its records.
    for (const c of owners) {
      const n = buckets.filter((b) => b.customer === c).reduce((a, b) => a + b.n, 0);
      expect([c, n]).toEqual([c, rows.filter((r) => (r.customer ?? null) === c).length]);
    }
    await s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
