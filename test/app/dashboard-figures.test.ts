/**
 * Issue #14: the dashboard's figures equal `reglament batch` `compliance` on the same records, field by
 * field, per class and per month (getCompliance once dropped `registeredAt`: 592 undated errors where
 * the CLI reported 77 on the same 10k records for Q1 2025).
 */
import { createApi } from '../../src/app/api';
import type { SlaRecordRow } from '../../src/app/ports';
import { processLine } from '../../src/cli/batch';
import { memoryDeps } from '../support/builders';
import { generateRows } from '../support/record-gen';

const NOW = '2026-03-10T12:00:00+03:00';

/** The record as `reglament report` writes it for the CLI (independent of the API's own mapping). */
function cliRecord(r: SlaRecordRow): Record<string, unknown> {
  const verdict = JSON.parse(r.verdictJson) as { agreed?: { due?: string } };
  return {
    key: r.key,
    kind: r.kind,
    class: r.class,
    due: r.due,
    doneAt: r.doneAt,
    agreed: r.agreed,
    ...(r.agreed ? { agreedDue: verdict.agreed?.due ?? null } : {}),
    ...(r.state === 'breached' ? { breached: true } : {}),
    ...(r.state === 'waived' ? { waived: true } : {}),
    project: r.project,
    registeredAt: r.registeredAt,
  };
}

interface Row {
  counted: number;
  onTime: number;
  share: number | null;
}
type CliOut = { error?: unknown } & Record<'errors' | 'incidents', { undated: number; overall: Row }>;

function cli(records: Record<string, unknown>[], from: string, to: string): CliOut {
  const out = JSON.parse(
    JSON.stringify(processLine(JSON.stringify({ op: 'compliance', records, from, to, now: NOW }))),
  ) as CliOut;
  expect(out.error).toBeUndefined();
  return out;
}

const lastDay = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
};

describe('dashboard figures = reglament batch compliance', () => {
  const rows = generateRows(3000, 14);
  const records = rows.map(cliRecord);

  // 3,000 records through both paths: 20–31 s at load 11 on 2 cores; the timeout is no speed check (#14).
  it.each([
    ['2025-01-01', '2025-03-31'],
    ['2025-01-01', '2025-12-31'],
    ['2026-01-01', '2026-06-30'],
  ])(
    '%s … %s: overall, per class, undated, per month',
    async (from, to) => {
      const deps = memoryDeps({ now: NOW });
      for (const r of rows) await deps.store.upsertSlaRecord(r);
      const view = await createApi(deps).getCompliance({ from, to });
      const expected = cli(records, from, to);
      expect(expected.errors.undated).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(view.errors))).toEqual(expected.errors);
      expect(JSON.parse(JSON.stringify(view.incidents))).toEqual(expected.incidents);
      expect(view.trend.length).toBeGreaterThan(2);
      for (const point of view.trend) {
        const m = cli(records, `${point.month}-01`, lastDay(point.month));
        expect({ month: point.month, ...point.errors }).toEqual({
          month: point.month,
          counted: m.errors.overall.counted,
          onTime: m.errors.overall.onTime,
          share: m.errors.overall.share,
        });
        expect({ month: point.month, ...point.incidents }).toEqual({
          month: point.month,
          counted: m.incidents.overall.counted,
          onTime: m.incidents.overall.onTime,
          share: m.incidents.overall.share,
        });
      }
    },
    90_000,
  );
});
