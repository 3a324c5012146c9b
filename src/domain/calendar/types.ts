/**
 * Working-time calendar: the configuration (data) and the compiled engine's interface.
 * Instants are epoch milliseconds (UTC); dates are 'YYYY-MM-DD' in the calendar's zone.
 */

/** 'HH:mm' start and end of one working interval, e.g. ['09:00', '13:00']. End may be '24:00'. */
export type TimeInterval = [string, string];

/** ISO weekday 1 = Monday … 7 = Sunday → working intervals of that weekday. */
export type WeekSchedule = Record<1 | 2 | 3 | 4 | 5 | 6 | 7, TimeInterval[]>;

export type DateExceptionKind =
  /** a non-working holiday */
  | 'holiday'
  /** a non-working day (transferred day off, company day off) */
  | 'day-off'
  /** a working day on a day that is normally off (a working Saturday); optional own intervals */
  | 'working-day'
  /** a working day that ends earlier (pre-holiday) by `shortDayMinutes` unless intervals are given */
  | 'short-day';

export interface DateException {
  date: string;
  kind: DateExceptionKind;
  /** Explicit working intervals for this date (overrides the weekly schedule). */
  intervals?: TimeInterval[];
  note?: string;
}

export interface CalendarConfig {
  /** IANA zone, e.g. 'Europe/Moscow'. */
  zone: string;
  /** When true every minute is working time (24/7); week and exceptions are ignored. */
  allDay?: boolean;
  week: WeekSchedule;
  /** How much earlier a shortened (pre-holiday) day ends, minutes. Default 60. */
  shortDayMinutes: number;
  /** Built-in official layer: 'ru' = the Russian production calendar (with the statutory rule beyond it). */
  production: 'ru' | 'none';
  /**
   * With the 'ru' layer: also treat the 2020–2021 days that presidential decrees declared non-working
   * (COVID-19; 24 June and 1 July 2020) as days off. Off by default: they are not part of the official
   * production calendar, whose norms ignore them.
   */
  presidentialDaysOff?: boolean;
  /** The administrator's own dates, applied on top of the production layer. */
  overrides: DateException[];
}

/** Where a year's dates come from. */
export type YearStatus =
  /** official decree, confirmed */
  | 'official'
  /** decree reported by secondary sources only (2027) */
  | 'secondary'
  /** no data: statutory rule of Labour Code art. 112 applied, not confirmed by decree */
  | 'statutory-rule'
  /** no production layer (custom calendar) */
  | 'custom';

export interface CalendarWarning {
  code: 'year-not-confirmed' | 'year-secondary-source';
  year: number;
  message: string;
}

export interface MonthNorm {
  workingDays: number;
  /** Working hours of the month (may be fractional on custom calendars). */
  hours: number;
}

/** A compiled calendar. Every method is pure; instants are epoch ms. */
export interface WorkingCalendar {
  readonly zone: string;
  /** Whole years compiled into the tables; instants outside them are a CalendarError ('out-of-range'). */
  readonly range: Readonly<{ fromYear: number; toYear: number }>;
  /** Earliest instant at which `minutes` working minutes have passed since `start`. */
  addWorkingMinutes(start: number, minutes: number): number;
  /** Working minutes in [from, to) (negative if to < from). */
  workingMinutesBetween(from: number, to: number): number;
  /** Civil Code art. 191–193: counting starts the day after `start`; ends at the close of the last working day. */
  addWorkingDays(start: number, days: number): number;
  /** Civil Code art. 192–193: same date `months` later (or the month's last day), moved to the next working day, at its close. */
  addMonths(start: number, months: number): number;
  /** End of working hours of `date` ('YYYY-MM-DD'), or of the next working day when it is not one. */
  closeOfDate(date: string): number;
  /** Instant of the start (local midnight) of `date` ('YYYY-MM-DD') in the calendar's zone. */
  startOfDate(date: string): number;
  /** Whether `date` is a working day. */
  isWorkingDate(date: string): boolean;
  /** Calendar date ('YYYY-MM-DD') of an instant in the calendar's zone. */
  dateOf(instant: number): string;
  monthNorm(year: number, month: number): MonthNorm;
  yearStatus(year: number): YearStatus;
  /** Warnings for instants whose year is not confirmed (2027 secondary, years beyond the data). */
  warningsFor(...instants: number[]): CalendarWarning[];
}

/** Thrown for inputs the engine cannot answer (outside the supported range, malformed). */
export class CalendarError extends Error {
  constructor(
    readonly code: 'out-of-range' | 'invalid-input' | 'invalid-config',
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}
