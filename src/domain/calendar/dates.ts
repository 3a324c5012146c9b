/**
 * Civil-date helpers with no time zone: a date is a day number (days since 1970-01-01 in the proleptic
 * Gregorian calendar) or a 'YYYY-MM-DD' string; a time of day is minutes since midnight.
 */

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** Fields of a civil date. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Day number (days since 1970-01-01) of a civil date.
 * @example dayNumber(2026, 3, 10) // 20522
 */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/**
 * Civil date of a day number.
 * @example civilOf(20522) // { year: 2026, month: 3, day: 10 }
 */
export function civilOf(days: number): CivilDate {
  const d = new Date(days * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * ISO weekday of a day number: 1 = Monday … 7 = Sunday.
 * @example isoWeekday(dayNumber(2026, 3, 6)) // 5 (Friday)
 */
export function isoWeekday(days: number): 1 | 2 | 3 | 4 | 5 | 6 | 7 {
  return ((((days % 7) + 7 + 3) % 7) + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7;
}

/**
 * Number of days in a month.
 * @example daysInMonth(2028, 2) // 29
 */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a strict 'YYYY-MM-DD' date to its day number; undefined when malformed or not a real date.
 * @example parseDate('2026-02-29') // undefined
 */
export function parseDate(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayNumber(year, month, day);
}

/**
 * Formats a day number as 'YYYY-MM-DD'.
 * @example formatDate(20522) // '2026-03-10'
 */
export function formatDate(days: number): string {
  const { year, month, day } = civilOf(days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Parses 'HH:mm' (00:00 … 24:00) to minutes since midnight; undefined when malformed.
 * @example parseTime('13:30') // 810
 */
export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}
