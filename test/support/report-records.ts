/**
 * A known record set for the report tests (issue #15), counted by hand by the rule of SPEC §5.6.3:
 * errors fixed on or before their standard deadline ÷ errors due (or fixed) in the period; waived
 * breaches and undated records left out; an agreed deadline counts as not meeting the standard one.
 *
 * April 2026 (Europe/Moscow), project SUP, now 2026-05-10:
 *   errors high     10 counted: 8 on time, 2 late            → 80 %, meets the 80 % target
 *   errors medium    5 counted: 3 on time, 1 late, 1 agreed (kept) → 60 %, below
 *   errors low       1 counted: open past its deadline (SUP-30) → 0 %
 *   errors overall  16 counted, 11 on time                     → 68.75 %; 1 waived (high), 1 undated
 *   incidents critical 5 counted: 4 on time, 1 open breached (SUP-40) → 80 %
 *   March 2026: errors high 2 counted, 2 on time (the trend's first month).
 */
import type { SlaRecordRow } from '../../src/app/ports';

export const REPORT_NOW = '2026-05-10T12:00:00+03:00';

function rec(
  key: string,
  over: Partial<SlaRecordRow> & Pick<SlaRecordRow, 'kind' | 'class' | 'due' | 'doneAt'>,
): SlaRecordRow {
  const state = over.state ?? (over.doneAt === null ? 'running' : 'met');
  return {
    key,
    project: key.slice(0, key.indexOf('-')),
    priority: null,
    registeredAt: '2026-03-01T10:00:00+03:00',
    agreed: false,
    verificationDue: null,
    estimateAt: null,
    summary: `Report sample ${key}`,
    verdictJson: '{}',
    updatedAt: '2026-03-01T10:00:00+03:00',
    ...over,
    state,
  };
}

export function reportRows(): SlaRecordRow[] {
  const rows: SlaRecordRow[] = [];
  const day = (d: number) => `2026-04-${String(d).padStart(2, '0')}T18:00:00+03:00`;
  const before = (d: number) => `2026-04-${String(d).padStart(2, '0')}T12:00:00+03:00`;
  const after = (d: number) => `2026-04-${String(d + 1).padStart(2, '0')}T12:00:00+03:00`;
  for (let i = 1; i <= 8; i++)
    rows.push(rec(`SUP-${i}`, { kind: 'error', class: 'high', due: day(i + 1), doneAt: before(i + 1) }));
  for (let i = 9; i <= 10; i++)
    rows.push(
      rec(`SUP-${i}`, {
        kind: 'error',
        class: 'high',
        due: day(i + 1),
        doneAt: after(i + 1),
        state: 'breached',
      }),
    );
  rows.push(
    rec('SUP-11', { kind: 'error', class: 'high', due: day(15), doneAt: after(15), state: 'waived' }),
  );
  for (let i = 20; i <= 22; i++)
    rows.push(rec(`SUP-${i}`, { kind: 'error', class: 'medium', due: day(i), doneAt: before(i) }));
  rows.push(
    rec('SUP-23', { kind: 'error', class: 'medium', due: day(23), doneAt: after(23), state: 'breached' }),
  );
  rows.push(
    rec('SUP-24', {
      kind: 'error',
      class: 'medium',
      due: day(10),
      doneAt: day(24),
      agreed: true,
      verdictJson: JSON.stringify({ agreed: { due: day(27) } }),
    }),
  );
  rows.push(rec('SUP-30', { kind: 'error', class: 'low', due: day(25), doneAt: null, state: 'breached' }));
  rows.push(rec('SUP-31', { kind: 'error', class: 'low', due: null, doneAt: null, state: null }));
  for (let i = 41; i <= 44; i++)
    rows.push(
      rec(`SUP-${i}`, { kind: 'incident', class: 'critical', due: day(i - 35), doneAt: before(i - 35) }),
    );
  rows.push(
    rec('SUP-40', { kind: 'incident', class: 'critical', due: day(20), doneAt: null, state: 'breached' }),
  );
  rows.push(
    rec('SUP-50', {
      kind: 'error',
      class: 'high',
      due: '2026-03-16T18:00:00+03:00',
      doneAt: '2026-03-16T12:00:00+03:00',
    }),
    rec('SUP-51', {
      kind: 'error',
      class: 'high',
      due: '2026-03-17T18:00:00+03:00',
      doneAt: '2026-03-17T12:00:00+03:00',
    }),
  );
  return rows;
}
