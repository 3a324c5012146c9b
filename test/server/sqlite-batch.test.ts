/**
 * The worker's batch on SQLite (issue #14): one transaction per claimed batch of generic events, in
 * few statements per event, and all-or-nothing per event inside it.
 *
 * - 40 new events take at most 11.4 statements each (it was 17.9: one insert per ledger fact, two
 *   savepoints per event from nested transactions, one settle UPDATE per event; then 13.25 with the
 *   buckets' and the rollup's upserts once per event: since session 17 the batch's bucket changes
 *   are summed and written once, at its end), and one commit: the claim is part of the batch's
 *   transaction (it was a commit of its own).
 * - An event that fails in the middle of its work (after its mark, facts and ticket were written)
 *   leaves none of them behind and is retried; the other events of the batch are kept whole. One
 *   that fails after its SLA record was written leaves no bucket change behind either.
 */
import Database from 'better-sqlite3';
import type { Snapshot } from '../../src/domain/snapshot';
import type { SlaRecordRow } from '../../src/app/ports';
import { config, example1, service, signedGeneric, tempDir, type TestService } from './helpers';

const NOW = Date.parse('2026-03-12T09:00:00Z');

/**
 * Counts the SQLite statements run while `fn` runs (prepared `run`/`get`/`all`/`iterate`, and `exec`),
 * and the COMMITs among them.
 */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number; commits: number }> {
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  const names = ['run', 'get', 'all', 'iterate'] as const;
  const originals = names.map((n) => Statement[n] as (...a: unknown[]) => unknown);
  const exec = Database.prototype.exec;
  let statements = 0;
  let commits = 0;
  names.forEach((n, i) => {
    Statement[n] = function countedStatement(this: { source: string }, ...args: unknown[]) {
      statements += 1;
      if (/^\s*COMMIT/i.test(this.source)) commits += 1;
      return originals[i]!.apply(this, args);
    };
  });
  Database.prototype.exec = function countedExec(this: Database.Database, sql: string) {
    statements += 1;
    if (/^\s*COMMIT/i.test(sql)) commits += 1;
    return exec.call(this, sql);
  };
  try {
    const result = await fn();
    return { result, statements, commits };
  } finally {
    names.forEach((n, i) => (Statement[n] = originals[i]));
    Database.prototype.exec = exec;
  }
}

const snapshots = (n: number, from: number): Snapshot[] =>
  Array.from({ length: n }, (_, i) =>
    example1({
      key: `SUP-${from + i}`,
      kind: i % 3 === 0 ? 'error' : 'incident',
      ...(i % 3 === 0
        ? {
            workaround: 'none',
            versions: [{ name: '5.2', releaseDate: '2026-06-15', released: false }],
            nature: undefined,
          }
        : {}),
      impact: (['high', 'medium', 'low'] as const)[i % 3],
      updatedAt: '2026-03-06T13:30:00Z',
    } as Partial<Snapshot>),
  );

describe('the worker batch on SQLite', () => {
  let svc: TestService;
  let clock = NOW;

  beforeEach(async () => {
    clock = NOW;
    svc = await service(tempDir(), { inbox: { ...config('.').inbox, batch: 100 } }, { now: () => clock });
  });
  afterEach(async () => {
    await svc?.close();
  });

  const deliver = async (list: Snapshot[]) => {
    for (const s of list)
      expect((await svc.inject(signedGeneric(s, {}, undefined, clock))).statusCode).toBe(200);
  };

  it('processes 40 new events in one batch, one commit (claim included), at most 11.4 statements per event (the buckets written once a batch)', async () => {
    await deliver(snapshots(40, 200));
    const { result, statements, commits } = await counted(() => svc.worker.runOnce());
    expect(result).toBe(40);
    expect(commits).toBe(1);
    console.info(
      `sqlite-batch: 40 new events, ${statements} statements (${(statements / 40).toFixed(2)} per event)`,
    );
    expect(statements).toBeLessThanOrEqual(11.4 * 40);
    expect(svc.inbox.counts()).toMatchObject({ done: 40, pending: 0, processing: 0 });
    expect((await svc.store.listSlaRecords({})).length).toBe(40);
    for (let i = 0; i < 40; i++)
      expect((await svc.store.listFacts!(`SUP-${200 + i}`)).length).toBeGreaterThan(0);
  });

  it('an event failing mid-way leaves none of its writes; the others of the batch are kept', async () => {
    await deliver(snapshots(3, 300));
    const upsert = svc.store.upsertSlaRecord.bind(svc.store);
    svc.store.upsertSlaRecord = async (row: SlaRecordRow) => {
      if (row.key === 'SUP-301') throw new Error('disk trouble while writing SUP-301');
      return upsert(row);
    };
    expect(await svc.worker.runOnce()).toBe(3);

    // The failed event: nothing of it (its mark, facts and ticket were written before the failure).
    expect(await svc.store.getIssueMark!('SUP-301')).toBeNull();
    expect(await svc.store.listFacts!('SUP-301')).toEqual([]);
    expect(await svc.tickets.shownOf('SUP-301')).toBeNull();
    expect(await svc.store.getSlaRecord('SUP-301')).toBeNull();
    const failed = svc.inbox.list('pending', 10);
    expect(failed.map((e) => [e.subject, e.attempts, e.lastError])).toEqual([
      ['SUP-301', 1, 'disk trouble while writing SUP-301'],
    ]);

    // The others: whole.
    for (const key of ['SUP-300', 'SUP-302']) {
      expect(await svc.store.getSlaRecord(key)).not.toBeNull();
      expect((await svc.store.listFacts!(key)).length).toBeGreaterThan(0);
      expect(await svc.store.getIssueMark!(key)).toMatchObject({ key });
    }
    expect(svc.inbox.counts()).toMatchObject({ done: 2, pending: 1 });

    // The retry writes it whole, and the buckets equal a full recount.
    svc.store.upsertSlaRecord = upsert;
    clock += 120_000;
    expect(await svc.worker.drain()).toBe(1);
    expect(await svc.store.listFacts!('SUP-301')).not.toEqual([]);
    expect(await svc.store.getSlaRecord('SUP-301')).not.toBeNull();
    const kept = (await svc.store.listAggregates('standard'))
      .filter((b) => b.n !== 0)
      .map((b) => JSON.stringify(b));
    await svc.store.rebuildAggregates();
    const recount = (await svc.store.listAggregates('standard'))
      .filter((b) => b.n !== 0)
      .map((b) => JSON.stringify(b));
    expect(kept.sort()).toEqual(recount.sort());
  });

  /** The batch's buckets (both readings) as sorted texts, and the same after a full recount. */
  const bucketsAndRecount = async (): Promise<{ kept: string[]; recount: string[] }> => {
    const read = async () =>
      (await Promise.all((['standard', 'agreed'] as const).map((m) => svc.store.listAggregates(m))))
        .flat()
        .filter((b) => b.n !== 0)
        .map((b) => JSON.stringify(b))
        .sort();
    const kept = await read();
    await svc.store.rebuildAggregates();
    return { kept, recount: await read() };
  };

  it('an event failing after its SLA record was written leaves no bucket change; the batch’s buckets equal a recount', async () => {
    await deliver(snapshots(6, 400));
    const upsert = svc.store.upsertSlaRecord.bind(svc.store);
    svc.store.upsertSlaRecord = async (row: SlaRecordRow) => {
      await upsert(row);
      if (row.key === 'SUP-403') throw new Error('disk trouble after writing SUP-403');
    };
    expect(await svc.worker.runOnce()).toBe(6);
    expect(await svc.store.getSlaRecord('SUP-403')).toBeNull();
    expect((await svc.store.listSlaRecords({})).length).toBe(5);
    // Had the failed unit's bucket changes been written with the batch's, SUP-403 would count here.
    const { kept, recount } = await bucketsAndRecount();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(recount);
  });

  it('a batch that rewrites its records (a second snapshot of each) keeps the buckets equal to a recount', async () => {
    await deliver(snapshots(9, 500));
    expect(await svc.worker.runOnce()).toBe(9);
    const first = await bucketsAndRecount();
    expect(first.kept).toEqual(first.recount);
    // The same issues resolved later: each record leaves its open buckets for closed ones.
    clock += 3_600_000;
    await deliver(
      snapshots(9, 500).map((s, i) =>
        Object.assign({}, s, {
          updatedAt: '2026-03-12T10:00:00Z',
          ...(i % 2 === 0 ? { resolvedAt: '2026-03-12T09:30:00Z' } : { impact: 'low' as const }),
        }),
      ),
    );
    expect(await svc.worker.runOnce()).toBe(9);
    const { kept, recount } = await bucketsAndRecount();
    expect(kept).toEqual(recount);
    expect((await svc.store.listSlaRecords({})).filter((r) => r.doneAt !== null).length).toBeGreaterThan(0);
  });

  /**
   * Session 20: the claim inside the batch's transaction reads its rows and writes no lease (the
   * transaction holds SQLite's one write lock, so no other connection can claim them meanwhile); the
   * settle writes each row once. It wrote each twice: the claim's UPDATE, then the settle's.
   */
  it('the batch’s claim writes nothing: each event’s inbox row is written once, by the settle', async () => {
    await deliver(snapshots(12, 600));
    const updates: string[] = [];
    const prepare = svc.storage.db.prepare.bind(svc.storage.db);
    svc.storage.db.prepare = ((sql: string) => {
      const st = prepare(sql);
      if (!/^UPDATE reglament_inbox/.test(sql)) return st;
      const runIt = st.run.bind(st);
      st.run = ((...params: unknown[]) => {
        updates.push(sql.slice(0, 60));
        return runIt(...params);
      }) as typeof st.run;
      return st;
    }) as typeof svc.storage.db.prepare;
    expect(await svc.worker.runOnce()).toBe(12);
    expect(updates).toEqual([expect.stringMatching(/SET status = 'done'/)]);
    expect(svc.inbox.counts()).toMatchObject({ done: 12, pending: 0, processing: 0 });
    expect(svc.inbox.list('done', 20).every((e) => e.claimedBy === svc.worker.id)).toBe(true);
  });

  it('a batch that fails as a whole gives its events back untouched; the next runs them one by one and counts the failure', async () => {
    await deliver(snapshots(3, 700));
    const settle = svc.inbox.settle.bind(svc.inbox);
    let failures = 1;
    svc.inbox.settle = ((...args: Parameters<typeof settle>) => {
      if (failures-- > 0) throw new Error('disk full while settling');
      return settle(...args);
    }) as typeof settle;
    await expect(svc.worker.runOnce()).rejects.toThrow('disk full while settling');
    // Rolled back: nothing of the batch, no attempt counted, no lease left behind.
    expect(svc.inbox.list('pending', 10).map((e) => [e.subject, e.attempts, e.claimedBy])).toEqual([
      ['SUP-700', 0, null],
      ['SUP-701', 0, null],
      ['SUP-702', 0, null],
    ]);
    expect(await svc.store.getSlaRecord('SUP-700')).toBeNull();
    // The next batch runs outside the group (each event committed on its own) and succeeds.
    expect(await svc.worker.runOnce()).toBe(3);
    expect(svc.inbox.counts()).toMatchObject({ done: 3, pending: 0, processing: 0 });
    expect(await svc.store.getSlaRecord('SUP-701')).not.toBeNull();
  });

  it('an event of another source claimed in the batch gets its lease before the commit and is run after it', async () => {
    await deliver(snapshots(2, 800));
    // An event no handler knows: it cannot run in the generic group.
    await svc.inbox.enqueueBatch(
      [{ key: 'other:1', source: 'nobody', type: 'thing', subject: 'X-1', payload: '{}' }],
      clock,
    );
    const leased: string[] = [];
    const lease = svc.inbox.lease.bind(svc.inbox);
    svc.inbox.lease = ((keys, ...rest) => {
      leased.push(...keys);
      // Written inside the batch's transaction, before its commit.
      expect(svc.storage.db.inTransaction).toBe(true);
      return lease(keys, ...rest);
    }) as typeof lease;
    expect(await svc.worker.runOnce()).toBe(3);
    // A mixed batch runs outside the group, every event of it leased first.
    expect(leased).toHaveLength(3);
    expect(leased).toContain('other:1');
    // Run after the commit: the generic events done, the other one settled by its own outcome.
    const other = svc.inbox.get('other:1')!;
    expect(other.status).not.toBe('processing');
    expect(other.attempts).toBe(1);
    expect(svc.inbox.counts().processing).toBe(0);
    expect(await svc.store.getSlaRecord('SUP-800')).not.toBeNull();
  });
});
