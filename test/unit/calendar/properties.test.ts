import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  ALL_DAY_CALENDAR_CONFIG,
  DEFAULT_CALENDAR_CONFIG,
  compileCalendar,
} from '../../../src/domain/calendar/engine';
import { RU_PRODUCTION_YEARS } from '../../../src/domain/calendar/production-ru';
import type { CalendarConfig, WorkingCalendar } from '../../../src/domain/calendar/types';
import { at } from './helpers';

const berlinCustom: CalendarConfig = {
  zone: 'Europe/Berlin',
  week: {
    1: [
      ['08:00', '12:00'],
      ['12:30', '17:00'],
    ],
    2: [
      ['08:00', '12:00'],
      ['12:30', '17:00'],
    ],
    3: [
      ['00:00', '03:30'],
      ['22:00', '24:00'],
    ],
    4: [['08:00', '17:00']],
    5: [['08:00', '14:15']],
    6: [],
    7: [['01:00', '04:00']],
  },
  shortDayMinutes: 45,
  production: 'ru',
  overrides: [
    {
      date: '2026-03-29',
      kind: 'working-day',
      intervals: [
        ['01:30', '02:30'],
        ['02:45', '05:00'],
      ],
    },
    { date: '2026-10-25', kind: 'short-day', intervals: [['02:00', '03:00']] },
    { date: '2026-12-24', kind: 'holiday' },
  ],
};

const calendars: [string, WorkingCalendar][] = [
  ['default (Moscow)', compileCalendar(DEFAULT_CALENDAR_CONFIG)],
  ['24/7 Berlin', compileCalendar({ ...ALL_DAY_CALENDAR_CONFIG, zone: 'Europe/Berlin' })],
  ['custom Berlin with DST-night intervals', compileCalendar(berlinCustom)],
];

const LO = Date.UTC(2021, 0, 1);
const HI = Date.UTC(2033, 11, 1);
const instant = fc.integer({ min: LO, max: HI });
const minutes = fc.integer({ min: 0, max: 100_000 });

describe.each(calendars)('properties: %s', (_name, cal) => {
  it('a deadline is never before its start', () => {
    fc.assert(
      fc.property(instant, minutes, (s, m) => {
        expect(cal.addWorkingMinutes(s, m)).toBeGreaterThanOrEqual(s);
      }),
    );
  });

  it('workingMinutesBetween(s, addWorkingMinutes(s, m)) === m', () => {
    fc.assert(
      fc.property(instant, minutes, (s, m) => {
        expect(cal.workingMinutesBetween(s, cal.addWorkingMinutes(s, m))).toBe(m);
      }),
    );
  });

  it('a longer duration never gives an earlier deadline; a later start never gives an earlier deadline', () => {
    fc.assert(
      fc.property(instant, instant, minutes, minutes, (s1, s2, m1, m2) => {
        const [a, b] = m1 <= m2 ? [m1, m2] : [m2, m1];
        expect(cal.addWorkingMinutes(s1, a)).toBeLessThanOrEqual(cal.addWorkingMinutes(s1, b));
        const [early, late] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(cal.addWorkingMinutes(early, a)).toBeLessThanOrEqual(cal.addWorkingMinutes(late, a));
      }),
    );
  });

  it('the deadline is the earliest instant: working time was accruing just before it', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 100_000 }), (s, m) => {
        const end = cal.addWorkingMinutes(s, m);
        expect(cal.workingMinutesBetween(end - 1, end)).toBeGreaterThan(0);
      }),
    );
  });

  it('adding in two steps equals adding at once', () => {
    fc.assert(
      fc.property(instant, minutes, minutes, (s, a, b) => {
        expect(cal.addWorkingMinutes(cal.addWorkingMinutes(s, a), b)).toBe(cal.addWorkingMinutes(s, a + b));
      }),
    );
  });

  it('addWorkingDays ends at the close of a working day after the start date', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), (s, n) => {
        const end = cal.addWorkingDays(s, n);
        const date = cal.dateOf(end - 1);
        expect(cal.isWorkingDate(date)).toBe(true);
        expect(cal.closeOfDate(date)).toBe(end);
        expect(date > cal.dateOf(s)).toBe(true);
        expect(cal.addWorkingDays(s, n + 1)).toBeGreaterThan(end);
      }),
    );
  });
});

describe('the default calendar agrees with a minute-by-minute oracle built from the data', () => {
  const years = Object.values(RU_PRODUCTION_YEARS);
  const off = new Set(years.flatMap((y) => [...y.holidays, ...y.extraDaysOff]));
  const workingWeekend = new Set(years.flatMap((y) => y.workingWeekends));
  const short = new Set(years.flatMap((y) => y.shortDays));
  const isWorkingMinute = (t: number): boolean => {
    const dt = DateTime.fromMillis(t, { zone: 'Europe/Moscow' });
    const date = dt.toISODate() as string;
    if (off.has(date) || (dt.weekday >= 6 && !workingWeekend.has(date))) return false;
    const minute = dt.hour * 60 + dt.minute;
    return (minute >= 540 && minute < 780) || (minute >= 840 && minute < (short.has(date) ? 1020 : 1080));
  };
  const oracleAdd = (start: number, m: number): number => {
    let left = m;
    for (let t = start; ; t += 60_000) {
      if (isWorkingMinute(t) && --left === 0) return t + 60_000;
    }
  };
  const cal = calendars[0]?.[1] as WorkingCalendar;
  const from = at('2024-01-01T00:00:00+03:00') / 60_000;
  const to = at('2027-12-01T00:00:00+03:00') / 60_000;

  // The oracle walks minute by minute: 24 s at load 11 on 2 cores; the timeout is no speed check (#14).
  it('on random whole-minute starts 2024–2027 and durations up to 10 hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.integer({ min: 1, max: 600 }), (minute, m) => {
        expect(cal.addWorkingMinutes(minute * 60_000, m)).toBe(oracleAdd(minute * 60_000, m));
      }),
      { numRuns: 60 },
    );
  }, 90_000);

  it.each([
    ['2025-12-30T17:30:00+03:00', 45],
    ['2024-11-01T17:59:00+03:00', 420],
    ['2027-02-19T17:00:00+03:00', 480],
    ['2026-05-08T16:00:00+03:00', 61],
  ])('around holidays: %s + %i min', (start, m) => {
    expect(cal.addWorkingMinutes(at(start), m)).toBe(oracleAdd(at(start), m));
  });
});

describe('results do not depend on the process time zone', () => {
  // Jest sandboxes process.env, so each zone runs in a child `node` process on the SWC-transpiled engine.
  const queries = fc.sample(fc.tuple(instant, minutes, fc.integer({ min: 0, max: 40 })), {
    numRuns: 300,
    seed: 20250101,
  });
  // Inside the repository (.tmp/ is git-ignored) so the transpiled engine resolves luxon from node_modules.
  const tmpRoot = path.join(__dirname, '../../../.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const engineDir = fs.mkdtempSync(path.join(tmpRoot, 'calendar-engine-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildEngine } = require('../../../bench/build-engine.js') as {
    buildEngine: (dir: string) => string;
  };
  buildEngine(engineDir);
  const configs = [DEFAULT_CALENDAR_CONFIG, berlinCustom];
  const child = `
    const c = require(${JSON.stringify(path.join(engineDir, 'index.js'))});
    const { configs, queries } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const results = configs.map((config) => {
      const cal = c.compileCalendar(config);
      return queries.map(([s, m, d]) => [
        cal.addWorkingMinutes(s, m),
        cal.workingMinutesBetween(s, s + m * 7919),
        cal.addWorkingDays(s, d),
        cal.addMonths(s, d % 13),
        cal.dateOf(s),
      ]);
    });
    process.stdout.write(JSON.stringify({ offset: new Date(2026, 0, 1).getTimezoneOffset(), results }));`;
  const inProcess = configs.map((config) => {
    const cal = compileCalendar(config);
    return queries.map(([s, m, d]) => [
      cal.addWorkingMinutes(s, m),
      cal.workingMinutesBetween(s, s + m * 7_919),
      cal.addWorkingDays(s, d),
      cal.addMonths(s, d % 13),
      cal.dateOf(s),
    ]);
  });
  const runIn = (tz: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', child], {
        env: { ...process.env, TZ: tz },
        input: JSON.stringify({ configs, queries }),
        encoding: 'utf8',
      }),
    ) as { offset: number; results: unknown };
  afterAll(() => fs.rmSync(engineDir, { recursive: true, force: true }));

  it.each<[string, number]>([
    ['UTC', 0],
    ['America/New_York', 300],
    ['Europe/Berlin', -60],
    ['Pacific/Chatham', -825],
    ['Asia/Kathmandu', -345],
  ])('TZ=%s (offset %i) gives the same answers as this process', (tz, offset) => {
    const { offset: childOffset, results } = runIn(tz);
    expect(childOffset).toBe(offset);
    expect(results).toEqual(inProcess);
  });
});
