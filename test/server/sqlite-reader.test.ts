/**
 * Issue #14: on SQLite the views' reads (dashboard buckets and pending count, live records, issue-list
 * pages) run on a second connection in a worker thread, so a dashboard over 1M records never holds the
 * event loop (bench:server phase 4 measured /healthz p99 438 ms during dashboard views at 1M records
 * while the reads ran on the serving connection). Checked without timing: which connection ran each
 * statement, and that the answers equal the serving connection's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IssueQuery } from '../../src/app/ports';
import type { SqlStatement } from '../../src/adapters/sql';
import { sqliteStorage, type SqliteStorage } from '../../src/server/storage';
import { SqliteStore } from '../../src/adapters/store-sqlite';
import { READER_THREADS, ReaderError, SqliteReader } from '../../src/adapters/store-sqlite/reader';
import { createApi } from '../../src/app/api';
import { parseInstant } from '../../src/domain/calendar';
import { generateRows } from '../support/record-gen';
import { tempDir } from './helpers';

const NOW = parseInstant('2025-11-20T12:00:00+03:00');
const RANGE = { first: '2025-01', last: '2025-12' };

describe('SQLite views on a reader thread (issue #14)', () => {
  let storage: SqliteStorage;
  /** The statements the serving connection prepared since the last reset. */
  let prepared: string[] = [];

  beforeAll(async () => {
    storage = sqliteStorage(path.join(tempDir('reglament-reader-'), 'reglament.sqlite'), 'NORMAL', () => NOW);
    for (const r of generateRows(300, 14)) await storage.store.upsertSlaRecord(r);
    const prepare = storage.db.prepare.bind(storage.db);
    storage.db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof storage.db.prepare;
  });
  afterAll(async () => {
    await storage.close();
  });
  beforeEach(() => {
    prepared = [];
  });

  /** A second store over the same file with no reader: every read on the serving connection. */
  const direct = () => new SqliteStore(storage.db, () => NOW);

  it('reads the dashboard buckets and the pending correction on the reader: nothing on the serving connection', async () => {
    await storage.store.listAggregates('standard', undefined, RANGE, true, NOW); // the zone check, once
    prepared = [];
    const reads = readsOf(storage);
    const buckets = await storage.store.listAggregates('standard', undefined, RANGE, true, NOW);
    expect(readsOf(storage) - reads).toBe(2);
    expect(prepared.filter((s) => /reglament_sla_aggregates|reglament_sla_records/.test(s))).toEqual([]);
    expect(buckets.length).toBeGreaterThan(0);
    expect(buckets).toEqual(await direct().listAggregates('standard', undefined, RANGE, true, NOW));
  });

  it('reads the live records and each issue-list page on the reader, with the same answers', async () => {
    const reads = readsOf(storage);
    const live = await storage.store.listLiveRecords(NOW);
    const queries: IssueQuery[] = [
      { limit: 20 },
      { state: 'breached', limit: 10 },
      { state: 'at-risk', projects: ['SUP'], limit: 5 },
    ];
    const pages = [];
    for (const q of queries) pages.push(await storage.store.listIssuePage(q));
    expect(readsOf(storage) - reads).toBeGreaterThanOrEqual(1 + queries.length);
    expect(prepared.filter((s) => /reglament_sla_records/.test(s))).toEqual([]);
    expect(live).toEqual(await direct().listLiveRecords(NOW));
    for (const [i, q] of queries.entries()) expect(pages[i]).toEqual(await direct().listIssuePage(q));
    expect(pages[0]!.items.length).toBe(20);
  });

  // Session 11: /metrics counts every inbox row by status (done rows kept for the retention period
  // too): ~90 ms at 1,000,000 rows, which on the serving connection held the event loop at each scrape.
  it("counts the whole inbox for /metrics on the reader, with the serving connection's answer", async () => {
    const inbox = storage.inbox;
    for (let i = 0; i < 5; i++)
      inbox.enqueue(
        { key: `m-${i}`, source: 'generic', type: 'snapshot', subject: `M-${i}`, payload: '{}' },
        NOW,
      );
    prepared = [];
    const reads = readsOf(storage);
    const counts = await inbox.countsOffLoop();
    expect(readsOf(storage) - reads).toBe(1);
    expect(prepared.filter((s) => /reglament_inbox/.test(s))).toEqual([]);
    expect(counts).toEqual(inbox.counts());
    expect(counts.pending).toBe(5);
  });

  it('sees a write as soon as it is committed', async () => {
    const before = await storage.store.listIssuePage({ projects: ['NEW'], limit: 5 });
    const row = { ...generateRows(1, 99)[0]!, key: 'NEW-1', project: 'NEW', doneAt: null };
    await storage.store.upsertSlaRecord(row);
    const after = await storage.store.listIssuePage({ projects: ['NEW'], limit: 5 });
    expect([before.total, after.total]).toEqual([0, 1]);
    expect(after.items.map((r) => r.key)).toEqual(['NEW-1']);
  });

  it('inside a transaction reads on the serving connection, which sees the transaction’s own writes', async () => {
    const reads = readsOf(storage);
    const seen = await storage.group!(async () => {
      await storage.store.upsertSlaRecord({
        ...generateRows(1, 98)[0]!,
        key: 'TX-1',
        project: 'TX',
        doneAt: null,
      });
      return (await storage.store.listIssuePage({ projects: ['TX'], limit: 5 })).items.map((r) => r.key);
    });
    expect(seen).toEqual(['TX-1']);
    expect(readsOf(storage)).toBe(reads);
  });

  it('refuses a write on the reader’s connection (query_only), naming SQLite’s error', async () => {
    const reader = new SqliteReader(storage.db.name);
    try {
      const e = await reader
        .all({ sql: 'DELETE FROM reglament_sla_records RETURNING issue_key', params: [] })
        .then(
          () => null,
          (x: unknown) => x,
        );
      expect(e).toBeInstanceOf(ReaderError);
      expect((e as ReaderError).message).toMatch(/readonly|read-only|query_only/i);
      expect(
        (
          await reader.all<{ n: number }>({
            sql: 'SELECT COUNT(*) AS n FROM reglament_sla_records',
            params: [],
          })
        )[0]!.n,
      ).toBeGreaterThan(300);
    } finally {
      await reader.close();
    }
  });

  // Session 18: a dashboard view's statements are independent; on one thread they ran one after the
  // other (at 1M records ~19 ms of reads per view, the event loop idle meanwhile).
  it('runs statements asked for together on two threads, each answering as the serving connection', async () => {
    expect(READER_THREADS).toBe(2);
    const reader = new SqliteReader(storage.db.name, { threads: 2 });
    try {
      const count = { sql: 'SELECT COUNT(*) AS n FROM reglament_sla_records', params: [] };
      const open = {
        sql: 'SELECT COUNT(*) AS n FROM reglament_sla_records WHERE done_ms IS NULL',
        params: [],
      };
      const [a, b] = await Promise.all([reader.all(count), reader.all(open)]);
      // The second went to the thread with nothing in hand.
      expect(reader.readsByThread()).toEqual([1, 1]);
      expect([a, b]).toEqual([storage.db.prepare(count.sql).all(), storage.db.prepare(open.sql).all()]);
      // One at a time, they stay on the first thread.
      await reader.all(count);
      await reader.all(open);
      expect(reader.readsByThread()).toEqual([3, 1]);
    } finally {
      await reader.close();
    }
  });

  it("asks for a dashboard view's reads together: the buckets, the pending count, the live records and both lists", async () => {
    const reader = (storage.store as unknown as { reader: SqliteReader }).reader;
    const all = reader.all.bind(reader);
    let inHand = 0;
    let most = 0;
    const texts: string[] = [];
    reader.all = ((st: SqlStatement) => {
      inHand += 1;
      most = Math.max(most, inHand);
      texts.push(st.sql);
      return all(st).finally(() => (inHand -= 1));
    }) as typeof reader.all;
    try {
      const api = createApi({ jira: {} as never, store: storage.store, clock: () => NOW });
      await api.getCompliance({ from: '2025-01-01', to: '2025-12-31' }); // the zone check, once
      texts.length = 0;
      most = 0;
      prepared = [];
      const before = reader.readsByThread();
      const view = await api.getCompliance({ from: '2025-01-01', to: '2025-12-31' });
      const after = reader.readsByThread();
      expect(view.errors.overall.counted).toBeGreaterThan(0);
      // The rollup's figures and trend, the pending count, the live records, the breached and at-risk
      // pages and their counts: all eight sent before the first answer came back.
      expect(texts.filter((t) => /reglament_sla_rollup/.test(t))).toHaveLength(2);
      expect(most).toBeGreaterThanOrEqual(8);
      expect(after.map((n, i) => n - before[i]!).every((n) => n > 0)).toBe(true);
      expect(prepared.filter((sql) => /reglament_sla_rollup|reglament_sla_records/.test(sql))).toEqual([]);
    } finally {
      reader.all = all;
    }
  });

  it('a reader thread that dies takes the reader down: its calls fail and the store reads on its own connection', async () => {
    const reader = new SqliteReader(storage.db.name, { threads: 2 });
    const threads = (reader as unknown as { threads: { worker: { terminate(): Promise<number> } }[] })
      .threads;
    await threads[1]!.worker.terminate();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(reader.usable()).toBe(false);
    await expect(reader.all({ sql: 'SELECT 1', params: [] })).rejects.toThrow(/exited/);
    const store = new SqliteStore(storage.db, () => NOW, reader);
    const page = await store.listIssuePage({ limit: 3 });
    expect(page.items).toHaveLength(3);
    await reader.close();
  });

  it('a closed reader fails its calls instead of hanging', async () => {
    const reader = new SqliteReader(storage.db.name);
    await reader.close();
    expect(reader.usable()).toBe(false);
    await expect(reader.all({ sql: 'SELECT 1', params: [] })).rejects.toThrow(/closed/);
  });
});

/** Statements the storage's reader answered so far. */
describe('the WAL checkpoint off the serving connection (issue #14)', () => {
  // Measured (bench:ingest-sqlite, BENCH_SQL_TIMES=1): the COMMITs that ran SQLite's automatic
  // checkpoint cost the event loop ~80 µs per ingested event. The reader thread checkpoints instead.
  it('the reader thread checkpoints; the serving connection only has a far safety threshold', async () => {
    const file = path.join(tempDir('reglament-ckpt-'), 'reglament.sqlite');
    const storage = sqliteStorage(file, 'NORMAL', () => NOW);
    try {
      // 10,000 pages since session 14: the COMMIT that crosses it does the checkpoint's tail on its own
      // thread, so it should be rare (src/adapters/store-sqlite/reader.ts).
      expect(storage.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      // The ingest thread's connection too.
      const second = sqliteStorage(file, 'NORMAL', () => NOW, { second: true });
      expect(second.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      await second.close();
      storage.db.exec('CREATE TABLE bulk (n INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const insert = storage.db.prepare('INSERT INTO bulk (body) VALUES (?)');
      const body = 'x'.repeat(3_000);
      // 1,500 one-row transactions: ~1,500 WAL frames, past SQLite's default threshold (1,000 pages),
      // below the serving connection's: the thread's checkpoints (its timer's, or this one) backfill them.
      for (let i = 0; i < 1_500; i++) insert.run(body);
      const result = await storage.reader!.checkpoint();
      expect(result).not.toBeNull();
      expect(result!.busy).toBe(0);
      expect(result!.log).toBeGreaterThan(0);
      expect(result!.checkpointed).toBe(result!.log);
      // Backfilled: the next write starts the WAL over instead of growing it.
      const size = fs.statSync(`${file}-wal`).size;
      for (let i = 0; i < 100; i++) insert.run(body);
      expect(fs.statSync(`${file}-wal`).size).toBe(size);
      expect(storage.db.prepare('SELECT COUNT(*) AS n FROM bulk').get()).toEqual({ n: 1_600 });
    } finally {
      await storage.close();
    }
  });
});

/** SQLite's temporary files (\`etilqs_…\`, unlinked at once) this process holds open (Linux). */
function sqliteTempFiles(): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((link) => link.includes('etilqs_'));
}

describe('savepoint journals in memory (issue #14)', () => {
  // Measured (perf on bench:server's ingest thread): each unit of work runs in a savepoint, whose
  // journal spilled to a temporary file past 64 KiB, so every unit created, unlinked and wrote a file
  // (memjrnlWrite → unlink, subjournalPageIfRequired → pwrite); in process, system CPU per ingested
  // event was 110 µs with the spill and 42 µs without.
  it('a unit that rewrites many pages keeps its savepoint journal in memory, on both connections', async () => {
    const file = path.join(tempDir('reglament-subj-'), 'reglament.sqlite');
    const storage = sqliteStorage(file, 'NORMAL', () => NOW);
    const second = sqliteStorage(file, 'NORMAL', () => NOW, { second: true });
    try {
      for (const { db } of [storage, second]) expect(db.pragma('temp_store', { simple: true })).toBe(2);
      storage.db.exec('CREATE TABLE bulk (n INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const insert = storage.db.prepare('INSERT INTO bulk (body) VALUES (?)');
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(3_000));
      for (const [{ db }, from, to] of [
        [storage, 'x', 'y'],
        [second, 'y', 'z'],
      ] as const) {
        db.exec('BEGIN IMMEDIATE');
        db.exec('SAVEPOINT unit');
        // ~150 pages that existed before the savepoint: ~600 KiB of journal, far past the 64 KiB spill.
        db.prepare('UPDATE bulk SET body = replace(body, ?, ?)').run(from, to);
        const open = sqliteTempFiles();
        db.exec('RELEASE unit');
        db.exec('COMMIT');
        expect(open).toEqual([]);
      }
      expect(second.db.prepare("SELECT COUNT(*) AS n FROM bulk WHERE body LIKE 'z%'").get()).toEqual({
        n: 200,
      });
    } finally {
      await second.close();
      await storage.close();
    }
  });
});

function readsOf(storage: SqliteStorage): number {
  return (storage.store as unknown as { reader: SqliteReader }).reader.reads;
}

describe('explicit transactions on one SQLite connection (issue #14)', () => {
  it('a rebuild begun while the worker’s batch transaction is open waits for it, instead of failing', async () => {
    const storage = sqliteStorage(
      path.join(tempDir('reglament-tx-'), 'reglament.sqlite'),
      'NORMAL',
      () => NOW,
    );
    try {
      for (const r of generateRows(50, 15)) await storage.store.upsertSlaRecord(r);
      const order: string[] = [];
      // The batch holds its transaction across a turn of the event loop, as the worker's does.
      const batch = storage.group!(async () => {
        order.push('batch begins');
        await new Promise<void>((resolve) => setImmediate(resolve));
        await storage.store.upsertSlaRecord({ ...generateRows(1, 97)[0]!, key: 'B-1', project: 'B' });
        order.push('batch ends');
      });
      const rebuild = storage.store.rebuildAggregates().then((n) => {
        order.push('rebuild');
        return n;
      });
      const [, buckets] = await Promise.all([batch, rebuild]);
      expect(order).toEqual(['batch begins', 'batch ends', 'rebuild']);
      expect(buckets).toBeGreaterThan(0);
      // The rebuild counted the batch's record: the projects include B.
      expect(await storage.store.listAggregateProjects()).toContain('B');
      expect(storage.db.inTransaction).toBe(false);
    } finally {
      await storage.close();
    }
  });
});
