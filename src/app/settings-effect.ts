/**
 * Settings take effect (issue #15): which saved changes move the running clocks, so saving them starts
 * the background recomputation (the `recomputeAll` job) instead of waiting for "Recompute all".
 */
import type { Settings } from './ports';

/** The parts of the settings that change a verdict, a record or what the app writes on an issue. */
export const CLOCK_SETTINGS = [
  'policy',
  'calendar',
  'issueTypes',
  'priorityMap',
  'setDueDate',
  'projects',
  'supportStaff',
] as const;

/**
 * The clock-relevant parts that differ between two settings (empty when only escalation,
 * notifications or secrets changed).
 * @example changedClockSettings(a, { ...a, calendar: { ...a.calendar, zone: 'Asia/Tokyo' } }) // ['calendar']
 */
export function changedClockSettings(before: Settings, after: Settings): (typeof CLOCK_SETTINGS)[number][] {
  return CLOCK_SETTINGS.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
}
