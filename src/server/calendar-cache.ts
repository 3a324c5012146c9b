/**
 * The compiled calendar of a settings object, remembered per object. The store hands out one frozen
 * settings object until the settings change, so on the hot path this is a WeakMap lookup instead of
 * the app's cache key (the calendar configuration serialized on every call).
 */
import { calendarFor } from '../app/calendars';
import type { Settings } from '../app/ports';
import type { WorkingCalendar } from '../domain/calendar/types';

const byConfig = new WeakMap<object, WorkingCalendar>();

export function calendarOf(settings: Settings): WorkingCalendar {
  let c = byConfig.get(settings.calendar);
  if (!c) {
    c = calendarFor(settings.calendar);
    byConfig.set(settings.calendar, c);
  }
  return c;
}
