/**
 * Issue #14 on Forge SQL (MariaDB stands in, through the real @forge/sql client): the compliance
 * buckets kept with every record write equal a full recount and a rebuild; the dashboard read from
 * them equals the full scan, with and without a viewer's browse check, in 3 queries counted at the
 * SQL runner; "Recompute all" reads the records of each page by key, never every record. Skips,
 * saying so, without MariaDB.
 */
import { ForgeStore } from '../../src/adapters/store-forge';
import { forgeKvs, forgeSql } from '../../src/adapters/store-forge/forge-sql';
import type { SqlRunner } from '../../src/adapters/store-forge/store';
import { complianceFromRows, createApi } from '../../src/app/api';
import { recomputeScope } from '../../src/app/issue-change';
import type { SlaRecordRow } from '../../src/app/ports';
import { toSlaRecord } from '../../src/app/sla-record';
import {
  addBuckets,
  bucketId,
  contributions,
  dependsOnNow,
  pendingBuckets,
  settledAt,
  type AggRow,
} from '../../src/domain/aggregates';
import { parseInstant } from '../../src/domain/calendar';
import { errorIssue, memoryDeps } from '../support/builders';
import {
  installFakeForge,
  mariaDbAvailable,
  startMariaDb,
  type FakeForge,
  type MariaDb,
} from '../support/fake-jira';
import { generateRows } from '../support/record-gen';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mulberry32 } = require('../../bench/mulberry32.js') as { mulberry32: (seed: number) => () => number };

const available = mariaDbAvailable();
if (!available)
  console.warn(
    'SKIPPED test/forge/aggregates-sql.test.ts: MariaDB is not installed (apt-get install mariadb-server; .ci/run installs it).',
  );

const NOW = '2025-11-20T12:00:00+03:00';

const sorted = (rows: AggRow[]): AggRow[] =>
  [...rows].sort((a, b) => (bucketId(a) < bucketId(b) ? -1 : bucketId(a) > bucketId(b) ? 1 : 0));

function recount(rows: Iterable<SlaRecordRow>, zone: string, mode: 'standard' | 'agreed'): AggRow[] {
  const m = new Map<string, AggRow>();
  for (const r of rows) addBuckets(m, contributions(toSlaRecord(r), zone), 1);
  return sorted([...m.values()].filter((b) => b.n !== 0 && (b.mode === '*' || b.mode === mode)));
}

/** The Forge SQL runner, counting the statements it runs (migrations aside). */
function counting(inner: SqlRunner): SqlRunner & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (sql, params) => {
      statements.push(sql);
      return inner.query(sql, params);
    },
    execute: (sql, params) => {
      statements.push(sql);
      return inner.execute(sql, params);
    },
    migrate: (m) => inner.migrate(m),
  };
}

(available ? describe : describe.skip)('Forge SQL aggregates (MariaDB)', () => {
  let db: MariaDb;
  let forge: FakeForge;
  let runner: ReturnType<typeof counting>;
  let store: ForgeStore;
  const truth = new Map<string, SlaRecordRow>();

  beforeAll(async () => {
    db = (await startMariaDb())!;
    forge = installFakeForge({ jiraUrl: 'http://127.0.0.1:9', sql: db.executor });
    runner = counting(forgeSql);
    store = new ForgeStore(forgeKvs, runner, () => parseInstant(NOW));
    // Writes, rewrites (closed, reopened, re-dated, agreed) and deletes; distinct keys in flight together.
    // Issue #17: two customers and records without one.
    const pool = generateRows(300, 2025).map((r, i) =>
      i % 3 === 2 ? r : { ...r, customer: i % 3 === 0 ? 'acme' : 'globex' },
    );
    const rnd = mulberry32(7);
    for (const r of pool) truth.set(r.key, r);
    for (let i = 0; i < pool.length; i += 30)
      await Promise.all(pool.slice(i, i + 30).map((r) => store.upsertSlaRecord(r)));
    const changed = pool.filter(() => rnd() < 0.4);
    for (let i = 0; i < changed.length; i += 30)
      await Promise.all(
        changed.slice(i, i + 30).map(async (r) => {
          if (rnd() < 0.15) {
            await store.deleteSlaRecord(r.key);
            truth.delete(r.key);
            return;
          }
          const x: SlaRecordRow = {
            ...r,
            doneAt: r.doneAt ? null : r.registeredAt,
            state: r.state === 'breached' ? 'met' : 'breached',
            // Some move to the other customer (their buckets with them).
            ...(rnd() < 0.2 ? { customer: r.customer === 'acme' ? 'globex' : 'acme' } : {}),
          };
          await store.upsertSlaRecord(x);
          truth.set(x.key, x);
        }),
      );
  }, 90_000);

  afterAll(async () => {
    forge?.uninstall();
    await db?.stop();
  });

  it('v004 migrations: the buckets table and the list indexes, after v005', async () => {
    const [rows] = await db.pool.query("SELECT name FROM __migrations WHERE name LIKE 'v004%' ORDER BY id");
    expect((rows as { name: string }[]).map((m) => m.name)).toEqual(
      Array.from({ length: 8 }, (_, i) => `v004_aggregates_${i}`),
    );
  });

  it('kept buckets = full recount = rebuild, for both readings of agreed deadlines', async () => {
    const zone = (await store.getSettings()).calendar.zone;
    for (const mode of ['standard', 'agreed'] as const) {
      const want = recount(truth.values(), zone, mode);
      expect(want.length).toBeGreaterThan(50);
      expect(sorted(await store.listAggregates(mode))).toEqual(want);
    }
    await store.rebuildAggregates();
    for (const mode of ['standard', 'agreed'] as const)
      expect(sorted(await store.listAggregates(mode))).toEqual(recount(truth.values(), zone, mode));
  });

  it.each([
    ['2025-01-01', '2025-12-31'],
    ['2025-11-01', '2025-11-30'],
    ['2024-10-01', '2026-05-31'],
  ])('dashboard %s … %s = the full scan, in 3 queries', async (from, to) => {
    const deps = { ...memoryDeps({ now: NOW }), store };
    const settings = await store.getSettings();
    runner.statements.length = 0;
    const view = await createApi(deps).getCompliance({ from, to });
    expect(runner.statements).toHaveLength(3);
    const oracle = complianceFromRows(deps, settings, { from, to }, parseInstant(NOW), [...truth.values()]);
    expect(oracle.errors.overall.counted).toBeGreaterThan(0);
    expect(view).toEqual(oracle);
    expect(view.breachedTotal).toBe(
      [...truth.values()].filter((r) => r.state === 'breached' && !r.doneAt).length,
    );
    expect(view.breachedTotal).toBeGreaterThan(20);
    expect(view.breached).toHaveLength(20);
  });

  it.each([
    ['2025-01-01', '2025-12-31', [] as string[], 1],
    ['2025-11-01', '2026-05-31', ['OPS', 'WEB'], 8],
  ])(
    'dashboardParts %s … %s (projects %j): the pending correction = pendingBuckets, live = dependsOnNow but settled',
    async (from, to, projects, atLeast) => {
      const zone = (await store.getSettings()).calendar.zone;
      const now = parseInstant(NOW);
      const range = { first: from.slice(0, 7), last: to.slice(0, 7) };
      const mine = [...truth.values()]
        .filter((r) => projects.length === 0 || projects.includes(r.project))
        .map(toSlaRecord);
      runner.statements.length = 0;
      const parts = await store.dashboardParts({ mode: 'standard', projects, range, nowMs: now, limit: 20 });
      expect(runner.statements).toHaveLength(3);
      // The view sums the customers in SQL (its rows grow with the projects, not the customers).
      const want = sorted(pendingBuckets(mine, now, zone, range));
      expect(want.length).toBeGreaterThan(atLeast);
      const overCustomers = new Map<string, AggRow>();
      for (const b of want) addBuckets(overCustomers, [{ ...b, customer: null }], b.n);
      expect(sorted(parts.buckets.filter((b) => b.n < 0))).toEqual(sorted([...overCustomers.values()]));
      expect(parts.buckets.every((b) => b.customer === null)).toBe(true);
      // The settled open agreed records are left out in SQL (schema v012's agreed deadline column).
      expect(mine.filter((r) => dependsOnNow(r, now) && settledAt(r, now)).length).toBeGreaterThan(0);
      expect(parts.live.map((r) => r.key).sort()).toEqual(
        mine
          .filter((r) => dependsOnNow(r, now) && !settledAt(r, now))
          .map((r) => r.key)
          .sort(),
      );
      // The same rows through listAggregates with now (its two statements).
      const listed = await store.listAggregates('standard', projects, range, false, now);
      expect(sorted(listed.filter((b) => b.n < 0))).toEqual(want);
    },
  );

  it('a viewer who may browse OPS only: figures and lists of OPS, still 3 queries', async () => {
    const deps = {
      ...memoryDeps({ now: NOW }),
      store,
      viewer: {
        browsableProjects: async (keys: string[]) => new Set(keys.filter((k) => k === 'OPS')),
        canBrowse: async (key: string) => key.startsWith('OPS-'),
      },
    };
    const settings = await store.getSettings();
    runner.statements.length = 0;
    const view = await createApi(deps).getCompliance({ from: '2025-01-01', to: '2025-12-31' });
    expect(runner.statements).toHaveLength(3);
    const ops = [...truth.values()].filter((r) => r.project === 'OPS');
    const oracle = complianceFromRows(
      deps,
      settings,
      { from: '2025-01-01', to: '2025-12-31' },
      parseInstant(NOW),
      ops,
    );
    expect(view).toEqual(oracle);
    expect(view.breached.every((i) => i.key.startsWith('OPS-'))).toBe(true);
  });

  it.each([
    ['acme', '2025-01-01', '2025-12-31'],
    ['globex', '2025-11-01', '2026-05-31'],
    ['nobody', '2025-01-01', '2025-12-31'],
  ])(
    "customer %s, %s … %s: that customer's buckets = the full scan of its records, in 3 queries",
    async (customer, from, to) => {
      const deps = { ...memoryDeps({ now: NOW }), store };
      const settings = await store.getSettings();
      const mine = [...truth.values()].filter((r) => r.customer === customer);
      runner.statements.length = 0;
      const view = await createApi(deps).getCompliance({ from, to, customer });
      expect(runner.statements).toHaveLength(3);
      // No statement reads the records of the customer one by one (the per-record path's list).
      expect(runner.statements.some((st) => /ORDER BY issue_key LIMIT 1000/.test(st))).toBe(false);
      expect(view).toEqual(complianceFromRows(deps, settings, { from, to }, parseInstant(NOW), mine));
      if (customer !== 'nobody') {
        expect(view.errors.overall.counted + view.incidents.overall.counted).toBeGreaterThan(10);
        expect(view.breachedTotal).toBe(mine.filter((r) => r.state === 'breached' && !r.doneAt).length);
      } else expect(view.errors.overall.counted).toBe(0);
    },
  );

  // A Forge invocation is a new process: its first view must not pay a separate staleness check when
  // the answer holds no bucket (a customer without records, or months without any), as it did before
  // (5 queries: buckets, check, buckets again, live, lists).
  it.each([
    ['customer without records, new process', 'nobody', '2025-01-01', '2025-12-31', true],
    ['months without records, new process', undefined, '2011-01-01', '2011-12-31', true],
    ['months without records, same process', undefined, '2011-01-01', '2011-12-31', false],
  ])('%s: a view without any bucket is still 3 queries', async (_what, customer, from, to, fresh) => {
    const site = fresh ? new ForgeStore(forgeKvs, runner, () => parseInstant(NOW)) : store;
    await site.getSlaRecord('none'); // the process's migrations and settings, outside the view
    await site.getSettings();
    const deps = { ...memoryDeps({ now: NOW }), store: site };
    runner.statements.length = 0;
    const view = await createApi(deps).getCompliance({ from, to, ...(customer ? { customer } : {}) });
    expect(runner.statements).toHaveLength(3);
    expect(view.errors.overall.counted + view.incidents.overall.counted).toBe(0);
    // The next view of the same process does not probe again.
    runner.statements.length = 0;
    await createApi(deps).getCompliance({ from: '2025-01-01', to: '2025-12-31' });
    expect(runner.statements).toHaveLength(3);
    expect(runner.statements[0]).not.toMatch(/zone <> \?/);
  });

  describe('issue security: issues under a level the viewer is not in leave figures and lists', () => {
    // A quarter of the issues are secured; the viewer is in the level of half of them.
    const all = () => [...truth.values()];
    const secured = () => all().filter((_, i) => i % 4 === 1);
    const hidden = () =>
      new Set(
        secured()
          .filter((_, i) => i % 2 === 0)
          .map((r) => r.key),
      );
    const viewer = (
      over: { securedIssues?: ((projects: string[]) => Promise<string[] | null>) | null } = {},
    ) => ({
      browsableProjects: async (keys: string[]) => new Set(keys),
      canBrowse: async (key: string) => !hidden().has(key),
      visibleIssues: async (keys: string[]) => new Set(keys.filter((k) => !hidden().has(k))),
      ...(over.securedIssues === null
        ? {}
        : {
            securedIssues:
              over.securedIssues ??
              (async (projects: string[]) =>
                secured()
                  .filter((r) => projects.includes(r.project))
                  .map((r) => r.key)),
          }),
    });
    const oracle = (
      deps: Parameters<typeof complianceFromRows>[0],
      settings: Awaited<ReturnType<ForgeStore['getSettings']>>,
      from: string,
      to: string,
    ) =>
      complianceFromRows(
        deps,
        settings,
        { from, to },
        parseInstant(NOW),
        all().filter((r) => !hidden().has(r.key)),
      );

    it.each([
      ['2025-01-01', '2025-12-31'],
      ['2025-11-01', '2026-05-31'],
    ])('%s … %s: equal to the full scan of the visible records, still 3 queries', async (from, to) => {
      expect(hidden().size).toBeGreaterThan(20);
      const deps = { ...memoryDeps({ now: NOW }), store, viewer: viewer() };
      const settings = await store.getSettings();
      runner.statements.length = 0;
      const view = await createApi(deps).getCompliance({ from, to });
      expect(runner.statements).toHaveLength(3);
      const want = oracle(deps, settings, from, to);
      expect(view).toEqual(want);
      // Not the same as counting every record: the hidden ones made a difference.
      const everything = complianceFromRows(deps, settings, { from, to }, parseInstant(NOW), all());
      expect(everything).not.toEqual(want);
      const text = JSON.stringify(view);
      for (const key of hidden()) expect(text).not.toContain(`"${key}"`);
    });

    it("one customer's view leaves them out too", async () => {
      const deps = { ...memoryDeps({ now: NOW }), store, viewer: viewer() };
      const settings = await store.getSettings();
      const from = '2025-01-01';
      const to = '2025-12-31';
      runner.statements.length = 0;
      const view = await createApi(deps).getCompliance({ from, to, customer: 'acme' });
      expect(runner.statements).toHaveLength(3);
      const mine = all().filter((r) => r.customer === 'acme' && !hidden().has(r.key));
      expect(view).toEqual(complianceFromRows(deps, settings, { from, to }, parseInstant(NOW), mine));
    });

    it('the issue list leaves them out in SQL: pages and total of visible issues only', async () => {
      const deps = { ...memoryDeps({ now: NOW }), store, viewer: viewer() };
      const api = createApi(deps);
      const keys: string[] = [];
      let cursor: string | null = null;
      let total = -1;
      do {
        const page = await api.listIssuePage({ state: 'breached', limit: 25, ...(cursor ? { cursor } : {}) });
        keys.push(...page.items.map((i) => i.key));
        total = page.total;
        cursor = page.nextCursor;
      } while (cursor);
      const want = all()
        .filter((r) => r.state === 'breached' && !r.doneAt && !hidden().has(r.key))
        .map((r) => r.key)
        .sort();
      expect(keys.sort()).toEqual(want);
      expect(total).toBe(want.length);
      expect(all().some((r) => r.state === 'breached' && !r.doneAt && hidden().has(r.key))).toBe(true);
      // The issue list's capped count on Forge SQL (session 21): the visible ones, up to the cap.
      for (const cap of [want.length - 1, want.length])
        expect(
          await api.listIssuePage({ state: 'breached', limit: 25, countUpTo: cap }).then((p) => ({
            total: p.total,
            more: p.totalAtLeast ?? false,
          })),
        ).toEqual({ total: cap, more: cap < want.length });
    });

    it.each([
      ['more secured issues than can be left out one by one', async () => null],
      ['a viewer that cannot tell which issues are secured', null],
    ] as const)(
      '%s: the per-record path, equal to the full scan of the visible records',
      async (_, securedIssues) => {
        const deps = { ...memoryDeps({ now: NOW }), store, viewer: viewer({ securedIssues }) };
        const settings = await store.getSettings();
        const view = await createApi(deps).getCompliance({ from: '2025-01-01', to: '2025-12-31' });
        expect(view).toEqual(oracle(deps, settings, '2025-01-01', '2025-12-31'));
        const page = await createApi(deps).listIssuePage({ state: 'breached', limit: 500 });
        expect(page.items.some((i) => hidden().has(i.key))).toBe(false);
        expect(page.total).toBe(
          all().filter((r) => r.state === 'breached' && !r.doneAt && !hidden().has(r.key)).length,
        );
      },
    );
  });

  it('fillAgreedDue fills the agreed deadline of rows written before v012, so the settled ones leave the live read again', async () => {
    const now = parseInstant(NOW);
    const range = { first: '2025-01', last: '2025-12' };
    const open = [...truth.values()].filter((r) => r.agreed && !r.doneAt);
    expect(open.length).toBeGreaterThan(3);
    const live = async () =>
      (await store.dashboardParts({ mode: 'standard', projects: [], range, nowMs: now, limit: 20 })).live
        .map((r) => r.key)
        .sort();
    const settled = open.filter((r) => settledAt(toSlaRecord(r), now)).map((r) => r.key);
    expect(settled.length).toBeGreaterThan(0);
    const filledLive = await live();
    const column = async () => {
      const [rows] = await db.pool.query(
        'SELECT issue_key, agreed_due_ms FROM reglament_sla_records WHERE agreed = 1 AND done_ms IS NULL',
      );
      return new Map(
        (rows as { issue_key: string; agreed_due_ms: unknown }[]).map((r) => [r.issue_key, r.agreed_due_ms]),
      );
    };
    const written = await column();
    // Rows as written before migration v012: the column empty, so every open agreed record reads live.
    await db.pool.query('UPDATE reglament_sla_records SET agreed_due_ms = NULL');
    expect(await live()).toEqual([...new Set([...filledLive, ...open.map((r) => r.key)])].sort());

    // One of them is rewritten between the fill's read and its write: its writer's value stands.
    // (The first by key: the first page's.)
    const moved = [...open].sort((a, b) => (a.key < b.key ? -1 : 1))[0]!;
    const movedDue = '2031-01-15T10:00:00.000+03:00';
    let rewritten = false;
    const query = runner.query;
    runner.query = async (sql, params) => {
      const rows = await query(sql, params);
      if (!rewritten && /agreed_due_ms IS NULL ORDER BY issue_key/.test(sql)) {
        rewritten = true;
        await store.upsertSlaRecord({
          ...moved,
          updatedAt: '2025-11-20T11:59:00+03:00',
          verdictJson: JSON.stringify({ agreed: { due: movedDue } }),
        });
      }
      return rows;
    };
    try {
      runner.statements.length = 0;
      expect(await store.fillAgreedDue(2)).toBe(1);
      // Two queries of its own (the rewrite's statements aside): the page read and one UPDATE.
      expect(runner.statements.filter((q) => /agreed_due_ms (IS NULL ORDER BY|= CASE)/.test(q))).toHaveLength(
        2,
      );
      while ((await store.fillAgreedDue(2)) > 0);
    } finally {
      runner.query = query;
    }
    expect(rewritten).toBe(true);
    const after = await column();
    expect(after.get(moved.key)).toBe(Date.parse(movedDue));
    for (const r of open) if (r !== moved) expect(after.get(r.key)).toBe(written.get(r.key));
    expect(await store.fillAgreedDue()).toBe(0);
    // The settled ones are left out again (the moved one's new agreed deadline is years ahead: live).
    expect(await live()).toEqual([...new Set([...filledLive, moved.key])].sort());
    await store.upsertSlaRecord(moved);
  });

  it('"Recompute all" reads the stored records of each page by key, not every record', async () => {
    const deps = { ...memoryDeps({ now: NOW }), store };
    await store.saveSettings({
      ...(await store.getSettings()),
      issueTypes: { incident: ['Incident'], error: ['Bug'] },
    });
    for (let i = 0; i < 3; i++) deps.jira.add(errorIssue({ key: `NEW-${i}`, project: 'NEW' }));
    const listAll = jest.spyOn(store, 'listSlaRecords');
    runner.statements.length = 0;
    const stats = await recomputeScope(deps, 'project = NEW');
    expect(stats.recordsWritten).toBe(3);
    expect(listAll).not.toHaveBeenCalled();
    const reads = runner.statements.filter((s) => /WHERE issue_key IN \(/.test(s));
    expect(reads).toHaveLength(1);
    // A second run finds the records unchanged, read by key again.
    expect((await recomputeScope(deps, 'project = NEW')).recordsWritten).toBe(0);
    for (let i = 0; i < 3; i++) {
      await store.deleteSlaRecord(`NEW-${i}`);
    }
  });
});
