/**
 * Issue #14: compliance from the aggregates (stored buckets + the few records whose outcome depends on
 * `now`) equals compliance over every record, for both readings of agreed deadlines and any zone.
 */
import { toSlaRecord } from '../../src/app/api';
import {
  addBuckets,
  complianceFromBuckets,
  contributions,
  dependsOnNow,
  wholeMonths,
  type AggRow,
} from '../../src/domain/aggregates';
import { compliance } from '../../src/domain/compliance';
import { generateRows } from '../support/record-gen';

describe('complianceFromBuckets', () => {
  const records = generateRows(4000, 7).map(toSlaRecord);

  it.each([
    ['Europe/Moscow', 'standard', '2025-01-01', '2025-03-31', '2025-02-15T10:00:00+03:00'],
    ['Europe/Moscow', 'agreed', '2025-01-01', '2025-12-31', '2025-06-20T10:00:00+03:00'],
    ['Asia/Kolkata', 'standard', '2024-10-01', '2026-05-31', '2026-03-10T12:00:00+03:00'],
    ['America/New_York', 'agreed', '2026-02-01', '2026-02-28', '2026-02-11T00:00:00Z'],
  ] as const)('%s, %s counting, %s … %s at %s', (zone, counting, from, to, nowIso) => {
    const now = Date.parse(nowIso);
    const buckets = new Map<string, AggRow>();
    for (const r of records) addBuckets(buckets, contributions(r, zone), 1);
    const live = records.filter((r) => dependsOnNow(r, now));
    expect(live.length).toBeGreaterThan(0);
    expect(live.length).toBeLessThan(records.length);
    const period = { from, to, ...wholeMonths(from, to)! };
    for (const kind of ['error', 'incident'] as const) {
      const got = complianceFromBuckets([...buckets.values()], live, kind, period, now, 0.8, zone, counting);
      const want = compliance(records, kind, from, to, now, 0.8, zone, counting);
      expect(want.overall.counted).toBeGreaterThan(0);
      expect(got).toEqual(want);
    }
  });

  it('an upsert takes the old contribution out: buckets after changes equal a recount', () => {
    const zone = 'Europe/Moscow';
    const buckets = new Map<string, AggRow>();
    const [a, b] = [records[0]!, records[1]!];
    addBuckets(buckets, contributions(a, zone), 1);
    addBuckets(buckets, contributions(a, zone), -1);
    addBuckets(buckets, contributions(b, zone), 1);
    expect([...buckets.values()].filter((x) => x.n !== 0)).toEqual(
      contributions(b, zone).map((k) => ({ ...k, n: 1 })),
    );
  });

  it('wholeMonths: only periods from a first day to a last day', () => {
    expect(wholeMonths('2025-01-01', '2025-03-31')).toEqual({ first: '2025-01', last: '2025-03' });
    expect(wholeMonths('2024-02-01', '2024-02-29')).toEqual({ first: '2024-02', last: '2024-02' });
    expect(wholeMonths('2024-02-01', '2024-02-28')).toBeNull();
    expect(wholeMonths('2025-01-02', '2025-03-31')).toBeNull();
    expect(wholeMonths('2025-04-01', '2025-03-31')).toBeNull();
  });
});
