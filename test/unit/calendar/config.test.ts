import {
  ALL_DAY_CALENDAR_CONFIG,
  DEFAULT_CALENDAR_CONFIG,
  resolveCalendarConfig,
  validateCalendarConfig,
} from '../../../src/domain/calendar/config';
import { formatInstant, parseInstant } from '../../../src/domain/calendar/instant';
import { CalendarError } from '../../../src/domain/calendar/types';
import { calendarConfig } from './helpers';

describe('validateCalendarConfig', () => {
  it('accepts the two shipped configurations', () => {
    expect(validateCalendarConfig(DEFAULT_CALENDAR_CONFIG)).toEqual([]);
    expect(validateCalendarConfig(ALL_DAY_CALENDAR_CONFIG)).toEqual([]);
  });

  it('the shipped configurations are frozen', () => {
    expect(Object.isFrozen(DEFAULT_CALENDAR_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CALENDAR_CONFIG.week[1])).toBe(true);
  });

  it('reports every problem at once, with its path', () => {
    const problems = validateCalendarConfig({
      zone: 'Mars/Olympus',
      allDay: 'yes',
      week: {
        1: [
          ['09:00', '13:00'],
          ['12:00', '18:00'],
        ],
        2: [['18:00', '09:00']],
        3: [['9:00', '25:00']],
        4: 'x',
        5: [],
        6: [],
        8: [],
      },
      shortDayMinutes: 1.5,
      production: 'by',
      overrides: [
        { date: '2026-02-30', kind: 'holiday' },
        { date: '2026-03-10', kind: 'vacation' },
        { date: '2026-03-10', kind: 'day-off', intervals: [['09:00', '10:00']] },
        { date: '2026-03-11', kind: 'working-day', intervals: [] },
        { date: '2026-03-12', kind: 'short-day', note: 5, extra: true },
      ],
      colour: 'blue',
    });
    expect(problems.map((p) => p.path)).toEqual([
      'colour',
      'zone',
      'allDay',
      'week.8',
      'week.1[1]',
      'week.2[0]',
      'week.3[0][0]',
      'week.3[0][1]',
      'week.4',
      'week.7',
      'shortDayMinutes',
      'production',
      'overrides[0].date',
      'overrides[1].kind',
      'overrides[2].date',
      'overrides[2].intervals',
      'overrides[3].intervals',
      'overrides[4].extra',
      'overrides[4].note',
    ]);
    expect(problems.find((p) => p.path === 'overrides[2].date')?.message).toBe(
      '2026-03-10 is already set by overrides[1]',
    );
    expect(problems.find((p) => p.path === 'zone')?.message).toBe('unknown IANA time zone "Mars/Olympus"');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 42, ''],
    ['no week at all', { ...DEFAULT_CALENDAR_CONFIG, week: undefined }, 'week'],
    ['an empty week', calendarConfig({ week: { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] } }), 'week'],
    ['overrides not a list', { ...DEFAULT_CALENDAR_CONFIG, overrides: {} }, 'overrides'],
  ])('%s', (_name, config, path) => {
    expect(validateCalendarConfig(config).map((p) => p.path)).toEqual([path]);
  });

  it('an empty week is fine for a 24/7 calendar', () => {
    const week = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
    expect(validateCalendarConfig({ ...ALL_DAY_CALENDAR_CONFIG, week })).toEqual([]);
  });
});

describe('resolveCalendarConfig (partial over the default)', () => {
  it('no partial gives the default', () => {
    expect(resolveCalendarConfig(undefined)).toEqual({ ok: true, config: DEFAULT_CALENDAR_CONFIG });
  });

  it('merges the week by weekday and replaces the rest', () => {
    const r = resolveCalendarConfig({
      zone: 'Europe/Berlin',
      week: { 6: [['10:00', '14:00']] },
      production: 'none',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.zone).toBe('Europe/Berlin');
    expect(r.config.week[1]).toEqual(DEFAULT_CALENDAR_CONFIG.week[1]);
    expect(r.config.week[6]).toEqual([['10:00', '14:00']]);
    expect(r.config.production).toBe('none');
    expect(r.config.shortDayMinutes).toBe(60);
  });

  it('returns the problems of the merged result', () => {
    expect(resolveCalendarConfig({ zone: 42, shortDayMinutes: -1 })).toEqual({
      ok: false,
      problems: [
        { path: 'zone', message: 'unknown IANA time zone 42' },
        { path: 'shortDayMinutes', message: 'must be a whole number of minutes from 0 to 1440, got -1' },
      ],
    });
    expect(resolveCalendarConfig('Europe/Moscow')).toMatchObject({ ok: false, problems: [{ path: '' }] });
  });
});

describe('parseInstant / formatInstant', () => {
  it.each<[string, number]>([
    ['2026-03-06T16:30:00+03:00', Date.UTC(2026, 2, 6, 13, 30)],
    ['2026-03-06T13:30:00Z', Date.UTC(2026, 2, 6, 13, 30)],
    ['2026-03-06T16:30+03:00', Date.UTC(2026, 2, 6, 13, 30)],
    ['2026-03-06T16:30:00.250+0300', Date.UTC(2026, 2, 6, 13, 30, 0, 250)],
    ['2026-03-06T08:30:00-05:00', Date.UTC(2026, 2, 6, 13, 30)],
  ])('parseInstant(%s)', (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it.each([
    '2026-03-06T16:30:00',
    '2026-03-06',
    'yesterday',
    '2026-02-30T10:00:00+03:00',
    '2026-03-06T25:00:00Z',
    '',
  ])('rejects %j', (text) => {
    expect(() => parseInstant(text)).toThrow(CalendarError);
  });

  it('explains what is expected', () => {
    expect(() => parseInstant('2026-03-06T16:30:00')).toThrow(/ISO 8601 with an offset/);
  });

  it.each<[number, string, string]>([
    [Date.UTC(2026, 2, 10, 13, 30), 'Europe/Moscow', '2026-03-10T16:30:00+03:00'],
    [Date.UTC(2026, 2, 29, 7, 0), 'Europe/Berlin', '2026-03-29T09:00:00+02:00'],
    [Date.UTC(2026, 0, 1, 0, 0), 'UTC', '2026-01-01T00:00:00Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 5), 'Asia/Kolkata', '2026-01-01T05:30:00.005+05:30'],
  ])('formatInstant(%i, %s) = %s', (ms, zone, text) => {
    expect(formatInstant(ms, zone)).toBe(text);
  });

  it('rejects a bad zone or a non-finite instant', () => {
    expect(() => formatInstant(0, 'Mars/Olympus')).toThrow(/unknown IANA time zone/);
    expect(() => formatInstant(NaN, 'UTC')).toThrow(/finite/);
  });
});
