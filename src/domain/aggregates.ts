/**
 * Compliance aggregates (issue #14): the figures of the dashboard kept as counts per bucket, updated
 * with every SLA record write, so a view costs the number of buckets, not the number of records.
 *
 * A bucket groups the records that count the same way in every period of whole months of the calendar
 * zone: kind, class, project, customer (issue #17), the month of the governing deadline,
 * the month the clock stopped, the registration month (open undated records only), and the outcome as it
 * will stand once `now` has passed every instant of the record ("settled": open and dated = late,
 * agreed and open = agreed date missed). Records whose outcome still depends on `now` are of two sorts.
 * Open clocks due now or later (not agreed, breached or waived: "pending") differ from their settled
 * bucket by one late record in the month of the deadline, so SQL counts them per kind, class and month
 * and the view adds that count negated (`pendingBuckets`) — a few dozen rows however many clocks are
 * open. Open agreed records and clocks stopped after `now` ("live", `dependsOnNow`) are few; the
 * dashboard reads them itself, takes their settled contribution out of the buckets and counts them at
 * `now` by the rule of compliance.ts. The result equals `compliance()` over all records exactly
 * (test/unit/aggregates.test.ts, test/server/aggregates.test.ts compare them).
 *
 * With `agreedCounting` a policy may count an agreed error against either date, so an agreed record
 * has one bucket per reading (`standard`, `agreed`); every other record counts the same in both and
 * has one bucket with mode `*`.
 */
import { DateTime } from 'luxon';
import { CLASSES, type Kind, type PriorityClass } from './codes';
import { count, emptyTally, instantOf, prepare, row, targetFraction, type Tally } from './compliance';
import type { AgreedCounting, ComplianceRow, ComplianceSummary, SlaRecord } from './compliance-types';

export type AggMode = '*' | AgreedCounting;
export type AggOutcome = 'undated' | 'waived' | 'on-time' | 'late';

/** The grouping of one bucket. */
export interface AggKey {
  /** The calendar zone the months are in (the settings' zone when the bucket was written). */
  zone: string;
  mode: AggMode;
  kind: Kind;
  cls: PriorityClass | null;
  project: string;
  customer: string | null;
  /** 'YYYY-MM' of the deadline counted by (null: undated). */
  dueMonth: string | null;
  /** 'YYYY-MM' the clock stopped (null: open). */
  doneMonth: string | null;
  /** 'YYYY-MM' of registration, kept for open undated records only (they count until registered). */
  regMonth: string | null;
  outcome: AggOutcome;
  agreed: boolean;
  /** Agreed date kept (true), missed (false), or not tracked (null). */
  kept: boolean | null;
}

/** A bucket and how many records are in it. */
export interface AggRow extends AggKey {
  n: number;
}

/** Month starts of a zone (epoch ms, Jan 1970 … Dec 2099) and their names, computed once per zone. */
const MONTH_TABLES = new Map<string, { starts: number[]; names: string[]; index: Map<string, number> }>();
const FIRST_YEAR = 1970;
const LAST_YEAR = 2099;

function monthTable(zone: string): { starts: number[]; names: string[]; index: Map<string, number> } {
  let t = MONTH_TABLES.get(zone);
  if (!t) {
    const first = DateTime.fromObject({ year: FIRST_YEAR, month: 1, day: 1 }, { zone });
    if (!first.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(zone)}`);
    t = { starts: [], names: [], index: new Map() };
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++)
      for (let m = 1; m <= 12; m++) {
        t.starts.push(DateTime.fromObject({ year: y, month: m, day: 1 }, { zone }).toMillis());
        t.names.push(`${y}-${String(m).padStart(2, '0')}`);
      }
    t.names.forEach((name, i) => t!.index.set(name, i));
    MONTH_TABLES.set(zone, t);
  }
  return t;
}

/**
 * The 'YYYY-MM' of an instant (epoch ms) in a zone: a binary search in the zone's month starts (a
 * luxon object per value costs ~6 µs; a rebuild of 1M records asks three times per record).
 * @example monthOf(Date.parse('2026-01-31T22:00:00Z'), 'Europe/Moscow') // => '2026-02'
 */
export function monthOf(ms: number, zone: string): string {
  const { starts, names } = monthTable(zone);
  if (!(ms >= starts[0]!) || ms >= starts[starts.length - 1]! + 31 * 86_400_000) {
    const d = DateTime.fromMillis(ms, { zone });
    if (!d.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(zone)}`);
    return d.toFormat('yyyy-MM');
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return names[lo]!;
}

/** The primary key of a bucket: every grouping field, in order (fits VARCHAR(191) for keys ≤ 64). */
export function bucketId(k: AggKey): string {
  const b = (v: boolean | null): string => (v === null ? '-' : v ? '1' : '0');
  return [
    k.mode,
    k.kind,
    k.cls ?? '-',
    k.project,
    k.customer ?? '-',
    k.dueMonth ?? '-',
    k.doneMonth ?? '-',
    k.regMonth ?? '-',
    k.outcome,
    b(k.agreed),
    b(k.kept),
    k.zone,
  ].join('|');
}

/**
 * The buckets one record counts in (one, or two for an agreed record), as if `now` were past all of
 * its instants.
 * @example contributions({ key: 'E-1', kind: 'error', class: 'high', due: '2026-03-24T18:00:00+03:00', doneAt: null, project: 'SUP' }, 'Europe/Moscow')
 * // => [{ mode: '*', dueMonth: '2026-03', doneMonth: null, outcome: 'late', … }]
 */
export function contributions(
  r: SlaRecord,
  zone: string,
  customer: string | null = r.customer ?? null,
): AggKey[] {
  const modes: AggMode[] = r.agreed === true ? ['standard', 'agreed'] : ['*'];
  const month = (ms: number | null): string | null => (ms === null ? null : monthOf(ms, zone));
  const project = r.project ?? '';
  return modes.map((mode) => {
    const p = prepare([r], r.kind, Number.POSITIVE_INFINITY, mode === 'agreed' ? 'agreed' : 'standard')[0]!;
    let cls = p.cls;
    let dueMonth: string | null = null;
    let regMonth: string | null = null;
    let outcome: AggOutcome;
    let agreed = false;
    let kept: boolean | null = null;
    if (p.due === null) {
      cls = null;
      regMonth = p.done === null ? month(instantOf(r, 'registeredAt')) : null;
      outcome = 'undated';
    } else {
      dueMonth = month(p.due);
      if (p.waived) outcome = 'waived';
      else {
        const exception = p.agreed && mode === 'standard';
        outcome = p.done !== null && p.done <= p.due && !p.breached && !exception ? 'on-time' : 'late';
        agreed = p.agreed;
        kept = p.agreed && p.agreedDue !== null ? p.done !== null && p.done <= p.agreedDue : null;
      }
    }
    // One literal naming every field (see aggRowOf: no leading spread).
    const doneMonth = month(p.done);
    return {
      zone,
      mode,
      kind: r.kind,
      project,
      customer,
      cls,
      dueMonth,
      doneMonth,
      regMonth,
      outcome,
      agreed,
      kept,
    };
  });
}

/**
 * A bucket with its count, copied field by field. Not `{ ...k, n }`: on Node 20 a literal that starts
 * with a spread defines each later field by a runtime call (~1 µs a field here, 0.1 µs on Node 22;
 * bench/README.md, session 15), and buckets are made per record on the ingest path and per live record
 * in a dashboard view.
 */
export function aggRowOf(k: AggKey, n: number): AggRow {
  return {
    zone: k.zone,
    mode: k.mode,
    kind: k.kind,
    project: k.project,
    customer: k.customer,
    cls: k.cls,
    dueMonth: k.dueMonth,
    doneMonth: k.doneMonth,
    regMonth: k.regMonth,
    outcome: k.outcome,
    agreed: k.agreed,
    kept: k.kept,
    n,
  };
}

/** Buckets summed by key (n may be negative: a contribution taken out). */
export function addBuckets(into: Map<string, AggRow>, keys: readonly AggKey[], n: number): void {
  for (const k of keys) {
    const id = bucketId(k);
    const have = into.get(id);
    if (have) have.n += n;
    else into.set(id, aggRowOf(k, n));
  }
}

/**
 * Whether a record must be read live (its outcome depends on `now` in a way the buckets cannot say):
 * stopped after `now`, or open and agreed. The other open records due now or later are `pending`: their
 * whole difference from their settled bucket is one late record fewer in the month of the deadline,
 * which SQL counts for them (`pendingBuckets`, src/adapters/sql/aggregates.ts `pendingBucketsSql`).
 * Open records due later that are breached or waived count the same settled and at `now` (late, or
 * waived, in the month of the deadline), so they are neither.
 */
export function dependsOnNow(r: SlaRecord, now: number): boolean {
  const done = instantOf(r, 'doneAt');
  if (done !== null) return done > now;
  return r.agreed === true;
}

/**
 * Whether a record read live (`dependsOnNow`) already counts at `now` exactly as its buckets say: open,
 * agreed, dated, with both its deadline and its agreed deadline before `now` (late, the agreed date
 * missed, in the month of the deadline it is counted by; compliance.ts `count`). Such records need not
 * be counted again (in the bench: 177 of the 309 live records at 1M, 21 of 36 at 100k).
 */
export function settledAt(r: SlaRecord, now: number): boolean {
  if (r.doneAt || r.agreed !== true || !r.due || !r.agreedDue) return false;
  return instantOf(r, 'due')! < now && instantOf(r, 'agreedDue')! < now;
}

/**
 * An open record, not agreed, neither breached nor waived, due at `now` or later: settled it is late
 * in the month of its deadline; at `now` it does not count yet (compliance.ts `count`).
 */
export function isPending(r: SlaRecord, now: number): boolean {
  return (
    !r.doneAt &&
    r.agreed !== true &&
    r.breached !== true &&
    r.waived !== true &&
    r.due !== null &&
    instantOf(r, 'due')! >= now
  );
}

/**
 * The months of [first, last] in which a pending record's deadline can fall at `now`: deadlines in
 * [start, end), month by month (each month's end, ascending). Null when none can (the months are past).
 */
export function pendingMonths(
  range: { first: string; last: string },
  zone: string,
  now: number,
): { start: number; end: number; months: { month: string; end: number }[] } | null {
  const end = monthStart(range.last, zone, true);
  const start = Math.max(now, monthStart(range.first, zone));
  if (start >= end) return null;
  const months: { month: string; end: number }[] = [];
  for (let m: string = monthOf(start, zone); ; m = monthOf(monthStart(m, zone, true), zone)) {
    const e = monthStart(m, zone, true);
    months.push({ month: m, end: e });
    if (m >= range.last) break;
  }
  return { start, end, months };
}

/**
 * The correction of the pending records (`isPending`) that count in [first, last], as buckets with a
 * negative count: one late record fewer per record in the month of its deadline, per kind, class,
 * project and customer (summed over projects and customers with `merged`). What SQL answers for them.
 */
export function pendingBuckets(
  records: readonly SlaRecord[],
  now: number,
  zone: string,
  range: { first: string; last: string },
  merged = false,
): AggRow[] {
  const pm = pendingMonths(range, zone, now);
  const m = new Map<string, AggRow>();
  if (!pm) return [];
  for (const r of records) {
    if (!isPending(r, now)) continue;
    const due = instantOf(r, 'due')!;
    if (due < pm.start || due >= pm.end) continue;
    addBuckets(
      m,
      [
        {
          zone,
          mode: '*',
          kind: r.kind,
          cls: r.class,
          project: merged ? '' : (r.project ?? ''),
          customer: merged ? null : (r.customer ?? null),
          dueMonth: monthOf(due, zone),
          doneMonth: null,
          regMonth: null,
          outcome: 'late',
          agreed: false,
          kept: null,
        },
      ],
      -1,
    );
  }
  return [...m.values()];
}

interface Counts {
  overall: Tally;
  byClass: Record<PriorityClass, Tally>;
  undated: number;
}

const emptyCounts = (): Counts => ({
  overall: emptyTally(),
  byClass: Object.fromEntries(CLASSES.map((c) => [c, emptyTally()])) as Record<PriorityClass, Tally>,
  undated: 0,
});

/** Counts of settled buckets over the months [first, last] ('YYYY-MM', both included). */
function tallyBuckets(
  rows: Iterable<AggRow>,
  kind: Kind,
  mode: AgreedCounting,
  first: string,
  last: string,
): Counts {
  const c = emptyCounts();
  const inP = (m: string | null): boolean => m !== null && m >= first && m <= last;
  for (const b of rows) {
    if (b.kind !== kind || (b.mode !== '*' && b.mode !== mode) || b.n === 0) continue;
    if (b.outcome === 'undated') {
      if (inP(b.doneMonth) || (b.doneMonth === null && (b.regMonth === null || b.regMonth <= last)))
        c.undated += b.n;
      continue;
    }
    if (!inP(b.dueMonth) && !inP(b.doneMonth)) continue;
    const tallies = b.cls ? [c.overall, c.byClass[b.cls]] : [c.overall];
    for (const t of tallies) {
      if (b.outcome === 'waived') {
        t.waived += b.n;
        continue;
      }
      t.counted += b.n;
      if (b.outcome === 'on-time') t.onTime += b.n;
      else t.late += b.n;
      if (b.agreed) t.agreed += b.n;
      if (b.kept === true) t.agreedKept += b.n;
      if (b.kept === false) t.agreedMissed += b.n;
    }
  }
  return c;
}

function combine(a: Counts, b: Counts, sign: 1 | -1): Counts {
  const add = (x: Tally, y: Tally): Tally => {
    const out = { ...x };
    for (const k of Object.keys(out) as (keyof Tally)[]) out[k] += sign * y[k];
    return out;
  };
  return {
    overall: add(a.overall, b.overall),
    byClass: Object.fromEntries(CLASSES.map((k) => [k, add(a.byClass[k], b.byClass[k])])) as Record<
      PriorityClass,
      Tally
    >,
    undated: a.undated + sign * b.undated,
  };
}

/** The live records' own buckets (what the stored buckets hold for them), for taking them out. */
export function liveBuckets(live: readonly SlaRecord[], zone: string): Map<string, AggRow> {
  const m = new Map<string, AggRow>();
  for (const r of live) addBuckets(m, contributions(r, zone), 1);
  return m;
}

/** Start (epoch ms) of month 'YYYY-MM' in a zone, and of the month after `last`. */
export function monthStart(month: string, zone: string, after = false): number {
  // By a map of the month names (a view asks per bucket row; indexOf over 1,560 months was 0.2 ms a view).
  const { starts, index } = monthTable(zone);
  const i = index.get(month) ?? -1;
  if (i >= 0 && i + 1 < starts.length) return starts[after ? i + 1 : i]!;
  const d = DateTime.fromObject(
    { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)), day: 1 },
    { zone },
  );
  return (after ? d.plus({ months: 1 }) : d).toMillis();
}

/**
 * Compliance of whole months [first, last] from the stored buckets plus the live records (those for
 * which `dependsOnNow`): equal to `compliance(allRecords, kind, …)` over the same months when the
 * buckets include the pending records' correction (`pendingBuckets`).
 */
export function complianceFromBuckets(
  buckets: readonly AggRow[],
  live: readonly SlaRecord[],
  kind: Kind,
  period: { from: string; to: string; first: string; last: string },
  now: number,
  target: number,
  zone: string,
  counting: AgreedCounting,
  liveOwn: ReadonlyMap<string, AggRow> = liveBuckets(live, zone),
): ComplianceSummary {
  const stored = tallyBuckets(buckets, kind, counting, period.first, period.last);
  const theirs = tallyBuckets(liveOwn.values(), kind, counting, period.first, period.last);
  const atNow = count(
    prepare(live, kind, now, counting),
    monthStart(period.first, zone),
    monthStart(period.last, zone, true),
    now,
    counting,
  );
  const c = combine(combine(stored, theirs, -1), atNow, 1);
  const frac = targetFraction(target);
  return {
    kind,
    from: period.from,
    to: period.to,
    target,
    overall: row(c.overall, frac),
    byClass: Object.fromEntries(CLASSES.map((k) => [k, row(c.byClass[k], frac)])) as Record<
      PriorityClass,
      ComplianceRow
    >,
    undated: c.undated,
  };
}

/**
 * The whole months a period of dates covers, or null when it does not start on a month's first day and
 * end on a month's last day (such a period is counted from the records).
 * @example wholeMonths('2025-01-01', '2025-03-31') // => { first: '2025-01', last: '2025-03' }
 */
export function wholeMonths(from: string, to: string): { first: string; last: string } | null {
  if (!/^\d{4}-\d{2}-01$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return null;
  const [y, m] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (Number(to.slice(8, 10)) !== lastDay || to.slice(0, 7) < from.slice(0, 7)) return null;
  return { first: from.slice(0, 7), last: to.slice(0, 7) };
}

/** One month of the trend. */
export interface TrendCounts {
  counted: number;
  onTime: number;
  share: number | null;
}

/**
 * The monthly trend (counted and on time, overall) of one kind from the buckets in one pass, plus the
 * live records counted at `now`: equal to `complianceTrend` over all records.
 */
export function trendFromBuckets(
  buckets: readonly AggRow[],
  live: readonly SlaRecord[],
  kind: Kind,
  months: readonly string[],
  now: number,
  zone: string,
  counting: AgreedCounting,
  liveOwn: ReadonlyMap<string, AggRow> = liveBuckets(live, zone),
): TrendCounts[] {
  const index = new Map(months.map((m, i) => [m, i]));
  const counted = months.map(() => 0);
  const onTime = months.map(() => 0);
  const add = (rows: Iterable<AggRow>, sign: number) => {
    for (const b of rows) {
      if (b.kind !== kind || (b.mode !== '*' && b.mode !== counting) || b.n === 0) continue;
      if (b.outcome === 'undated' || b.outcome === 'waived') continue;
      const a = b.dueMonth === null ? undefined : index.get(b.dueMonth);
      const d = b.doneMonth === null ? undefined : index.get(b.doneMonth);
      for (const i of a !== undefined && d !== undefined && a !== d ? [a, d] : [a ?? d]) {
        if (i === undefined) continue;
        counted[i]! += sign * b.n;
        if (b.outcome === 'on-time') onTime[i]! += sign * b.n;
      }
    }
  };
  add(buckets, 1);
  add(liveOwn.values(), -1);
  const prepared = prepare(live, kind, now, counting);
  return months.map((month, i) => {
    const c = count(prepared, monthStart(month, zone), monthStart(month, zone, true), now, counting).overall;
    const n = counted[i]! + c.counted;
    const ok = onTime[i]! + c.onTime;
    return { counted: n, onTime: ok, share: n === 0 ? null : ok / n };
  });
}
