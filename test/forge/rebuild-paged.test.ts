/**
 * Issue #14 on Forge at 1M records: the buckets' rebuild runs in steps (one queue event each, each
 * bounded in records and SQL pages), into the table the views do not read, and switches when every
 * record is counted; a step delivered twice, late, or after a crash changes nothing or starts again,
 * never counts a page twice; writes during a rebuild reach both tables. The live records of a view
 * are bounded in rows and in bytes a row. MariaDB stands in for Forge SQL (through the real
 * @forge/sql client); skips, saying so, without it.
 */
import {
  BUCKET_ROW_BYTES,
  BUCKETS_MAX,
  ForgeStore,
  LIVE_MAX,
  LIVE_ROW_BYTES,
  RebuildingError,
  SHADOW_AGGREGATES_TABLE,
  type AggregatesState,
  type RebuildEvent,
} from '../../src/adapters/store-forge/store';
import { forgeKvs, forgeSql } from '../../src/adapters/store-forge/forge-sql';
import type { SqlRunner } from '../../src/adapters/store-forge/store';
import { AGGREGATES_TABLE } from '../../src/adapters/sql/aggregates';
import type { SlaRecordRow } from '../../src/app/ports';
import { toSlaRecord } from '../../src/app/sla-record';
import { addBuckets, bucketId, contributions, type AggRow } from '../../src/domain/aggregates';
import { parseInstant } from '../../src/domain/calendar';
import { complianceFromRows, createApi } from '../../src/app/api';
import { handleQueueBody } from '../../src/forge/consumer';
import { errorIssue, memoryDeps } from '../support/builders';
import { overrideForgeDeps, forgeDeps, REBUILD_CONCURRENCY } from '../../src/forge/deps';
import {
  installFakeForge,
  mariaDbAvailable,
  startMariaDb,
  type FakeForge,
  type MariaDb,
} from '../support/fake-jira';
import { generateRows, iso3 } from '../support/record-gen';

const available = mariaDbAvailable();
if (!available)
  console.warn(
    'SKIPPED test/forge/rebuild-paged.test.ts: MariaDB is not installed (apt-get install mariadb-server; .ci/run installs it).',
  );

const NOW = '2025-11-20T12:00:00+03:00';

const sorted = (rows: AggRow[]): AggRow[] =>
  [...rows].sort((a, b) => (bucketId(a) < bucketId(b) ? -1 : bucketId(a) > bucketId(b) ? 1 : 0));

function recount(rows: Iterable<SlaRecordRow>, zone: string): AggRow[] {
  const m = new Map<string, AggRow>();
  for (const r of rows) addBuckets(m, contributions(toSlaRecord(r), zone), 1);
  return sorted([...m.values()].filter((b) => b.n !== 0 && (b.mode === '*' || b.mode === 'standard')));
}

/** The SQL runner, counting statements and able to fail the next bucket write (a dying invocation). */
function instrumented(inner: SqlRunner) {
  const state = { statements: [] as string[], failNextAdd: false };
  const runner: SqlRunner = {
    query: (sql, params) => {
      state.statements.push(sql);
      return inner.query(sql, params);
    },
    execute: (sql, params) => {
      state.statements.push(sql);
      if (state.failNextAdd && sql.startsWith('INSERT INTO reglament_sla_aggregates')) {
        state.failNextAdd = false;
        return Promise.reject(new Error('invocation timed out'));
      }
      return inner.execute(sql, params);
    },
    migrate: (m) => inner.migrate(m),
  };
  return { runner, state };
}

(available ? describe : describe.skip)(
  'Forge: the paged rebuild and the bounded live records (MariaDB)',
  () => {
    let db: MariaDb;
    let forge: FakeForge;
    let sql: ReturnType<typeof instrumented>;
    let store: ForgeStore;
    let zone: string;
    const truth = new Map<string, SlaRecordRow>();

    const aggState = async () => (await store.aggregatesState()) as AggregatesState;
    const activeBuckets = async () => sorted(await store.listAggregates('standard'));

    /** Puts the views' buckets off by a known amount (what a rebuild must fix). */
    async function corrupt(): Promise<void> {
      const table = (await aggState()).active === 'a' ? AGGREGATES_TABLE : SHADOW_AGGREGATES_TABLE;
      await db.pool.query(`UPDATE ${table} SET n = n + 3 WHERE outcome = 'late'`);
    }

    beforeAll(async () => {
      db = (await startMariaDb())!;
      forge = installFakeForge({ jiraUrl: 'http://127.0.0.1:9', sql: db.executor });
      sql = instrumented(forgeSql);
      store = new ForgeStore(forgeKvs, sql.runner, () => parseInstant(NOW));
      zone = (await store.getSettings()).calendar.zone;
      for (const r of generateRows(300, 2025)) truth.set(r.key, r);
      const all = [...truth.values()];
      for (let i = 0; i < all.length; i += 30)
        await Promise.all(all.slice(i, i + 30).map((r) => store.upsertSlaRecord(r)));
    }, 90_000);

    afterAll(async () => {
      overrideForgeDeps({});
      forge?.uninstall();
      await db?.stop();
    });

    it('v010: the shadow buckets table, shaped as the buckets table', async () => {
      const [rows] = await db.pool.query("SELECT name FROM __migrations WHERE name LIKE 'v010%' ORDER BY id");
      expect((rows as { name: string }[]).map((m) => m.name)).toEqual(['v010_aggregates_shadow_0']);
      const [a] = await db.pool.query(`SHOW COLUMNS FROM ${AGGREGATES_TABLE}`);
      const [b] = await db.pool.query(`SHOW COLUMNS FROM ${SHADOW_AGGREGATES_TABLE}`);
      expect(b).toEqual(a);
    });

    it('steps of at most 80 records, 2 pages of 40 each; the views read the old buckets until the switch, then = a full recount', async () => {
      await corrupt();
      const before = await activeBuckets();
      expect(before).not.toEqual(recount(truth.values(), zone));
      const first = await aggState();
      let ev: RebuildEvent | null = await store.startRebuild();
      const steps: { records: number; pages: number; reads: number }[] = [];
      while (ev) {
        sql.state.statements.length = 0;
        const r = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
        const reads = sql.state.statements.filter((s) => s.includes('WHERE issue_key > ?')).length;
        steps.push({ records: r.records, pages: r.pages, reads });
        ev = r.next;
        // Between steps: the old buckets, not a half-counted table.
        if (ev) expect(await activeBuckets()).toEqual(before);
      }
      expect(steps.map((s) => s.records)).toEqual([80, 80, 80, 60]);
      expect(steps.map((s) => s.pages)).toEqual([2, 2, 2, 2]);
      expect(Math.max(...steps.map((s) => s.reads))).toBe(2);
      const after = await aggState();
      expect(after.rebuild).toBeNull();
      expect(after.active).not.toBe(first.active);
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
      // rebuildAggregates (the CLI's, the bench's): the same steps in one call, back to the first table.
      expect(await store.rebuildAggregates(undefined, { maxRecords: 80, pageSize: 40 })).toBeGreaterThan(50);
      expect((await aggState()).active).toBe(first.active);
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it('a step delivered twice or late changes nothing; the redelivery of a step whose push failed pushes it again', async () => {
      await corrupt();
      const stale = await store.startRebuild();
      const ev = await store.startRebuild(); // a second start: the first run's events are late now
      expect(await store.rebuildStep(stale, { maxRecords: 80, pageSize: 40 })).toMatchObject({
        next: null,
        records: 0,
      });
      const r1 = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
      expect(r1.records).toBe(80);
      // The push of r1.next failed: the same event delivered again answers the same next event.
      const again = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
      expect(again).toMatchObject({ next: r1.next, records: 0 });
      await store.rebuildPushed(r1.next!);
      // Pushed: a further delivery answers nothing (no second chain).
      expect(await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 })).toMatchObject({
        next: null,
        records: 0,
      });
      let next: RebuildEvent | null = r1.next;
      while (next) {
        const r = await store.rebuildStep(next, { maxRecords: 80, pageSize: 40 });
        // Each step delivered twice: the second counts nothing.
        expect((await store.rebuildStep(next, { maxRecords: 80, pageSize: 40 })).records).toBe(0);
        next = r.next;
      }
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it('a delivery that finds a page of a dead invocation unfinished starts the rebuild again, and ends exact', async () => {
      await corrupt();
      const ev = await store.startRebuild();
      const r1 = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
      sql.state.failNextAdd = true;
      await expect(store.rebuildStep(r1.next!, { maxRecords: 80, pageSize: 40 })).rejects.toThrow(
        /timed out/,
      );
      // Forge delivers the event again: the page's count in the target is unknown.
      const r2 = await store.rebuildStep(r1.next!, { maxRecords: 80, pageSize: 40 });
      expect(r2).toMatchObject({ restarted: true, records: 0 });
      expect(r2.next!.id).not.toBe(ev.id);
      expect(r2.next!.after).toBe('');
      let next: RebuildEvent | null = r2.next;
      while (next) next = (await store.rebuildStep(next, { maxRecords: 80, pageSize: 40 })).next;
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it('records written, rewritten and deleted during a rebuild, before and after its cursor, are counted once', async () => {
      await corrupt();
      let ev: RebuildEvent | null = await store.startRebuild();
      const keys = [...truth.keys()].sort();
      let round = 0;
      while (ev) {
        const r = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
        // One counted key and one not counted yet changed, one deleted, one new, per step.
        const counted = keys.filter((k) => truth.has(k) && k <= (r.next?.after ?? '\uffff'));
        const ahead = keys.filter((k) => truth.has(k) && k > (r.next?.after ?? '\uffff'));
        for (const k of [counted[round], ahead[round]].filter((x): x is string => x !== undefined)) {
          const x = truth.get(k)!;
          const y: SlaRecordRow = { ...x, doneAt: x.doneAt ? null : x.registeredAt, state: 'breached' };
          await store.upsertSlaRecord(y);
          truth.set(k, y);
        }
        const gone = counted[counted.length - 1 - round];
        if (gone) {
          await store.deleteSlaRecord(gone);
          truth.delete(gone);
        }
        const fresh = { ...truth.get(keys[0]!)!, key: `NEW-${round}`, project: 'NEW' };
        await store.upsertSlaRecord(fresh);
        truth.set(fresh.key, fresh);
        round += 1;
        ev = r.next;
      }
      expect(round).toBeGreaterThan(2);
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it('a stale table on Forge: the view says the figures are being recounted, one step is queued, the consumer finishes it', async () => {
      const queued: RebuildEvent[] = [];
      const site = new ForgeStore(forgeKvs, forgeSql, () => parseInstant(NOW), {
        queue: async (ev) => {
          queued.push(ev);
        },
      });
      const table = (await aggState()).active === 'a' ? AGGREGATES_TABLE : SHADOW_AGGREGATES_TABLE;
      await db.pool.query(`DELETE FROM ${table}`); // a site upgraded with records and no bucket
      const q = {
        mode: 'standard' as const,
        projects: [],
        range: { first: '2025-01', last: '2025-12' },
        nowMs: parseInstant(NOW),
        limit: 20,
      };
      await expect(site.dashboardParts(q)).rejects.toThrow(RebuildingError);
      expect(queued).toHaveLength(1);
      // Another view meanwhile: still not final, no second rebuild.
      const again = new ForgeStore(forgeKvs, forgeSql, () => parseInstant(NOW), {
        queue: async (ev) => {
          queued.push(ev);
        },
      });
      await expect(again.dashboardParts(q)).rejects.toMatchObject({
        code: 'unavailable',
        detail: { messageCode: 'aggregates-rebuilding', params: { n: 0 } },
      });
      expect(queued).toHaveLength(1);
      // The consumer runs the steps from the queue (the fake Forge queue), one at a time.
      overrideForgeDeps({ store: site, clock: () => parseInstant(NOW) });
      forge.queue.length = 0;
      forge.pushed.length = 0;
      await handleQueueBody(forgeDeps(), { type: 'aggregates', ...queued[0]! }, parseInstant(NOW));
      let steps = 1;
      while (forge.queue.length > 0) {
        const e = forge.queue.shift()!;
        await handleQueueBody(forgeDeps(), e.body as never, parseInstant(NOW));
        steps += 1;
      }
      expect(steps).toBe(1); // 300 records: one step of the default 50,000
      expect((await aggState()).rebuild).toBeNull();
      const parts = await new ForgeStore(forgeKvs, forgeSql, () => parseInstant(NOW)).dashboardParts(q);
      expect(parts.buckets.some((b) => b.n > 0)).toBe(true);
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it('the consumer pushes the next step with the rebuild concurrency key, and notes it pushed', async () => {
      overrideForgeDeps({ store, clock: () => parseInstant(NOW) });
      forge.queue.length = 0;
      forge.pushedEntries.length = 0;
      const ev = await store.startRebuild();
      // A step ran (80 records) and its invocation died before pushing the next event.
      const r = await store.rebuildStep(ev, { maxRecords: 80, pageSize: 40 });
      // Forge delivers the event again: the consumer pushes the next step, with the concurrency key.
      await handleQueueBody(forgeDeps(), { type: 'aggregates', ...ev }, parseInstant(NOW));
      expect(forge.pushedEntries).toEqual([
        expect.objectContaining({
          body: { type: 'aggregates', ...r.next! },
          concurrency: REBUILD_CONCURRENCY,
        }),
      ]);
      expect((await aggState()).rebuild?.pushed).toBe(true);
      // A third delivery: nothing more (no second chain of steps).
      await handleQueueBody(forgeDeps(), { type: 'aggregates', ...ev }, parseInstant(NOW));
      expect(forge.pushedEntries).toHaveLength(1);
      while (forge.queue.length > 0)
        await handleQueueBody(forgeDeps(), forge.queue.shift()!.body as never, parseInstant(NOW));
      expect((await aggState()).rebuild).toBeNull();
      expect(await activeBuckets()).toEqual(recount(truth.values(), zone));
    });

    it(`live records: at most ${LIVE_MAX} a view, each row at most ${LIVE_ROW_BYTES} bytes with every column at its longest`, async () => {
      // One agreed open record with every column the live read answers at its schema's longest.
      const long = (n: number, c = 'X') => c.repeat(n);
      const key = `${long(180, 'Z')}-123456789`;
      const worst: SlaRecordRow = {
        key,
        project: long(64, 'P'),
        kind: 'error',
        class: 'critical',
        priority: 1,
        registeredAt: '2025-11-01T10:00:00.000+03:00',
        due: '2025-11-30T10:00:00.000+03:00',
        doneAt: null,
        agreed: true,
        state: 'at-risk',
        verificationDue: '2025-12-30T10:00:00.000+03:00',
        estimateAt: '2025-12-30T10:00:00.000+03:00',
        summary: long(5000),
        verdictJson: JSON.stringify({ agreed: { due: '2025-12-15T10:00:00.000+03:00' }, notes: long(20000) }),
        updatedAt: '2025-11-01T10:00:00.000+03:00',
        customer: long(64, 'C'),
      };
      await store.upsertSlaRecord(worst);
      const timed: { sql: string; bytes: number }[] = [];
      const measuring = new ForgeStore(
        forgeKvs,
        {
          ...forgeSql,
          query: async (s, p) => {
            const rows = await forgeSql.query(s, p);
            timed.push({ sql: s, bytes: Buffer.byteLength(JSON.stringify(rows)) });
            return rows;
          },
        },
        () => parseInstant(NOW),
      );
      const live = await measuring.listLiveRecords(parseInstant(NOW), [worst.project]);
      expect(live.map((r) => r.key)).toEqual([key]);
      expect(live[0]!.verdictJson).toBe(JSON.stringify({ agreed: { due: '2025-12-15T10:00:00.000+03:00' } }));
      const bytes = timed[timed.length - 1]!.bytes;
      expect(bytes).toBeGreaterThan(400);
      expect(bytes).toBeLessThanOrEqual(LIVE_ROW_BYTES);
      expect(LIVE_MAX * LIVE_ROW_BYTES).toBeLessThanOrEqual(2 * 1024 * 1024);
      await store.deleteSlaRecord(key);

      // More open agreed records than the bound: a clear error, not figures that leave some out.
      const few = new ForgeStore(forgeKvs, forgeSql, () => parseInstant(NOW), { liveMax: 3 });
      const { customer: _none, ...plain } = worst;
      const agreed = (i: number): SlaRecordRow => ({
        ...plain,
        key: `AGR-${i}`,
        project: 'AGR',
        summary: null,
        verdictJson: JSON.stringify({ agreed: { due: iso3(Date.parse('2025-12-15T10:00:00Z')) } }),
      });
      for (let i = 0; i < 3; i++) await store.upsertSlaRecord(agreed(i));
      expect((await few.listLiveRecords(parseInstant(NOW), ['AGR'])).map((r) => r.key).sort()).toEqual([
        'AGR-0',
        'AGR-1',
        'AGR-2',
      ]);
      await store.upsertSlaRecord(agreed(3));
      await expect(few.listLiveRecords(parseInstant(NOW), ['AGR'])).rejects.toThrow(
        /live records: more than 3 open agreed records/,
      );
      for (let i = 0; i < 4; i++) await store.deleteSlaRecord(`AGR-${i}`);
    });

    it(`dashboard buckets: at most ${BUCKETS_MAX} rows a view, each at most ${BUCKET_ROW_BYTES} bytes with every column at its longest`, async () => {
      // A record of a project whose key is at the schema's longest (64); the settings' zone is
      // shorter than the column's 64 characters, so the difference is added to the measured row.
      const long = (n: number, c = 'X') => c.repeat(n);
      const project = long(64, 'Q');
      const worst: SlaRecordRow = {
        key: `${project}-1`,
        project,
        kind: 'incident',
        class: 'critical',
        priority: 1,
        registeredAt: '2025-11-01T10:00:00.000+03:00',
        due: '2025-11-03T10:00:00.000+03:00',
        doneAt: '2025-11-04T10:00:00.000+03:00',
        agreed: false,
        state: 'breached',
        verificationDue: null,
        estimateAt: null,
        summary: null,
        verdictJson: '{}',
        updatedAt: '2025-11-04T10:00:00.000+03:00',
        customer: long(64, 'C'),
      };
      await store.upsertSlaRecord(worst);
      const answers: { sql: string; rows: Record<string, unknown>[] }[] = [];
      const measuring = new ForgeStore(
        forgeKvs,
        {
          ...forgeSql,
          query: async (s, p) => {
            const rows = await forgeSql.query(s, p);
            answers.push({ sql: s, rows });
            return rows;
          },
        },
        () => parseInstant(NOW),
      );
      const q = {
        mode: 'standard' as const,
        projects: [project],
        range: { first: '2025-11', last: '2025-11' },
        nowMs: parseInstant(NOW),
        limit: 20,
      };
      await measuring.dashboardParts(q);
      const rows = answers.find((a) => a.sql.includes(AGGREGATES_TABLE))!.rows;
      // Its figures' row and its trend's row (pre-reduced in SQL).
      expect(rows.map((r) => r.part).sort()).toEqual(['f', 't']);
      const zone = String(rows[0]!.zone);
      const bytes = Math.max(...rows.map((r) => Buffer.byteLength(JSON.stringify(r)))) + (64 - zone.length);
      expect(bytes).toBeGreaterThan(200);
      expect(bytes).toBeLessThanOrEqual(BUCKET_ROW_BYTES);
      expect(BUCKETS_MAX * BUCKET_ROW_BYTES).toBeLessThanOrEqual(3.5 * 1024 * 1024);

      // More rows than the bound: a clear error naming it, not an answer Forge SQL would refuse.
      const few = new ForgeStore(forgeKvs, forgeSql, () => parseInstant(NOW), { bucketsMax: 3 });
      await expect(
        few.dashboardParts({ ...q, projects: [], range: { first: '2025-01', last: '2025-12' } }),
      ).rejects.toThrow(
        /^dashboard buckets: more than 3 rows for the months and projects of this view; Forge SQL cannot answer them in one query \(4 MiB\): choose fewer projects or a shorter period$/,
      );
      expect((await few.dashboardParts(q)).buckets).toHaveLength(1);
      await store.deleteSlaRecord(worst.key);
    });

    it('a gadget scoped by a saved filter reads the records of its issues by key, not every record of the projects', async () => {
      const counting = instrumented(forgeSql);
      const site = new ForgeStore(forgeKvs, counting.runner, () => parseInstant(NOW));
      const deps = { ...memoryDeps({ now: NOW }), store: site };
      const keys = [...truth.keys()].filter((k) => k.startsWith('OPS-')).slice(0, 5);
      for (const key of keys) deps.jira.add(errorIssue({ key, project: 'OPS' }));
      deps.jira.filters.set('10001', 'project = OPS');
      counting.state.statements.length = 0;
      const view = await createApi(deps).getCompliance({
        filterId: '10001',
        from: '2025-01-01',
        to: '2025-12-31',
      });
      expect(counting.state.statements.filter((s) => s.includes('ORDER BY issue_key LIMIT'))).toEqual([]);
      expect(counting.state.statements.filter((s) => s.includes('WHERE issue_key IN ('))).toHaveLength(1);
      const settings = await site.getSettings();
      const mine = keys.map((k) => truth.get(k)!);
      expect(view).toEqual(
        complianceFromRows(deps, settings, { from: '2025-01-01', to: '2025-12-31' }, parseInstant(NOW), mine),
      );
    });

    it('the ledger export reads the facts of a period 10 a query (keyset on the at_ms index), in the order of one unbounded read', async () => {
      const at = (i: number) => iso3(Date.parse('2025-03-01T00:00:00Z') + Math.floor(i / 3) * 60_000);
      const facts = Array.from({ length: 25 }, (_, i) => ({
        id: `fact-${String(i).padStart(2, '0')}-${i % 4}`,
        issueId: `${10000 + ((i * 7) % 5)}`,
        type: 'registered' as const,
        at: at(i),
        recordedAt: at(i),
        data: { i },
      }));
      expect(await store.appendFacts(facts)).toBe(25);
      const counting = instrumented(forgeSql);
      const site = new ForgeStore(forgeKvs, counting.runner, () => parseInstant(NOW), { factsPage: 10 });
      await site.getSlaRecord('none');
      counting.state.statements.length = 0;
      const from = Date.parse('2025-03-01T00:00:00Z');
      const to = Date.parse('2025-04-01T00:00:00Z');
      const got = await site.listFactsBetween(from, to);
      expect(counting.state.statements).toHaveLength(3);
      expect(counting.state.statements.every((s) => s.endsWith('LIMIT 10'))).toBe(true);
      const [rows] = await db.pool.query(
        'SELECT fact_json FROM reglament_ledger WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, issue_id, fact_id',
        [from, to],
      );
      expect(got.map((f) => f.id)).toEqual(
        (rows as { fact_json: string }[]).map((r) => (JSON.parse(r.fact_json) as { id: string }).id),
      );
      expect(got).toHaveLength(25);
    });

    it("the issue list for a viewer asks the buckets' projects (one row a project), not every bucket", async () => {
      const counting = instrumented(forgeSql);
      const site = new ForgeStore(forgeKvs, counting.runner, () => parseInstant(NOW));
      const deps = {
        ...memoryDeps({ now: NOW }),
        store: site,
        viewer: {
          browsableProjects: async (keys: string[]) => new Set(keys.filter((k) => k === 'OPS')),
          canBrowse: async (key: string) => key.startsWith('OPS-'),
        },
      };
      await site.getSlaRecord('none');
      counting.state.statements.length = 0;
      const page = await createApi(deps).listIssuePage({ limit: 10 });
      const onBuckets = counting.state.statements.filter((s) => /reglament_sla_aggregates/.test(s));
      expect(onBuckets).toHaveLength(2); // the staleness check once, then the projects
      expect(onBuckets[1]).toMatch(
        /^SELECT DISTINCT project_key FROM reglament_sla_aggregates(_b)? WHERE n <> 0/,
      );
      expect(page.total).toBe([...truth.values()].filter((r) => r.project === 'OPS' && !r.doneAt).length);
      expect(page.items.every((i) => i.key.startsWith('OPS-'))).toBe(true);
      expect(page.items).toHaveLength(10);
    });

    it('a view of a new process (a Forge invocation) is 3 queries, the buckets read from the active table', async () => {
      const counting = instrumented(forgeSql);
      const site = new ForgeStore(forgeKvs, counting.runner, () => parseInstant(NOW), {
        queue: async () => {
          throw new Error('no rebuild expected');
        },
      });
      await site.getSlaRecord('none');
      counting.state.statements.length = 0;
      const parts = await site.dashboardParts({
        mode: 'standard',
        projects: [],
        range: { first: '2025-01', last: '2025-12' },
        nowMs: parseInstant(NOW),
        limit: 20,
      });
      expect(counting.state.statements).toHaveLength(3);
      const active = (await aggState()).active === 'a' ? AGGREGATES_TABLE : SHADOW_AGGREGATES_TABLE;
      expect(counting.state.statements[0]).toContain(`FROM ${active} WHERE`);
      expect(parts.buckets.some((b) => b.n > 0)).toBe(true);
    });
  },
);
