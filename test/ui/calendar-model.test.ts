/**
 * The calendar year grid's model: months in Monday-first weeks, the kinds of days as the backend's
 * year view gives them (holidays, transfers, shortened days, own dates), the click cycle of own dates,
 * and keyboard movement.
 */
import { calendarYear } from '../../src/app/api';
import { DEFAULT_CALENDAR_CONFIG } from '../../src/domain/calendar';
import type { CalendarConfig } from '../../src/domain/calendar/types';
import {
  addDays,
  addOwnDate,
  isoWeekday,
  monthWeeks,
  moveDate,
  nextOwnKind,
  OWN_CYCLE,
  setOwnDate,
  yearConfirmed,
} from '../../static/admin/calendar-model';

const config = (overrides: CalendarConfig['overrides'] = []): CalendarConfig => ({
  ...structuredClone(DEFAULT_CALENDAR_CONFIG),
  overrides,
});

describe('monthWeeks', () => {
  const view = calendarYear(config(), 2026);

  it('lays March 2026 out Monday first: the 1st is a Sunday, six rows', () => {
    const weeks = monthWeeks(2026, 3, view.days);
    expect(weeks).toHaveLength(6);
    expect(weeks[0]!.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(weeks[0]![6]!.date).toBe('2026-03-01');
    expect(weeks[1]![0]!.date).toBe('2026-03-02');
    expect(weeks[5]!.map((d) => d?.date ?? null)).toEqual([
      '2026-03-30',
      '2026-03-31',
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  });

  it('lays February 2027 out in exactly four rows (the 1st is a Monday)', () => {
    const weeks = monthWeeks(2027, 2, calendarYear(config(), 2027).days);
    expect(weeks).toHaveLength(4);
    expect(weeks[0]![0]!.date).toBe('2027-02-01');
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });
});

describe('the kinds of days the grid shows (2026, Russian production calendar)', () => {
  const view = calendarYear(config(), 2026);
  const day = (date: string) => view.days.find((d) => d.date === date)!;

  it.each([
    ['2026-01-01', 'holiday', false],
    ['2026-01-09', 'day-off', false], // moved from Saturday 3 January by decree
    ['2026-03-06', 'workday', true],
    ['2026-03-07', 'weekend', false],
    ['2026-03-08', 'holiday', false],
    ['2026-03-09', 'day-off', false], // 8 March fell on a Sunday
    ['2026-04-30', 'short-day', true],
    ['2026-06-12', 'holiday', false],
  ])('%s is %s', (date, kind, working) => {
    expect(day(date).kind).toBe(kind);
    expect(day(date).working).toBe(working);
    expect(day(date).own).toBe(false);
  });

  it('gives a shortened day 7 working hours and a workday 8', () => {
    expect(day('2026-04-30').minutes).toBe(420);
    expect(day('2026-03-06').minutes).toBe(480);
  });

  it('has 247 working days in 2026, 15 of them in January', () => {
    expect(view.days.filter((d) => d.working)).toHaveLength(247);
    expect(view.months[0]).toEqual({ month: 1, workingDays: 15, hours: 120 });
    expect(view.status).toBe('official');
  });

  it('marks 2027 (secondary sources) and 2030 (statutory rule) as not confirmed', () => {
    expect(calendarYear(config(), 2027).status).toBe('secondary');
    expect(yearConfirmed(calendarYear(config(), 2027).status)).toBe(false);
    expect(calendarYear(config(), 2030).status).toBe('statutory-rule');
    expect(yearConfirmed('statutory-rule')).toBe(false);
    expect(yearConfirmed('official')).toBe(true);
  });
});

describe("own dates (the administrator's overrides)", () => {
  it('cycles a workday through every own kind and back to the official calendar', () => {
    let overrides = config().overrides;
    const seen: string[] = [];
    for (let i = 0; i < OWN_CYCLE.length + 1; i++) {
      const d = calendarYear(config(overrides), 2026).days.find((x) => x.date === '2026-03-10')!;
      seen.push(`${d.kind}${d.own ? '*' : ''}`);
      overrides = setOwnDate(overrides, d.date, nextOwnKind(d));
    }
    expect(seen).toEqual(['workday', 'holiday*', 'day-off*', 'working-day*', 'short-day*']);
    expect(overrides).toEqual([]);
  });

  it('starts an official holiday at the first kind that changes it', () => {
    expect(nextOwnKind({ kind: 'holiday', own: false })).toBe('day-off');
    expect(nextOwnKind({ kind: 'weekend', own: false })).toBe('holiday');
  });

  it('makes an own holiday non-working and an own working day working', () => {
    const v = calendarYear(
      config([
        { date: '2026-03-10', kind: 'holiday' },
        { date: '2026-03-07', kind: 'working-day' },
      ]),
      2026,
    );
    const d10 = v.days.find((d) => d.date === '2026-03-10')!;
    const d07 = v.days.find((d) => d.date === '2026-03-07')!;
    expect([d10.kind, d10.own, d10.minutes]).toEqual(['holiday', true, 0]);
    expect([d07.kind, d07.own, d07.minutes]).toEqual(['working-day', true, 480]);
    expect(v.months[2]!.workingDays).toBe(calendarYear(config(), 2026).months[2]!.workingDays);
  });

  it('keeps the overrides sorted, one per date', () => {
    let o = setOwnDate([], '2026-05-04', 'holiday');
    o = setOwnDate(o, '2026-01-12', 'day-off');
    o = setOwnDate(o, '2026-05-04', 'short-day');
    expect(o).toEqual([
      { date: '2026-01-12', kind: 'day-off' },
      { date: '2026-05-04', kind: 'short-day' },
    ]);
    expect(setOwnDate(o, '2026-01-12', null)).toEqual([{ date: '2026-05-04', kind: 'short-day' }]);
  });
});

describe('keyboard movement in the year grid', () => {
  it.each([
    ['2026-03-10', 'ArrowRight', '2026-03-11'],
    ['2026-03-10', 'ArrowLeft', '2026-03-09'],
    ['2026-03-10', 'ArrowDown', '2026-03-17'],
    ['2026-03-10', 'ArrowUp', '2026-03-03'],
    ['2026-03-31', 'ArrowRight', '2026-04-01'],
    ['2026-03-10', 'Home', '2026-03-09'],
    ['2026-03-10', 'End', '2026-03-15'],
    ['2026-03-31', 'PageUp', '2026-02-28'],
    ['2026-01-31', 'PageDown', '2026-02-28'],
    ['2026-01-01', 'ArrowLeft', '2026-01-01'],
    ['2026-12-29', 'ArrowDown', '2026-12-31'],
  ])('%s %s → %s', (from, key, to) => expect(moveDate(from, key, 2026)).toBe(to));

  it('ignores other keys', () => expect(moveDate('2026-03-10', 'a', 2026)).toBeUndefined());

  it('knows weekdays and adds days across a year end', () => {
    expect(isoWeekday('2026-03-09')).toBe(1);
    expect(isoWeekday('2026-03-08')).toBe(7);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('addOwnDate: the explicit "Add date" (issue #15)', () => {
  it('adds a date with its kind and note, in date order, replacing that date', () => {
    const r = addOwnDate([{ date: '2026-12-31', kind: 'holiday' }], {
      date: '2026-05-04',
      kind: 'day-off',
      note: ' Company day ',
    });
    expect(r).toEqual({
      ok: true,
      overrides: [
        { date: '2026-05-04', kind: 'day-off', note: 'Company day' },
        { date: '2026-12-31', kind: 'holiday' },
      ],
    });
    const again = addOwnDate([{ date: '2026-12-31', kind: 'holiday' }], {
      date: '2026-12-31',
      kind: 'short-day',
    });
    expect(again).toEqual({ ok: true, overrides: [{ date: '2026-12-31', kind: 'short-day' }] });
  });
  it('names the field of a date that is not a real YYYY-MM-DD or an unknown kind', () => {
    expect(addOwnDate([], { date: '2026-02-30', kind: 'holiday' })).toEqual({ ok: false, field: 'date' });
    expect(addOwnDate([], { date: '31.12.2026', kind: 'holiday' })).toEqual({ ok: false, field: 'date' });
    expect(addOwnDate([], { date: '', kind: 'holiday' })).toEqual({ ok: false, field: 'date' });
    expect(addOwnDate([], { date: '2026-12-31', kind: 'party' as never })).toEqual({
      ok: false,
      field: 'kind',
    });
  });
});
