/**
 * Issue #15: the compliance report (getReport) from a known record set (test/support/report-records.ts),
 * counted by hand by SPEC §5.6.3 — from the memory store (every record) and from SQLite (aggregate
 * buckets, live records, listIssuePage), which must agree.
 */
import * as path from 'node:path';
import { createApi } from '../../src/app/api';
import type { ReportView } from '../../src/contract/report';
import { openDatabase, SqliteStore } from '../../src/adapters/store-sqlite';
import { parseInstant } from '../../src/domain/calendar';
import { memoryDeps } from '../support/builders';
import { REPORT_NOW, reportRows } from '../support/report-records';
import { tempDir } from '../server/helpers';

const APRIL = { from: '2026-04-01', to: '2026-04-30' };

async function memoryReport(req: Record<string, unknown>): Promise<ReportView> {
  const deps = memoryDeps({ now: REPORT_NOW });
  for (const r of reportRows()) await deps.store.upsertSlaRecord(r);
  return createApi(deps).getReport(req as never);
}

const line = (v: ReportView, kind: string, cls: string | null) =>
  v.figures.find((f) => f.kind === kind && f.class === cls);

describe('getReport: figures per class against the 80 % target', () => {
  it('April 2026: errors 11 of 16 on time overall, high 8/10 meets, medium 3/5 below, low 0/1', async () => {
    const v = await memoryReport(APRIL);
    expect(v.target).toBe(0.8);
    expect(line(v, 'error', null)).toMatchObject({
      counted: 16,
      onTime: 11,
      late: 5,
      share: 11 / 16,
      meetsTarget: false,
    });
    expect(line(v, 'error', 'high')).toMatchObject({
      counted: 10,
      onTime: 8,
      late: 2,
      share: 0.8,
      meetsTarget: true,
      budget: 0,
      waived: 1,
    });
    expect(line(v, 'error', 'medium')).toMatchObject({
      counted: 5,
      onTime: 3,
      share: 0.6,
      meetsTarget: false,
      agreed: 1,
    });
    expect(line(v, 'error', 'low')).toMatchObject({ counted: 1, onTime: 0, share: 0 });
    expect(line(v, 'incident', 'critical')).toMatchObject({
      counted: 5,
      onTime: 4,
      share: 0.8,
      meetsTarget: true,
    });
    expect(v.undated).toEqual({ errors: 1, incidents: 0 });
    // Errors: overall + five classes; incidents the same.
    expect(v.figures).toHaveLength(12);
  });

  it('agreed exceptions: 1 agreed deadline kept, 0 missed, 1 waiver', async () => {
    const v = await memoryReport(APRIL);
    expect(v.exceptions.find((e) => e.kind === 'error')).toEqual({
      kind: 'error',
      agreed: 1,
      agreedKept: 1,
      agreedMissed: 0,
      waived: 1,
    });
  });

  it('breached items: the open issues past their deadline, by deadline', async () => {
    const v = await memoryReport(APRIL);
    expect(v.breached.total).toBe(2);
    expect(v.breached.items.map((i) => i.key)).toEqual(['SUP-40', 'SUP-30']);
  });

  it('the monthly trend: March 2/2, April 11/16 errors', async () => {
    const v = await memoryReport({ from: '2026-03-01', to: '2026-04-30' });
    expect(v.trend.map((t) => [t.month, t.errors.counted, t.errors.onTime])).toEqual([
      ['2026-03', 2, 2],
      ['2026-04', 16, 11],
    ]);
  });

  it('one class: its line only, its exceptions and breached items', async () => {
    const v = await memoryReport({ ...APRIL, class: 'high' });
    expect(v.class).toBe('high');
    expect(v.customer).toBeNull();
    expect(v.figures.map((f) => [f.kind, f.class, f.counted])).toEqual([
      ['error', 'high', 10],
      ['incident', 'high', 0],
    ]);
    expect(v.exceptions[0]).toMatchObject({ waived: 1, agreed: 0 });
    expect(v.breached.total).toBe(0);
  });

  it('a project filter leaves out other projects', async () => {
    const v = await memoryReport({ ...APRIL, projects: ['OPS'] });
    expect(line(v, 'error', null)!.counted).toBe(0);
    expect(v.projects).toEqual(['OPS']);
  });

  it.each([
    [{ from: '2026-04', to: '2026-04-30' }, 'from must be a date YYYY-MM-DD, got "2026-04"'],
    [{ from: '2026-04-01', to: '2026-02-30' }, 'to must be a date YYYY-MM-DD, got "2026-02-30"'],
    [
      { from: '2026-04-01', to: '2026-03-31' },
      'to must be a date on or after from (2026-04-01), got "2026-03-31"',
    ],
    [
      { ...APRIL, class: 'urgent' },
      'class must be one of critical, high, medium, low, planned, got "urgent"',
    ],
    [{ ...APRIL, projects: 'SUP' }, 'projects must be a list of project keys, got "SUP"'],
    [{ ...APRIL, customer: 5 }, 'customer must be a name of at most 200 characters, got 5'],
  ])('bad request %j: %s', async (req, message) => {
    await expect(memoryReport(req)).rejects.toMatchObject({ code: 'invalid-request', message });
  });
});

describe('getReport from SQLite (aggregates and listIssuePage) = from every record', () => {
  it('same figures, trend, exceptions and breached list', async () => {
    const db = openDatabase({ file: path.join(tempDir('reglament-report-'), 'r.sqlite') });
    const store = new SqliteStore(db, () => parseInstant(REPORT_NOW));
    for (const r of reportRows()) await store.upsertSlaRecord(r);
    const deps = { ...memoryDeps({ now: REPORT_NOW }), store };
    const req = { from: '2026-03-01', to: '2026-04-30' };
    const sql = await createApi(deps).getReport(req);
    const mem = await memoryReport(req);
    expect(sql).toEqual(mem);
    expect(line(sql, 'error', 'high')).toMatchObject({ counted: 12, onTime: 10 });
    db.close();
  });
});

describe('getReport for one customer (issue #17)', () => {
  it("counts that customer's records only, found by id or by name, and names it on the report", async () => {
    const deps = memoryDeps({ now: REPORT_NOW });
    const settings = await deps.store.getSettings();
    await deps.store.saveSettings({
      ...settings,
      customers: { customers: [{ id: 'acme', name: 'ООО «Ромашка»', identities: [], contracts: [] }] },
    });
    // The high-class errors are Acme's: 10 counted, 8 on time (hand-counted above); the rest nobody's.
    for (const r of reportRows())
      await deps.store.upsertSlaRecord(
        r.kind === 'error' && r.class === 'high' ? { ...r, customer: 'acme' } : r,
      );
    const api = createApi(deps);
    for (const customer of ['acme', 'ООО «Ромашка»']) {
      const v = await api.getReport({ ...APRIL, customer } as never);
      expect(v.customer).toBe('ООО «Ромашка»');
      expect(line(v, 'error', null)).toMatchObject({ counted: 10, onTime: 8, share: 0.8, meetsTarget: true });
      expect(line(v, 'error', 'medium')).toMatchObject({ counted: 0 });
      expect(line(v, 'incident', null)).toMatchObject({ counted: 0 });
    }
    const all = await api.getReport(APRIL as never);
    expect(line(all, 'error', null)).toMatchObject({ counted: 16, onTime: 11 });
  });
});
