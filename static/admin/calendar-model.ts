/**
 * The calendar year grid's model without a browser: months laid out in Monday-first weeks, the kind a
 * click or Enter gives a date (the administrator's own date, an override), the overrides list after it,
 * and where the arrow keys move.
 */
import type { CalendarDay } from '../../src/contract/api';
import type { DateException, DateExceptionKind } from '../../src/domain/calendar/types';

/** The own kinds a date cycles through, then back to the official kind (no override). */
export const OWN_CYCLE: readonly DateExceptionKind[] = ['holiday', 'day-off', 'working-day', 'short-day'];

const DAY_MS = 86_400_000;
const toDay = (date: string) =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const fromDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((new Date(toDay(date)).getUTCDay() + 6) % 7) + 1;
}

/** Adds days to a 'YYYY-MM-DD' date. */
export function addDays(date: string, n: number): string {
  return fromDay(toDay(date) + n * DAY_MS);
}

/**
 * A month as weeks of 7 cells, Monday first; cells outside the month are null.
 * @example monthWeeks(2026, 3, days)[0] // [null, null, null, null, null, null, {date:'2026-03-01',…}]
 */
export function monthWeeks(
  year: number,
  month: number,
  days: readonly CalendarDay[],
): (CalendarDay | null)[][] {
  const prefix = `${year}-${String(month).padStart(2, '0')}-`;
  const inMonth = days.filter((d) => d.date.startsWith(prefix));
  if (inMonth.length === 0) return [];
  const weeks: (CalendarDay | null)[][] = [];
  let week: (CalendarDay | null)[] = Array.from({ length: isoWeekday(inMonth[0]!.date) - 1 }, () => null);
  for (const d of inMonth) {
    week.push(d);
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)]);
  return weeks;
}

/**
 * The kind a date gets on the next click: a date without an own kind gets the first own kind that
 * differs from what it is now; an own date moves along the cycle, and after the last one it loses its
 * override (null: back to the official calendar).
 * @example nextOwnKind({ kind: 'workday', own: false }) // 'holiday'
 * @example nextOwnKind({ kind: 'holiday', own: false }) // 'day-off'
 * @example nextOwnKind({ kind: 'short-day', own: true }) // null
 */
export function nextOwnKind(day: Pick<CalendarDay, 'kind' | 'own'>): DateExceptionKind | null {
  if (!day.own) return OWN_CYCLE.find((k) => k !== day.kind) ?? null;
  const i = OWN_CYCLE.indexOf(day.kind as DateExceptionKind);
  return i < 0 || i === OWN_CYCLE.length - 1 ? null : OWN_CYCLE[i + 1]!;
}

/** The overrides with `date` set to `kind` (or removed for null), sorted by date. */
export function setOwnDate(
  overrides: readonly DateException[],
  date: string,
  kind: DateExceptionKind | null,
): DateException[] {
  const rest = overrides.filter((o) => o.date !== date);
  const next = kind === null ? rest : [...rest, { date, kind }];
  return next.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Where a key moves the focus in the year grid (within the year); undefined for other keys.
 * Arrows: a day / a week; Home/End: the week's Monday/Sunday; PageUp/PageDown: a month.
 */
export function moveDate(date: string, key: string, year: number): string | undefined {
  let next: string;
  switch (key) {
    case 'ArrowLeft':
      next = addDays(date, -1);
      break;
    case 'ArrowRight':
      next = addDays(date, 1);
      break;
    case 'ArrowUp':
      next = addDays(date, -7);
      break;
    case 'ArrowDown':
      next = addDays(date, 7);
      break;
    case 'Home':
      next = addDays(date, 1 - isoWeekday(date));
      break;
    case 'End':
      next = addDays(date, 7 - isoWeekday(date));
      break;
    case 'PageUp':
    case 'PageDown': {
      const y = Number(date.slice(0, 4));
      const m = Number(date.slice(5, 7)) + (key === 'PageUp' ? -1 : 1);
      const d = Number(date.slice(8, 10));
      const ym = new Date(Date.UTC(y, m - 1, 1));
      const last = new Date(Date.UTC(ym.getUTCFullYear(), ym.getUTCMonth() + 1, 0)).getUTCDate();
      next = fromDay(Date.UTC(ym.getUTCFullYear(), ym.getUTCMonth(), Math.min(d, last)));
      break;
    }
    default:
      return undefined;
  }
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  return next < first ? first : next > last ? last : next;
}

/** Whether a year's dates are confirmed by decree. */
export function yearConfirmed(status: string): boolean {
  return status === 'official' || status === 'custom';
}

/** The kinds an administrator's own date can have, in the order the "Add date" form offers them. */
export const OWN_KINDS: readonly DateExceptionKind[] = ['holiday', 'day-off', 'working-day', 'short-day'];

/**
 * Issue #15, the explicit "Add date": the own dates with `date` set to `kind` (replacing that date's
 * entry), with the note when given; an error naming the field for a date that is not YYYY-MM-DD or
 * does not exist.
 * @example addOwnDate([], { date: '2026-12-31', kind: 'day-off', note: 'Company day' }) // { ok: true, overrides: [{ date: '2026-12-31', kind: 'day-off', note: 'Company day' }] }
 */
export function addOwnDate(
  overrides: readonly DateException[],
  entry: { date: string; kind: DateExceptionKind; note?: string },
): { ok: true; overrides: DateException[] } | { ok: false; field: 'date' | 'kind' } {
  const date = entry.date.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const real =
    m !== null &&
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === date;
  if (!real) return { ok: false, field: 'date' };
  if (!OWN_KINDS.includes(entry.kind)) return { ok: false, field: 'kind' };
  const note = entry.note?.trim();
  const rest = overrides.filter((o) => o.date !== date);
  const next: DateException = { date, kind: entry.kind, ...(note ? { note } : {}) };
  return { ok: true, overrides: [...rest, next].sort((a, b) => a.date.localeCompare(b.date)) };
}
