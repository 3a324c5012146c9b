/**
 * The working-time engine. `compileCalendar` turns a configuration (weekly hours, the production
 * calendar, the administrator's dates) into sorted tables of working intervals in epoch ms with
 * cumulative working time, once; every query is then one or two binary searches (O(log n)), with no
 * stepping through days or minutes and no zone arithmetic.
 *
 * Units: instants are integer epoch milliseconds; durations are WHOLE working minutes (a fractional,
 * negative, NaN or infinite duration is a `CalendarError`, never rounded). `workingMinutesBetween`
 * returns exact minutes, which are fractional only when the instants carry seconds.
 */
import { IANAZone } from 'luxon';
import { ALL_DAY_CALENDAR_CONFIG, DEFAULT_CALENDAR_CONFIG, validateCalendarConfig } from './config';
import { civilOf, dayNumber, daysInMonth, formatDate, isoWeekday, parseDate, parseTime } from './dates';
import { ruYear, ruYearStatus } from './ru-rule';
import { RU_PRODUCTION_FIRST_YEAR } from './production-ru';
import { localToEpoch } from './zone';
import {
  CalendarError,
  type CalendarConfig,
  type CalendarWarning,
  type DateException,
  type MonthNorm,
  type TimeInterval,
  type WorkingCalendar,
  type YearStatus,
} from './types';

export { ALL_DAY_CALENDAR_CONFIG, DEFAULT_CALENDAR_CONFIG };

/** Years compiled into the tables; instants outside them are a `CalendarError` ('out-of-range'). */
export interface CompileRange {
  fromYear: number;
  toYear: number;
}

/**
 * The default compiled range, 2000–2035 (about 18,000 intervals, under a megabyte): issues registered
 * years ago on a real site still get a verdict (shipped data from 2013, the statutory rule before).
 */
export const DEFAULT_COMPILE_RANGE: Readonly<CompileRange> = Object.freeze({ fromYear: 2000, toYear: 2035 });

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

/** A day's working time as flat minutes-of-day pairs: [start0, end0, start1, end1, …]. */
type DayMinutes = number[];

/** What the production layer says about a date. */
type ProductionDay =
  | { off: true }
  | { off: false; short: boolean; /** ISO weekday whose hours a working weekend takes */ like?: number };

function toMinutes(intervals: readonly TimeInterval[]): DayMinutes {
  const out: DayMinutes = [];
  for (const [s, e] of intervals) out.push(parseTime(s) as number, parseTime(e) as number);
  return out;
}

/** Removes the last `cut` working minutes of a day (a shortened pre-holiday day). */
function shorten(day: DayMinutes, cut: number): DayMinutes {
  const out = day.slice();
  let left = cut;
  for (let i = out.length - 2; i >= 0 && left > 0; i -= 2) {
    const len = (out[i + 1] as number) - (out[i] as number);
    if (len <= left) {
      left -= len;
      out.splice(i, 2);
    } else {
      out[i + 1] = (out[i + 1] as number) - left;
      left = 0;
    }
  }
  return out;
}

function productionLayer(config: CalendarConfig, range: CompileRange): Map<number, ProductionDay> {
  const layer = new Map<number, ProductionDay>();
  if (config.production !== 'ru' || config.allDay) return layer;
  for (let year = range.fromYear; year <= range.toYear; year++) {
    const y = ruYear(year);
    for (const d of [...y.holidays, ...y.extraDaysOff]) layer.set(parseDate(d) as number, { off: true });
    for (const d of y.workingWeekends) {
      const replaced = y.replaces[d];
      const like = replaced === undefined ? undefined : isoWeekday(parseDate(replaced) as number);
      layer.set(parseDate(d) as number, { off: false, short: false, like });
    }
    for (const d of y.shortDays) {
      const day = parseDate(d) as number;
      const entry = layer.get(day);
      layer.set(day, entry && !entry.off ? { ...entry, short: true } : { off: false, short: true });
    }
    if (config.presidentialDaysOff)
      for (const d of y.presidentialDaysOff ?? []) layer.set(parseDate(d) as number, { off: true });
  }
  return layer;
}

function checkRange(range: CompileRange): void {
  const { fromYear, toYear } = range;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new CalendarError(
      'invalid-input',
      `compile range must be whole years with fromYear ≤ toYear, got ${fromYear}–${toYear}`,
    );
  }
  if (fromYear < MIN_YEAR || toYear > MAX_YEAR) {
    throw new CalendarError(
      'out-of-range',
      `compile range ${fromYear}–${toYear} is outside the supported ${MIN_YEAR}–${MAX_YEAR}`,
    );
  }
}

/**
 * Compiles a calendar configuration into a `WorkingCalendar` for whole years `range` (default
 * 2000–2035). Layers, lowest first: the weekly schedule; the production calendar ('ru': shipped data
 * for 2013–2027, presidential days off of 2020–2021 when `presidentialDaysOff`, the statutory rule of Labour Code art. 112/95 for other years); `config.overrides`
 * (an override replaces whatever the production layer says about its date). A working weekend from the
 * production calendar takes the hours of the weekday it replaced (a 7-hour Saturday when that weekday
 * was a pre-holiday day); an override 'working-day' without intervals takes its own weekday's hours,
 * or the first scheduled weekday's when its own weekday has none. A short day loses its last
 * `shortDayMinutes` working minutes. With `allDay` every minute is working time and the week, the
 * production layer and the overrides are ignored.
 *
 * Zone offsets are resolved with Luxon once per day (per boundary on days with a DST change), so the
 * result is exact across DST and independent of the process time zone.
 *
 * @throws CalendarError 'invalid-config' listing every problem of the configuration, or
 *   'invalid-input'/'out-of-range' for a bad range.
 * @example
 * const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: 2024, toYear: 2030 });
 * formatInstant(cal.addWorkingMinutes(parseInstant('2026-03-06T16:30:00+03:00'), 480), cal.zone)
 * // '2026-03-10T16:30:00+03:00'
 */
export function compileCalendar(
  config: CalendarConfig = DEFAULT_CALENDAR_CONFIG,
  range: CompileRange = DEFAULT_COMPILE_RANGE,
): WorkingCalendar {
  const problems = validateCalendarConfig(config);
  if (problems.length > 0) {
    const list = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
    throw new CalendarError('invalid-config', `invalid calendar configuration: ${list}`);
  }
  checkRange(range);
  const zone = IANAZone.create(config.zone);
  const firstDay = dayNumber(range.fromYear, 1, 1);
  const dayCount = dayNumber(range.toYear + 1, 1, 1) - firstDay;

  const week: DayMinutes[] = [[]];
  for (let wd = 1; wd <= 7; wd++) week.push(toMinutes(config.week[wd as 1 | 2 | 3 | 4 | 5 | 6 | 7]));
  const firstScheduled = week.find((d) => d.length > 0) ?? [];
  const production = productionLayer(config, range);
  const overrides = new Map<number, DateException>();
  for (const o of config.overrides) overrides.set(parseDate(o.date) as number, o);
  const allDayMinutes: DayMinutes = [0, 1440];

  const planOf = (day: number): DayMinutes => {
    if (config.allDay) return allDayMinutes;
    const wd = isoWeekday(day);
    const own = week[wd] as DayMinutes;
    const o = overrides.get(day);
    if (o) {
      if (o.kind === 'holiday' || o.kind === 'day-off') return [];
      if (o.intervals) return toMinutes(o.intervals);
      const base = own.length > 0 ? own : firstScheduled;
      return o.kind === 'short-day' ? shorten(base, config.shortDayMinutes) : base;
    }
    const p = production.get(day);
    if (!p) return own;
    if (p.off) return [];
    let base = own;
    if (p.like !== undefined && own.length === 0) {
      const like = week[p.like] as DayMinutes;
      base = like.length > 0 ? like : firstScheduled;
    }
    return p.short ? shorten(base, config.shortDayMinutes) : base;
  };

  // Day boundaries (local midnights) and the apparent offset (wall clock − epoch) at each: one Luxon
  // offset lookup per day when the guess (the previous day's offset) holds, which is almost always.
  const dayStart = new Float64Array(dayCount + 1);
  const offsets = new Float64Array(dayCount + 1);
  let guess = zone.offset(Date.UTC(range.fromYear, 0, 1));
  for (let d = 0; d <= dayCount; d++) {
    const local = (firstDay + d) * MS_PER_DAY;
    const epoch = localToEpoch(zone, local, guess);
    guess = (local - epoch) / MS_PER_MINUTE;
    dayStart[d] = epoch;
    offsets[d] = guess;
  }

  const starts: number[] = [];
  const ends: number[] = [];
  const cumEnd: number[] = [];
  const dayClose = new Float64Array(dayCount).fill(NaN);
  const wcBefore = new Int32Array(dayCount + 1);
  const workDays: number[] = [];
  let total = 0;
  for (let d = 0; d < dayCount; d++) {
    const local = (firstDay + d) * MS_PER_DAY;
    const lo = dayStart[d] as number;
    const hi = dayStart[d + 1] as number;
    const off = offsets[d] as number;
    // Same offset at both midnights: no change inside the day, so every boundary shares it.
    const uniform = off === offsets[d + 1];
    const plan = planOf(firstDay + d);
    let close = NaN;
    for (let i = 0; i < plan.length; i += 2) {
      const sLocal = local + (plan[i] as number) * MS_PER_MINUTE;
      const eLocal = local + (plan[i + 1] as number) * MS_PER_MINUTE;
      let s = uniform ? sLocal - off * MS_PER_MINUTE : localToEpoch(zone, sLocal, off);
      let e = uniform ? eLocal - off * MS_PER_MINUTE : localToEpoch(zone, eLocal, off);
      if ((plan[i + 1] as number) === 1440) e = hi;
      s = Math.max(s, lo, ends.length > 0 ? (ends[ends.length - 1] as number) : lo);
      e = Math.min(e, hi);
      if (e <= s) continue;
      total += e - s;
      starts.push(s);
      ends.push(e);
      cumEnd.push(total);
      close = e;
    }
    dayClose[d] = close;
    const working = !Number.isNaN(close);
    if (working) workDays.push(d);
    wcBefore[d + 1] = (wcBefore[d] as number) + (working ? 1 : 0);
  }

  return new CompiledCalendar(
    config,
    range,
    firstDay,
    dayStart,
    dayClose,
    wcBefore,
    Int32Array.from(workDays),
    Float64Array.from(starts),
    Float64Array.from(ends),
    Float64Array.from(cumEnd),
  );
}

/** The compiled tables and the queries over them. Build it with `compileCalendar`. */
class CompiledCalendar implements WorkingCalendar {
  readonly zone: string;
  readonly range: Readonly<CompileRange>;
  /** Number of working intervals in the tables (for diagnostics and the bench). */
  readonly intervalCount: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly total: number;
  private readonly dayCount: number;

  constructor(
    private readonly config: CalendarConfig,
    range: CompileRange,
    private readonly firstDay: number,
    /** Epoch ms of each local midnight, dayCount + 1 entries. */
    private readonly dayStart: Float64Array,
    /** End of each day's working hours, NaN when the day has none. */
    private readonly dayClose: Float64Array,
    /** Number of working days before each day index, dayCount + 1 entries. */
    private readonly wcBefore: Int32Array,
    /** Indexes of the working days, ascending. */
    private readonly workDays: Int32Array,
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    /** Working ms up to the end of each interval. */
    private readonly cumEnd: Float64Array,
  ) {
    this.zone = config.zone;
    this.range = Object.freeze({ fromYear: range.fromYear, toYear: range.toYear });
    this.intervalCount = starts.length;
    this.dayCount = dayClose.length;
    this.lo = dayStart[0] as number;
    this.hi = dayStart[this.dayCount] as number;
    this.total = cumEnd.length > 0 ? (cumEnd[cumEnd.length - 1] as number) : 0;
  }

  /** Working ms from the start of the range to `t` (t already checked). */
  private cumulative(t: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || t < (starts[0] as number)) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    const end = this.ends[lo] as number;
    return (this.cumEnd[lo] as number) - (t < end ? end - t : 0);
  }

  private describeRange(): string {
    return `${this.range.fromYear}-01-01 … ${this.range.toYear}-12-31 in ${this.zone}`;
  }

  private checkInstant(t: number, name: string): void {
    if (typeof t !== 'number' || !Number.isInteger(t)) {
      throw new CalendarError(
        'invalid-input',
        `${name} must be an integer epoch-millisecond instant, got ${String(t)}`,
      );
    }
    if (t < this.lo || t > this.hi) {
      throw new CalendarError(
        'out-of-range',
        `${name} ${new Date(t).toISOString()} is outside the compiled calendar (${this.describeRange()}); compile a wider range`,
      );
    }
  }

  private checkCount(n: number, name: string, unit: string): void {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new CalendarError(
        'invalid-input',
        `${name} must be a whole, non-negative number of ${unit}, got ${String(n)}`,
      );
    }
  }

  private beyondRange(what: string): never {
    throw new CalendarError(
      'out-of-range',
      `${what} falls beyond the compiled calendar (${this.describeRange()}); compile a wider range`,
    );
  }

  /** Day index of an instant (checked to be in [lo, hi)). */
  private dayIndex(t: number, name: string): number {
    this.checkInstant(t, name);
    if (t === this.hi) this.beyondRange(`${name} ${new Date(t).toISOString()}`);
    const ds = this.dayStart;
    let lo = 0;
    let hi = this.dayCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((ds[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private dateIndex(date: string): number {
    const day = parseDate(date);
    if (day === undefined) {
      throw new CalendarError(
        'invalid-input',
        `date must be a real calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`,
      );
    }
    const d = day - this.firstDay;
    if (d < 0 || d >= this.dayCount) {
      throw new CalendarError(
        'out-of-range',
        `date ${date} is outside the compiled calendar (${this.describeRange()})`,
      );
    }
    return d;
  }

  /** Index of the first working day on or after day index d. */
  private nextWorkingDay(d: number, what: string): number {
    const k = this.wcBefore[d] as number;
    if (k >= this.workDays.length) this.beyondRange(`the next working day on or after ${what}`);
    return this.workDays[k] as number;
  }

  /**
   * Earliest instant at which `minutes` working minutes have passed since `start`; `minutes` = 0
   * returns `start` unchanged. A deadline that lands exactly on the end of an interval stays there
   * (16:30 + 90 min = 18:00, not 09:00 the next day).
   * @example cal.addWorkingMinutes(parseInstant('2026-03-06T16:30:00+03:00'), 480) // 2026-03-10T16:30+03:00
   */
  addWorkingMinutes(start: number, minutes: number): number {
    if (!(start >= this.lo && start <= this.hi) || !Number.isInteger(start))
      this.checkInstant(start, 'start');
    if (!Number.isSafeInteger(minutes) || minutes < 0) this.checkCount(minutes, 'minutes', 'working minutes');
    if (minutes === 0) return start;
    const target = this.cumulative(start) + minutes * MS_PER_MINUTE;
    if (target > this.total)
      this.beyondRange(`the deadline ${minutes} working minutes after ${new Date(start).toISOString()}`);
    const cum = this.cumEnd;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) >= target) hi = mid;
      else lo = mid + 1;
    }
    return (this.ends[lo] as number) - ((cum[lo] as number) - target);
  }

  /**
   * Working minutes in [from, to): W(to) − W(from), negative when to < from.
   * @example cal.workingMinutesBetween(parseInstant('2026-03-06T16:30:00+03:00'), parseInstant('2026-03-10T16:30:00+03:00')) // 480
   */
  workingMinutesBetween(from: number, to: number): number {
    this.checkInstant(from, 'from');
    this.checkInstant(to, 'to');
    return (this.cumulative(to) - this.cumulative(from)) / MS_PER_MINUTE;
  }

  /**
   * Civil Code art. 191–193: counting starts on the day after `start`'s date (in the calendar's zone);
   * the result is the end of the working hours of the `days`-th working day after it. `days` = 0 gives
   * the close of `start`'s own date, or of the next working day.
   * @example cal.addWorkingDays(parseInstant('2026-03-06T16:30:00+03:00'), 1) // 2026-03-10T18:00+03:00
   */
  addWorkingDays(start: number, days: number): number {
    this.checkCount(days, 'days', 'working days');
    const d0 = this.dayIndex(start, 'start');
    if (days === 0) return this.dayClose[this.nextWorkingDay(d0, this.dateOf(start))] as number;
    const k = (this.wcBefore[d0 + 1] as number) + days - 1;
    if (k >= this.workDays.length) this.beyondRange(`the ${days}th working day after ${this.dateOf(start)}`);
    return this.dayClose[this.workDays[k] as number] as number;
  }

  /**
   * Civil Code art. 192–193: the same day of the month `months` later (the month's last day when it has
   * no such day), moved to the next working day when it is not one, at the end of its working hours.
   * @example cal.addMonths(parseInstant('2025-10-31T12:00:00+03:00'), 4) // 2026-03-02T18:00+03:00 (28 Feb is a Saturday)
   */
  addMonths(start: number, months: number): number {
    this.checkCount(months, 'months', 'months');
    const d0 = this.dayIndex(start, 'start');
    const { year, month, day } = civilOf(this.firstDay + d0);
    const m0 = month - 1 + months;
    const ty = year + Math.floor(m0 / 12);
    const tm = (m0 % 12) + 1;
    const target = dayNumber(ty, tm, Math.min(day, daysInMonth(ty, tm))) - this.firstDay;
    // NaN when the year is past what Date can hold (months: 1e9): beyond the range too.
    if (!(target < this.dayCount)) this.beyondRange(`${months} months after ${this.dateOf(start)}`);
    return this.dayClose[this.nextWorkingDay(target, formatDate(this.firstDay + target))] as number;
  }

  /**
   * End of the working hours of `date`, or of the next working day when `date` is not one.
   * @example cal.closeOfDate('2026-03-08') // 2026-03-10T18:00+03:00 (8 Mar Sunday, 9 Mar moved holiday)
   */
  closeOfDate(date: string): number {
    return this.dayClose[this.nextWorkingDay(this.dateIndex(date), date)] as number;
  }

  /**
   * Start of `date` (its local midnight) as an instant.
   * @example cal.startOfDate('2026-03-10') // 2026-03-10T00:00+03:00
   */
  startOfDate(date: string): number {
    return this.dayStart[this.dateIndex(date)] as number;
  }

  /**
   * Whether `date` has working time.
   * @example cal.isWorkingDate('2025-11-01') // true (working Saturday)
   */
  isWorkingDate(date: string): boolean {
    return !Number.isNaN(this.dayClose[this.dateIndex(date)] as number);
  }

  /**
   * Calendar date of an instant in the calendar's zone.
   * @example cal.dateOf(parseInstant('2026-03-09T23:30:00Z')) // '2026-03-10' (02:30 in Moscow)
   */
  dateOf(instant: number): string {
    return formatDate(this.firstDay + this.dayIndex(instant, 'instant'));
  }

  /**
   * Working days and hours of a month, counted from the compiled calendar (overrides included).
   * @example cal.monthNorm(2026, 4) // { workingDays: 22, hours: 175 }
   */
  monthNorm(year: number, month: number): MonthNorm {
    if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
      throw new CalendarError(
        'invalid-input',
        `month must be a year and a month 1–12, got ${String(year)}-${String(month)}`,
      );
    }
    if (year < this.range.fromYear || year > this.range.toYear) {
      throw new CalendarError(
        'out-of-range',
        `${year} is outside the compiled calendar (${this.describeRange()})`,
      );
    }
    const first = dayNumber(year, month, 1) - this.firstDay;
    const last = first + daysInMonth(year, month);
    const ms =
      this.cumulative(this.dayStart[last] as number) - this.cumulative(this.dayStart[first] as number);
    return {
      workingDays: (this.wcBefore[last] as number) - (this.wcBefore[first] as number),
      hours: ms / MS_PER_HOUR,
    };
  }

  /**
   * Where a year's dates come from: 'official', 'secondary' (2027), 'statutory-rule' (years beyond the
   * shipped data), or 'custom' (no production layer, or a 24/7 calendar).
   * @example cal.yearStatus(2030) // 'statutory-rule'
   */
  yearStatus(year: number): YearStatus {
    if (this.config.production !== 'ru' || this.config.allDay) return 'custom';
    return ruYearStatus(year);
  }

  /**
   * One warning per distinct year among the instants (ascending) whose production calendar is not
   * confirmed: 'year-secondary-source' (2027) or 'year-not-confirmed' (statutory rule assumed).
   * @example cal.warningsFor(parseInstant('2030-05-06T10:00:00+03:00'))
   * // [{ code: 'year-not-confirmed', year: 2030, message: 'The 2030 production calendar is not confirmed …' }]
   */
  warningsFor(...instants: number[]): CalendarWarning[] {
    const years = new Set<number>();
    for (const t of instants) {
      this.checkInstant(t, 'instant');
      const d = t === this.hi ? this.dayCount - 1 : this.dayIndex(t, 'instant');
      years.add(civilOf(this.firstDay + d).year);
    }
    return [...years]
      .sort((a, b) => a - b)
      .flatMap((year) => {
        const w = yearWarning(year, this.yearStatus(year));
        return w ? [w] : [];
      });
  }
}

/**
 * The warning for a year of a given status, if it needs one.
 * @example yearWarning(2027, 'secondary')?.code // 'year-secondary-source'
 * @example yearWarning(2026, 'official')        // undefined
 */
export function yearWarning(year: number, status: YearStatus): CalendarWarning | undefined {
  if (status === 'secondary') {
    return {
      code: 'year-secondary-source',
      year,
      message:
        `The ${year} production calendar comes from secondary sources (a decree cited by third-party datasets) ` +
        `and is not confirmed from an official publication; its days off may change.`,
    };
  }
  if (status === 'statutory-rule' && year < RU_PRODUCTION_FIRST_YEAR) {
    return {
      code: 'year-not-confirmed',
      year,
      message:
        `The ${year} production calendar is not confirmed: it precedes the shipped data (${RU_PRODUCTION_FIRST_YEAR}–), ` +
        `so the statutory holidays of today's Labour Code art. 112 (with weekend holidays moved to the next ` +
        `working day) and art. 95 shortened days were assumed; that year's decree on transfers is not applied.`,
    };
  }
  if (status === 'statutory-rule') {
    return {
      code: 'year-not-confirmed',
      year,
      message:
        `The ${year} production calendar is not confirmed by decree: the statutory holidays of Labour Code ` +
        `art. 112 (with weekend holidays moved to the next working day) and art. 95 shortened days were assumed.`,
    };
  }
  return undefined;
}
