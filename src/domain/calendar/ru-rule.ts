/**
 * The Russian production layer for any year: the shipped data (production-ru.ts, 2013–2027) where it
 * exists, otherwise the statutory rule of the Labour Code (art. 112 holidays and weekend moves, art. 95
 * shortened pre-holiday days).
 */
import { dayNumber, formatDate, isoWeekday } from './dates';
import { RU_PRODUCTION_YEARS } from './production-ru';

/** Statutory non-working holidays (Labour Code art. 112 part 1) as [month, day]. */
export const RU_STATUTORY_HOLIDAYS: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 2],
  [1, 3],
  [1, 4],
  [1, 5],
  [1, 6],
  [1, 7],
  [1, 8],
  [2, 23],
  [3, 8],
  [5, 1],
  [5, 9],
  [6, 12],
  [11, 4],
];

/** One year of the Russian production layer, as lists of 'YYYY-MM-DD' dates. */
export interface RuYearDays {
  year: number;
  status: 'official' | 'secondary' | 'statutory-rule';
  /** The decree the year's transfers come from (absent for the statutory rule). */
  decree?: string;
  holidays: string[];
  extraDaysOff: string[];
  workingWeekends: string[];
  shortDays: string[];
  /** 2020–2021: days presidential decrees declared non-working (an optional layer, see CalendarConfig). */
  presidentialDaysOff?: string[];
  /** Working weekend date → the weekday it replaces (its length follows that weekday, Order 588n). */
  replaces: Record<string, string>;
}

function isWeekend(days: number): boolean {
  return isoWeekday(days) >= 6;
}

/**
 * The statutory rule for a year no decree covers: holidays of art. 112 part 1; a holiday other than
 * 1–8 January that falls on a Saturday or Sunday moves the day off to the next working day (art. 112
 * part 2); the working day immediately before a holiday is one hour shorter (art. 95 part 1), which
 * does not apply before a transferred day off.
 *
 * @example
 * ruStatutoryYear(2026).extraDaysOff // ['2026-03-09', '2026-05-11']
 * ruStatutoryYear(2026).shortDays    // ['2026-04-30', '2026-05-08', '2026-06-11', '2026-11-03', '2026-12-31']
 */
export function ruStatutoryYear(year: number): RuYearDays {
  const holidays = new Set(RU_STATUTORY_HOLIDAYS.map(([m, d]) => dayNumber(year, m, d)));
  const daysOff = new Set<number>();
  const offDay = (d: number) => isWeekend(d) || holidays.has(d) || daysOff.has(d);
  for (const [m, d] of RU_STATUTORY_HOLIDAYS) {
    if (m === 1) continue;
    const day = dayNumber(year, m, d);
    if (!isWeekend(day)) continue;
    let next = day + 1;
    while (offDay(next)) next++;
    daysOff.add(next);
  }
  const firstOfNextYear = dayNumber(year + 1, 1, 1);
  const shortDays: number[] = [];
  for (let d = dayNumber(year, 1, 1); d < firstOfNextYear; d++) {
    if (!offDay(d) && (holidays.has(d + 1) || d + 1 === firstOfNextYear)) shortDays.push(d);
  }
  const sorted = (s: Iterable<number>) => [...s].sort((a, b) => a - b).map(formatDate);
  return {
    year,
    status: 'statutory-rule',
    holidays: sorted(holidays),
    extraDaysOff: sorted(daysOff),
    workingWeekends: [],
    shortDays: sorted(shortDays),
    replaces: {},
  };
}

/**
 * The production layer of a year: the shipped data when the year has it, else the statutory rule.
 *
 * @example
 * ruYear(2025).workingWeekends // ['2025-11-01']
 * ruYear(2025).replaces        // { '2025-11-01': '2025-11-03' }
 * ruYear(2031).status          // 'statutory-rule'
 */
export function ruYear(year: number): RuYearDays {
  const data = RU_PRODUCTION_YEARS[year];
  if (!data) return ruStatutoryYear(year);
  const replaces: Record<string, string> = {};
  for (const t of data.transfers) {
    if (data.workingWeekends.includes(t.from)) replaces[t.from] = t.to;
  }
  return {
    year,
    status: data.status,
    decree: data.decree,
    holidays: [...data.holidays],
    extraDaysOff: [...data.extraDaysOff],
    workingWeekends: [...data.workingWeekends],
    shortDays: [...data.shortDays],
    ...(data.presidentialDaysOff ? { presidentialDaysOff: [...data.presidentialDaysOff] } : {}),
    replaces,
  };
}

/**
 * Status of a year in the Russian production layer.
 * @example ruYearStatus(2026) // 'official'
 * @example ruYearStatus(2027) // 'secondary'
 * @example ruYearStatus(2030) // 'statutory-rule'
 */
export function ruYearStatus(year: number): RuYearDays['status'] {
  return RU_PRODUCTION_YEARS[year]?.status ?? 'statutory-rule';
}
