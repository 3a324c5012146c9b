import { ALL_DAY_CALENDAR_CONFIG, compileCalendar } from '../../../src/domain/calendar/engine';
import type { CalendarConfig, TimeInterval } from '../../../src/domain/calendar/types';
import { SEVEN_DAY_WEEK, at, iso } from './helpers';

// Europe/Berlin 2026: CET → CEST on Sun 29 March at 02:00 (23-hour day), CEST → CET on Sun 25 October at 03:00 (25-hour day).
const base: CalendarConfig = {
  zone: 'Europe/Berlin',
  week: SEVEN_DAY_WEEK,
  shortDayMinutes: 60,
  production: 'none',
  overrides: [],
};
const daily = compileCalendar(base, { fromYear: 2025, toYear: 2027 });
const allDay = compileCalendar(
  { ...ALL_DAY_CALENDAR_CONFIG, zone: 'Europe/Berlin' },
  { fromYear: 2025, toYear: 2027 },
);
const night: TimeInterval[] = [['00:00', '06:00']];
const nights = compileCalendar(
  { ...base, week: { 1: night, 2: night, 3: night, 4: night, 5: night, 6: night, 7: night } },
  { fromYear: 2025, toYear: 2027 },
);

describe('Europe/Berlin, 09:00–18:00 every day: the transition dates are ordinary 9-hour days', () => {
  it.each<[string, string, string]>([
    ['2026-03-29', '2026-03-29T09:00:00+02:00', '2026-03-29T18:00:00+02:00'],
    ['2026-10-25', '2026-10-25T09:00:00+01:00', '2026-10-25T18:00:00+01:00'],
  ])('%s opens %s and closes %s', (date, open, close) => {
    expect(iso(daily, daily.closeOfDate(date))).toBe(close);
    expect(daily.workingMinutesBetween(daily.startOfDate(date), at(close))).toBe(540);
    expect(iso(daily, daily.addWorkingMinutes(daily.startOfDate(date), 1))).toBe(
      open.replace(':00:00', ':01:00'),
    );
  });

  it.each<[string, number, string]>([
    ['2026-03-28T17:00:00+01:00', 120, '2026-03-29T10:00:00+02:00'],
    ['2026-03-28T17:00:00+01:00', 600, '2026-03-29T18:00:00+02:00'],
    ['2026-03-28T17:00:00+01:00', 601, '2026-03-30T09:01:00+02:00'],
    ['2026-10-24T17:00:00+02:00', 120, '2026-10-25T10:00:00+01:00'],
    ['2026-10-24T17:00:00+02:00', 600, '2026-10-25T18:00:00+01:00'],
    ['2026-10-24T17:00:00+02:00', 601, '2026-10-26T09:01:00+01:00'],
  ])('%s + %i min = %s', (start, minutes, expected) => {
    const end = daily.addWorkingMinutes(at(start), minutes);
    expect(iso(daily, end)).toBe(expected);
    expect(daily.workingMinutesBetween(at(start), end)).toBe(minutes);
  });

  it('addWorkingDays and addMonths land on the local 18:00 on both sides of a change', () => {
    expect(iso(daily, daily.addWorkingDays(at('2026-03-28T12:00:00+01:00'), 2))).toBe(
      '2026-03-30T18:00:00+02:00',
    );
    expect(iso(daily, daily.addMonths(at('2026-09-25T12:00:00+02:00'), 1))).toBe('2026-10-25T18:00:00+01:00');
  });
});

describe('Europe/Berlin 24/7: intervals spanning a DST change count real elapsed time', () => {
  it.each<[string, string, number]>([
    ['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 23 * 60],
    ['2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 25 * 60],
    ['2026-03-29T01:30:00+01:00', '2026-03-29T03:30:00+02:00', 60],
    ['2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00', 60],
  ])('%s → %s = %i min', (from, to, minutes) => {
    expect(allDay.workingMinutesBetween(at(from), at(to))).toBe(minutes);
  });

  it('adding across the changes', () => {
    expect(iso(allDay, allDay.addWorkingMinutes(at('2026-03-29T01:30:00+01:00'), 60))).toBe(
      '2026-03-29T03:30:00+02:00',
    );
    expect(iso(allDay, allDay.addWorkingMinutes(at('2026-10-25T02:30:00+02:00'), 60))).toBe(
      '2026-10-25T02:30:00+01:00',
    );
    expect(iso(allDay, allDay.addWorkingDays(at('2026-03-28T12:00:00+01:00'), 1))).toBe(
      '2026-03-30T00:00:00+02:00',
    );
    expect(allDay.dateOf(at('2026-10-25T23:30:00+01:00'))).toBe('2026-10-25');
  });

  it('monthly hours: March 743, October 745', () => {
    expect(allDay.monthNorm(2026, 3)).toEqual({ workingDays: 31, hours: 743 });
    expect(allDay.monthNorm(2026, 10)).toEqual({ workingDays: 31, hours: 745 });
  });
});

describe('a night shift 00:00–06:00 that contains the change', () => {
  it('is 5 hours on 29 March and 7 hours on 25 October', () => {
    expect(
      nights.workingMinutesBetween(nights.startOfDate('2026-03-29'), nights.startOfDate('2026-03-30')),
    ).toBe(300);
    expect(
      nights.workingMinutesBetween(nights.startOfDate('2026-10-25'), nights.startOfDate('2026-10-26')),
    ).toBe(420);
    expect(iso(nights, nights.closeOfDate('2026-03-29'))).toBe('2026-03-29T06:00:00+02:00');
    expect(iso(nights, nights.closeOfDate('2026-10-25'))).toBe('2026-10-25T06:00:00+01:00');
  });
});

describe('zones whose change happens at midnight stay consistent', () => {
  it.each(['America/Santiago', 'America/Havana', 'Asia/Tehran', 'Australia/Lord_Howe'])(
    '%s: 24/7 working time equals elapsed time over 2026',
    (zone) => {
      const c = compileCalendar({ ...ALL_DAY_CALENDAR_CONFIG, zone }, { fromYear: 2026, toYear: 2026 });
      const from = c.startOfDate('2026-01-01');
      const to = c.startOfDate('2026-12-31');
      expect(c.workingMinutesBetween(from, to)).toBe((to - from) / 60000);
      let hours = 0;
      for (let m = 1; m <= 12; m++) hours += c.monthNorm(2026, m).hours;
      expect(hours).toBe(365 * 24);
    },
  );
});
