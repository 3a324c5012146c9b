/**
 * Issue #14, "every view costs what it shows": the bucket rows a dashboard view reads depend on the
 * months, kinds, classes and projects it shows, not on the number of records. Ten times the records of
 * the same months, classes and projects, spread over more customers, must not make a view read more
 * rows of the bucket tables (counted by PostgreSQL's EXPLAIN ANALYZE over every statement the view
 * runs: rows returned by each scan of a bucket table plus the rows its filter removed), and the view
 * must still equal the full scan. PostgreSQL only (its plans count the rows); skipped without it.
 */
import { complianceFromRows, createApi } from '../../src/app/api';
import type { SlaRecordRow } from '../../src/app/ports';
import { placeholders, type SqlStatement } from '../../src/adapters/sql/dialect';
import { openPostgres, PostgresStore } from '../../src/adapters/store-postgres';
import { parseInstant } from '../../src/domain/calendar';
import { memoryDeps } from '../support/builders';
import { generateRows } from '../support/record-gen';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';

const NOW = '2025-11-20T12:00:00+03:00';
const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const BUCKET_TABLES = /reglament_sla_(aggregates|rollup)/;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows of the bucket tables a plan's scans read: returned plus removed by a filter, over all loops. */
function bucketRowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] && BUCKET_TABLES.test(node['Relation Name'])
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1) +
        (node['Rows Removed by Index Recheck'] ?? 0)
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + bucketRowsRead(p), 0);
}

/** The base records (two customers), and the same records nine times more under 20 customers. */
function records(): { base: SlaRecordRow[]; tenfold: SlaRecordRow[] } {
  const base = generateRows(300, 14).map((r, i) => ({ ...r, customer: i % 2 ? 'acme' : 'globex' }));
  const more = base.flatMap((r) =>
    Array.from({ length: 9 }, (_, c) => ({
      ...r,
      key: `${r.project}-${(c + 1) * 100_000 + Number(r.key.slice(r.key.indexOf('-') + 1))}`,
      summary: `${r.summary} copy ${c}`,
      customer: `customer-${c}-${r.key.length % 2}`,
    })),
  );
  return { base, tenfold: [...base, ...more] };
}

const available = postgresAvailable();
(available ? describe : describe.skip)('dashboard view on PostgreSQL: bucket rows read', () => {
  let pg: Postgres | null = null;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => pg?.stop());

  /** Loads the records into a fresh database; a view as admin and as a viewer of two projects. */
  async function views(rows: SlaRecordRow[], name: string) {
    const db = await openPostgres({ url: await pg!.database(name), max: 2 });
    try {
      const store = new PostgresStore(db, () => parseInstant(NOW));
      await store.load();
      for (const r of rows) await store.upsertSlaRecord(r);
      await db.pool.query('VACUUM ANALYZE');
      const seen: SqlStatement[] = [];
      const all = db.all.bind(db);
      db.all = (async (s: SqlStatement, on?: unknown) => {
        seen.push(s);
        return all(s, on as never);
      }) as typeof db.all;
      const read = async (viewer?: string[]) => {
        seen.length = 0;
        const deps = {
          ...memoryDeps({ now: NOW }),
          store,
          ...(viewer
            ? {
                viewer: {
                  canBrowse: async () => true,
                  browsableProjects: async (ps: string[]) => new Set(ps.filter((p) => viewer.includes(p))),
                },
              }
            : {}),
        };
        const view = await createApi(deps).getCompliance(YEAR);
        const statements = [...seen];
        let n = 0;
        for (const s of statements.filter((x) => BUCKET_TABLES.test(x.sql))) {
          const r = await db.pool.query(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${placeholders(s.sql, 'postgres')}`,
            s.params,
          );
          n += bucketRowsRead((r.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
        }
        const mine = viewer ? rows.filter((r) => viewer.includes(r.project)) : rows;
        const oracle = complianceFromRows(deps, await store.getSettings(), YEAR, parseInstant(NOW), mine);
        return { view, oracle, rows: n };
      };
      // The first read of a store checks once whether the buckets must be rebuilt (staleAggregatesSql,
      // a scan of the buckets per process, not per view): done before the views are counted.
      await read();
      return { admin: await read(), viewer: await read(['SUP', 'WEB']) };
    } finally {
      await db.close();
    }
  }

  it('ten times the records of the same months, classes and projects: the same bucket rows read', async () => {
    const { base, tenfold } = records();
    const small = await views(base, 'reglament_rows_small');
    const large = await views(tenfold, 'reglament_rows_large');
    for (const v of [small.admin, small.viewer, large.admin, large.viewer]) {
      expect(v.view).toEqual(v.oracle);
      expect(v.rows).toBeGreaterThan(0);
    }
    expect(large.admin.view.errors.overall.counted).toBe(10 * small.admin.view.errors.overall.counted);
    expect({ admin: large.admin.rows, viewer: large.viewer.rows }).toEqual({
      admin: small.admin.rows,
      viewer: small.viewer.rows,
    });
  }, 90_000);
});
