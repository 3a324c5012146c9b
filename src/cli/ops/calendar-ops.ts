/**
 * Working-time batch ops: deadlines and measurements on a working calendar. Every op takes an optional
 * `calendar` (a partial calendar configuration merged over the default: Moscow, 09–13 + 14–18, the
 * Russian production calendar), instants as ISO 8601 with an offset, and answers instants in the
 * calendar zone's offset, with `warnings` when a year involved is not confirmed by decree.
 *
 *   {"op":"add-working-time","start":"2026-03-06T16:30:00+03:00","minutes":480}
 *   → {"end":"2026-03-10T16:30:00+03:00"}
 */
import { formatInstant } from '../../domain/calendar/instant';
import { CalendarError, type CalendarWarning, type WorkingCalendar } from '../../domain/calendar/types';
import { OpError } from '../errors';
import { calendarField, instantField } from './evaluate-ops';
import { numberField } from './input';
import { registerOp } from './registry';

/** Runs a calendar computation, turning CalendarError into an OpError with the same message. */
function onCalendar<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof CalendarError) {
      throw new OpError(e.code === 'out-of-range' ? 'out-of-range' : 'invalid-field', e.message);
    }
    throw e;
  }
}

function withWarnings(result: Record<string, unknown>, warnings: CalendarWarning[]): Record<string, unknown> {
  return warnings.length > 0 ? { ...result, warnings } : result;
}

function deadline(
  input: Record<string, unknown>,
  field: string,
  add: (cal: WorkingCalendar, start: number, n: number) => number,
): Record<string, unknown> {
  const cal = calendarField(input);
  const start = instantField(input, 'start');
  const n = numberField(input, field, { integer: true, min: 0 });
  return onCalendar(() => {
    const end = add(cal, start, n);
    return withWarnings({ end: formatInstant(end, cal.zone) }, cal.warningsFor(start, end));
  });
}

registerOp('add-working-time', (input) =>
  deadline(input, 'minutes', (cal, start, n) => cal.addWorkingMinutes(start, n)),
);

registerOp('add-working-days', (input) =>
  deadline(input, 'days', (cal, start, n) => cal.addWorkingDays(start, n)),
);

registerOp('add-months', (input) => deadline(input, 'months', (cal, start, n) => cal.addMonths(start, n)));

registerOp('working-time-between', (input) => {
  const cal = calendarField(input);
  const from = instantField(input, 'from');
  const to = instantField(input, 'to');
  return onCalendar(() =>
    withWarnings({ minutes: cal.workingMinutesBetween(from, to) }, cal.warningsFor(from, to)),
  );
});

registerOp('month-norm', (input) => {
  const cal = calendarField(input);
  const year = numberField(input, 'year', { integer: true });
  const month = numberField(input, 'month', { integer: true });
  return onCalendar(() => {
    const norm = cal.monthNorm(year, month);
    const first = cal.startOfDate(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`);
    return withWarnings({ workingDays: norm.workingDays, hours: norm.hours }, cal.warningsFor(first));
  });
});
