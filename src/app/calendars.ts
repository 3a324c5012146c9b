/**
 * Compiled calendars, cached per configuration: compiling is done once per distinct calendar in a
 * process (a Forge invocation container, the server, a `reglament batch` run), not once per issue.
 * The cache is least-recently-used with room for 64 calendars (about 0.7 MB each): every zone of
 * Russia (11) under several schedules stays compiled while a batch cycles through them.
 */
import { compileCalendar } from '../domain/calendar';
import type { CalendarConfig, WorkingCalendar } from '../domain/calendar/types';

const cache = new Map<string, WorkingCalendar>();
/** Per configuration object: settings objects are reused until they change, so this skips serialising. */
const byObject = new WeakMap<CalendarConfig, WorkingCalendar>();
/** How many compiled calendars are kept (a compile costs ~0.1 s of CPU, a calendar ~0.7 MB). */
export const MAX_CALENDARS = 64;
let compiles = 0;

/** The compiled calendar of a configuration (compiled on first use, then reused). */
export function calendarFor(config: CalendarConfig): WorkingCalendar {
  const same = byObject.get(config);
  if (same) return same;
  const key = JSON.stringify(config);
  const hit = cache.get(key);
  if (hit) {
    // Most recently used goes last (Map keeps insertion order), so eviction takes the least recent.
    cache.delete(key);
    cache.set(key, hit);
    byObject.set(config, hit);
    return hit;
  }
  const compiled = compileCalendar(config);
  compiles += 1;
  if (cache.size >= MAX_CALENDARS) {
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
