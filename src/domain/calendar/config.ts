/**
 * Calendar configurations: the two shipped defaults, validation that lists every problem, and merging
 * an administrator's partial configuration over a base.
 */
import { IANAZone } from 'luxon';
import { parseDate, parseTime } from './dates';
import type { CalendarConfig, DateExceptionKind, TimeInterval } from './types';

/** One problem of a configuration: where (`week.6[0]`, `overrides[2].date`, …) and what. */
export interface CalendarConfigProblem {
  path: string;
  message: string;
}

/** A configuration that passed validation, or every problem found. */
export type CalendarConfigResult =
  { ok: true; config: CalendarConfig } | { ok: false; problems: CalendarConfigProblem[] };

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const OFFICE_DAY: TimeInterval[] = [
  ['09:00', '13:00'],
  ['14:00', '18:00'],
];
const WHOLE_DAY: TimeInterval[] = [['00:00', '24:00']];

/**
 * SPEC §6 default: Europe/Moscow, Monday–Friday 09:00–13:00 and 14:00–18:00, pre-holiday days one hour
 * shorter, the Russian production calendar, no overrides. Frozen: copy it to change it.
 *
 * @example compileCalendar(DEFAULT_CALENDAR_CONFIG).monthNorm(2026, 1) // { workingDays: 15, hours: 120 }
 */
export const DEFAULT_CALENDAR_CONFIG: CalendarConfig = deepFreeze({
  zone: 'Europe/Moscow',
  week: { 1: OFFICE_DAY, 2: OFFICE_DAY, 3: OFFICE_DAY, 4: OFFICE_DAY, 5: OFFICE_DAY, 6: [], 7: [] },
  shortDayMinutes: 60,
  production: 'ru',
  overrides: [],
});

/**
 * Round the clock (24/7) in Europe/Moscow: every minute is working time, no production calendar.
 *
 * @example compileCalendar(ALL_DAY_CALENDAR_CONFIG).monthNorm(2026, 2) // { workingDays: 28, hours: 672 }
 */
export const ALL_DAY_CALENDAR_CONFIG: CalendarConfig = deepFreeze({
  zone: 'Europe/Moscow',
  allDay: true,
  week: { 1: WHOLE_DAY, 2: WHOLE_DAY, 3: WHOLE_DAY, 4: WHOLE_DAY, 5: WHOLE_DAY, 6: WHOLE_DAY, 7: WHOLE_DAY },
  shortDayMinutes: 0,
  production: 'none',
  overrides: [],
});

const KEYS = ['zone', 'allDay', 'week', 'shortDayMinutes', 'production', 'presidentialDaysOff', 'overrides'];
const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'];
const KINDS: DateExceptionKind[] = ['holiday', 'day-off', 'working-day', 'short-day'];

/** A value for a message: JSON text, `Infinity` for an infinite number, cut after 80 characters. */
function got(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkIntervals(list: unknown, path: string, problems: CalendarConfigProblem[]): void {
  if (!Array.isArray(list)) {
    problems.push({ path, message: `must be a list of ["HH:mm", "HH:mm"] intervals, got ${got(list)}` });
    return;
  }
  let previousEnd = -1;
  list.forEach((interval: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!Array.isArray(interval) || interval.length !== 2) {
      problems.push({ path: p, message: `must be a pair ["HH:mm", "HH:mm"], got ${got(interval)}` });
      return;
    }
    const start = parseTime(interval[0]);
    const end = parseTime(interval[1]);
    if (start === undefined || start === 1440) {
      problems.push({
        path: `${p}[0]`,
        message: `start ${JSON.stringify(interval[0])} is not a time 00:00–23:59`,
      });
    }
    if (end === undefined) {
      problems.push({
        path: `${p}[1]`,
        message: `end ${JSON.stringify(interval[1])} is not a time 00:00–24:00`,
      });
    }
    if (start === undefined || end === undefined) return;
    if (end <= start)
      problems.push({ path: p, message: `ends (${interval[1]}) before or when it starts (${interval[0]})` });
    else if (start < previousEnd)
      problems.push({ path: p, message: 'overlaps or precedes the previous interval' });
    previousEnd = Math.max(previousEnd, end);
  });
}

/**
 * Checks a calendar configuration and returns every problem found (an empty list when it is valid).
 *
 * @example
 * validateCalendarConfig({ ...DEFAULT_CALENDAR_CONFIG, zone: 'Mars/Olympus', shortDayMinutes: -5 })
 * // [{ path: 'zone', message: 'unknown IANA time zone "Mars/Olympus"' },
 * //  { path: 'shortDayMinutes', message: 'must be a whole number of minutes from 0 to 1440, got -5' }]
 */
export function validateCalendarConfig(config: unknown): CalendarConfigProblem[] {
  const problems: CalendarConfigProblem[] = [];
  if (!isObject(config)) return [{ path: '', message: `calendar must be an object, got ${got(config)}` }];
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key))
      problems.push({ path: key, message: `unknown setting (expected one of ${KEYS.join(', ')})` });
  }
  if (typeof config.zone !== 'string' || !IANAZone.isValidZone(config.zone)) {
    problems.push({ path: 'zone', message: `unknown IANA time zone ${JSON.stringify(config.zone)}` });
  }
  if (config.allDay !== undefined && typeof config.allDay !== 'boolean') {
    problems.push({ path: 'allDay', message: `must be true or false, got ${got(config.allDay)}` });
  }
  if (config.presidentialDaysOff !== undefined && typeof config.presidentialDaysOff !== 'boolean') {
    problems.push({ path: 'presidentialDaysOff', message: 'must be true or false' });
  }
  const allDay = config.allDay === true;
  const week = config.week;
  if (!isObject(week)) {
    problems.push({
      path: 'week',
      message: `must map ISO weekdays 1 (Monday) … 7 (Sunday) to interval lists, got ${got(week)}`,
    });
  } else {
    for (const key of Object.keys(week)) {
      if (!WEEKDAYS.includes(key))
        problems.push({ path: `week.${key}`, message: 'weekday must be 1 (Monday) … 7 (Sunday)' });
    }
    let intervals = 0;
    for (const day of WEEKDAYS) {
      if (!(day in week)) {
        problems.push({ path: `week.${day}`, message: 'missing (use [] for a day off)' });
        continue;
      }
      checkIntervals(week[day], `week.${day}`, problems);
      if (Array.isArray(week[day])) intervals += (week[day] as unknown[]).length;
    }
    if (intervals === 0 && !allDay) {
      problems.push({
        path: 'week',
        message: 'has no working intervals: nothing would ever be working time',
      });
    }
  }
  const sdm = config.shortDayMinutes;
  if (typeof sdm !== 'number' || !Number.isInteger(sdm) || sdm < 0 || sdm > 1440) {
    problems.push({
      path: 'shortDayMinutes',
      message: `must be a whole number of minutes from 0 to 1440, got ${got(sdm)}`,
    });
  }
  if (config.production !== 'ru' && config.production !== 'none') {
    problems.push({
      path: 'production',
      message: `must be "ru" or "none", not ${JSON.stringify(config.production)}`,
    });
  }
  if (!Array.isArray(config.overrides)) {
    problems.push({
      path: 'overrides',
      message: `must be a list of {date, kind, intervals?, note?}, got ${got(config.overrides)}`,
    });
  } else {
    const seen = new Map<string, number>();
    config.overrides.forEach((o: unknown, i) => {
      const p = `overrides[${i}]`;
      if (!isObject(o)) {
        problems.push({
          path: p,
          message: `must be an object {date, kind, intervals?, note?}, got ${got(o)}`,
        });
        return;
      }
      for (const key of Object.keys(o)) {
        if (!['date', 'kind', 'intervals', 'note'].includes(key)) {
          problems.push({
            path: `${p}.${key}`,
            message: 'unknown field (expected date, kind, intervals, note)',
          });
        }
      }
      if (parseDate(o.date) === undefined) {
        problems.push({ path: `${p}.date`, message: `${JSON.stringify(o.date)} is not a date YYYY-MM-DD` });
      } else {
        const date = o.date as string;
        const first = seen.get(date);
        if (first !== undefined)
          problems.push({ path: `${p}.date`, message: `${date} is already set by overrides[${first}]` });
        else seen.set(date, i);
      }
      if (!KINDS.includes(o.kind as DateExceptionKind)) {
        problems.push({
          path: `${p}.kind`,
          message: `must be one of ${KINDS.join(', ')}, got ${got(o.kind)}`,
        });
      }
      if (o.intervals !== undefined) {
        if (o.kind === 'holiday' || o.kind === 'day-off') {
          problems.push({ path: `${p}.intervals`, message: `a ${o.kind} has no working intervals` });
        } else {
          checkIntervals(o.intervals, `${p}.intervals`, problems);
          if (Array.isArray(o.intervals) && o.intervals.length === 0) {
            problems.push({ path: `${p}.intervals`, message: 'a working day needs at least one interval' });
          }
        }
      }
      if (o.note !== undefined && typeof o.note !== 'string') {
        problems.push({ path: `${p}.note`, message: `must be text, got ${got(o.note)}` });
      }
    });
  }
  return problems;
}

/**
 * Merges a partial configuration over a base (top-level settings replace the base's; `week` is merged
 * weekday by weekday; `overrides` replaces the base list) and validates the result.
 *
 * @example
 * resolveCalendarConfig({ zone: 'Europe/Berlin', week: { 6: [['10:00', '14:00']] } })
 * // { ok: true, config: { zone: 'Europe/Berlin', week: { 1: …, 6: [['10:00', '14:00']], 7: [] }, … } }
 * resolveCalendarConfig({ zone: 42 }) // { ok: false, problems: [{ path: 'zone', … }] }
 */
export function resolveCalendarConfig(
  partial: unknown,
  base: CalendarConfig = DEFAULT_CALENDAR_CONFIG,
): CalendarConfigResult {
  if (partial === undefined || partial === null) return { ok: true, config: base };
  if (!isObject(partial))
    return { ok: false, problems: [{ path: '', message: 'calendar must be an object' }] };
  const merged: Record<string, unknown> = { ...base, ...partial };
  if (isObject(partial.week)) merged.week = { ...base.week, ...partial.week };
  const problems = validateCalendarConfig(merged);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: merged as unknown as CalendarConfig };
}
