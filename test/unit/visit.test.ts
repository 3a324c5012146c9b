/**
 * §2.7 visit notice on the default Moscow calendar with the 2026 production calendar: 1–3 May and
 * 9–11 May are days off (11 May: 9 May moved), 9 March is off (8 March moved). "At least 5 working
 * days ahead" = 5 working days strictly between the request date and the visit date.
 */
import {
  ALL_DAY_CALENDAR_CONFIG,
  CalendarError,
  DEFAULT_CALENDAR_CONFIG,
  compileCalendar,
  parseInstant,
} from '../../src/domain/calendar';
import { checkVisitNotice } from '../../src/domain/visit';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const at = (iso: string): number => parseInstant(iso);

describe('checkVisitNotice around the May holidays', () => {
  // Thu 30 Apr: the working days after it are 4, 5, 6, 7, 8 May — the 5th is Fri 8 May.
  const APR30 = at('2026-04-30T15:00:00+03:00');

  it('refuses the 5th working day itself: only 4 full working days lie between', () => {
    const r = checkVisitNotice(APR30, '2026-05-08', cal);
    expect(r).toMatchObject({
      ok: false,
      reason: 'too-short',
      requestDate: '2026-04-30',
      workingDaysGiven: 4,
      noticeEnds: '2026-05-08',
      earliestDate: '2026-05-09',
      earliestWorkingDate: '2026-05-12',
      minDays: 5,
    });
    if (r.ok) return;
    expect(r.message.ru.text).toBe(
      'Выезд специалиста на 8 мая 2026 запрошен за 4 рабочих дня, а регламент (п. 2.7) требует запрашивать его не менее чем за 5 рабочих дней. Ближайшая возможная дата — 9 мая 2026 (ближайший рабочий день — 12 мая 2026).',
    );
    expect(r.message.en.text).toBe(
      'The on-site visit on 8 May 2026 was requested 4 working days ahead, and the regulation (§2.7) requires at least 5 working days. The earliest possible date is 9 May 2026 (the earliest working day is 12 May 2026).',
    );
  });

  it('accepts any date after the 5th working day: Sat 9 May and Tue 12 May', () => {
    expect(checkVisitNotice(APR30, '2026-05-09', cal)).toMatchObject({ ok: true, workingDaysGiven: 5 });
    expect(checkVisitNotice(APR30, '2026-05-12', cal)).toMatchObject({ ok: true, noticeEnds: '2026-05-08' });
  });

  it('counts from the day after a request made on a day off', () => {
    // Sat 9 May: 10, 11 May off; working 12, 13, 14, 15, 18 May
    const r = checkVisitNotice(at('2026-05-09T10:00:00+03:00'), '2026-05-18', cal);
    expect(r).toMatchObject({
      ok: false,
      workingDaysGiven: 4,
      noticeEnds: '2026-05-18',
      earliestDate: '2026-05-19',
    });
    expect(checkVisitNotice(at('2026-05-09T10:00:00+03:00'), '2026-05-19', cal).ok).toBe(true);
  });
});

describe('checkVisitNotice: dates, zones and limits', () => {
  it('reads the request date in the calendar zone, not UTC or the process zone', () => {
    // 22:30 UTC Mon 2 Mar = 01:30 Tue 3 Mar in Moscow: counting starts on Wed 4 Mar
    const utcMonday = at('2026-03-02T22:30:00Z');
    const r = checkVisitNotice(utcMonday, '2026-03-11', cal);
    // 4, 5, 6, 10 Mar (9 Mar off) = 4 working days between; the 5th is 11 Mar
    expect(r).toMatchObject({
      ok: false,
      requestDate: '2026-03-03',
      workingDaysGiven: 4,
      noticeEnds: '2026-03-11',
    });
    // the same visit requested on Monday in Moscow has its 5 days (3, 4, 5, 6, 10 Mar)
    expect(checkVisitNotice(at('2026-03-02T20:30:00+03:00'), '2026-03-11', cal).ok).toBe(true);
  });

  it('skips the moved holiday of 9 March with a one-day notice', () => {
    expect(checkVisitNotice(at('2026-03-06T12:00:00+03:00'), '2026-03-10', cal, 1)).toMatchObject({
      ok: false,
      workingDaysGiven: 0,
      noticeEnds: '2026-03-10',
      earliestWorkingDate: '2026-03-11',
    });
  });

  it('refuses a date in the past and names the earliest one', () => {
    const r = checkVisitNotice(at('2026-04-30T15:00:00+03:00'), '2026-04-29', cal);
    expect(r).toMatchObject({ ok: false, reason: 'in-past', earliestWorkingDate: '2026-05-12' });
    if (!r.ok)
      expect(r.message.en.text).toBe(
        'The visit date 29 April 2026 has passed. The earliest possible date is 9 May 2026 (the earliest working day is 12 May 2026).',
      );
  });

  it('refuses the same day, and allows it when the notice is set to 0', () => {
    const now = at('2026-04-30T09:00:00+03:00');
    expect(checkVisitNotice(now, '2026-04-30', cal)).toMatchObject({
      ok: false,
      reason: 'too-short',
      workingDaysGiven: 0,
    });
    expect(checkVisitNotice(now, '2026-04-30', cal, 0)).toMatchObject({
      ok: true,
      earliestDate: '2026-04-30',
    });
    expect(checkVisitNotice(now, '2026-04-29', cal, 0)).toMatchObject({ ok: false, reason: 'in-past' });
  });

  it('counts calendar days on a 24/7 calendar', () => {
    const allDay = compileCalendar(ALL_DAY_CALENDAR_CONFIG);
    const r = checkVisitNotice(at('2026-04-30T15:00:00+03:00'), '2026-05-05', allDay);
    expect(r).toMatchObject({
      ok: false,
      workingDaysGiven: 4,
      noticeEnds: '2026-05-05',
      earliestWorkingDate: '2026-05-06',
    });
  });

  it('rejects malformed input with a CalendarError', () => {
    expect(() => checkVisitNotice(at('2026-04-30T15:00:00+03:00'), '2026-02-30', cal)).toThrow(CalendarError);
    expect(() => checkVisitNotice(at('2026-04-30T15:00:00+03:00'), '2026-05-20', cal, 2.5)).toThrow(
      CalendarError,
    );
  });
});
