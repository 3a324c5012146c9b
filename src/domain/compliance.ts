/**
 * Compliance with the regulation's promise (SPEC §5, source §5.6.3): the share of deadlines that held
 * over a period, per class and overall, against the target (80 % by default), and how many more late
 * ones the period can absorb.
 *
 * Counting rule (peers count differently; see docs/rules.md):
 * - a record with a dated deadline is counted in the period [from, to) when its deadline falls in the
 *   period OR its clock stopped (fixed / reacted) in the period;
 * - on time = stopped on or before the deadline; late = stopped after it, or still open and the
 *   deadline already passed (`due < now`); open records not yet due are not counted;
 * - records without a dated deadline are left out and counted in `undated`;
 * - an individually agreed deadline makes the error one of the exceptions (source §5.6.3): by default it
 *   counts as late against the standard deadline (`agreedCounting: 'agreed'` counts it against the
 *   agreed date, the earlier reading); whether the agreed date was kept is tallied apart;
 * - a breach recorded in the ledger (`breached`) is late whatever the instants say now; a waived one
 *   is left out and tallied in `waived`.
 * A stop after `now` has not happened yet. The share is compared with the target exactly (the target is
 * read as a fraction, 0.8 = 4/5), so 8 of 10 meets 80 %.
 */
import { DateTime } from 'luxon';
import { parseInstant } from './calendar/instant';
import { CLASSES, type Kind, type PriorityClass } from './codes';
import type {
  AgreedCounting,
  ComplianceRow,
  ComplianceSummary,
  ComplianceTrendPoint,
  SlaRecord,
} from './compliance-types';

/** A target share as an exact fraction num/den (den ≤ 1,000,000). */
export interface Fraction {
  num: number;
  den: number;
}

/**
 * The simplest fraction equal to a target share (within 1e-12), by continued fractions, so that
 * compliance can be compared in integers.
 * @example targetFraction(0.8) // => { num: 4, den: 5 }
 * @example targetFraction(2 / 3) // => { num: 2, den: 3 }
 */
export function targetFraction(target: number): Fraction {
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) {
    throw new RangeError(`the compliance target must be a share above 0 and at most 1, got ${target}`);
  }
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = target;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    [h0, h1] = [h1, a * h1 + h0];
    [k0, k1] = [k1, a * k1 + k0];
    if (k1 > 1_000_000) return { num: h0, den: k0 };
    if (Math.abs(h1 / k1 - target) <= 1e-12 || x === a) break;
    x = 1 / (x - a);
  }
  return { num: h1, den: k1 };
}

/**
 * The largest number k ≥ 0 of further late records with onTime ÷ (counted + k) ≥ target; 0 when the
 * share is already below it.
 * @example lateBudget(9, 10, { num: 4, den: 5 }) // => 1 (9/11 = 81.8 %, 9/12 = 75 %)
 * @example lateBudget(8, 10, { num: 4, den: 5 }) // => 0 (exactly 80 %)
 */
export function lateBudget(onTime: number, counted: number, target: Fraction): number {
  const slack = onTime * target.den - target.num * counted;
  return slack <= 0 ? 0 : Math.floor(slack / target.num);
}

/** Counts of one period (overall or one class); exported for the aggregates (./aggregates.ts). */
export interface Tally {
  counted: number;
  onTime: number;
  late: number;
  agreed: number;
  agreedKept: number;
  agreedMissed: number;
  waived: number;
}

/** A record with its instants parsed once. */
export interface Prepared {
  cls: PriorityClass | null;
  due: number | null;
  done: number | null;
  registered: number | null;
  agreed: boolean;
  agreedDue: number | null;
  breached: boolean;
  waived: boolean;
}

const FAST_ISO =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `parseInstant` for the common shapes (`…T16:30[:00[.000]]` with `Z` or `±HH:mm`) without Luxon,
 * which costs ~6 µs a call (compliance parses two instants per record, many thousands of records).
 * Anything else, including out-of-range fields, goes to `parseInstant` (same result, same errors).
 * @example instantMs('2026-03-06T16:30:00+03:00') // 1772803800000
 */
export function instantMs(iso: string): number {
  const m = typeof iso === 'string' ? FAST_ISO.exec(iso) : null;
  if (m) {
    const n = (i: number): number => Number(m[i] ?? 0);
    const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
    const offset = (n(9) * 60 + n(10)) * (m[8] === '-' ? -1 : 1);
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
    const ok =
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= (DAYS[month - 1] ?? 0) + leap &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      n(9) <= 23 &&
      n(10) <= 59;
    if (ok) return Date.UTC(year, month - 1, day, hour, minute, second, n(7)) - offset * 60_000;
  }
  return parseInstant(iso);
}

/** A record's instant fields. */
type InstantField = 'doneAt' | 'due' | 'agreedDue' | 'registeredAt';

const parsedInstants = new WeakMap<SlaRecord, Partial<Record<InstantField, number | null>>>();

/**
 * One of a record's instants as epoch ms (null when absent), parsed once per record object and field
 * (session 18): a dashboard view prepares its live records for each kind, each reading and each bucket
 * they fall in, and parsing their ISO texts again each time was 1.7 of its 3.1 ms of JavaScript at 1M
 * records. Records are not changed in place (a changed record is a new object), so the memo of an
 * object stays true, and it goes with the object. A field is parsed when first asked for, as before
 * (a malformed one throws where it was read, not earlier).
 */
export function instantOf(r: SlaRecord, field: InstantField): number | null {
  let memo = parsedInstants.get(r);
  if (memo === undefined) {
    memo = {};
    parsedInstants.set(r, memo);
  }
  let ms = memo[field];
  if (ms === undefined) {
    const text = r[field];
    ms = text ? instantMs(text) : null;
    memo[field] = ms;
  }
  return ms;
}

export function prepare(
  records: readonly SlaRecord[],
  kind: Kind,
  now: number,
  counting: AgreedCounting,
): Prepared[] {
  const out: Prepared[] = [];
  for (const r of records) {
    if (r.kind !== kind) continue;
    const done = instantOf(r, 'doneAt');
    const agreed = r.agreed === true;
    const agreedDue = instantOf(r, 'agreedDue');
    const due = instantOf(r, 'due');
    out.push({
      cls: r.class,
      // The earlier reading counts an agreed error against the agreed date only.
      due: agreed && counting === 'agreed' && agreedDue !== null ? agreedDue : due,
      done: done !== null && done <= now ? done : null,
      registered: instantOf(r, 'registeredAt'),
      agreed,
      agreedDue,
      breached: r.breached === true && !(agreed && counting === 'agreed'),
      waived: r.waived === true,
    });
  }
  return out;
}

export const emptyTally = (): Tally => ({
  counted: 0,
  onTime: 0,
  late: 0,
  agreed: 0,
  agreedKept: 0,
  agreedMissed: 0,
  waived: 0,
});

/** The tallies of a period [from, to) at `now` (the counting rule of the module comment). */
export function count(
  records: readonly Prepared[],
  from: number,
  to: number,
  now: number,
  counting: AgreedCounting = 'standard',
): { overall: Tally; byClass: Record<PriorityClass, Tally>; undated: number } {
  const overall = emptyTally();
  const byClass = Object.fromEntries(CLASSES.map((c) => [c, emptyTally()])) as Record<PriorityClass, Tally>;
  let undated = 0;
  const inPeriod = (t: number | null): boolean => t !== null && t >= from && t < to;
  for (const r of records) {
    if (r.due === null) {
      const open = r.done === null && (r.registered === null || r.registered < to);
      if (inPeriod(r.done) || open) undated++;
      continue;
    }
    if (!inPeriod(r.due) && !inPeriod(r.done)) continue;
    const tallies = r.cls ? [overall, byClass[r.cls]] : [overall];
    if (r.waived) {
      for (const t of tallies) t.waived++;
      continue;
    }
    // An agreed deadline is an exception to the standard one (source §5.6.3), unless the policy
    // counts it against the agreed date.
    const exception = r.agreed && counting === 'standard';
    let onTime: boolean;
    if (r.done !== null) onTime = r.done <= r.due && !r.breached && !exception;
    else if (r.due < now || r.breached) onTime = false;
    else continue;
    let kept: boolean | null = null;
    if (r.agreed && r.agreedDue !== null) {
      if (r.done !== null) kept = r.done <= r.agreedDue;
      else if (r.agreedDue < now) kept = false;
    }
    for (const t of tallies) {
      t.counted++;
      if (onTime) t.onTime++;
      else t.late++;
      if (r.agreed) t.agreed++;
      if (kept === true) t.agreedKept++;
      if (kept === false) t.agreedMissed++;
    }
  }
  return { overall, byClass, undated };
}

export function row(t: Tally, target: Fraction): ComplianceRow {
  return {
    counted: t.counted,
    onTime: t.onTime,
    late: t.late,
    share: t.counted === 0 ? null : t.onTime / t.counted,
    meetsTarget: t.onTime * target.den >= target.num * t.counted,
    budget: lateBudget(t.onTime, t.counted, target),
    agreed: t.agreed,
    agreedKept: t.agreedKept,
    agreedMissed: t.agreedMissed,
    waived: t.waived,
  };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A period bound as epoch ms: an ISO instant as it is; a date 'YYYY-MM-DD' in `zone` as its start
 * (`from`) or, for the end, the start of the next day (the end date is included).
 * @example periodBound('2026-12-31', 'Europe/Moscow', true) // 2027-01-01T00:00:00+03:00
 */
export function periodBound(text: string, zone: string, end: boolean): number {
  if (!DATE_RE.test(text)) return parseInstant(text);
  const day = DateTime.fromISO(text, { zone });
  if (!day.isValid) throw new RangeError(`${JSON.stringify(text)} is not a date in zone ${zone}`);
  return (end ? day.plus({ days: 1 }) : day).toMillis();
}

/**
 * Compliance of one kind of record over a period at `now` (epoch ms) against `target` (a share,
 * 0.8 = 80 %). `from`/`to` are ISO instants (the period is [from, to)) or dates 'YYYY-MM-DD' read in
 * `zone` (both dates included: 2026-01-01 … 2026-12-31 is the whole year). See the module comment for
 * the counting rule.
 * @example compliance(records, 'error', '2026-01-01T00:00:00+03:00', '2027-01-01T00:00:00+03:00', now, 0.8).overall
 * // => { counted: 10, onTime: 8, late: 2, share: 0.8, meetsTarget: true, budget: 0, agreed: 0 }
 */
export function compliance(
  records: readonly SlaRecord[],
  kind: Kind,
  from: string,
  to: string,
  now: number,
  target: number,
  zone = 'Europe/Moscow',
  agreedCounting: AgreedCounting = 'standard',
): ComplianceSummary {
  const frac = targetFraction(target);
  const c = count(
    prepare(records, kind, now, agreedCounting),
    periodBound(from, zone, false),
    periodBound(to, zone, true),
    now,
    agreedCounting,
  );
  return {
    kind,
    from,
    to,
    target,
    overall: row(c.overall, frac),
    byClass: Object.fromEntries(CLASSES.map((k) => [k, row(c.byClass[k], frac)])) as Record<
      PriorityClass,
      ComplianceRow
    >,
    undated: c.undated,
  };
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Monthly compliance points (the gadget's trend): for each 'YYYY-MM', the records counted in that
 * month of the zone (from its first local midnight to the next month's), by the rule of `compliance`.
 * @example complianceTrend(records, 'error', ['2026-01', '2026-02'], 'Europe/Moscow', now, 0.8)
 * // => [{ month: '2026-01', counted: 3, onTime: 3, late: 0, share: 1, meetsTarget: true }, ...]
 */
export function complianceTrend(
  records: readonly SlaRecord[],
  kind: Kind,
  months: readonly string[],
  zone: string,
  now: number,
  target: number,
  agreedCounting: AgreedCounting = 'standard',
): ComplianceTrendPoint[] {
  const frac = targetFraction(target);
  const prepared = prepare(records, kind, now, agreedCounting);
  return months.map((month) => {
    const m = MONTH_RE.exec(month);
    if (!m) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
    const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
    if (!start.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(zone)}`);
    const c = count(prepared, start.toMillis(), start.plus({ months: 1 }).toMillis(), now, agreedCounting);
    const r = row(c.overall, frac);
    return {
      month,
      counted: r.counted,
      onTime: r.onTime,
      late: r.late,
      share: r.share,
      meetsTarget: r.meetsTarget,
    };
  });
}
