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
  isPending,
  monthOf,
  pendingBuckets,
  settledAt,
  trendFromBuckets,
  wholeMonths,
  type AggRow,
} from '../../src/domain/aggregates';
import { DateTime } from 'luxon';
import { compliance, complianceTrend, instantMs, instantOf } from '../../src/domain/compliance';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mulberry32 } = require('../../bench/mulberry32.js') as { mulberry32: (seed: number) => () => number };

/** 'YYYY-MM' from first to last. */
function monthsOf(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
  for (;;) {
    const name = `${y}-${String(m).padStart(2, '0')}`;
    out.push(name);
    if (name >= last) return out;
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
}
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
    // Open agreed records whose deadlines have both passed count as their buckets say: not counted again.
    const settled = records.filter((r) => dependsOnNow(r, now) && settledAt(r, now));
    const live = records.filter((r) => dependsOnNow(r, now) && !settledAt(r, now));
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.every((r) => r.agreed && !r.doneAt)).toBe(true);
    expect(live.length).toBeGreaterThan(0);
    expect(live.length).toBeLessThan(records.length);
    const period = { from, to, ...wholeMonths(from, to)! };
    // The open clocks due later are not read: their correction is a few negative buckets.
    const pending = records.filter((r) => isPending(r, now));
    const correction = pendingBuckets(records, now, zone, period);
    const merged = pendingBuckets(records, now, zone, period, true);
    expect(correction.every((b) => b.n < 0 && b.outcome === 'late' && b.doneMonth === null)).toBe(true);
    expect(merged.length).toBeLessThan(correction.length);
    expect(merged.reduce((a, b) => a + b.n, 0)).toBe(correction.reduce((a, b) => a + b.n, 0));
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((r) => live.includes(r))).toBe(false);
    // Open clocks due later that are breached or waived are in neither set: they count the same.
    expect(
      records.some((r) => !r.doneAt && r.due && Date.parse(r.due) >= now && (r.breached || r.waived)),
    ).toBe(true);
    const stored = [...buckets.values(), ...(counting === 'agreed' ? merged : correction)];
    for (const kind of ['error', 'incident'] as const) {
      const got = complianceFromBuckets(stored, live, kind, period, now, 0.8, zone, counting);
      const want = compliance(records, kind, from, to, now, 0.8, zone, counting);
      expect(want.overall.counted).toBeGreaterThan(0);
      expect(got).toEqual(want);
      const months = monthsOf(period.first, period.last);
      const trend = complianceTrend(records, kind, months, zone, now, 0.8, counting);
      expect(trendFromBuckets(stored, live, kind, months, now, zone, counting)).toEqual(
        trend.map((p) => ({ counted: p.counted, onTime: p.onTime, share: p.share })),
      );
    }
  });

  it.each(['Europe/Moscow', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'])(
    'monthOf in %s = luxon, at random instants and at every month start ± 1 ms',
    (zone) => {
      const rnd = mulberry32(3);
      const luxon = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM');
      for (let i = 0; i < 2000; i++) {
        const ms = Date.UTC(1990, 0, 1) + Math.floor(rnd() * 60 * 365 * 86_400_000);
        expect(monthOf(ms, zone)).toBe(luxon(ms));
      }
      for (let y = 2020; y <= 2030; y++)
        for (let m = 1; m <= 12; m++) {
          const start = DateTime.fromObject({ year: y, month: m, day: 1 }, { zone }).toMillis();
          for (const ms of [start - 1, start, start + 1]) expect(monthOf(ms, zone)).toBe(luxon(ms));
        }
    },
  );

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

describe('instants parsed once per record object (session 18)', () => {
  const base = {
    key: 'SUP-1',
    kind: 'incident' as const,
    class: 'high' as const,
    due: '2026-03-10T12:00:00+03:00',
    doneAt: null,
    registeredAt: '2026-03-06T16:30:00+03:00',
  };

  it('gives the instants instantMs gives, the same on every call, and null where a field is absent', () => {
    const r = { ...base, agreed: true, agreedDue: '2026-03-20T18:00:00+03:00' };
    expect(instantOf(r, 'due')).toBe(instantMs(r.due));
    expect(instantOf(r, 'agreedDue')).toBe(instantMs(r.agreedDue));
    expect(instantOf(r, 'registeredAt')).toBe(instantMs(r.registeredAt));
    expect(instantOf(r, 'doneAt')).toBeNull();
    expect(instantOf(r, 'due')).toBe(Date.parse('2026-03-10T09:00:00Z'));
    // A changed record is a new object: its own instants, not the first one's.
    const done = { ...r, doneAt: '2026-03-09T10:00:00+03:00' };
    expect(instantOf(done, 'doneAt')).toBe(Date.parse('2026-03-09T07:00:00Z'));
    expect(instantOf(r, 'doneAt')).toBeNull();
  });

  it('parses a field only when it is read: a malformed one fails where it is needed, as before', () => {
    const r = { ...base, registeredAt: 'not an instant' };
    // dependsOnNow and isPending read the stop and the deadline only.
    expect(dependsOnNow(r, Date.parse('2026-03-08T00:00:00Z'))).toBe(false);
    expect(isPending(r, Date.parse('2026-03-08T00:00:00Z'))).toBe(true);
    expect(() => instantOf(r, 'registeredAt')).toThrow(/not an instant/);
  });
});
