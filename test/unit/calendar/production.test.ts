import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CALENDAR_CONFIG, compileCalendar } from '../../../src/domain/calendar/engine';
import { RU_PRODUCTION_YEARS } from '../../../src/domain/calendar/production-ru';
import { ruStatutoryYear, ruYear } from '../../../src/domain/calendar/ru-rule';
import { dayNumber, isoWeekday, parseDate } from '../../../src/domain/calendar/dates';

interface JsonYear {
  status: string;
  holidays: string[];
  extraDaysOff: string[];
  workingWeekends: string[];
  shortDays: string[];
  months: { month: number; workingDays: number; hours40: number }[];
  totals: { workingDays: number; hours40: number };
}

const json = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../scripts/calendars/ru-production-calendar.json'), 'utf8'),
) as { years: Record<string, JsonYear> };

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: 2013, toYear: 2030 });

const monthRows = Object.entries(json.years).flatMap(([year, y]) =>
  y.months.map((m) => [Number(year), m.month, m.workingDays, m.hours40] as [number, number, number, number]),
);

describe('monthly norms of the compiled default calendar = the official figures (180 months)', () => {
  it('covers 2013–2027', () => {
    expect(monthRows).toHaveLength(180);
    expect(Object.keys(json.years)[0]).toBe('2013');
  });

  it.each(monthRows)('%i-%i: %i working days, %i hours', (year, month, workingDays, hours) => {
    expect(cal.monthNorm(year, month)).toEqual({ workingDays, hours });
  });

  it.each(Object.entries(json.years))('%s year totals', (year, y) => {
    let days = 0;
    let hours = 0;
    for (let m = 1; m <= 12; m++) {
      const n = cal.monthNorm(Number(year), m);
      days += n.workingDays;
      hours += n.hours;
    }
    expect({ days, hours }).toEqual({ days: y.totals.workingDays, hours: y.totals.hours40 });
  });
});

describe('generated production-ru.ts matches the JSON it was generated from', () => {
  it.each(Object.entries(json.years))('%s', (year, y) => {
    const data = RU_PRODUCTION_YEARS[Number(year)];
    expect(data).toBeDefined();
    expect(data?.status).toBe(year === '2027' ? 'secondary' : 'official');
    expect(data?.holidays).toEqual([...y.holidays].sort());
    expect(data?.extraDaysOff).toEqual([...y.extraDaysOff].sort());
    expect(data?.workingWeekends).toEqual([...y.workingWeekends].sort());
    expect(data?.shortDays).toEqual([...y.shortDays].sort());
    expect(data?.months).toEqual(
      y.months.map(({ month, workingDays, hours40 }) => ({ month, workingDays, hours40 })),
    );
  });

  it('working weekends know the weekday they replace', () => {
    expect(ruYear(2024).replaces).toEqual({
      '2024-04-27': '2024-04-29',
      '2024-11-02': '2024-04-30',
      '2024-12-28': '2024-12-30',
    });
    expect(ruYear(2027).replaces).toEqual({ '2027-02-20': '2027-02-22' });
  });
});

describe('statutory rule (Labour Code art. 112, art. 95)', () => {
  it('lists the 14 statutory holidays for any year, as the data does', () => {
    for (const year of [2024, 2025, 2026, 2027]) {
      expect(ruStatutoryYear(year).holidays).toEqual(json.years[String(year)]?.holidays);
    }
  });

  it('reproduces 2026 exactly once the decree’s two January transfers are applied', () => {
    // 2026 had only automatic moves (9 Mar, 11 May) besides the January ones (3 Jan → 9 Jan, 4 Jan → 31 Dec).
    const rule = ruStatutoryYear(2026);
    expect(rule.extraDaysOff).toEqual(['2026-03-09', '2026-05-11']);
    expect(rule.shortDays).toEqual(['2026-04-30', '2026-05-08', '2026-06-11', '2026-11-03', '2026-12-31']);
    const decreeOff = ['2026-01-09', '2026-12-31'];
    const official = json.years['2026'] as JsonYear;
    expect([...rule.extraDaysOff, ...decreeOff].sort()).toEqual(official.extraDaysOff);
    // 31 Dec became a transferred day off, so it is no longer a (short) working day; 30 Dec stays full.
    expect(rule.shortDays.filter((d) => !decreeOff.includes(d))).toEqual(official.shortDays);
  });

  it('2027 without the decree: 249 working days, 1987 hours (the research file’s illustration)', () => {
    const rule = ruStatutoryYear(2027);
    expect(rule.extraDaysOff).toEqual(['2027-05-03', '2027-05-10', '2027-06-14']);
    expect(rule.shortDays).toEqual(['2027-02-22', '2027-04-30', '2027-06-11', '2027-11-03', '2027-12-31']);
    const off = new Set([...rule.holidays, ...rule.extraDaysOff].map((d) => parseDate(d)));
    let days = 0;
    for (let d = dayNumber(2027, 1, 1); d < dayNumber(2028, 1, 1); d++) {
      if (isoWeekday(d) <= 5 && !off.has(d)) days++;
    }
    expect(days).toBe(249);
    expect(days * 8 - rule.shortDays.length).toBe(1987);
  });

  it.each<[number, string[], string[]]>([
    [2028, ['2028-11-06'], ['2028-02-22', '2028-03-07', '2028-05-08', '2028-11-03']],
    [
      2029,
      ['2029-11-05'],
      ['2029-02-22', '2029-03-07', '2029-04-30', '2029-05-08', '2029-06-11', '2029-12-31'],
    ],
    [
      2030,
      ['2030-02-25'],
      ['2030-02-22', '2030-03-07', '2030-04-30', '2030-05-08', '2030-06-11', '2030-12-31'],
    ],
  ])('%i: moved days off %j, short days %j', (year, moved, short) => {
    const rule = ruStatutoryYear(year);
    expect(rule.extraDaysOff).toEqual(moved);
    expect(rule.shortDays).toEqual(short);
    expect(rule.status).toBe('statutory-rule');
    for (const d of moved) expect(cal.isWorkingDate(d)).toBe(false);
  });

  it('January weekend holidays are not moved', () => {
    // 2028: 1–2 Jan fall on Sat–Sun; no weekday in January becomes a day off.
    expect(ruStatutoryYear(2028).extraDaysOff.filter((d) => d.startsWith('2028-01'))).toEqual([]);
    expect(cal.isWorkingDate('2028-01-10')).toBe(true);
  });
});

describe('years of history (issue #12 item 2): shipped 2013–2027, statutory rule before', () => {
  const wide = compileCalendar(DEFAULT_CALENDAR_CONFIG);

  it('the default compiled range reaches back to 2000', () => {
    expect(wide.range.fromYear).toBeLessThanOrEqual(2000);
    expect(wide.yearStatus(2013)).toBe('official');
    expect(wide.yearStatus(2019)).toBe('official');
    expect(wide.yearStatus(2005)).toBe('statutory-rule');
  });

  it('a year before the shipped data is counted with a "not confirmed" warning naming the gap', () => {
    const due = wide.addWorkingMinutes(parseInstantIso('2005-03-09T10:00:00+03:00'), 8 * 60);
    expect(new Date(due).toISOString()).toBe('2005-03-10T07:00:00.000Z');
    const [w] = wide.warningsFor(due);
    expect(w).toMatchObject({ code: 'year-not-confirmed', year: 2005 });
    expect(w?.message).toMatch(/precedes the shipped data \(2013/);
  });

  it('2020–2021 presidential non-working days are an optional layer, off by default', () => {
    // 2020-04-06 (Mon) was a working day of the production calendar, non-working by Decree No. 239.
    const on = compileCalendar({ ...DEFAULT_CALENDAR_CONFIG, presidentialDaysOff: true });
    expect(wide.isWorkingDate('2020-04-06')).toBe(true);
    expect(on.isWorkingDate('2020-04-06')).toBe(false);
    expect(on.isWorkingDate('2021-11-01')).toBe(false);
    expect(wide.monthNorm(2020, 4)).toEqual({ workingDays: 22, hours: 175 });
    expect(on.monthNorm(2020, 4).workingDays).toBe(0);
  });
});

function parseInstantIso(iso: string): number {
  return Date.parse(iso);
}
