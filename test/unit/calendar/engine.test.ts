import {
  ALL_DAY_CALENDAR_CONFIG,
  DEFAULT_CALENDAR_CONFIG,
  compileCalendar,
} from '../../../src/domain/calendar/engine';
import { CalendarError } from '../../../src/domain/calendar/types';
import { at, calendarConfig, iso } from './helpers';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);

describe('SPEC §8 example 1', () => {
  it('Fri 2026-03-06 16:30 MSK + 8 working hours = Tue 2026-03-10 16:30 MSK', () => {
    const start = at('2026-03-06T16:30:00+03:00');
    const end = cal.addWorkingMinutes(start, 8 * 60);
    expect(iso(cal, end)).toBe('2026-03-10T16:30:00+03:00');
    expect(cal.workingMinutesBetween(start, end)).toBe(480);
    expect(cal.isWorkingDate('2026-03-09')).toBe(false);
    expect(cal.warningsFor(start, end)).toEqual([]);
  });
});

describe('addWorkingMinutes on the default calendar (Moscow, 09–13 + 14–18, production calendar)', () => {
  it.each<[string, string, number, string]>([
    ['boundary: lands on 18:00 and stays', '2026-03-10T16:30:00+03:00', 90, '2026-03-10T18:00:00+03:00'],
    [
      'one minute more goes to the next morning',
      '2026-03-10T16:30:00+03:00',
      91,
      '2026-03-11T09:01:00+03:00',
    ],
    ['lunch break skipped', '2026-03-10T12:30:00+03:00', 60, '2026-03-10T14:30:00+03:00'],
    ['lands on 13:00 and stays', '2026-03-10T12:00:00+03:00', 60, '2026-03-10T13:00:00+03:00'],
    ['start inside the break', '2026-03-10T13:30:00+03:00', 30, '2026-03-10T14:30:00+03:00'],
    ['start before opening', '2026-03-10T03:00:00+03:00', 30, '2026-03-10T09:30:00+03:00'],
    ['start at night in UTC terms', '2026-03-10T20:00:00Z', 60, '2026-03-11T10:00:00+03:00'],
    ['weekend start', '2026-03-14T11:00:00+03:00', 240, '2026-03-16T13:00:00+03:00'],
    ['seconds are kept', '2026-03-10T10:00:30+03:00', 1, '2026-03-10T10:01:30+03:00'],
    [
      'short day 30 Apr 2026 ends 17:00, 1 May holiday',
      '2026-04-30T16:00:00+03:00',
      90,
      '2026-05-04T09:30:00+03:00',
    ],
    [
      'short day: 60 min from 16:00 ends at 17:00',
      '2026-04-30T16:00:00+03:00',
      60,
      '2026-04-30T17:00:00+03:00',
    ],
    ['working Saturday 2025-11-01 opens', '2025-10-31T17:00:00+03:00', 120, '2025-11-01T10:00:00+03:00'],
    [
      'after the 7-hour Saturday: 3 Nov moved, 4 Nov holiday',
      '2025-11-01T16:00:00+03:00',
      120,
      '2025-11-05T10:00:00+03:00',
    ],
    [
      'working Saturday 2024-12-28 is a full day',
      '2024-12-27T17:30:00+03:00',
      60,
      '2024-12-28T09:30:00+03:00',
    ],
    [
      '30 Dec 2026 is a full day (31 Dec is a moved day off)',
      '2026-12-30T17:00:00+03:00',
      60,
      '2026-12-30T18:00:00+03:00',
    ],
    [
      'year end: 31 Dec 2026 off, New Year holidays to 8 Jan 2027',
      '2026-12-30T17:00:00+03:00',
      120,
      '2027-01-11T10:00:00+03:00',
    ],
    [
      '2025: 24 Feb works (decree replaced the automatic move)',
      '2025-02-21T17:00:00+03:00',
      120,
      '2025-02-24T10:00:00+03:00',
    ],
    ['2025: 8 May is a moved day off', '2025-05-07T17:00:00+03:00', 120, '2025-05-12T10:00:00+03:00'],
    ['80 h across the May holidays 2026', '2026-04-28T10:00:00+03:00', 80 * 60, '2026-05-14T12:00:00+03:00'],
    [
      'statutory year 2030: Sat 23 Feb moves the day off to Mon 25 Feb',
      '2030-02-22T16:00:00+03:00',
      120,
      '2030-02-26T10:00:00+03:00',
    ],
  ])('%s: %s + %i min = %s', (_name, start, minutes, expected) => {
    const s = at(start);
    const end = cal.addWorkingMinutes(s, minutes);
    expect(iso(cal, end)).toBe(expected);
    expect(cal.workingMinutesBetween(s, end)).toBe(minutes);
  });

  it('0 minutes returns the start unchanged, even outside working hours', () => {
    const sunday = at('2026-03-08T03:17:42.123+03:00');
    expect(cal.addWorkingMinutes(sunday, 0)).toBe(sunday);
  });
});

describe('workingMinutesBetween', () => {
  it.each<[string, string, number]>([
    ['2026-03-10T09:00:00+03:00', '2026-03-10T18:00:00+03:00', 480],
    ['2026-03-10T00:00:00+03:00', '2026-03-11T00:00:00+03:00', 480],
    ['2026-04-30T00:00:00+03:00', '2026-05-01T00:00:00+03:00', 420],
    ['2025-11-01T00:00:00+03:00', '2025-11-02T00:00:00+03:00', 420],
    ['2024-11-02T00:00:00+03:00', '2024-11-03T00:00:00+03:00', 420],
    ['2026-03-06T16:30:00+03:00', '2026-03-10T16:30:00+03:00', 480],
    ['2026-03-10T18:00:00+03:00', '2026-03-10T16:30:00+03:00', -90],
    ['2026-03-10T13:10:00+03:00', '2026-03-10T13:50:00+03:00', 0],
    ['2026-03-10T10:00:00+03:00', '2026-03-10T10:00:30+03:00', 0.5],
  ])('%s → %s = %d', (from, to, minutes) => {
    expect(cal.workingMinutesBetween(at(from), at(to))).toBe(minutes);
  });
});

describe('addWorkingDays (Civil Code: from the next day, ends at the close of the last day)', () => {
  it.each<[string, number, string]>([
    ['2026-03-06T16:30:00+03:00', 1, '2026-03-10T18:00:00+03:00'],
    ['2026-03-06T16:30:00+03:00', 5, '2026-03-16T18:00:00+03:00'],
    ['2026-03-06T08:00:00+03:00', 1, '2026-03-10T18:00:00+03:00'],
    ['2026-04-29T10:00:00+03:00', 1, '2026-04-30T17:00:00+03:00'],
    ['2026-12-25T10:00:00+03:00', 5, '2027-01-12T18:00:00+03:00'],
    ['2025-10-30T10:00:00+03:00', 2, '2025-11-01T17:00:00+03:00'],
    ['2026-03-07T10:00:00+03:00', 10, '2026-03-23T18:00:00+03:00'],
    ['2026-03-05T22:30:00Z', 1, '2026-03-10T18:00:00+03:00'],
  ])('%s + %i working days = %s', (start, days, expected) => {
    expect(iso(cal, cal.addWorkingDays(at(start), days))).toBe(expected);
  });

  it('0 days closes the start date (or the next working day)', () => {
    expect(iso(cal, cal.addWorkingDays(at('2026-03-10T10:00:00+03:00'), 0))).toBe(
      '2026-03-10T18:00:00+03:00',
    );
    expect(iso(cal, cal.addWorkingDays(at('2026-03-08T10:00:00+03:00'), 0))).toBe(
      '2026-03-10T18:00:00+03:00',
    );
  });
});

describe('addMonths (Civil Code art. 192–193)', () => {
  it.each<[string, number, string]>([
    ['2025-10-31T12:00:00+03:00', 4, '2026-03-02T18:00:00+03:00'],
    ['2026-02-09T12:00:00+03:00', 3, '2026-05-12T18:00:00+03:00'],
    ['2024-01-31T12:00:00+03:00', 1, '2024-02-29T18:00:00+03:00'],
    ['2026-01-31T23:59:00+03:00', 1, '2026-03-02T18:00:00+03:00'],
    ['2026-03-10T09:00:00+03:00', 4, '2026-07-10T18:00:00+03:00'],
    ['2026-08-31T09:00:00+03:00', 4, '2027-01-11T18:00:00+03:00'],
    ['2026-08-30T09:00:00+03:00', 4, '2026-12-30T18:00:00+03:00'],
    ['2026-06-30T09:00:00+03:00', 12, '2027-06-30T18:00:00+03:00'],
  ])('%s + %i months = %s', (start, months, expected) => {
    expect(iso(cal, cal.addMonths(at(start), months))).toBe(expected);
  });
});

describe('closeOfDate, isWorkingDate, dateOf, startOfDate', () => {
  it.each<[string, string]>([
    ['2026-03-10', '2026-03-10T18:00:00+03:00'],
    ['2026-03-08', '2026-03-10T18:00:00+03:00'],
    ['2026-04-30', '2026-04-30T17:00:00+03:00'],
    ['2025-11-01', '2025-11-01T17:00:00+03:00'],
    ['2024-11-02', '2024-11-02T17:00:00+03:00'],
    ['2024-12-28', '2024-12-28T18:00:00+03:00'],
    ['2027-02-20', '2027-02-20T17:00:00+03:00'],
    ['2026-12-31', '2027-01-11T18:00:00+03:00'],
  ])('closeOfDate(%s) = %s', (date, expected) => {
    expect(iso(cal, cal.closeOfDate(date))).toBe(expected);
  });

  it.each<[string, boolean]>([
    ['2024-04-27', true],
    ['2024-04-29', false],
    ['2024-04-30', false],
    ['2025-02-24', true],
    ['2025-03-10', true],
    ['2025-06-13', false],
    ['2025-11-01', true],
    ['2025-11-03', false],
    ['2026-01-09', false],
    ['2026-01-12', true],
    ['2026-05-11', false],
    ['2026-12-31', false],
    ['2027-02-22', false],
    ['2027-11-05', false],
    ['2030-02-25', false],
    ['2030-02-22', true],
  ])('isWorkingDate(%s) = %s', (date, working) => {
    expect(cal.isWorkingDate(date)).toBe(working);
  });

  it('dateOf reads the date in the calendar zone', () => {
    expect(cal.dateOf(at('2026-03-09T23:30:00Z'))).toBe('2026-03-10');
    expect(cal.dateOf(at('2026-03-09T20:59:59Z'))).toBe('2026-03-09');
    expect(iso(cal, cal.startOfDate('2026-03-10'))).toBe('2026-03-10T00:00:00+03:00');
  });
});

describe('monthNorm reflects overrides', () => {
  it('a day off on Tue 2026-03-10 takes 8 hours off March', () => {
    const custom = compileCalendar(calendarConfig({ overrides: [{ date: '2026-03-10', kind: 'day-off' }] }));
    expect(cal.monthNorm(2026, 3)).toEqual({ workingDays: 21, hours: 168 });
    expect(custom.monthNorm(2026, 3)).toEqual({ workingDays: 20, hours: 160 });
  });

  it('statutory year 2030: February has 19 days and 151 hours (25 Feb moved, 22 Feb short)', () => {
    expect(cal.monthNorm(2030, 2)).toEqual({ workingDays: 19, hours: 151 });
  });

  it('24/7: every hour of the month', () => {
    const allDay = compileCalendar(ALL_DAY_CALENDAR_CONFIG);
    expect(allDay.monthNorm(2026, 2)).toEqual({ workingDays: 28, hours: 672 });
    expect(allDay.monthNorm(2028, 2)).toEqual({ workingDays: 29, hours: 696 });
  });
});

describe('overrides on top of the production calendar', () => {
  const custom = compileCalendar(
    calendarConfig({
      overrides: [
        { date: '2026-03-09', kind: 'working-day' },
        { date: '2026-03-11', kind: 'short-day' },
        { date: '2026-03-12', kind: 'working-day', intervals: [['10:00', '12:00']] },
        { date: '2026-03-14', kind: 'working-day' },
        { date: '2026-04-30', kind: 'working-day' },
        { date: '2026-03-13', kind: 'holiday' },
      ],
    }),
  );

  it.each<[string, string]>([
    ['2026-03-09', '2026-03-09T18:00:00+03:00'],
    ['2026-03-11', '2026-03-11T17:00:00+03:00'],
    ['2026-03-12', '2026-03-12T12:00:00+03:00'],
    ['2026-03-13', '2026-03-14T18:00:00+03:00'],
    ['2026-04-30', '2026-04-30T18:00:00+03:00'],
  ])('closeOfDate(%s) = %s', (date, expected) => {
    expect(iso(custom, custom.closeOfDate(date))).toBe(expected);
  });

  it('SPEC example 1 with Monday 9 March made working', () => {
    expect(iso(custom, custom.addWorkingMinutes(at('2026-03-06T16:30:00+03:00'), 480))).toBe(
      '2026-03-09T16:30:00+03:00',
    );
  });

  it('a production working Saturday takes the replaced weekday’s hours; a custom Saturday schedule wins', () => {
    const saturdays = compileCalendar(
      calendarConfig({ week: { ...DEFAULT_CALENDAR_CONFIG.week, 6: [['10:00', '14:00']] } }),
    );
    expect(iso(saturdays, saturdays.closeOfDate('2025-11-08'))).toBe('2025-11-08T14:00:00+03:00');
    expect(iso(saturdays, saturdays.closeOfDate('2025-11-01'))).toBe('2025-11-01T13:00:00+03:00');
  });

  it('production "none" ignores the production calendar', () => {
    const plain = compileCalendar(calendarConfig({ production: 'none' }));
    expect(plain.isWorkingDate('2026-03-09')).toBe(true);
    expect(plain.isWorkingDate('2025-11-01')).toBe(false);
    expect(iso(plain, plain.closeOfDate('2026-04-30'))).toBe('2026-04-30T18:00:00+03:00');
    expect(plain.yearStatus(2030)).toBe('custom');
    expect(plain.warningsFor(at('2030-01-01T12:00:00+03:00'))).toEqual([]);
  });
});

describe('24/7 calendar', () => {
  const allDay = compileCalendar(ALL_DAY_CALENDAR_CONFIG);

  it('every minute counts, holidays included', () => {
    const start = at('2026-12-31T23:00:00+03:00');
    expect(iso(allDay, allDay.addWorkingMinutes(start, 120))).toBe('2027-01-01T01:00:00+03:00');
    expect(allDay.workingMinutesBetween(start, at('2027-01-08T23:00:00+03:00'))).toBe(8 * 24 * 60);
    expect(iso(allDay, allDay.addWorkingDays(start, 1))).toBe('2027-01-02T00:00:00+03:00');
    expect(allDay.yearStatus(2027)).toBe('custom');
    expect(allDay.warningsFor(start)).toEqual([]);
  });
});

describe('warnings', () => {
  it('2027 comes from secondary sources', () => {
    const w = cal.warningsFor(at('2027-03-01T10:00:00+03:00'), at('2027-12-01T10:00:00+03:00'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ code: 'year-secondary-source', year: 2027 });
    expect(w[0]?.message).toMatch(/2027 production calendar comes from secondary sources/);
    expect(w[0]?.message).toMatch(/not confirmed from an official publication/);
  });

  it('2030 follows the statutory rule', () => {
    const w = cal.warningsFor(at('2030-05-06T10:00:00+03:00'));
    expect(w).toEqual([expect.objectContaining({ code: 'year-not-confirmed', year: 2030 })]);
    expect(w[0]?.message).toMatch(/not confirmed by decree/);
    expect(w[0]?.message).toMatch(/statutory holidays/);
  });

  it('one per distinct year, ascending; none for official years', () => {
    const w = cal.warningsFor(
      at('2031-01-01T10:00:00+03:00'),
      at('2026-06-01T10:00:00+03:00'),
      at('2027-01-01T10:00:00+03:00'),
      at('2031-06-01T10:00:00+03:00'),
      at('2012-06-01T10:00:00+03:00'),
      at('2023-06-01T10:00:00+03:00'),
    );
    expect(w.map((x) => [x.code, x.year])).toEqual([
      ['year-not-confirmed', 2012],
      ['year-secondary-source', 2027],
      ['year-not-confirmed', 2031],
    ]);
  });

  it.each<[number, string]>([
    [2012, 'statutory-rule'],
    [2013, 'official'],
    [2023, 'official'],
    [2024, 'official'],
    [2025, 'official'],
    [2026, 'official'],
    [2027, 'secondary'],
    [2028, 'statutory-rule'],
  ])('yearStatus(%i) = %s', (year, status) => {
    expect(cal.yearStatus(year)).toBe(status);
  });
});

describe('errors: never a wrong date', () => {
  const small = compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: 2025, toYear: 2026 });
  const expectError = (fn: () => unknown, code: CalendarError['code'], message: RegExp) => {
    let thrown: unknown;
    try {
      fn();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CalendarError);
    expect(thrown).toMatchObject({ code });
    expect((thrown as Error).message).toMatch(message);
  };

  it.each<[string, () => unknown, CalendarError['code'], RegExp]>([
    [
      'start before the range',
      () => small.addWorkingMinutes(at('2024-12-31T12:00:00+03:00'), 60),
      'out-of-range',
      /outside the compiled calendar \(2025-01-01 … 2026-12-31 in Europe\/Moscow\)/,
    ],
    [
      'start after the range',
      () => small.addWorkingMinutes(at('2027-01-02T12:00:00+03:00'), 60),
      'out-of-range',
      /outside/,
    ],
    [
      'deadline beyond the range',
      () => small.addWorkingMinutes(at('2026-12-30T12:00:00+03:00'), 600),
      'out-of-range',
      /beyond the compiled calendar/,
    ],
    [
      'working days beyond the range',
      () => small.addWorkingDays(at('2026-12-28T12:00:00+03:00'), 5),
      'out-of-range',
      /beyond/,
    ],
    [
      'months beyond the range',
      () => small.addMonths(at('2026-10-28T12:00:00+03:00'), 4),
      'out-of-range',
      /beyond/,
    ],
    ['closeOfDate with no working day left', () => small.closeOfDate('2026-12-31'), 'out-of-range', /beyond/],
    ['date outside', () => small.isWorkingDate('2027-01-11'), 'out-of-range', /outside/],
    ['monthNorm outside', () => small.monthNorm(2027, 1), 'out-of-range', /outside/],
    ['NaN start', () => cal.addWorkingMinutes(NaN, 60), 'invalid-input', /integer epoch-millisecond/],
    [
      'fractional ms start',
      () => cal.addWorkingMinutes(at('2026-03-10T10:00:00+03:00') + 0.5, 60),
      'invalid-input',
      /integer/,
    ],
    [
      'fractional minutes',
      () => cal.addWorkingMinutes(at('2026-03-10T10:00:00+03:00'), 1.5),
      'invalid-input',
      /whole, non-negative/,
    ],
    [
      'negative minutes',
      () => cal.addWorkingMinutes(at('2026-03-10T10:00:00+03:00'), -1),
      'invalid-input',
      /non-negative/,
    ],
    [
      'infinite minutes',
      () => cal.addWorkingMinutes(at('2026-03-10T10:00:00+03:00'), Infinity),
      'invalid-input',
      /whole/,
    ],
    [
      'negative days',
      () => cal.addWorkingDays(at('2026-03-10T10:00:00+03:00'), -2),
      'invalid-input',
      /working days/,
    ],
    [
      'fractional months',
      () => cal.addMonths(at('2026-03-10T10:00:00+03:00'), 0.5),
      'invalid-input',
      /months/,
    ],
    [
      'NaN in between',
      () => cal.workingMinutesBetween(at('2026-03-10T10:00:00+03:00'), NaN),
      'invalid-input',
      /to must be/,
    ],
    ['malformed date', () => cal.closeOfDate('2026-3-1'), 'invalid-input', /YYYY-MM-DD/],
    ['impossible date', () => cal.closeOfDate('2026-02-30'), 'invalid-input', /real calendar date/],
    ['bad month', () => cal.monthNorm(2026, 13), 'invalid-input', /month 1–12/],
    ['warnings outside', () => small.warningsFor(at('2030-01-01T10:00:00+03:00')), 'out-of-range', /outside/],
    [
      'invalid config',
      () => compileCalendar(calendarConfig({ zone: 'Mars/Olympus', shortDayMinutes: -1 })),
      'invalid-config',
      /zone: unknown IANA time zone "Mars\/Olympus"; shortDayMinutes/,
    ],
    [
      'inverted range',
      () => compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: 2030, toYear: 2020 }),
      'invalid-input',
      /fromYear ≤ toYear/,
    ],
    [
      'absurd range',
      () => compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: 1000, toYear: 2020 }),
      'out-of-range',
      /supported/,
    ],
  ])('%s', (_name, fn, code, message) => {
    expectError(fn, code, message);
  });

  it('the last instant of the range is accepted and measured', () => {
    const end = at('2027-01-01T00:00:00+03:00');
    expect(small.workingMinutesBetween(at('2026-12-30T00:00:00+03:00'), end)).toBe(480);
    expect(small.addWorkingMinutes(end, 0)).toBe(end);
  });
});
