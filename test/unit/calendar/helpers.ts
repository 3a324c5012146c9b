import { DEFAULT_CALENDAR_CONFIG } from '../../../src/domain/calendar/config';
import { formatInstant, parseInstant } from '../../../src/domain/calendar/instant';
import type { CalendarConfig, WorkingCalendar } from '../../../src/domain/calendar/types';

/** ISO with offset → epoch ms. */
export const at = (iso: string): number => parseInstant(iso);

/** Epoch ms → ISO in the calendar's zone. */
export const iso = (cal: WorkingCalendar, ms: number): string => formatInstant(ms, cal.zone);

/** A calendar config built from the default with overrides (test builder). */
export function calendarConfig(patch: Partial<CalendarConfig> = {}): CalendarConfig {
  return { ...DEFAULT_CALENDAR_CONFIG, ...patch };
}

const DAY = [['09:00', '18:00']] as [string, string][];

/** Every day 09:00–18:00 (no break), for DST tests. */
export const SEVEN_DAY_WEEK = { 1: DAY, 2: DAY, 3: DAY, 4: DAY, 5: DAY, 6: DAY, 7: DAY };
