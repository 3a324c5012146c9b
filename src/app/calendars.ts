/**
 * Compiled calendars, cached per configuration: compiling is done once per distinct calendar in a
 * process (a Forge invocation container or the server), not once per issue.
 */
import { compileCalendar } from '../domain/calendar';
import type { CalendarConfig, WorkingCalendar } from '../domain/calendar/types';

const cache = new Map<string, WorkingCalendar>();
/** Per configuration object: settings objects are reused until they change, so this skips serialising. */
const byObject = new WeakMap<CalendarConfig, WorkingCalendar>();
const MAX_ENTRIES = 8;
let compiles = 0;

/** The compiled calendar of a configuration (compiled on first use, then reused). */
export function calendarFor(config: CalendarConfig): WorkingCalendar {
  const same = byObject.get(config);
  if (same) return same;
  const key = JSON.stringify(config);
  const hit = cache.get(key);
  if (hit) {
    byObject.set(config, hit);
    return hit;
  }
  const compiled = compileCalendar(config);
  compiles += 1;
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, compiled);
  byObject.set(config, compiled);
  return compiled;
}

/** How many times a calendar was compiled in this process (for tests and diagnostics). */
export function calendarCompileCount(): number {
  return compiles;
}
