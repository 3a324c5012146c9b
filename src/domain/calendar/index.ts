/** The working-time calendar: configuration, compiled engine, production calendar, ISO edges. */
export * from './types';
export {
  ALL_DAY_CALENDAR_CONFIG,
  DEFAULT_CALENDAR_CONFIG,
  resolveCalendarConfig,
  validateCalendarConfig,
  type CalendarConfigProblem,
  type CalendarConfigResult,
} from './config';
export { compileCalendar, DEFAULT_COMPILE_RANGE, yearWarning, type CompileRange } from './engine';
export { formatInstant, parseInstant } from './instant';
export { ruStatutoryYear, ruYear, ruYearStatus, RU_STATUTORY_HOLIDAYS, type RuYearDays } from './ru-rule';
export {
  RU_PRODUCTION_FIRST_YEAR,
  RU_PRODUCTION_LAST_YEAR,
  RU_PRODUCTION_YEARS,
  type ProductionYear,
} from './production-ru';
