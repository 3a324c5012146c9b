/**
 * Source §2.7: an on-site visit is requested "не менее чем за 5 (пять) рабочих дней до предполагаемой
 * даты прибытия" — at least 5 working days before the intended arrival date. Pure.
 *
 * Reading (Civil Code art. 191, as SPEC §6 counts day periods): counting starts on the day after the
 * request; the notice is the number of **working days strictly between** the request date and the
 * visit date. The visit must come **after** the 5th working day, never on it: those 5 days must all
 * pass before the arrival day. The time of day of the request does not matter; a request on a day off
 * counts from the next day all the same. The visit date itself may be any date (the regulation does
 * not restrict it); the message also names the earliest working day, the usual choice.
 */
import { formatDate as isoOf, parseDate } from './calendar/dates';
import { CalendarError, type WorkingCalendar } from './calendar/types';
import type { Locale } from './codes';
import { formatDate, renderMessage, workingDays, type Message } from './messages';

/** §2.7 default: working days of notice. */
export const DEFAULT_VISIT_NOTICE_DAYS = 5;

interface VisitFacts {
  /** The request's date in the calendar's zone. */
  requestDate: string;
  visitDate: string;
  minDays: number;
  /** Working days strictly between the request date and the visit date, counted up to `minDays`. */
  workingDaysGiven: number;
  /** The `minDays`-th working day after the request date: the visit must come after it. */
  noticeEnds: string;
  /** The earliest date that gives enough notice (the day after `noticeEnds`; the request date when `minDays` is 0). */
  earliestDate: string;
  /** The earliest working day that gives enough notice. */
  earliestWorkingDate: string;
}

export type VisitCheck =
  | ({ ok: true } & VisitFacts)
  | ({ ok: false; reason: 'too-short' | 'in-past'; message: Record<Locale, Message> } & VisitFacts);

/**
 * Checks the notice of an on-site visit (§2.7).
 *
 * @param requestedAt when the visit was requested (epoch ms)
 * @param visitDate the intended arrival date, 'YYYY-MM-DD' in the calendar's zone
 * @param minDays working days of notice (policy; default 5). 0 only forbids dates in the past.
 * @throws CalendarError 'invalid-input' for a malformed date or count, 'out-of-range' beyond the calendar.
 * @example
 * // Requested Thu 30 Apr 2026 (Moscow): 1–3 May and 9–11 May are days off, so the working days
 * // after it are 4, 5, 6, 7, 8 May — the 5th is 8 May.
 * checkVisitNotice(parseInstant('2026-04-30T15:00:00+03:00'), '2026-05-08', calendar)
 * // => { ok: false, reason: 'too-short', workingDaysGiven: 4, noticeEnds: '2026-05-08', earliestDate: '2026-05-09', earliestWorkingDate: '2026-05-12', … }
 */
export function checkVisitNotice(
  requestedAt: number,
  visitDate: string,
  calendar: WorkingCalendar,
  minDays: number = DEFAULT_VISIT_NOTICE_DAYS,
): VisitCheck {
  const visit = parseDate(visitDate);
  if (visit === undefined)
    throw new CalendarError(
      'invalid-input',
      `visit date must be YYYY-MM-DD, got ${JSON.stringify(visitDate)}`,
    );
  if (!Number.isInteger(minDays) || minDays < 0)
    throw new CalendarError('invalid-input', `notice must be a whole number of working days, got ${minDays}`);
  const requestDate = calendar.dateOf(requestedAt);
  const request = parseDate(requestDate) as number;
  const working = (day: number): boolean => calendar.isWorkingDate(isoOf(day));

  let given = 0;
  for (let d = request + 1; d < visit && given < minDays; d++) if (working(d)) given += 1;
  let noticeEnds = request;
  for (let n = 0; n < minDays;) if (working(++noticeEnds)) n += 1;
  const earliest = minDays === 0 ? request : noticeEnds + 1;
  let earliestWorking = earliest;
  while (!working(earliestWorking)) earliestWorking += 1;

  const facts: VisitFacts = {
    requestDate,
    visitDate,
    minDays,
    workingDaysGiven: given,
    noticeEnds: isoOf(noticeEnds),
    earliestDate: isoOf(earliest),
    earliestWorkingDate: isoOf(earliestWorking),
  };
  if (visit < request) return { ok: false, reason: 'in-past', ...facts, message: messages('in-past', facts) };
  if (visit < earliest)
    return { ok: false, reason: 'too-short', ...facts, message: messages('too-short', facts) };
  return { ok: true, ...facts };
}

function messages(reason: 'too-short' | 'in-past', f: VisitFacts): Record<Locale, Message> {
  const one = (lang: Locale): Message => {
    const earliest =
      f.earliestDate === f.earliestWorkingDate
        ? formatDate(f.earliestDate, lang)
        : lang === 'ru'
          ? `${formatDate(f.earliestDate, lang)} (ближайший рабочий день — ${formatDate(f.earliestWorkingDate, lang)})`
          : `${formatDate(f.earliestDate, lang)} (the earliest working day is ${formatDate(f.earliestWorkingDate, lang)})`;
    return reason === 'in-past'
      ? renderMessage('visit-in-past', lang, { date: formatDate(f.visitDate, lang), earliest })
      : renderMessage('visit-notice-too-short', lang, {
          date: formatDate(f.visitDate, lang),
          given: workingDays(f.workingDaysGiven, lang),
          min: workingDays(f.minDays, lang),
          earliest,
        });
  };
  return { ru: one('ru'), en: one('en') };
}
